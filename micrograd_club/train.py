"""A training loop with a progress bar: ``fit`` runs epochs of forward, backward and
optimizer steps over (mini-)batches and returns the history of loss and metrics.

    history = fit(model, X, y, loss="hinge", optimizer=SGD(model.parameters(), lr=0.1),
                  epochs=100, l2=1e-4)
    history["loss"][-1], history["accuracy"][-1]

Batch, stochastic and mini-batch gradient descent (section 4.2.3 of the notes) are the
same loop with ``batch_size=None``, ``1`` or ``m``.
"""

import math
import numbers

import numpy as np

from micrograd_club import losses
from micrograd_club.data import batches
from micrograd_club.engine import Value, no_grad
from micrograd_club.optim import SGD, Adam, Adagrad, Optimizer, RMSprop

__all__ = ["fit", "evaluate", "predict_labels", "History", "LOSSES", "OPTIMIZERS"]

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
OPTIMIZERS = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop, "adagrad": Adagrad}
METRICS = ("accuracy",)


class History(dict):
    """Per-epoch values by name, like Keras' ``History.history``: ``history["loss"]``,
    ``history["accuracy"]``, and ``history["val_loss"]`` … with validation data.
    ``interrupted`` is True when training was stopped with Ctrl-C."""

    interrupted = False

    @property
    def epochs(self):
        return len(self.get("loss", []))

    def to_csv(self, path):
        """Write one row per epoch (atomically)."""
        from micrograd_club._io import atomic_write_text

        names = list(self)
        rows = [",".join(["epoch", *names])]
        for epoch in range(self.epochs):
            rows.append(",".join([str(epoch + 1), *(repr(self[name][epoch]) for name in names)]))
        atomic_write_text(path, "\n".join(rows) + "\n")


def fit(
    model,
    X,
    y,
    *,
    loss="mse",
    optimizer=None,
    lr=0.1,
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
):
    """Train ``model`` on ``X`` (rows of inputs) and ``y`` (targets) and return a History.

    - ``loss``: a name from ``LOSSES`` or a function ``loss(predictions, targets) -> Value``.
      The reported loss is the data loss plus ``l2 · Σp²`` when ``l2`` > 0.
    - ``optimizer``: an Optimizer over ``model.parameters()``, or a name from ``OPTIMIZERS``
      built with ``lr`` (default: SGD with ``lr``).
    - ``batch_size``: None for the whole set per step (batch GD), 1 for SGD, m for mini-batches.
    - ``metrics``: ("accuracy",) or (); accuracy is measured for classification losses.
    - ``validation_data``: (X_val, y_val), evaluated after every epoch as val_loss, val_accuracy.
    - ``progress``: a tqdm bar (a widget in Jupyter) with loss and accuracy; False is silent.
    - ``scheduler``: a learning-rate scheduler of ``optimizer``, stepped after every epoch.
    - ``callback(epoch, history)`` runs after every epoch.

    Ctrl-C stops cleanly after the current step and returns the history so far.
    """
    X, y = _check_data(X, y, "X", "y")
    loss_fn, loss_name = _loss_function(loss)
    metrics = _check_metrics(metrics, loss_name)
    params = model.parameters()
    optimizer = _optimizer(optimizer, params, lr)
    _check_whole_number(epochs, "epochs")
    if not (isinstance(l2, numbers.Real) and l2 >= 0):
        raise ValueError(f"l2 must be a number >= 0, got {l2!r}")
    if validation_data is not None:
        validation_data = _check_data(*validation_data, "X_val", "y_val")

    history = History({"loss": [], **{m: [] for m in metrics}})
    if validation_data is not None:
        history.update({"val_loss": [], **{f"val_{m}": [] for m in metrics}})
    rng = np.random.default_rng(seed)
    bar = _progress_bar(epochs, progress)
    try:
        for epoch in bar:
            total, correct, count = 0.0, 0, 0
            epoch_seed = int(rng.integers(2**31))
            for Xb, yb in batches(X, y, batch_size, shuffle=shuffle, seed=epoch_seed):
                try:
                    predictions = [model(list(row)) for row in Xb]
                    batch_loss = loss_fn(predictions, _targets(yb, loss_name))
                    if l2:
                        batch_loss = batch_loss + l2 * losses.l2(params)
                except OverflowError as error:
                    message = _DIVERGED.format(value="too large", epoch=epoch + 1)
                    raise FloatingPointError(f"{message} ({error})") from None
                optimizer.zero_grad()
                batch_loss.backward()
                optimizer.step()
                _check_finite(batch_loss.data, epoch)
                total += batch_loss.data * len(Xb)
                count += len(Xb)
                if metrics:
                    correct += _count_correct(predictions, yb, loss_name)
            history["loss"].append(total / count)
            if metrics:
                history["accuracy"].append(correct / count)
            if validation_data is not None:
                scores = evaluate(model, *validation_data, loss=loss if callable(loss) else loss_name, metrics=metrics)
                for name, value in scores.items():
                    history[f"val_{name}"].append(value)
            bar.set_postfix({name: f"{values[-1]:.4f}" for name, values in history.items()}, refresh=False)
            if scheduler is not None:
                scheduler.step()
            if callback is not None:
                callback(epoch, history)
    except KeyboardInterrupt:
        history.interrupted = True
        _trim_to_complete_epochs(history)
    finally:
        bar.close()
    return history


