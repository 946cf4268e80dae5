"""A training loop with a progress bar: ``fit`` runs epochs of forward, backward and
optimizer steps over (mini-)batches and returns the history of loss and metrics.

    history = fit(model, X, y, loss="hinge", optimizer=SGD(model.parameters(), lr=0.1),
                  epochs=100, l2=1e-4)
    history["loss"][-1], history["accuracy"][-1]

Batch, stochastic and mini-batch gradient descent (section 4.2.3 of the notes) are the
same loop with ``batch_size=None``, ``1`` or ``m``.

With a named loss, ``fit`` compiles one example's loss into a numpy tape
(``micrograd_club.compile``) and replays it over each batch: the same numbers and
gradients, about 50 times as fast as the scalar engine (fused neurons) on the README's
moons benchmark. Models or losses that cannot be replayed (a custom loss function, an op
the tape does not know, a graph that depends on the data) train with the scalar engine,
as ``compile=False`` forces; ``history.path`` says which ran.
"""

import csv
import io
import math
import numbers
import sys
import warnings

import numpy as np

from micrograd_club import losses
from micrograd_club._io import atomic_write_text, file_path, plural
from micrograd_club.compile import CompileError
from micrograd_club.compile import compile as compile_tape
from micrograd_club._inputs import as_switch, checked_seed, whole_number
from micrograd_club.data import batches
from micrograd_club.engine import Value, no_grad
from micrograd_club.nn import MLP, Layer, Neuron
from micrograd_club.optim import SGD, Adam, Adagrad, AdamW, Optimizer, RMSprop
from micrograd_club.viz.notation import number  # number: 4 decimals, or 1.0324e+300 for a huge loss

__all__ = ["fit", "evaluate", "predict_labels", "decision_threshold", "History", "LOSSES", "OPTIMIZERS"]

LOSSES = {
    "mse": losses.mse,
    "sse": losses.sse,
    "mae": losses.mae,
    "huber": losses.huber,
    "hinge": losses.hinge,
    "binary_cross_entropy": losses.binary_cross_entropy,
    "binary_cross_entropy_with_logits": losses.binary_cross_entropy_with_logits,
    "cross_entropy": losses.cross_entropy,
}
DEFAULT_LR = 0.1  # the learning rate of an optimizer fit makes by name
OPTIMIZERS = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad}
METRICS = ("accuracy",)
# What every message about diverging training advises (a program that calls fit, such as the
# command line, can find it there and say it in its own words).
DIVERGED_ADVICE = "Lower the learning rate (lr) or scale the inputs."
# What a history file holds, said in every error about one that does not.
HISTORY_CSV_FORMAT = (
    "A history file, as History.to_csv and micrograd-club train write it, has the header epoch,NAME,… (such as "
    "epoch,loss,accuracy), then one line per epoch: its number (1, 2, 3 …) and a number per series, separated by commas"
)


class History(dict):
    """Per-epoch values by name, like Keras' ``History.history``: ``history["loss"]``,
    ``history["accuracy"]``, and ``history["val_loss"]`` … with validation data.
    An epoch's loss and accuracy are those of its batches as they were seen, each before
    its own step (as Keras and a PyTorch loop report them), so ``evaluate`` on the trained
    model can give slightly different numbers than the last epoch's; ``val_…`` are measured
    after the epoch.
    ``interrupted`` is True when training was stopped with Ctrl-C; ``path`` is "compiled"
    when the batches were replayed on a numpy tape, "scalar" when they ran as Values (None
    for a history read by ``from_csv``: the file does not say)."""

    interrupted = False
    path = "scalar"

    @property
    def epochs(self):
        """How many epochs finished: the length of ``history["loss"]``."""
        return len(self.get("loss", []))

    def __repr__(self):
        """One line: the epochs, the path, and each series from its first value to its last
        (``dict(history)`` shows every number)."""
        series = ", ".join(
            f"{name} {number(values[0])} → {number(values[-1])}" for name, values in self.items() if values
        )
        path = f", {self.path}" if self.path else ""
        interrupted = ", interrupted" if self.interrupted else ""
        return f"History({plural(self.epochs, 'epoch')}{path}{interrupted}{': ' if series else ''}{series})"

    def to_csv(self, path):
        """Write one row per epoch (atomically), a column per series; a series shorter than
        the others leaves its cells empty."""
        names = list(self)
        table = io.StringIO()
        writer = csv.writer(table, lineterminator="\n")
        writer.writerow(["epoch", *names])
        for epoch in range(max((len(series) for series in self.values()), default=0)):
            writer.writerow([epoch + 1, *(_cell(self[name], epoch) for name in names)])
        atomic_write_text(path, table.getvalue())

    @classmethod
    def from_csv(cls, path):
        """Read back a history that ``to_csv`` wrote, such as the ``history.csv`` of
        ``micrograd-club train``, to plot it: ``plot_history(History.from_csv(path))``, or
        ``plot_history(path)``, which reads it so. Each series ends where its cells end;
        the file does not say which ``path`` training took (None) or whether it was
        ``interrupted`` (False).

        Read with the csv module, never evaluated. A file that is not such a history (no
        header ``epoch,NAME,…``, a cell that is not a number, epochs out of order, an empty
        file) raises ValueError naming the file, the line and what is expected there."""
        path = file_path(path)
        try:
            with open(path, encoding="utf-8-sig", newline="") as f:  # -sig: also after a byte order mark
                reader = csv.reader(f)
                header = _history_header(path, next((row for row in reader if row), None), reader.line_num)
                history, epoch = cls({name: [] for name in header}), 0
                history.path = None
                for row in reader:
                    if row:  # a blank line, such as one left at the end by an editor, holds nothing
                        epoch += 1
                        _add_history_row(path, reader.line_num, history, epoch, row)
        except (UnicodeDecodeError, csv.Error) as error:
            raise ValueError(f"{path} is not a history file ({error}). {HISTORY_CSV_FORMAT}") from None
        return history


