"""The optimizers: each holds its parameters and their state, and ``step()`` reads every
parameter's ``grad`` and changes its ``data``, nothing else (see ``micrograd_club.optim``).

Reading for the update rules? Each optimizer's ``_update(theta, g, group, state)`` is its
formula for one parameter θ with gradient g: ``SGD``, ``RMSprop``, ``Adagrad``, ``Adam`` and
``AdamW``, after the shared ``Optimizer`` class. The rest checks settings, saves and loads
state, and counts ``step()`` calls (a learning-rate scheduler warns when it is stepped before
the optimizer, as PyTorch's does)."""

import collections
import functools
import math
import numbers

from micrograd_club._inputs import as_switch, is_finite_number
from micrograd_club.engine import Value, enable_grad

__all__ = ["Optimizer", "SGD", "RMSprop", "Adagrad", "Adam", "AdamW"]


def _counted(step):
    """``step``, adding 1 to the optimizer's ``_step_count`` when it is the step() that was
    called, not a ``super().step()`` inside a subclass's own."""

    @functools.wraps(step)
    def counted_step(self, *args, **kwargs):
        if type(self).step is counted_step:
            self._step_count += 1
        return step(self, *args, **kwargs)

    return counted_step


class Optimizer:
    """What every optimizer shares: parameter groups, per-parameter state, ``zero_grad()``
    and saving/loading.

    ``params`` is an iterable of Values (a list, a generator, ``model.parameters()``), or a
    list of dicts ``{"params": [...], "lr": ..., ...}``, one per *parameter group*, whose
    entries override ``defaults`` for that group only::

        SGD([{"params": weights}, {"params": biases, "lr": 0.01}], lr=0.1)

    ``param_groups`` is the list of groups (each a dict of hyper-parameters plus its
    ``"params"``); ``state`` maps each parameter (the Value itself) to a dict of what the
    optimizer remembers about it between steps, such as a momentum buffer (an empty dict
    for a parameter not stepped yet, as PyTorch's defaultdict gives).

    An optimizer of your own defines ``_update(theta, g, group, state)``, one parameter's
    step, and ``step()`` calls it for every parameter. Or, as PyTorch's docs write one, it
    overrides ``step()`` itself and walks ``self.param_groups`` and ``self.state[p]``.
    """

    def __init_subclass__(cls, **kwargs):
        """A subclass's own ``step()`` (PyTorch's way to write an optimizer) counts its calls
        too, so a scheduler can tell that the optimizer has stepped."""
        super().__init_subclass__(**kwargs)
        if "step" in vars(cls):
            cls.step = _counted(cls.step)

    def __init__(self, params, defaults):
        if isinstance(params, (Value, dict)) or not hasattr(params, "__iter__"):
            hint = "pass a list such as [w, b] or [{'params': [w, b], 'lr': 0.1}]"
            if callable(getattr(params, "parameters", None)):
                hint = "pass the model's parameters, model.parameters(), not the model itself"
            elif getattr(params, "__name__", None) == "parameters":
                hint = "call the method: model.parameters(), with the brackets"
            raise TypeError(
                f"params argument given to the optimizer should be an iterable of Values or dicts, "
                f"but got {type(params).__name__}; {hint}"
            )
        defaults = _plain_settings(defaults)
        self._check_hyperparameters(defaults)
        self.defaults = defaults
        self.param_groups = []
        self.state = collections.defaultdict(dict)
        self._step_count = 0  # how many step() calls so far: schedulers check it, as PyTorch's do
        groups = list(params)
        if not groups:
            used_up = (
                ": params is a generator (or another iterator), which can be read only once, so one already "
                "given to another optimizer is empty. Pass a list, e.g. params = list(...), to each"
            ) if iter(params) is params else ""
            raise ValueError(f"optimizer got an empty parameter list{used_up}")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add one group ``{"params": [...], hyper-parameter: value, ...}``; hyper-parameters it
        leaves out take the optimizer's defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(
                "a parameter group needs a 'params' entry, e.g. {'params': [w, b], 'lr': 0.01}; "
                f"got the keys {sorted(param_group)}"
            )
        params = param_group["params"]
        if isinstance(params, Value):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering "
                "of Values in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)

        already_optimized = {p for group in self.param_groups for p in group["params"]}
        for param in params:
            if not isinstance(param, Value):
                hint = ""
                if isinstance(param, tuple):
                    hint = " (pass model.parameters(), not named_parameters())"
                elif isinstance(param, list):
                    hint = (" (a list of lists? Join them, a.parameters() + b.parameters(), or give each its own "
                            "group: [{'params': a.parameters()}, {'params': b.parameters(), 'lr': 0.01}])")
                raise TypeError(
                    f"optimizer can only optimize Values, but one of the params is {type(param).__name__}{hint}"
                )
            if param.parents:
                raise ValueError(
                    f"can't optimize a non-leaf Value: {param!r} was computed (by '{param.op}') from "
                    "other Values. Pass the Values you created yourself (weights, biases) instead."
                )
            if param in already_optimized:
                raise ValueError(
                    f"the parameter {param!r} appears more than once: each Value can be in only one "
                    "parameter group, once"
                )
            already_optimized.add(param)

        settings = _plain_settings({k: v for k, v in param_group.items() if k != "params"})
        group = {"params": params, **self.defaults, **settings}
        self._check_hyperparameters(group)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Set every parameter's ``grad`` to 0.0, ready for the next ``backward()``.
        ``set_to_none`` is accepted for PyTorch code: a grad here is always a number, so it is 0.0."""
        for group in self.param_groups:
            for param in group["params"]:
                param.grad = 0.0

    def state_dict(self):
        """The optimizer as plain data (JSON-able), like torch's: ``"param_groups"`` holds each
        group's hyper-parameters with its parameters replaced by their positions 0, 1, 2, …
        (counted across groups), and ``"state"`` maps those positions to each parameter's state."""
        position = {}
        param_groups = []
        for group in self.param_groups:
            saved = {key: value for key, value in group.items() if key != "params"}
            saved["params"] = [position.setdefault(param, len(position)) for param in group["params"]]
            param_groups.append(saved)
        state = {i: dict(self.state[p]) for p, i in position.items() if self.state.get(p)}
        return {"state": state, "param_groups": param_groups}

    def load_state_dict(self, state_dict):
        """Take hyper-parameters and state from ``state_dict()`` output (also after a JSON round
        trip, which turns the state's keys into strings). The groups must have the same sizes.
        Everything is checked before anything changes: a ValueError leaves the optimizer as it was."""
        if not (isinstance(state_dict, dict) and isinstance(state_dict.get("param_groups"), list)
                and isinstance(state_dict.get("state"), dict)):
            raise ValueError(
                "load_state_dict expects what an optimizer's state_dict() returns: a dict with 'state' (a dict) "
                f"and 'param_groups' (a list); got {type(state_dict).__name__} {state_dict!r:.60}"
            )
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has a different number of parameter groups "
                f"({len(saved_groups)}, the optimizer has {len(self.param_groups)})"
            )
        _check_saved_positions(saved_groups)
        param_by_position, new_groups = {}, []
        for group, saved in zip(self.param_groups, saved_groups):
            saved = {**{k: v for k, v in _SETTINGS_ADDED_LATER.items() if k in self.defaults}, **saved}
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size of "
                    f"optimizer's group ({len(saved['params'])} parameters, expected {len(group['params'])})"
                )
            missing = sorted(set(self.defaults) - set(saved))
            if missing:
                raise ValueError(
                    f"loaded state dict has no {missing} in a parameter group: was it saved from a "
                    f"different optimizer than {type(self).__name__}?"
                )
            new_group = _plain_settings({key: value for key, value in saved.items() if key != "params"})
            new_group["params"] = group["params"]
            self._check_hyperparameters(new_group)
            new_groups.append(new_group)
            param_by_position.update((position, (param, new_group)) for position, param in
                                     zip(saved["params"], group["params"]))
        state = {}  # everything is checked before anything changes
        for position, saved_state in state_dict["state"].items():
            param, group = self._saved_parameter(position, param_by_position)
            state[param] = self._checked_state(position, saved_state, group)
        self.param_groups = new_groups
        self.state = collections.defaultdict(dict, state)

    @staticmethod
    def _saved_parameter(position, param_by_position):
        """(parameter, its group) that a key of a saved "state" names: a position, which
        JSON turns into a str ("0")."""
        try:
            return param_by_position[int(position)]
        except (KeyError, TypeError, ValueError):
            raise ValueError(
                f"loaded state dict has state for parameter {position!r}, but its param_groups number the "
                f"parameters {min(param_by_position, default=0)} to {max(param_by_position, default=0)}"
            ) from None

    def _checked_state(self, position, saved_state, group):
        """A copy of one parameter's saved state: a dict holding at least what this optimizer
        keeps from its first step (Adam's "step", "exp_avg" …), numbers where that start holds
        numbers. Anything else an optimizer of your own keeps is taken as it was saved."""
        where = f"loaded state dict's state for parameter {position!r}"
        saver = f"{type(self).__name__}.state_dict()"
        if not isinstance(saved_state, dict):
            raise ValueError(f"{where} must be a dict, as {saver} gives; got {saved_state!r:.60}")
        first = self._initial_state(group)
        missing = sorted(set(first) - set(saved_state))
        if missing:
            raise ValueError(f"{where} has no {missing}, which {saver} gives; got {saved_state!r:.60}")
        for name, start in first.items():
            if _is_number(start) and not _is_number(saved_state[name]):
                raise ValueError(f"{where}: {name} must be a number, as {saver} gives; got {saved_state[name]!r:.60}")
            if name in _COUNTS_AND_SQUARES and saved_state[name] < 0:  # math.sqrt would fail at the next step()
                raise ValueError(f"{where}: {name} is {saved_state[name]!r}, but it counts steps or adds up squares, "
                                 "so it is never negative: the state dict is damaged; save it again")
            if name == "step" and isinstance(saved_state[name], float) and not saved_state[name].is_integer():
                raise ValueError(f"{where}: step is {saved_state[name]!r}, but it counts steps, a whole number")
        try:
            return _plain_settings(saved_state)
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None

    @_counted
    def step(self, closure=None):
        """One update of every parameter θ from its current ``grad``, by the optimizer's own
        rule (``_update``). ``closure``, if given, recomputes the loss and its gradients first,
        and its loss is returned, as in PyTorch. A parameter whose grad is None (PyTorch's
        ``p.grad = None``) is left alone, as torch.optim leaves it."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            for theta in group["params"]:
                if theta.grad is None:  # PyTorch's p.grad = None, no gradient: no step, as torch.optim skips it
                    continue
                state = self.state[theta]
                if not state:  # the first step of this parameter
                    state.update(self._initial_state(group))
                self._update(theta, _gradient(theta, group), group, state)
        return loss

    def _update(self, theta, g, group, state):
        """Change ``theta.data`` by this optimizer's rule, from g (∇L, with weight decay and
        ``maximize`` applied) and the parameter's ``state``: each optimizer's own formula."""
        raise NotImplementedError(
            f"{type(self).__name__} has no update rule: an optimizer of your own defines "
            "_update(self, theta, g, group, state), one parameter's step, or step(self, closure=None) as in PyTorch"
        )

    def _initial_state(self, group):
        """A parameter's state before its first step (each optimizer says what it keeps)."""
        return {}

    def _check_hyperparameters(self, group):
        """Raise ValueError (TypeError for a non-number) on a hyper-parameter that makes no sense."""
        if "lr" in group:  # every optimizer here has both; one of your own may have neither, as in PyTorch
            _check_range(group["lr"], "learning rate")
        if "weight_decay" in group:
            _check_range(group["weight_decay"], "weight_decay value")

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        lines.append(")")
        return "\n".join(lines)


