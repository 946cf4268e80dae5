"""Learning-rate schedulers, as ``torch.optim.lr_scheduler``: each changes its optimizer's
learning rates once per epoch (``from micrograd_club.optim.lr_scheduler import StepLR`` works
as the PyTorch import does)."""

import copy
import warnings

from micrograd_club._inputs import as_switch, whole_number
from micrograd_club._io import plural
from micrograd_club.optim.optimizers import Optimizer, _check_range

__all__ = ["LRScheduler", "StepLR", "ExponentialLR", "LambdaLR"]


class LRScheduler:
    """Changes each group's learning rate ``"lr"`` once per epoch, like torch's schedulers.

    On creation it records each group's starting rate η₀ as ``"initial_lr"`` (unless the group
    already has one, e.g. from a loaded state dict) and in ``base_lrs``, and sets epoch 0's
    rate; then call ``scheduler.step()`` once per epoch, *after* ``optimizer.step()``.
    ``last_epoch`` counts those calls and ``get_last_lr()`` returns the rates now in use.

    ``last_epoch``, as in PyTorch, is -1 for a fresh start; resuming, it is the last epoch the
    saved run finished, and the optimizer's groups must already hold their ``"initial_lr"``
    (load the optimizer's state dict first). A scheduler of your own, written for PyTorch as
    ``super().__init__(optimizer, last_epoch)`` with a ``get_lr()``, runs here unchanged.
    """

    _is_initial = False  # True during the step that __init__ takes, as in PyTorch (ExponentialLR reads it)

    def __init__(self, optimizer, last_epoch=-1):
        self.optimizer = _require_optimizer(optimizer)
        last_epoch = whole_number(last_epoch, "last_epoch", minimum=-1)
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            _require_initial_lr(optimizer, last_epoch)
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0  # step() calls, the one __init__ makes included
        self._is_initial = True
        self.step()
        self._is_initial = False

    def step(self):
        """Move to the next epoch and set every group's ``"lr"`` for it."""
        self._step_count += 1
        if self._step_count == 2 and self.optimizer._step_count == 0:  # the first step() after creation
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`: the scheduler has skipped "
                "the first value of the learning rate schedule. Call `scheduler.step()` after "
                "`optimizer.step()`, once per epoch (as in PyTorch).",
                UserWarning,
                stacklevel=2,
            )
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = float(lr)  # a numpy gamma or lambda result would make every parameter a numpy number
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        """The learning rate of each parameter group, as set by the last ``step()``."""
        return list(self._last_lr)

    def state_dict(self):
        """Everything but the optimizer (and LambdaLR's functions), as plain data."""
        return {
            key: copy.deepcopy(value)
            for key, value in vars(self).items()
            if key not in ("optimizer", "lr_lambdas")
        }

    def load_state_dict(self, state_dict):
        """Continue from ``state_dict()`` output. The learning rates themselves are in the
        optimizer's state dict: load that too.

        Everything is checked before anything changes: a state saved from another kind of
        scheduler, or for an optimizer with another number of parameter groups, or with a
        setting that makes no sense (a damaged file), raises instead of surfacing as a
        wrong learning rate or a TypeError many epochs later, and leaves the scheduler as it was."""
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, dict):
            raise TypeError(f"{where} expects what scheduler.state_dict() returns, a dict; "
                            f"got {type(state_dict).__name__} {state_dict!r:.60}")
        own = self.state_dict()
        missing = sorted(key for key in own if key not in state_dict and not key.startswith("_"))
        unexpected = sorted(map(str, set(state_dict) - set(own)))
        if missing or unexpected:
            differences = [f"it lacks {missing}" if missing else "", f"it has {unexpected}" if unexpected else ""]
            raise ValueError(
                f"{where}: the state does not fit this scheduler ({' and '.join(filter(None, differences))}): was "
                f"it saved from a different scheduler than {type(self).__name__}? Make the same kind of scheduler "
                "as the saved run had before loading its state"
            )
        state = copy.deepcopy(state_dict)
        try:
            self._check_loaded(state)
        except (TypeError, ValueError) as error:
            raise type(error)(f"{where}: {error}") from None
        self.__dict__.update(state)

    def _check_loaded(self, state):
        """Raise TypeError or ValueError for a value in a loaded ``state`` that this scheduler
        could not run with (a subclass checks its own settings, then calls this)."""
        whole_number(state.get("last_epoch", -1), "last_epoch", minimum=-1)
        whole_number(state.get("_step_count", 0), "_step_count", minimum=0)
        as_switch(state.get("_is_initial", False), "_is_initial")
        groups = len(self.optimizer.param_groups)
        for name in ("base_lrs", "_last_lr"):
            rates = state.get(name, [0.0] * groups)
            if not isinstance(rates, (list, tuple)) or len(rates) != groups:
                raise ValueError(f"{name} must be a list of {plural(groups, 'learning rate')}, one per parameter "
                                 f"group of the optimizer; got {rates!r:.60}")
            for rate in rates:
                _check_range(rate, f"learning rate in {name}")

    def __repr__(self):
        """One line: the scheduler's settings, the epoch and the rates now in use,
        ``StepLR(step_size=10, gamma=0.1, last_epoch=3, lr=[0.1])``."""
        rates = ", ".join(f"{lr:g}" for lr in self.get_last_lr())
        shown = [*self._settings(), f"last_epoch={self.last_epoch}", f"lr=[{rates}]"]
        return f"{type(self).__name__}({', '.join(shown)})"

    def _settings(self):
        """The scheduler's own settings as ``repr`` shows them: ["gamma=0.1", …]."""
        return []


class StepLR(LRScheduler):
    """η = η₀ · γ^⌊epoch / step_size⌋: multiply the learning rate by γ every ``step_size`` epochs.

    As in torch it multiplies the group's *current* ``"lr"``, so it combines with other
    schedulers and with changes you make to ``"lr"`` yourself.
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        _check_range(gamma, "gamma value")
        self.step_size = whole_number(step_size, "step_size")
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """Each group's learning rate for epoch ``last_epoch``."""
        decays_now = self.last_epoch > 0 and self.last_epoch % self.step_size == 0
        factor = self.gamma if decays_now else 1.0
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def _settings(self):
        return [f"step_size={self.step_size}", f"gamma={self.gamma:g}"]

    def _check_loaded(self, state):
        whole_number(state["step_size"], "step_size")
        _check_range(state["gamma"], "gamma value")
        super()._check_loaded(state)


class ExponentialLR(LRScheduler):
    """η = η₀ · γ^epoch: multiply the learning rate by γ every epoch (the current ``"lr"``, as
    in torch)."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        _check_range(gamma, "gamma value")
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """Each group's learning rate for epoch ``last_epoch``: γ times its current rate, or the
        rate unchanged for epoch 0, on creation."""
        factor = 1.0 if self._is_initial else self.gamma
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def _settings(self):
        return [f"gamma={self.gamma:g}"]

    def _check_loaded(self, state):
        _check_range(state["gamma"], "gamma value")
        super()._check_loaded(state)


class LambdaLR(LRScheduler):
    """η = η₀ · f(epoch) for a function f of your choice (one for all groups, or a list with one
    per group), e.g. ``lambda epoch: 1 / (1 + epoch)``."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        group_count = len(_require_optimizer(optimizer).param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != group_count:
                raise ValueError(f"Expected {group_count} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * group_count
        for f in self.lr_lambdas:
            if not callable(f):
                raise TypeError(f"lr_lambda must be a function of the epoch, got {type(f).__name__} {f!r}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """Each group's learning rate for epoch ``last_epoch``."""
        return [base_lr * f(self.last_epoch) for f, base_lr in zip(self.lr_lambdas, self.base_lrs)]

    def _settings(self):
        names = [getattr(f, "__name__", type(f).__name__) for f in self.lr_lambdas]  # <lambda> for a lambda
        one_for_all = all(f is self.lr_lambdas[0] for f in self.lr_lambdas)
        return [f"lr_lambda={names[0]}" if one_for_all else f"lr_lambda=[{', '.join(names)}]"]


def _require_initial_lr(optimizer, last_epoch):
    """Resuming at ``last_epoch`` needs every group's ``"initial_lr"``, the rate the schedule
    started from, which a fresh optimizer lacks: a KeyError, as PyTorch raises, saying why."""
    for i, group in enumerate(optimizer.param_groups):
        if "initial_lr" not in group:
            raise KeyError(
                f"param 'initial_lr' is not specified in param_groups[{i}] when resuming scheduler with "
                f"last_epoch={last_epoch}: load the optimizer's state dict (saved with its scheduler) before "
                "making the scheduler, or start a fresh schedule with last_epoch=-1"
            )


def _require_optimizer(optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
    return optimizer