def _history_header(path, header, line):
    """The series' names from a history file's first line (``header``: its cells, or None
    for an empty file; ``line``: its number)."""
    if header is None:
        raise ValueError(f"{path} is empty, so it holds no history. {HISTORY_CSV_FORMAT}")
    header = [cell.strip() for cell in header]  # "epoch, loss" written by hand names "loss"
    names = header[1:]
    if header[:1] != ["epoch"] or not names or not all(names) or len(set(names)) < len(names):
        raise ValueError(f"{path}, line {line}: the header is {','.join(header)!r:.80}, not epoch followed by the "
                         f"series' names, each once. {HISTORY_CSV_FORMAT}")
    return names


def _add_history_row(path, line, history, epoch, row):
    """Append ``epoch``'s line of a history file (``row``, its cells) to ``history``."""
    names = list(history)
    where = f"{path}, line {line}:"
    if len(row) != len(names) + 1:
        raise ValueError(f"{where} {plural(len(row), 'cell')}, but the header names {len(names) + 1} columns "
                         f"(epoch,{','.join(names)}). {HISTORY_CSV_FORMAT}")
    if row[0].strip() != str(epoch):
        raise ValueError(f"{where} the epoch is {row[0]!r:.40}, but {epoch} comes next (the lines number the epochs "
                         f"1, 2, 3 … in order). {HISTORY_CSV_FORMAT}")
    for name, cell in zip(names, row[1:]):
        if not cell.strip():
            continue  # this series has ended (it must not go on below)
        if len(history[name]) < epoch - 1:
            raise ValueError(f"{where} column {name!r} has a value after an empty cell above it: a series may end "
                             f"early, but not skip an epoch. {HISTORY_CSV_FORMAT}")
        try:
            history[name].append(float(cell))
        except ValueError:
            raise ValueError(
                f"{where} column {name!r} is {cell!r:.40}, which is not a number. {HISTORY_CSV_FORMAT}"
            ) from None