class SGD(Optimizer):
    """Gradient descent, optionally with momentum, exactly as ``torch.optim.SGD``.

    With g = ∇L + λθ (λ = ``weight_decay``, an L2 penalty ½λθ² added to the loss), γ =
    ``momentum`` (the notes' letter) and b the momentum buffer (PyTorch's letter, not a bias):

        plain:     θ ← θ − η·g                                  (the notes' θ_new = θ_old − η∇L)
        momentum:  b ← γ·b + (1 − dampening)·g   (b = g on the first step)
                   θ ← θ − η·b
        nesterov:  θ ← θ − η·(g + γ·b)           (look one momentum step ahead)

    The notes write momentum as v ← γ·v + η·∇L, θ ← θ − v. That is the same update with
    v = η·b: multiply the line for b by η (η constant, dampening 0) and it becomes the line
    for v, and θ − η·b = θ − v. PyTorch keeps b rather than v so that changing η mid-training
    (a scheduler) takes effect at once.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False):
        defaults = dict(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _update(self, theta, g, group, state):
        """θ ← θ − η·g, through the momentum buffer b when γ > 0 (see the class docstring)."""
        momentum = group["momentum"]
        if momentum != 0:
            b = state.get("momentum_buffer")
            b = g if b is None else momentum * b + (1 - group["dampening"]) * g
            state["momentum_buffer"] = b
            g = g + momentum * b if group["nesterov"] else b
        theta.data -= group["lr"] * g

    def _check_hyperparameters(self, group):
        super()._check_hyperparameters(group)
        _check_range(group["momentum"], "momentum value", high=1.0)
        _check_range(group["dampening"], "dampening value", high=1.0, high_included=True)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum and zero dampening "
                f"(got momentum={group['momentum']}, dampening={group['dampening']})"
            )


class RMSprop(Optimizer):
    """Divide each step by a running average of the gradient's size, as ``torch.optim.RMSprop``.

    With g = ∇L + λθ:

        v ← α·v + (1 − α)·g²          a running mean of g² (``square_avg``)
        θ ← θ − η·g / (√v + ε)
        centered:  ḡ ← α·ḡ + (1 − α)·g and v − ḡ² (the variance of g) in place of v
        momentum γ > 0:  b ← γ·b + g / (√v + ε),  θ ← θ − η·b

    Parameters whose gradient is usually large take small steps and vice versa.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, *,
                 maximize=False):
        defaults = dict(
            lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _update(self, theta, g, group, state):
        """θ ← θ − η·g / (√v + ε), v the running mean of g² (see the class docstring)."""
        alpha, momentum = group["alpha"], group["momentum"]
        state["step"] += 1
        state["square_avg"] = v = alpha * state["square_avg"] + (1 - alpha) * g * g
        if group["centered"]:
            state["grad_avg"] = g_avg = alpha * state["grad_avg"] + (1 - alpha) * g
            v = max(v - g_avg * g_avg, 0.0)  # a variance, though rounding can take it just below 0
        scaled_g = _divide(g, math.sqrt(v) + group["eps"])
        if momentum > 0:
            state["momentum_buffer"] = scaled_g = momentum * state["momentum_buffer"] + scaled_g
        theta.data -= group["lr"] * scaled_g

    def _initial_state(self, group):
        state = {"step": 0, "square_avg": 0.0}
        if group["momentum"] > 0:
            state["momentum_buffer"] = 0.0
        if group["centered"]:
            state["grad_avg"] = 0.0
        return state

    def _check_hyperparameters(self, group):
        super()._check_hyperparameters(group)
        _check_range(group["alpha"], "alpha value", high=1.0, high_included=True)
        _check_range(group["eps"], "epsilon value")
        _check_range(group["momentum"], "momentum value", high=1.0)


class Adagrad(Optimizer):
    """Divide each step by the root of the sum of all past squared gradients, as
    ``torch.optim.Adagrad``.

    At step t (1, 2, …), with g = ∇L + λθ:

        η_t = η / (1 + (t − 1)·lr_decay)
        s ← s + g²                    (s starts at ``initial_accumulator_value``)
        θ ← θ − η_t·g / (√s + ε)

    s only grows, so every parameter's steps shrink over time.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, *,
                 maximize=False):
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _update(self, theta, g, group, state):
        """θ ← θ − η_t·g / (√s + ε), s the sum of every g² so far (see the class docstring)."""
        state["step"] += 1
        lr_t = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        state["sum"] = s = state["sum"] + g * g
        theta.data -= lr_t * _divide(g, math.sqrt(s) + group["eps"])

    def _initial_state(self, group):
        return {"step": 0, "sum": float(group["initial_accumulator_value"])}

    def _check_hyperparameters(self, group):
        super()._check_hyperparameters(group)
        _check_range(group["lr_decay"], "lr_decay value")
        _check_range(group["initial_accumulator_value"], "initial_accumulator_value value")
        _check_range(group["eps"], "epsilon value")


class Adam(Optimizer):
    """Momentum plus RMSprop-style scaling, with bias correction, as ``torch.optim.Adam``.

    At step t (1, 2, …), with g = ∇L + λθ and ``betas`` = (β₁, β₂):

        m ← β₁·m + (1 − β₁)·g          running mean of g          (``exp_avg``)
        v ← β₂·v + (1 − β₂)·g²         running mean of g²         (``exp_avg_sq``)
        m̂ = m / (1 − β₁ᵗ),  √v̂ = √v / √(1 − β₂ᵗ)   (m and v start at 0, which biases them small)
        θ ← θ − η·m̂ / (√v̂ + ε)
        amsgrad:  v_max ← max(v_max, v), the largest v so far (``max_exp_avg_sq``), is used in
                  √v̂ instead of v; v itself runs on unchanged

    (√v̂ is taken as √v / √(1 − β₂ᵗ), as PyTorch does: v / (1 − β₂ᵗ) can overflow where √v
    does not.)

    On the first step m̂ = g and √v̂ = |g|, so every parameter moves by about η·sign(g),
    however large or small its gradient.

    ``decoupled_weight_decay=True`` is ``AdamW``: θ shrinks by η·λ·θ directly instead.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 maximize=False, decoupled_weight_decay=False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update(self, theta, g, group, state):
        """θ ← θ − η·m̂ / (√v̂ + ε) (see the class docstring)."""
        if group["decoupled_weight_decay"]:
            theta.data *= 1 - group["lr"] * group["weight_decay"]  # θ ← θ − η·λ·θ, not through g
        beta1, beta2 = group["betas"]
        state["step"] += 1
        t = state["step"]
        state["exp_avg"] = m = beta1 * state["exp_avg"] + (1 - beta1) * g
        state["exp_avg_sq"] = v = beta2 * state["exp_avg_sq"] + (1 - beta2) * g * g
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = v = max(state["max_exp_avg_sq"], v)
        step_size = group["lr"] / (1 - beta1**t)  # η/(1 − β₁ᵗ), so η·m̂ = step_size·m
        denominator = math.sqrt(v) / math.sqrt(1 - beta2**t) + group["eps"]
        theta.data -= step_size * _divide(m, denominator)

    def _initial_state(self, group):
        state = {"step": 0, "exp_avg": 0.0, "exp_avg_sq": 0.0}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = 0.0
        return state

    def _check_hyperparameters(self, group):
        super()._check_hyperparameters(group)
        _check_range(group["eps"], "epsilon value")
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (β₁, β₂) such as (0.9, 0.999), got {betas!r}")
        for i, beta in enumerate(betas):
            _check_range(beta, f"beta parameter at index {i}", high=1.0)


class AdamW(Adam):
    """Adam with *decoupled* weight decay, as ``torch.optim.AdamW``: before Adam's step each
    parameter shrinks by its own fraction η·λ,

        θ ← θ − η·λ·θ,  then Adam's update from g = ∇L alone,

    instead of adding λθ to the gradient, where Adam's scaling would shrink large-gradient
    weights less than the others. λ = ``weight_decay`` is 0.01 by default, as in PyTorch.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)


# the settings that are switches, True or False
SWITCHES = ("nesterov", "centered", "amsgrad", "maximize", "decoupled_weight_decay")


def _is_number(value):
    """A real number, not a bool (True is an int to Python, but not a setting's value)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _plain_settings(settings):
    """Hyper-parameters as plain Python numbers: a numpy float32 learning rate would make every
    parameter a float32 after one step (and the model unsavable as JSON). A switch must be
    True or False: the string "False" would switch it on."""
    plain = {}
    for key, value in settings.items():
        if key in SWITCHES:
            value = as_switch(value, key)
        elif _is_number(value) and type(value) not in (int, float):
            value = int(value) if isinstance(value, numbers.Integral) else float(value)  # numpy and other numbers
        elif isinstance(value, (tuple, list)) and key == "betas":  # a list stays a list (as JSON gives it back)
            value = type(value)(float(b) if _is_number(b) else b
                                for b in value)
        if type(value) is int and not is_finite_number(value):
            raise ValueError(f"{key} is a {len(str(abs(value)))}-digit number, too large for a float")
        plain[key] = value
    return plain


# the state that an optimizer here keeps as a count of steps or a sum or mean of squares: never negative
_COUNTS_AND_SQUARES = {"step", "sum", "square_avg", "exp_avg_sq", "max_exp_avg_sq"}

# settings that state dicts saved by earlier versions lack, with the value those versions used
_SETTINGS_ADDED_LATER = {"maximize": False, "decoupled_weight_decay": False}


def _check_saved_positions(saved_groups):
    """Raise ValueError unless each saved parameter group is a dict whose "params" is a list of
    positions (whole numbers), no position used twice: what ``state_dict()`` writes. A damaged
    or hand-made state dict is refused by name, not with a KeyError or a bare TypeError."""
    seen = set()
    for index, saved in enumerate(saved_groups):
        where = f"loaded state dict's param_groups[{index}]"
        if not isinstance(saved, dict) or "params" not in saved:
            raise ValueError(f"{where} must be a dict with 'params' (the parameters' positions) and the group's "
                             f"settings, as state_dict() gives; got {saved!r:.60}")
        positions = saved["params"]
        if not isinstance(positions, list) or not all(type(p) is int for p in positions):
            raise ValueError(f"{where}['params'] must be a list of the parameters' positions (whole numbers, such as "
                             f"[0, 1, 2]), as state_dict() gives; got {positions!r:.60}")
        counts = collections.Counter(positions)  # once, not positions.count per position (quadratic)
        repeated = sorted(seen.intersection(counts) | {p for p, count in counts.items() if count > 1})
        if repeated:
            raise ValueError(f"{where}['params'] repeats the positions {repeated[:5]}: each parameter has one position")
        seen.update(positions)


def _evaluate(closure):
    """``closure()``, the loss it recomputes (with its gradients), or None without a closure.
    Run with the graph on, as PyTorch does, so a ``step`` inside ``no_grad()`` still works."""
    if closure is None:
        return None
    if not callable(closure):
        raise TypeError(
            f"step(closure) takes a function that recomputes the loss, got {type(closure).__name__}: "
            f"{closure!r:.40}. With the loss already computed, call loss.backward() and then optimizer.step()"
        )
    with enable_grad():
        return closure()


def _gradient(theta, group):
    """∇L (−∇L with ``maximize``), plus λθ when ``weight_decay`` λ is set (the gradient of an
    extra loss term ½λθ²), unless the decay is decoupled (AdamW applies it to θ itself)."""
    g = -theta.grad if group.get("maximize") else theta.grad
    weight_decay = group.get("weight_decay", 0)
    if weight_decay == 0 or group.get("decoupled_weight_decay"):
        return g
    return g + weight_decay * theta.data


def _divide(numerator, denominator):
    """numerator / denominator for a denominator ≥ 0, with x/0 = ±inf and 0/0 = nan as in
    PyTorch. (The denominators here are √(mean of g²) + ε: 0 only with eps = 0, for a
    gradient that was always 0 or whose square underflows.)"""
    if denominator:
        return numerator / denominator
    return math.nan if numerator == 0 or math.isnan(numerator) else math.copysign(math.inf, numerator)


def _check_range(value, name, low=0.0, high=math.inf, high_included=False):
    """Raise unless ``value`` is a number with low ≤ value < high (≤ high if ``high_included``).
    Messages start like torch's: "Invalid learning rate: -0.1"."""
    if not _is_number(value):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    below_high = value <= high if high_included else value < high
    if not (low <= value and below_high):  # also False for NaN and ±infinity
        if high == math.inf:
            allowed = f"a finite number ≥ {low:g}"
        else:
            allowed = f"in [{low:g}, {high:g}{']' if high_included else ')'}"
        raise ValueError(f"Invalid {name}: {value!r} (must be {allowed})")