def evaluate(model, X, y, *, loss="mse", metrics=("accuracy",)):
    """Loss (and accuracy) of ``model`` on a data set, without building a graph:
    {"loss": …, "accuracy": …}."""
    X, y = _check_data(X, y, "X", "y")
    loss_fn, loss_name = _loss_function(loss)
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


def _label(out, loss_name):
    if loss_name == "cross_entropy":
        values = [v.data if isinstance(v, Value) else float(v) for v in out]
        return int(np.argmax(values))
    score = out.data if isinstance(out, Value) else float(out)
    if loss_name == "hinge":
        return 1 if score > 0 else -1
    if loss_name == "binary_cross_entropy":
        return 1 if score > 0.5 else 0
    return 1 if score > 0 else 0  # logits


def _count_correct(predictions, targets, loss_name):
    return sum(int(_label(p, loss_name) == int(t)) for p, t in zip(predictions, targets))


def _targets(y, loss_name):
    """Targets as the loss wants them: class indices for cross_entropy, floats otherwise."""
    if loss_name == "cross_entropy":
        return [int(t) for t in y]
    return [float(t) for t in y]


CLASSIFICATION = {"hinge", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy"}


def _check_metrics(metrics, loss_name):
    metrics = tuple(metrics or ())
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
    if isinstance(optimizer, Optimizer):
        return optimizer
    name = "sgd" if optimizer is None else optimizer
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}: choose one of {', '.join(OPTIMIZERS)}, or pass an Optimizer")
    return OPTIMIZERS[name](params, lr=lr)


def _check_data(X, y, x_name, y_name):
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2:
        raise ValueError(f"{x_name} must be a 2-d array of shape (samples, features), got shape {X.shape}")
    if len(X) != len(y):
        raise ValueError(f"{x_name} and {y_name} must have the same length, got {len(X)} and {len(y)}")
    if len(X) == 0:
        raise ValueError(f"{x_name} is empty: there is nothing to train on")
    return X, y


def _check_whole_number(n, name):
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {n!r}")


_DIVERGED = (
    "the loss became {value} in epoch {epoch}: training diverged. Lower the learning rate (lr) or scale the inputs."
)


def _check_finite(value, epoch):
    if not math.isfinite(value):
        raise FloatingPointError(_DIVERGED.format(value=value, epoch=epoch + 1))


def _progress_bar(epochs, enabled):
    from tqdm.auto import trange

    return trange(epochs, desc="training", unit="epoch", disable=not enabled, leave=True)


def _trim_to_complete_epochs(history):
    """After Ctrl-C, keep only epochs for which every series has a value."""
    complete = min((len(v) for v in history.values()), default=0)
    for name in history:
        del history[name][complete:]