def fit(
    model,
    X,
    y,
    *,
    loss="mse",
    optimizer=None,
    lr=None,
    epochs=100,
    batch_size=None,
    metrics=("accuracy",),
    validation_data=None,
    l2=0.0,
    shuffle=True,
    seed=None,
    progress=True,
    scheduler=None,
    callback=None,
    compile=None,
):
    """Train ``model`` on ``X`` (rows of inputs) and ``y`` (targets) and return a History.

    - ``loss``: a name from ``LOSSES`` or a function ``loss(predictions, targets) -> Value``.
      The reported loss is the data loss plus ``l2 · Σp²`` when ``l2`` > 0 (which adds
      2·l2·p to each gradient: an optimizer's ``weight_decay=2·l2``).
    - ``optimizer``: an Optimizer over ``model.parameters()``, or a name from ``OPTIMIZERS``
      built with ``lr`` (default: SGD with ``lr``). ``lr`` (0.1 if not given) is only for a
      named optimizer: one you pass has its own learning rate.
    - ``batch_size``: None for the whole set per step (batch GD), 1 for SGD, m for mini-batches.
    - ``metrics``: ("accuracy",) or (); accuracy is measured for classification losses.
    - ``validation_data``: (X_val, y_val), evaluated after every epoch as val_loss, val_accuracy
      (as ``evaluate`` measures them; on the compiled tape when training runs on it).
    - ``shuffle``: visit the rows in a new random order every epoch (False: in order).
    - ``progress``: a tqdm bar with loss and accuracy, each with its validation score beside it,
      ``loss=0.0419 (val 0.0388), acc=0.990 (val 0.980)``, short enough for a terminal of 80
      columns (in Jupyter a widget, or without ipywidgets a line of text on stdout, which
      Jupyter does not colour red as it does stderr);
      False is silent; None shows it only where it can be seen, tqdm's ``disable=None``: in
      Jupyter or on a terminal, not into a log file or a pipe (as the command line and the
      demos do).
    - ``scheduler``: a learning-rate scheduler of ``optimizer``, stepped after every epoch.
    - ``callback(epoch, history)`` runs after every epoch.
    - ``seed``: a whole number >= 0 (or a numpy Generator) makes the shuffling of every epoch
      reproducible (None: fresh each run).
    - ``compile``: None (the default) replays a compiled tape when the model and loss allow
      it (checked once against the scalar engine on every row of X) and uses the scalar
      engine otherwise; True insists on the tape (an error says why it cannot be used);
      False always uses the scalar engine.

    Ctrl-C stops cleanly and returns the history of the finished epochs, with the model as
    it was at the end of the last of them (steps of an epoch cut short are undone), so the
    history and the model agree and ``epochs=history.epochs`` gives the same model again.

    A loss that becomes inf or nan raises FloatingPointError, whose ``history`` holds the
    epochs before it (the step that diverged is undone); a loss that ends over 10 times its
    first epoch's gives a RuntimeWarning. Both say to lower the learning rate.

    A model whose output the loss cannot use warns: a sigmoid or ReLU output (never below 0)
    before ``binary_cross_entropy_with_logits`` or ``hinge``, which take raw scores, below 0
    for one class (fit warns before training); a softmax output before ``cross_entropy``,
    which applies softmax itself (the loss warns when it is first computed).
    """
    _check_model(model, "fit", needs_parameters=True)
    X, y = _check_data(X, y, "X", "y")
    loss_fn, loss_name = _loss_function(loss)
    _check_targets(model, X, y, loss_fn, loss_name)
    _warn_if_outputs_are_squashed_twice(model, loss_fn, loss_name)
    metrics = _check_metrics(metrics, loss_name)
    params = model.parameters()
    optimizer = _optimizer(optimizer, params, lr)
    epochs = whole_number(epochs, "epochs", maximum=sys.maxsize)
    shuffle = as_switch(shuffle, "shuffle")
    if not (isinstance(l2, numbers.Real) and 0 <= l2 < math.inf):
        raise ValueError(f"l2 must be a finite number >= 0, got {l2!r}")
    if validation_data is not None:
        validation_data = _check_data(*_check_pair(validation_data), "X_val", "y_val")
        _check_targets(model, *validation_data, loss_fn, loss_name)  # now, not after the first epoch
    _check_scheduler(scheduler, optimizer)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function callback(epoch, history), got {type(callback).__name__}")
    rng = _random_generator(seed)  # checks seed now, not after the first epoch

    history = History({"loss": [], **{m: [] for m in metrics}})
    if validation_data is not None:
        history.update({"val_loss": [], **{f"val_{m}": [] for m in metrics}})
    if compile not in (None, True, False):
        raise ValueError(f"compile must be None, True or False, got {compile!r}")
    step = None
    if compile is not False:
        step = _CompiledStep.build(model, params, loss_fn, loss_name, l2, X, y, required=bool(compile))
    scalar_step = _ScalarStep(model, params, loss_fn, loss_name, l2)
    history.path = "compiled" if step is not None else "scalar"
    validate = _validation(step, model, validation_data, loss if callable(loss) else loss_name, metrics)
    bar = _progress_bar(epochs, None if progress is None else as_switch(progress, "progress"))
    epoch, epoch_start = -1, None
    try:
        for epoch in bar:
            epoch_start = [p.data for p in params]
            total, correct, count = 0.0, 0, 0
            epoch_seed = int(rng.integers(2**31))
            for Xb, yb in batches(X, y, batch_size, shuffle=shuffle, seed=epoch_seed):
                try:
                    if step is not None:
                        try:
                            batch_loss, predictions = step(Xb, yb)
                        except CompileError:
                            if compile:
                                raise
                            step, history.path = None, "scalar"  # the graph depends on the data: use Values
                    if step is None:
                        batch_loss, predictions = scalar_step(Xb, yb)
                except OverflowError as error:
                    message = _DIVERGED.format(value="too large", epoch=epoch + 1)
                    raise FloatingPointError(f"{message} ({error})") from None
                optimizer.zero_grad()
                batch_loss.backward()
                _check_finite(batch_loss.data, epoch)  # before the step, so a diverged loss changes nothing
                _step_or_roll_back(optimizer, params, epoch)
                total += batch_loss.data * len(Xb)
                count += len(Xb)
                if metrics:
                    correct += _count_correct(predictions, yb, loss_name)
                del batch_loss  # the graph of this step goes now, not after the next one is built
            history["loss"].append(total / count)
            if metrics:
                history["accuracy"].append(correct / count)
            if validate is not None:
                for name, value in validate().items():
                    history[f"val_{name}"].append(value)
            bar.set_postfix_str(_progress_text(history), refresh=False)
            if scheduler is not None:
                scheduler.step()
            if callback is not None:
                callback(epoch, history)
    except KeyboardInterrupt:
        history.interrupted = True
        _trim_to_complete_epochs(history)
        if history.epochs <= epoch:  # this epoch is not in the history: back to where it started
            _restore(params, epoch_start)
    except FloatingPointError as error:
        _trim_to_complete_epochs(history)
        error.history = history  # the epochs before it diverged: a plot of the loss growing shows why
        raise
    finally:
        _close(bar)
    _warn_if_growing(history["loss"])
    return history


def _validation(step, model, validation_data, loss, metrics):
    """How fit measures the validation data after every epoch: a function giving
    ``evaluate``'s scores, replayed on the compiled step's tape when it can replay those rows
    (a scalar pass over them took as long as the epoch itself), else ``evaluate``; None
    without validation data."""
    if validation_data is None:
        return None
    measure = step.validator(*validation_data, metrics) if step is not None else None
    if measure is None:
        return lambda: evaluate(model, *validation_data, loss=loss, metrics=metrics)
    return measure


def _warn_if_growing(loss_per_epoch):
    """Warn when the last epoch's loss is over 10 times the first's: training that gets
    worse like that is diverging, though it has not reached inf yet."""
    if len(loss_per_epoch) < 2:
        return
    first, last = loss_per_epoch[0], loss_per_epoch[-1]
    if last > 10 * first > 0:
        warnings.warn(
            f"the loss grew from {number(first)} to {number(last)} over {len(loss_per_epoch)} epochs: training is "
            f"diverging. {DIVERGED_ADVICE}",
            RuntimeWarning,
            stacklevel=3,
        )


class _ScalarStep:
    """One batch's loss as a graph of Values: (loss, predictions)."""

    def __init__(self, model, params, loss_fn, loss_name, l2):
        self.model, self.params, self.loss_fn, self.loss_name, self.l2 = model, params, loss_fn, loss_name, l2

    def __call__(self, Xb, yb):
        predictions = [self.model(list(row)) for row in Xb]
        batch_loss = self.loss_fn(predictions, _targets(yb, self.loss_name))
        if not isinstance(batch_loss, Value):
            raise TypeError(f"the loss function must return a Value made from the predictions (so that backward() "
                            f"can reach the model), got {type(batch_loss).__name__} {batch_loss!r:.40}")
        if self.l2:
            batch_loss = batch_loss + self.l2 * losses.l2(self.params)
        return batch_loss, predictions


class _CompiledStep:
    """One batch's loss replayed on a numpy tape: one example's loss (and the model's
    output, for accuracy) is compiled once; the batch loss is its mean over the rows (its
    sum for "sse"), plus l2·Σp² from a second tape of the parameters alone."""

    def __init__(self, data_tape, l2_tape, loss_name, classes):
        self.data_tape, self.l2_tape, self.loss_name, self.classes = data_tape, l2_tape, loss_name, classes

    @classmethod
    def build(cls, model, params, loss_fn, loss_name, l2, X, y, required):
        """The compiled step, or None when the model or loss cannot be compiled (an error
        instead, if ``required``)."""
        reason = None
        if not _is_library_loss(loss_fn, loss_name):
            reason = "a custom loss function may not be a mean over examples; pass a loss by name"
        else:
            try:
                with no_grad():
                    out = model(list(X[0]))
                classes = len(out) if loss_name == "cross_entropy" else None
                targets = _compiled_targets(y[:1], loss_name, classes)

                def example_loss(x, target):
                    prediction = model(x)
                    return loss_fn([prediction], [target]), prediction

                reduction = "sum" if loss_name == "sse" else "mean"
                data_tape = compile_tape(example_loss, X[0], targets[0], reduction=reduction)
                # every row once, not a sample: a model that branches on the data anywhere trains on the scalar path
                data_tape(X, _compiled_targets(y, loss_name, classes), check="all")
                if data_tape.engine_errors:  # the scalar path says what is wrong with that row (log of 0 …)
                    row, error = next(iter(data_tape.engine_errors.items()))
                    raise CompileError(f"row {row} of X: {error}")
                l2_tape = compile_tape(lambda: l2 * losses.l2(params)) if l2 else None
                return cls(data_tape, l2_tape, loss_name, classes)
            except Exception as error:  # whatever stops the trace, the scalar engine may still run the model
                reason = f"{type(error).__name__}: {error}"
        if required:
            raise CompileError(f"fit cannot compile this model and loss: {reason}")
        return None

    def __call__(self, Xb, yb):
        result, predictions = self._replay(Xb, _compiled_targets(yb, self.loss_name, self.classes))
        if self.l2_tape is not None:
            result = _Sum(result, self.l2_tape())
        return result, predictions

    def validator(self, X_val, y_val, metrics):
        """A function giving the model's loss (and accuracy) on (X_val, y_val) as ``evaluate``
        does, by replaying the data tape forward only; or None when the tape cannot replay
        every one of those rows as the scalar engine computes it (checked once, here)."""
        targets = _compiled_targets(y_val, self.loss_name, self.classes)
        try:
            self.data_tape(X_val, targets, check="all")
        except CompileError:
            return None
        if self.data_tape.engine_errors:  # evaluate says what is wrong with that row (log of 0 …)
            return None

        def measure():
            result, predictions = self._replay(X_val, targets)
            scores = {"loss": result.data}
            if metrics:
                scores["accuracy"] = _count_correct(predictions, y_val, self.loss_name) / len(X_val)
            return scores

        return measure

    def _replay(self, X, targets):
        """The data tape's result on these rows and the model's outputs (probabilities that
        binary_cross_entropy cannot take are refused, as the scalar loss refuses them)."""
        result = self.data_tape(X, targets)
        predictions = result.outputs
        if self.loss_name == "binary_cross_entropy" and not np.all((predictions >= 0) & (predictions <= 1)):
            row = int(np.argmax(~((predictions >= 0) & (predictions <= 1))))
            raise ValueError(  # as the scalar loss says it
                f"binary_cross_entropy: probabilities[{row}] = {float(predictions[row])!r} is outside [0, 1]; "
                "pass probabilities (e.g. sigmoid outputs), or raw scores to binary_cross_entropy_with_logits"
            )
        return result, predictions


class _Sum:
    """The batch loss when it has two tapes (data loss and l2 penalty): data and backward."""

    def __init__(self, *parts):
        self.parts = parts
        self.data = sum(part.data for part in parts)

    def backward(self):
        for part in self.parts:
            part.backward()


def _compiled_targets(y, loss_name, classes):
    """Targets as a compiled loss reads them: one-hot rows for cross_entropy (a class index
    would pick a different node for each example), floats otherwise."""
    if loss_name == "cross_entropy":
        return np.eye(classes)[np.asarray(y, dtype=int)]
    return np.asarray(y, dtype=float)


def evaluate(model, X, y, *, loss="mse", metrics=("accuracy",)):
    """Loss (and accuracy) of ``model`` on a data set, without building a graph:
    {"loss": …, "accuracy": …}."""
    _check_model(model, "evaluate")
    X, y = _check_data(X, y, "X", "y")
    loss_fn, loss_name = _loss_function(loss)
    _check_targets(model, X, y, loss_fn, loss_name)
    metrics = _check_metrics(metrics, loss_name)
    with no_grad():
        predictions = [model(list(row)) for row in X]
        result = {"loss": loss_fn(predictions, _targets(y, loss_name)).data}
    if metrics:
        result["accuracy"] = _count_correct(predictions, y, loss_name) / len(X)
    return result


def predict_labels(outputs, loss="hinge"):
    """Class labels from model outputs, as the loss reads them: the sign of a score for
    hinge (±1), score > 0 for logits, p > 0.5 for probabilities, the arg-max for
    cross_entropy."""
    _, loss_name = _loss_function(loss)
    return [_label(out, loss_name) for out in outputs]


# ----- helpers -----


def _cell(series, epoch):
    """A History value as a CSV cell: repr keeps every digit of a float."""
    return repr(series[epoch]) if epoch < len(series) else ""


def _label(out, loss_name):
    if loss_name == "cross_entropy":
        values = [v.data if isinstance(v, Value) else float(v) for v in out]
        return int(np.argmax(values))
    score = out.data if isinstance(out, Value) else float(out)
    above = score > decision_threshold(loss_name)
    if loss_name == "hinge":
        return 1 if above else -1
    return 1 if above else 0


def decision_threshold(loss_name):
    """Where one output's two classes meet for this loss: 0.5 for a probability
    (binary_cross_entropy), 0 for a score or a logit (hinge, the logits losses)."""
    return 0.5 if loss_name == "binary_cross_entropy" else 0.0


def _count_correct(predictions, targets, loss_name):
    return sum(int(_label(p, loss_name) == int(t)) for p, t in zip(predictions, targets))


def _targets(y, loss_name):
    """Targets as the loss wants them: class indices for cross_entropy, floats otherwise."""
    if loss_name == "cross_entropy":
        return [int(t) for t in y]
    return [float(t) for t in y]


CLASSIFICATION = {"hinge", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy"}


def _random_generator(seed):
    """numpy's generator for the epochs' shuffling: ``seed`` itself if it is one."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(checked_seed(seed, or_also="a numpy Generator"))


def _check_model(model, where, needs_parameters=False):
    """A model is called on a row of inputs (and, to be trained, has ``parameters()``)."""
    if isinstance(model, type):  # fit(MLP, ...): the class, which is callable too
        raise TypeError(
            f"{where} expects a model, got the class {model.__name__} itself: build the model first, e.g. "
            f"model = MLP(2, [16, 1]), and pass model"
        )
    if not callable(model) or (needs_parameters and not callable(getattr(model, "parameters", None))):
        needs = "callable, with a parameters() method" if needs_parameters else "callable on a row of inputs"
        raise TypeError(f"{where} expects a model such as nn.MLP(2, [16, 1]) ({needs}), got {type(model).__name__}")


def _check_pair(validation_data):
    if isinstance(validation_data, (tuple, list)) and len(validation_data) == 2:
        return validation_data
    raise TypeError(
        f"validation_data must be a pair (X_val, y_val), got {type(validation_data).__name__}"
        + (f" of length {len(validation_data)}" if isinstance(validation_data, (tuple, list)) else "")
    )


def _check_scheduler(scheduler, optimizer):
    if scheduler is None:
        return
    if not callable(getattr(scheduler, "step", None)):
        raise TypeError(
            f"scheduler must be a learning-rate scheduler such as optim.StepLR, got {type(scheduler).__name__}"
        )
    if getattr(scheduler, "optimizer", optimizer) is not optimizer:
        raise ValueError(
            "scheduler adjusts a different optimizer from the one fit steps, so it would change nothing: "
            "build the optimizer first, pass it to fit as optimizer=..., and build the scheduler from it"
        )


def _check_metrics(metrics, loss_name):
    if isinstance(metrics, str):
        metrics = (metrics,)  # metrics="accuracy" means the one metric
    try:
        metrics = tuple(metrics or ())
    except TypeError:
        raise TypeError(f"metrics must be a list of names such as ('accuracy',), got {metrics!r:.40}") from None
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise ValueError(f"unknown metric {unknown[0]!r}: choose from {', '.join(METRICS)}")
    if "accuracy" in metrics and loss_name not in CLASSIFICATION:
        return ()  # regression: accuracy means nothing, so it is not reported
    return metrics


def _loss_function(loss):
    if callable(loss):
        return loss, getattr(loss, "__name__", "custom")
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}: choose one of {', '.join(LOSSES)}, or pass a function")
    return LOSSES[loss], loss


def _optimizer(optimizer, params, lr):
    """The optimizer to train ``params`` with: the one given (which must hold some of them
    and none of another model's), or one made by name with ``lr``."""
    if isinstance(optimizer, Optimizer):
        held = [p for group in optimizer.param_groups for p in group["params"]]
        mine = set(params)
        if not all(p in mine for p in held):
            raise ValueError(
                "the optimizer holds parameters that are not this model's (was it made for another model?): "
                "make it from this one, e.g. SGD(model.parameters(), lr=0.1)"
            )
        if lr is not None:  # it would be ignored: the optimizer steps with its own rate
            raise ValueError(
                f"fit got both an optimizer and lr={lr!r}, but the optimizer has its own learning rate "
                f"({', '.join(str(group['lr']) for group in optimizer.param_groups)}): set it there, "
                f"{type(optimizer).__name__}(model.parameters(), lr={lr!r}), and leave lr out"
            )
        return optimizer
    if isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
        raise TypeError(f"optimizer is the class {optimizer.__name__}: pass one made for the model, "
                        f"{optimizer.__name__}(model.parameters(), lr=...), or its name")
    name = "sgd" if optimizer is None else optimizer
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}: choose one of {', '.join(OPTIMIZERS)}, or pass an Optimizer")
    return OPTIMIZERS[name](params, lr=DEFAULT_LR if lr is None else lr)


def _check_data(X, y, x_name, y_name):
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{x_name} must be a table of numbers (samples × features): {error}") from None
    try:
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{y_name} must be a list of numbers (one target per sample): {error}") from None
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2:
        raise ValueError(f"{x_name} must be a 2-d array of shape (samples, features), got shape {X.shape}")
    if y.ndim != 1:
        column = f": a column? Pass {y_name}.ravel()" if y.ndim == 2 and y.shape[1] == 1 else ""
        raise ValueError(
            f"{y_name} must be a 1-d list of targets (one number per sample: a value to predict, or a class "
            f"index), got shape {y.shape}{column}"
        )
    if len(X) != len(y):
        raise ValueError(f"{x_name} and {y_name} must have the same length, got {len(X)} and {len(y)}")
    if len(X) == 0:
        raise ValueError(f"{x_name} is empty: there is nothing to train on")
    for name, bad in ((x_name, ~np.isfinite(X).all(axis=1)), (y_name, ~np.isfinite(y))):
        if bad.any():
            raise ValueError(
                f"{name} has nan or inf in row {int(np.argmax(bad))} ({int(bad.sum())} rows in all): "
                "drop or fill those rows before training"
            )
    return X, y


def _is_library_loss(loss_fn, loss_name):
    """True for this library's own losses (by name or passed as the function), whose targets
    and reduction are known; a function of your own that shares a name is not one of them."""
    return LOSSES.get(loss_name) is loss_fn


def _check_targets(model, X, y, loss_fn, loss_name):
    """For the library's losses, the targets as the loss checks them (hinge's ±1, a
    probability's [0, 1] …), once, before training starts; for cross_entropy also whole
    class indices, and a model with an output for each class."""
    if not _is_library_loss(loss_fn, loss_name):
        return
    if loss_name != "cross_entropy":
        with no_grad():  # the loss's own checks of every target, on stand-in predictions
            loss_fn([0.5] * len(y), _targets(y, loss_name))
        return
    fractional = y != np.round(y)
    if fractional.any() or (y < 0).any():
        row = int(np.argmax(fractional | (y < 0)))
        raise ValueError(f"cross_entropy: y[{row}] = {float(y[row])!r} is not a class index (0, 1, … K−1)")
    with no_grad():
        out = model(list(X[0]))
    outputs = 1 if isinstance(out, Value) else len(out)
    if outputs < 2 or y.max() >= outputs:
        raise ValueError(
            f"cross_entropy needs one model output per class: the model has {outputs} and y has "
            f"{plural(int(y.max()) + 1, 'class', 'classes')}. Give the last layer one neuron per class (at least 2), "
            "or use hinge or binary_cross_entropy_with_logits for two classes with one output"
        )


def _warn_if_outputs_are_squashed_twice(model, loss_fn, loss_name):
    """Warn when the model ends in a sigmoid or a ReLU, whose output is never below 0, before
    a loss on raw scores (binary_cross_entropy_with_logits or hinge), which wants scores below
    0 for one class and above 0 for the other. After a sigmoid every score is above 0, so
    every example is predicted as class 1; after a ReLU that class's scores can at best be 0,
    where each example still costs ln 2 (1 for hinge) and the ReLU passes back no gradient.
    PyTorch trains such a model silently, and badly. (A softmax output before cross_entropy is
    the loss's own warning: it sees probabilities where raw scores belong.)"""
    activation = _output_activation(model)
    if activation not in ("sigmoid", "relu") or loss_name not in ("binary_cross_entropy_with_logits", "hinge"):
        return
    if not _is_library_loss(loss_fn, loss_name):
        return
    if activation == "sigmoid":
        harm = "every example is predicted as the same class"
    else:
        floor = "1" if loss_name == "hinge" else "ln 2 = 0.69"
        harm = (f"the scores of the class below 0 can at best be 0, where each example still costs {floor} and "
                "passes back no gradient")
    other_loss = " or, with a sigmoid, use loss='binary_cross_entropy'" if loss_name != "hinge" else ""
    warnings.warn(
        f"fit: the model ends in a {activation}, which is never below 0, but {loss_name} takes raw scores, below 0 "
        f"for one class and above 0 for the other: {harm}. Build the model without "
        f"output_activation={activation!r}{other_loss}",
        UserWarning,
        stacklevel=3,
    )


def _output_activation(model):
    """The activation a Neuron, Layer or MLP applies last ("softmax" for an MLP's softmax
    output), or None for a model of your own."""
    if isinstance(model, MLP):
        return "softmax" if model.softmax_output else _output_activation(model.layers[-1])
    if isinstance(model, Layer):
        return model.neurons[-1].activation
    if isinstance(model, Neuron):
        return model.activation
    return None


_DIVERGED = "the loss became {value} in epoch {epoch}: training diverged. " + DIVERGED_ADVICE


def _check_finite(value, epoch):
    if not math.isfinite(value):
        raise FloatingPointError(_DIVERGED.format(value=value, epoch=epoch + 1))


def _step_or_roll_back(optimizer, params, epoch):
    """optimizer.step(), undone if it made a parameter inf or nan or was stopped halfway
    (Ctrl-C): the model keeps its last good parameters, never a half-updated set. (The
    optimizer's own running averages are not rolled back.)"""
    before = [p.data for p in params]
    try:
        optimizer.step()
    except BaseException:  # Ctrl-C (or an error) halfway through the update: none of it happened
        _restore(params, before)
        raise
    if not all(math.isfinite(p.data) for p in params):
        _restore(params, before)
        raise FloatingPointError(
            f"a step in epoch {epoch + 1} made parameters inf or nan: training diverged (the model keeps "
            f"its parameters from before that step). {DIVERGED_ADVICE}"
        )


def _restore(params, data):
    """Put back the parameters' data as it was saved (``[p.data for p in params]``)."""
    for p, value in zip(params, data):
        p.data = value


# tqdm's bar, made to fit a terminal of 80 columns with the validation scores too: without its
# description ("training: "), its percentage (which epochs/total tells) and its rate (epochs/s, which
# elapsed<remaining tells). Past the terminal's width tqdm cuts the line short: the rate cut the accuracy
# short, and with validation data val_loss=0.0388 became val_loss=0 and val_accuracy was not shown.
BAR_FORMAT = "{n_fmt}/{total_fmt} |{bar}| {elapsed}<{remaining}{postfix}"
# The bar's short names for the history's series (the history and its csv keep the long ones).
BAR_NAMES = {"accuracy": "acc"}


def _progress_text(history):
    """The scores the bar shows after an epoch, each with its validation score beside it:
    "loss=0.0419 (val 0.0388), acc=0.990 (val 0.980)". Accuracy has three decimals, a tenth
    of a percent."""
    def shown(name, value):
        return number(value, 3) if name == "accuracy" else number(value)

    scores = []
    for name, values in history.items():
        if name.startswith("val_"):
            continue
        text = f"{BAR_NAMES.get(name, name)}={shown(name, values[-1])}"
        if history.get(f"val_{name}"):
            text += f" (val {shown(name, history[f'val_{name}'][-1])})"
        scores.append(text)
    return ", ".join(scores)


def _progress_bar(epochs, enabled):
    """tqdm's bar: a widget in Jupyter with ipywidgets installed, else a line of text (tqdm's
    warning that ipywidgets is missing is left out: the text bar works as well). ``enabled``
    None leaves it to tqdm: off when stderr is not a terminal (a log gets no \\r frames), on in
    Jupyter, whose output is not a terminal but is seen.

    In Jupyter the text bar goes to stdout, as tqdm's widget does: Jupyter shows stderr in a
    red box, as it shows errors. The widget is shown with a display id, so that ``_close``
    can make its text end as the bar did (see there)."""
    from tqdm import TqdmWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TqdmWarning)
        from tqdm.auto import tqdm
    options = {"unit": "epoch", "leave": True, "bar_format": BAR_FORMAT}
    in_jupyter = _in_jupyter()
    if in_jupyter:
        enabled = True if enabled is None else enabled
        options["file"] = sys.stdout
    options["disable"] = None if enabled is None else not enabled
    if not (in_jupyter and enabled and _is_widget(tqdm)):  # a terminal resized while training: the width follows
        return tqdm(range(epochs), dynamic_ncols=True, **options)
    from IPython.display import display

    bar = tqdm(range(epochs), display=False, **options)
    bar.micrograd_club_display = display(bar.container, display_id=True)
    return bar


def _close(bar):
    """Close the progress bar. A widget's display is then sent again: what is shown where the
    widget cannot be (a notebook saved or reopened without its widgets, GitHub, nbviewer) is
    the text it had when it was first shown, which said 0%."""
    bar.close()
    shown = getattr(bar, "micrograd_club_display", None)
    if shown is not None:
        shown.update(bar.container)


def _is_widget(bar_class):
    """True if tqdm.auto chose tqdm's widget (in Jupyter, with ipywidgets)."""
    from tqdm.notebook import tqdm as widget

    return issubclass(bar_class, widget)


def _in_jupyter():
    """True inside a Jupyter kernel (a notebook, JupyterLab, VS Code, Colab): IPython's shell
    is then ipykernel's. Neither is imported here: a kernel has imported both already."""
    zmqshell, ipython = sys.modules.get("ipykernel.zmqshell"), sys.modules.get("IPython")
    if zmqshell is None or ipython is None:
        return False
    return isinstance(ipython.get_ipython(), zmqshell.ZMQInteractiveShell)


def _trim_to_complete_epochs(history):
    """After Ctrl-C, keep only epochs for which every series has a value."""
    complete = min((len(v) for v in history.values()), default=0)
    for name in history:
        del history[name][complete:]
