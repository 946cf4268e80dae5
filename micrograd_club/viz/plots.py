"""Matplotlib plots for the lessons: training curves, decision boundaries, a function next
to the derivative that ``backward()`` finds for it, loss landscapes with the paths that
optimizers take across them, and regression fits.

    from micrograd_club.viz.plots import plot_function_and_grad
    plot_function_and_grad(lambda x: x.sigmoid(), name="σ", path="sigmoid.png")

matplotlib comes with the ``plots`` extra (``pip install "micrograd-club[plots]"``) and is
imported only when a plot is drawn, so the engine never needs it. The plots use
matplotlib's object-oriented API (no ``pyplot``, no global state): they work headless and
in Jupyter, where a returned Figure shows inline. Every function

- returns the ``Figure`` it drew on,
- takes ``ax=`` to draw into an existing Axes instead (for side-by-side panels; the
  Axes' figure is returned),
- takes ``path=`` to save the figure too, as png, svg or pdf (from the extension), written
  atomically; the same inputs give the same file, byte for byte.
"""

import functools
import io
import math
import numbers
import os
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from micrograd_club._inputs import whole_number
from micrograd_club._io import PNG_DPI, atomic_write_bytes
from micrograd_club.engine import Value, enable_grad, no_grad
from micrograd_club.train import History

__all__ = [
    "plot_history",
    "save_figure",
    "plot_decision_boundary",
    "plot_function_and_grad",
    "plot_loss_landscape",
    "plot_curves",
    "plot_fits",
    "plot_regression",
    "predict_grid",
    "MissingExtraError",
]

INSTALL_HINT = 'pip install "micrograd-club[plots]"'  # the extra: matplotlib, at the version pyproject.toml asks
FORMATS = ("png", "svg", "pdf")
FIGSIZE = (6.4, 4.8)
JUPYTER_DPI = 100
GRID = {"alpha": 0.3, "linewidth": 0.6}
# Metadata that would change on every save (timestamps) is left out, so files are reproducible.
SAVE_METADATA = {"png": {}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}
SVG_SALT = "micrograd-club"  # SVG element ids are hashed with this instead of a random salt
MAX_CLASSES = 1000  # a decision boundary of more classes than this is not a picture
MAX_GRID = 1000  # points along each side of a 2-d grid: a million model calls already take minutes
MAX_POINTS = 100_000  # points along a 1-d curve
# Okabe–Ito colours, which colour-blind readers tell apart. Black comes third: the spiral's blue,
# orange and black differ in lightness as well (tab10's green and orange look alike to red-green
# colour-blind eyes, its blue and green alike in gray).
CLASS_COLORS = ("#0072B2", "#E69F00", "#000000", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442")
# A marker shape per class, or per path down a landscape: tells them apart on a black-and-white photocopy.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
STEP_MARKS = MARKERS[1:-1]  # a landscape path's steps: not the circle and star that mark its start and end
# plot_history's loss and accuracy curves, (colour, marker): the marks tell them apart in gray too, while the
# line style says training (solid) or validation (dashed).
HISTORY_LOSS = (CLASS_COLORS[0], "o")
HISTORY_ACCURACY = (CLASS_COLORS[1], "s")
MARKS_PER_CURVE = 12  # a long curve is marked every few epochs, so its marks do not merge into a thick line
HISTORY_DRAWN = "_micrograd_club_history"  # where plot_history notes on an Axes what it drew there
REGRESSION_CURVE = "_micrograd_club_regression"  # marks a curve plot_regression drew, to count those on an Axes


class MissingExtraError(ImportError):
    """matplotlib is needed for this plot but is not installed."""


# ----- 1. training history -----


def plot_history(history, *, path=None, ax=None, title="Training", log=False):
    """Loss (left axis) and accuracy (right axis, if recorded) for each epoch 1 … n.
    ``log=True`` draws the loss on a log scale, where a loss falling from 200 to 0.01 does not
    flatten into the axis after the first epochs.

    ``history`` is what ``micrograd_club.train.fit`` returns, any dict of per-epoch
    lists such as ``{"loss": [...], "val_loss": [...], "accuracy": [...]}``, or the path of
    a CSV file that ``History.to_csv`` wrote, such as the ``history.csv`` of
    ``micrograd-club train`` (read by ``History.from_csv``). Training
    curves are solid and validation curves (``val_…``) dashed, so over-fitting shows as
    the two loss curves drifting apart. Loss curves are marked with circles and accuracy
    curves with squares, so they differ in black and white and to colour-blind eyes as well.

    Drawn again into the same ``ax`` (a notebook loop redrawing as training goes on), it
    replaces the curves and the right-hand axis it drew there before.
    """
    if isinstance(history, (str, os.PathLike)):
        history = History.from_csv(history)
    if not isinstance(history, Mapping):
        raise TypeError(
            f"plot_history needs a dict of per-epoch lists like {{'loss': [...]}}, or the path of a history.csv, "
            f"got {type(history).__name__}"
        )
    if not history:
        raise ValueError("the history is empty, so there is nothing to plot: train first, e.g. history = fit(...)")
    curves = {str(name): _floats(values, f"history[{name!r}]") for name, values in history.items()}
    if not any(len(values) for values in curves.values()):
        raise ValueError("the history has no finished epoch yet, so there is nothing to plot")
    accuracy_names = [name for name in curves if "accuracy" in name]
    if log:
        _check_positive_for_log({f"history[{name!r}]": (np.arange(1, len(values) + 1), values)
                                 for name, values in curves.items() if name not in accuracy_names}, "epoch")
    _check_path(path)
    ax = _axes(ax)
    from matplotlib.ticker import MaxNLocator

    _remove_earlier_history(ax)
    drawn = _HistoryDrawing([], ax.get_zorder(), ax.patch.get_visible())  # before twinx, which may show the background
    right = ax.twinx() if accuracy_names else None
    if right is not None:  # the loss axes (and its legend) in front of the accuracy curves
        drawn.artists.append(right)
        ax.set_zorder(right.get_zorder() + 1)
        ax.patch.set_visible(False)
    for name, values in curves.items():
        target, (color, marker) = (right, HISTORY_ACCURACY) if name in accuracy_names else (ax, HISTORY_LOSS)
        style = "--" if name.startswith("val_") else "-"
        epochs = np.arange(1, len(values) + 1)
        (line,) = target.plot(epochs, values, style, color=color, marker=marker, markersize=4,
                              markevery=max(1, len(values) // MARKS_PER_CURVE), label=_shown(_history_label(name)))
        if target is ax:
            drawn.artists.append(line)
    setattr(ax, HISTORY_DRAWN, drawn)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss ℒ")
    if log:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    handles, labels = ax.get_legend_handles_labels()
    if right is not None:
        right.set_ylabel("accuracy")
        accuracies = np.concatenate([curves[name] for name in accuracy_names])
        if accuracies.size and np.all((accuracies >= 0) & (accuracies <= 1)):
            right.set_ylim(-0.02, 1.02)
        more_handles, more_labels = right.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    ax.legend(handles, labels, loc="center right")
    return _finish(ax, path, title, legend=False)


class _HistoryDrawing(NamedTuple):
    """What plot_history added to an Axes (its loss curves and right-hand axes) and what it
    changed there (the Axes' zorder and background), so that drawing again can undo it."""

    artists: list
    zorder: float
    background: bool


def _remove_earlier_history(ax):
    """Take away what plot_history drew on ``ax`` before: drawing a history again into the
    same Axes (a notebook loop redrawing as training goes on) then gives the same picture as
    drawing it once, not another right-hand axis on top of the last. Anything else drawn
    on ``ax`` stays."""
    earlier = getattr(ax, HISTORY_DRAWN, None)
    if earlier is None:
        return
    for artist in earlier.artists:
        if artist in ax.lines or artist in ax.figure.axes:  # not if ax.clear() took it away already
            artist.remove()
    ax.set_zorder(earlier.zorder)
    ax.patch.set_visible(earlier.background)
    ax.relim()  # the axis limits fit what is left, not the curves just removed
    delattr(ax, HISTORY_DRAWN)


def _history_label(name):
    """"val_loss" → "validation loss", "accuracy" → "training accuracy"."""
    if name.startswith("val_"):
        return "validation " + name[4:].replace("_", " ")
    return "training " + name.replace("_", " ")


# ----- 2. decision boundary -----


def plot_decision_boundary(model, X, y, *, path=None, ax=None, resolution=60, title="Decision boundary", margin=0.5,
                           threshold=None):
    """The class the model predicts at every point of the plane (shaded, edged by a line),
    with the data on top, coloured and shaped by its label (so that the classes still differ
    in black and white and to colour-blind eyes).

    ``model([x1, x2])`` returns one Value for two classes (class 1 where the score is
    above ``threshold``) or a list of Values, one per class (the predicted class is the
    largest). ``threshold`` is 0 for a score or logit (hinge, binary_cross_entropy_with_logits)
    and 0.5 for a probability (binary_cross_entropy) or a score fitted to 0/1 labels (mse);
    None guesses 0.5 if every score on the grid is in [0, 1], or with labels 0/1 if a cut at
    0.5 puts at least a fifth more of the points ``X`` in their own class than a cut at 0,
    else 0. Labels ``y`` may be 0/1, −1/+1 or 0 … K−1. See ``predict_grid`` for the
    predictions themselves.
    """
    X = _points_2d(X)
    classes, names = _class_indices(y, len(X))
    _check_path(path)
    ax = _axes(ax)
    xs, ys, leads = _class_leads(model, X, resolution, margin, threshold, labels=(classes, names))
    count = max(len(names), len(leads))
    colors = [CLASS_COLORS[k % len(CLASS_COLORS)] for k in range(count)]
    for k, lead in enumerate(leads):  # one region per class: where it leads; the edge is interpolated
        if np.any(lead > 0):
            ax.contourf(xs, ys, lead, levels=[0.0, max(float(lead.max()), 0.0) + 1.0], colors=[colors[k]], alpha=0.3)
        if np.any(lead > 0) and np.any(lead < 0):  # the edge as a line: pale shades alike in gray still part
            ax.contour(xs, ys, lead, levels=[0.0], colors="black", linewidths=0.8)
    for k, label in enumerate(names):
        mine = classes == k
        if not mine.any():
            continue
        ax.scatter(X[mine, 0], X[mine, 1], color=colors[k], marker=MARKERS[k % len(MARKERS)],
                   edgecolors="black", linewidths=0.5, s=25, label=f"y = {label}", zorder=3)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    return _finish(ax, path, title)


def _threshold_that_fits_the_data(model, X, classes, names):
    """0.5 for a model with one score (as on the grid) and labels 0/1 when a cut there puts
    a fifth more of the points in their own class than a cut at 0: a score fitted to 0/1
    labels (by mse, fit's default) is about 0 and 1 on the data and runs past them on the
    grid, so the grid's guess took it for a logit and shaded most of class 0 as class 1.
    Else None (the cut at 0 for a logit). A trained logit classifies about as well at 0.5 as at 0,
    so it keeps its 0."""
    if names != ["0", "1"]:
        return None
    with no_grad():
        scores = np.array([_scores(model([float(a), float(b)]))[0] for a, b in X])
    right_at_0, right_at_half = (np.sum((scores > cut) == (classes == 1)) for cut in (0.0, 0.5))
    return 0.5 if 5 * (right_at_half - right_at_0) >= len(X) else None  # in points: 0.4 + 0.2 > 0.6 in floats


def predict_grid(model, X, *, resolution=60, margin=0.5, threshold=None):
    """The model's predicted class on a ``resolution`` × ``resolution`` grid over the
    bounding box of the points ``X`` (shape (n, 2)) widened by ``margin`` (``threshold``
    as in ``plot_decision_boundary``).

    Returns ``(xs, ys, classes)``: the grid's x1 and x2 coordinates and an int array
    with ``classes[i, j]`` the class (0, 1, … as in ``plot_decision_boundary``) predicted
    at ``(xs[j], ys[i])``. The model sees plain floats inside ``no_grad()``, so no graph
    is built.
    """
    xs, ys, leads = _class_leads(model, X, resolution, margin, threshold)
    return xs, ys, np.argmax(leads, axis=0)  # the class that leads; on a tie the first, as argmax does


def _class_leads(model, X, resolution, margin, threshold=None, labels=None):
    """The grid (as in ``predict_grid``) and, for each class k, how far it leads there:
    score_k − the best other score (> 0 where k is predicted). For one score s, class 1
    leads by s − t and class 0 by t − s, t the threshold. Shading where a lead is > 0 lets
    matplotlib interpolate the edge between grid points, so the boundary is smooth.
    ``labels``, the points' (classes, names), lets a guessed threshold fit the data."""
    X = _points_2d(X)
    resolution = whole_number(resolution, "resolution", minimum=2, maximum=MAX_GRID)
    margin = _margin(margin)
    if threshold is not None:
        threshold = _finite(threshold, "threshold")
    xs = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, resolution)
    ys = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, resolution)
    with no_grad():
        outputs = [_scores(model([float(a), float(b)])) for b in ys for a in xs]
    if len({len(scores) for scores in outputs}) != 1:
        raise ValueError("the model returned lists of different lengths at different points")
    scores = np.array(outputs).T.reshape(-1, resolution, resolution)  # (classes, rows, columns)
    if not np.all(np.isfinite(scores)):
        row, column = np.argwhere(~np.isfinite(scores).all(axis=0))[0]
        raise ValueError(
            f"the model's output is nan or inf at ({xs[column]:g}, {ys[row]:g}), so no class can be read "
            "there: train it again with a lower learning rate, or check it on that point"
        )
    if len(scores) == 1:
        if threshold is None and np.all((scores >= 0) & (scores <= 1)):
            threshold = 0.5  # a probability on the whole grid
        if threshold is None and labels is not None:  # a score past [0, 1]: a logit, or fitted to 0/1 labels?
            threshold = _threshold_that_fits_the_data(model, X, *labels)
        if threshold is None:
            threshold = 0.0
        above = scores[0] - threshold
        return xs, ys, np.array([-above, above])
    leads = np.empty_like(scores)
    for k in range(len(scores)):
        leads[k] = scores[k] - np.delete(scores, k, axis=0).max(axis=0)
    return xs, ys, leads


def _scores(out):
    """A model's output as a list of floats: one for a binary score, one per class otherwise."""
    if isinstance(out, Value) or _is_real(out):
        return [_number(out)]
    if _is_sequence(out) and len(out) and all(isinstance(v, Value) or _is_real(v) for v in out):
        return [_number(v) for v in out]
    raise TypeError(
        f"the model must return a Value (binary) or a list of Values (one per class), got {type(out).__name__}"
    )


def _class_indices(y, n):
    """Labels as class indices 0 … K−1 (−1/+1 become 0/1) and the label of each index."""
    try:
        labels = np.asarray(y, dtype=float) if _is_sequence(y) else None
    except (TypeError, ValueError) as error:
        raise ValueError(f"y must be numeric labels (0/1, −1/+1 or 0 … K−1): {error}") from None
    if labels is None or labels.ndim != 1 or len(labels) != n:
        shape = labels.shape if labels is not None else type(y).__name__
        raise ValueError(f"y must be a 1-d list of {n} labels (one per row of X), got shape {shape}")
    if set(np.unique(labels)) <= {-1.0, 1.0}:
        return (labels > 0).astype(int), ["-1", "+1"]
    if not np.all((labels >= 0) & (labels == np.round(labels))):
        raise ValueError(f"labels must be 0/1, −1/+1 or whole numbers 0 … K−1, got {sorted(set(labels.tolist()))[:10]}")
    if labels.max() >= MAX_CLASSES:
        raise ValueError(f"labels must be class indices 0 … K−1 with K at most {MAX_CLASSES}, got {labels.max():g}")
    classes = labels.astype(int)
    return classes, [str(k) for k in range(classes.max() + 1)]


# ----- 3. a function and its derivative -----


def plot_function_and_grad(fn, *, x_range=(-5.0, 5.0), points=201, path=None, ax=None, title=None, name="f"):
    """f(x) and its derivative f'(x) = ∂f/∂x on one axes, the derivative found by
    autograd at each point (``y = fn(Value(x)); y.backward(); x.grad``), not by hand.

    ``fn`` maps a Value to a Value, e.g. ``lambda x: x.sigmoid()`` with ``name="σ"``
    (the notes' Figures 5.3 and 5.4). ``ax.lines[0]`` is f and ``ax.lines[1]`` is f'.
    """
    if not callable(fn):
        raise TypeError(f"fn must be a function of one Value, like lambda x: x.tanh(); got {type(fn).__name__}")
    low, high = _interval(x_range, "x_range")
    points = whole_number(points, "points", minimum=2, maximum=MAX_POINTS)
    _check_path(path)
    ax = _axes(ax)
    xs = np.linspace(low, high, points)
    values, grads = np.empty(points), np.empty(points)
    for i, x in enumerate(xs):
        values[i], grads[i] = _value_and_grad(fn, float(x), name)
    shown = _shown(name)
    ax.plot(xs, values, color="C0", linewidth=2, label=f"{shown}(x)")
    ax.plot(xs, grads, color="C3", linestyle="--", linewidth=2, label=f"{shown}'(x) = ∂{shown}/∂x  (by backward())")
    ax.set_xlabel("x")
    _room_above(ax)
    ax.legend(loc="upper left")
    default = f"{shown}(x) and its derivative {shown}'(x)"
    return _finish(ax, path, default if title is None else title, legend=False)


LEGEND_ROOM = 0.25  # of the axes' height, kept free of data at the top for a two-line legend


def _room_above(ax):
    """Raise the top of the y axis so that what is drawn in ``ax`` fills only its lower part,
    leaving a band for the legend: where matplotlib's "best" place fell on a curve (tanh's
    rise, leaky ReLU's line), a printed legend hid part of it. The axis still rescales to
    take in whatever is drawn into ``ax`` later. Curves that reach near the largest float
    (exp up to x = 709.7) leave no room to add: their axis stays as matplotlib sets it."""
    low, high = map(float, ax.dataLim.intervaly)  # Python floats: past the largest float, inf without a warning
    span = (high - low) or max(abs(high), 1.0)
    bottom, top = low - 0.05 * span, high + 0.05 * span  # matplotlib's own margins
    top += (top - bottom) * LEGEND_ROOM / (1 - LEGEND_ROOM)
    if math.isfinite(bottom) and math.isfinite(top):  # else set_ylim raises "Axis limits cannot be NaN or Inf"
        ax.set_ylim(bottom, top, auto=True)


def _value_and_grad(fn, x, name):
    leaf = Value(x, "x")
    try:
        with enable_grad():  # a notebook cell inside no_grad() still gets the derivative
            out = fn(leaf)
        if not isinstance(out, Value):
            raise TypeError(
                f"fn must return a Value computed from x (e.g. lambda x: x.sigmoid()), got {type(out).__name__}"
            )
        out.backward()
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        raise ValueError(f"{name}(x) failed at x = {x:g}: {error} (choose an x_range inside its domain)") from error
    return out.data, leaf.grad


# ----- 4. loss landscape -----


def plot_loss_landscape(
    loss_fn,
    ranges,
    *,
    paths=None,
    path=None,
    ax=None,
    resolution=60,
    levels=30,
    labels=("θ0", "θ1"),
    title="Loss landscape",
    log_levels=False,
):
    """Contours of a loss ℒ(θ0, θ1) of two parameters, with the paths optimizers took
    (the notes' Figures 4.1 and 4.2).

    ``loss_fn(a, b)`` returns a float or a Value; it is evaluated on a ``resolution`` ×
    ``resolution`` grid over ``ranges = ((a_min, a_max), (b_min, b_max))`` inside
    ``no_grad()``. ``paths`` maps a name to a list of (a, b) points, e.g.
    ``{"batch GD": [...], "SGD": [...], "momentum": [...]}``; each is drawn as a line
    with a mark per step, a circle at its start and a star at its end (in that order in
    ``ax.lines``). Each path has its own line style and step mark (square, triangle,
    diamond, …), so where paths meet they can be told apart in gray and by colour-blind
    readers, not by their colour alone. ``log_levels=True`` spaces the contours
    logarithmically, which shows the floor of a long narrow valley.
    """
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a function of two numbers, like lambda a, b: a**2 + b**2; got {loss_fn!r}")
    a_range, b_range = _ranges(ranges)
    resolution = whole_number(resolution, "resolution", minimum=2, maximum=MAX_GRID)
    levels = whole_number(levels, "levels", minimum=2, maximum=MAX_POINTS)
    paths = _paths(paths)
    if not _is_sequence(labels) or len(labels) != 2:
        raise ValueError(f"labels must be two names like ('θ0', 'θ1'), got {labels!r}")
    _check_path(path)
    ax = _axes(ax)
    from matplotlib.colors import LogNorm
    from matplotlib.lines import Line2D

    a_values, b_values = np.linspace(*a_range, resolution), np.linspace(*b_range, resolution)
    losses = _loss_grid(loss_fn, a_values, b_values)
    if log_levels:
        if losses.min() <= 0:
            raise ValueError(f"log_levels=True needs a positive loss everywhere; its minimum here is {losses.min():g}")
        bounds, norm = np.geomspace(losses.min(), losses.max(), levels), LogNorm(losses.min(), losses.max())
    else:
        bounds, norm = np.linspace(losses.min(), losses.max(), levels), None
    if bounds[0] == bounds[-1]:
        bounds = bounds[0] + np.linspace(-0.5, 0.5, levels)  # a flat loss: any levels around its value
    filled = ax.contourf(a_values, b_values, losses, levels=bounds, norm=norm, cmap="viridis")
    ax.contour(a_values, b_values, losses, levels=bounds, norm=norm, colors="white", linewidths=0.4, alpha=0.5)
    labels = [_shown(label) for label in labels]
    ax.figure.colorbar(filled, ax=ax, label=f"ℒ({labels[0]}, {labels[1]})", format="%.3g")
    for i, (name, points) in enumerate(paths.items()):
        color = f"C{(i + 1) % 10}"  # C0 is the colormap's blue; start at orange
        step_mark = STEP_MARKS[i % len(STEP_MARKS)]
        ax.plot(points[:, 0], points[:, 1], marker=step_mark, linestyle=_linestyle(i), color=color, markersize=4,
                markeredgecolor="black", markeredgewidth=0.5, linewidth=1.5, label=_shown(name))
        ax.plot(*points[0], "o", color=color, markersize=9, markeredgecolor="black")
        ax.plot(*points[-1], "*", color=color, markersize=14, markeredgecolor="black")
    ax.set_xlim(*a_range)
    ax.set_ylim(*b_range)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    if paths:
        marks = [Line2D([], [], marker=m, color="0.5", markeredgecolor="black", linestyle="", markersize=s, label=t)
                 for m, s, t in (("o", 9, "start"), ("*", 14, "end"))]
        ax.legend(handles=ax.get_legend_handles_labels()[0] + marks, loc="best")
    return _finish(ax, path, title, legend=False)


def _loss_grid(loss_fn, a_values, b_values):
    losses = np.empty((len(b_values), len(a_values)))
    with no_grad():
        for i, b in enumerate(b_values):
            for j, a in enumerate(a_values):
                out = loss_fn(float(a), float(b))
                if not (isinstance(out, Value) or _is_real(out)):
                    raise TypeError(f"loss_fn must return a number or a Value, got {type(out).__name__}")
                losses[i, j] = _number(out)
                if not math.isfinite(losses[i, j]):
                    raise ValueError(f"loss_fn({a:g}, {b:g}) is {losses[i, j]}: choose ranges where the loss is finite")
    return losses


def _ranges(ranges):
    if not _is_sequence(ranges) or len(ranges) != 2:
        raise ValueError(f"ranges must be ((a_min, a_max), (b_min, b_max)), got {ranges!r}")
    return _interval(ranges[0], "ranges[0]"), _interval(ranges[1], "ranges[1]")


def _paths(paths):
    """{name: (n, 2) float array} from a dict of lists of (a, b) points."""
    if paths is None:
        return {}
    if not isinstance(paths, Mapping):
        raise TypeError(f"paths must be a dict like {{'SGD': [(a0, b0), (a1, b1), ...]}}, got {type(paths).__name__}")
    checked = {}
    for name, points in paths.items():
        try:
            array = np.array([[_number(a), _number(b)] for a, b in points], dtype=float)
        except (TypeError, ValueError) as error:
            raise ValueError(f"paths[{name!r}] must be a list of (a, b) pairs of numbers: {error}") from None
        if len(array) == 0:
            raise ValueError(f"paths[{name!r}] is empty; give at least one (a, b) point")
        checked[str(name)] = array
    return checked


# ----- 5. curves -----


def plot_curves(curves, *, path=None, ax=None, title=None, xlabel="step", ylabel="loss", log=False):
    """Several curves on one plot, each with its name in the legend: e.g. the loss of SGD,
    momentum and Adam against the step, or each loss against the residual.

    ``curves`` maps a name to a list of y values (plotted at x = 0, 1, 2 …) or to a pair
    ``(xs, ys)``. Values may be numbers or Values. ``log=True`` uses a log scale for y.
    Each curve has its own line style as well as colour, so the legend still tells them
    apart on a black-and-white handout and to colour-blind eyes.
    """
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError(
            "plot_curves needs a dict like {'SGD': [losses...]} or {'MSE': (xs, ys)} with at least one curve"
        )
    data = {str(name): _curve(name, value) for name, value in curves.items()}
    if log:
        _check_positive_for_log({f"curve {name!r}": curve for name, curve in data.items()}, xlabel)
    _check_path(path)
    ax = _axes(ax)
    for i, (name, (xs, ys)) in enumerate(data.items()):
        ax.plot(xs, ys, linestyle=_linestyle(i), linewidth=1.8, label=_shown(name))
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return _finish(ax, path, title)


def _check_positive_for_log(curves, xlabel):
    """A log scale has no place for 0 or below: say which curve (name → (xs, ys)) reaches it, and where."""
    for name, (xs, ys) in curves.items():
        below = np.flatnonzero(np.isfinite(ys) & (ys <= 0))
        if below.size:
            i = below[0]
            raise ValueError(f"log=True needs values above 0, but {name} is {ys[i]:g} at {xlabel} {xs[i]:g}; "
                             "use log=False")


def _curve(name, value):
    """(xs, ys) float arrays from a list of ys or a pair (xs, ys)."""
    is_pair = _is_sequence(value) and len(value) == 2 and all(_is_sequence(part) for part in value)
    if is_pair:
        xs, ys = _floats(value[0], f"curves[{name!r}] xs"), _floats(value[1], f"curves[{name!r}] ys")
        if len(xs) != len(ys):
            raise ValueError(f"curves[{name!r}] has {len(xs)} xs but {len(ys)} ys")
        return xs, ys
    ys = _floats(value, f"curves[{name!r}]")
    return np.arange(len(ys), dtype=float), ys


# ----- 6. regression fits -----


def plot_fits(X, y, lines, *, path=None, ax=None, title="Fits"):
    """Regression data as dots and each fitted line ŷ = θ0 + θ1·x across its x range: for
    comparing fits, e.g. MSE vs MAE vs Huber on data with outliers (the notes' Figure 3.1).

    ``X`` has shape (n, 1) or (n,), ``y`` shape (n,); ``lines`` maps a name to
    ``(slope, intercept)``, i.e. (θ1, θ0), as numbers or Values.
    """
    x, targets = _points_1d(X, y)
    if not isinstance(lines, Mapping):
        raise TypeError(f"lines must be a dict like {{'MSE': (slope, intercept)}}, got {type(lines).__name__}")
    fits = {str(name): _line(name, value) for name, value in lines.items()}
    _check_path(path)
    own_figure, ax = ax is None, _axes(ax)
    if own_figure:
        ax.figure.set_size_inches(FIGSIZE[0] + 2.5, FIGSIZE[1])  # room for the legend beside the axes
    ax.scatter(x, targets, color="0.3", s=20, label="data", zorder=3)
    ends = np.array([x.min(), x.max()])
    for i, (name, (slope, intercept)) in enumerate(fits.items()):
        sign = "+" if slope >= 0 else "−"
        label = f"{_shown(name)}: ŷ = {intercept:.2f} {sign} {abs(slope):.2f}x"
        ax.plot(ends, intercept + slope * ends, color=f"C{i % 10}", linestyle=_linestyle(i), linewidth=2, label=label)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)  # beside the data: outliers stay visible
    return _finish(ax, path, title, legend=False)


def plot_regression(model, X, y, *, path=None, ax=None, resolution=200, margin=0.05, title="Fit", label=None):
    """Regression data as dots and the model's prediction ŷ = model([x]) as a curve across
    their x range (widened by ``margin`` times that range on each side): how a trained
    model fits the data, outliers included. ``X`` has shape (n, 1) or (n,), ``y`` shape
    (n,); ``model`` returns one Value (or number), called on plain floats inside
    ``no_grad()``.

    ``label`` names the curve in the legend (default "model: ŷ = model(x)"). Drawn again
    into the same ``ax``, to compare models, each curve gets its own colour and line style
    (and by default "model 2", "model 3" …), and the data is named in the legend once; drawn
    into it after ``ax.clear()``, the model is the first again."""
    x, targets = _points_1d(X, y)
    resolution = whole_number(resolution, "resolution", minimum=2, maximum=MAX_POINTS)
    margin = _margin(margin)
    _check_path(path)
    pad = margin * ((x.max() - x.min()) or 1.0)
    grid = np.linspace(x.min() - pad, x.max() + pad, resolution)
    with no_grad():
        curve = np.array([_prediction(model([float(a)])) for a in grid])
    if not np.all(np.isfinite(curve)):
        where = grid[~np.isfinite(curve)][0]
        raise ValueError(f"the model's output is nan or inf at x = {where:g}: train it again with a lower learning "
                         "rate, or check it on that point")
    ax = _axes(ax)
    earlier = _regression_curves(ax)
    if label is None:
        label = f"model{f' {earlier + 1}' if earlier else ''}: ŷ = model(x)"
    ax.scatter(x, targets, color="0.3", s=20, label="_nolegend_" if earlier else "data", zorder=3)
    (line,) = ax.plot(grid, curve, color=f"C{(earlier + 1) % 10}", linestyle=_linestyle(earlier), linewidth=2,
                      label=_shown(label))
    setattr(line, REGRESSION_CURVE, True)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return _finish(ax, path, title)


def _prediction(out):
    """A regression model's output as a float: it must be one number."""
    if isinstance(out, Value) or _is_real(out):
        return _number(out)
    raise TypeError(f"the model must return one Value (its prediction), got {type(out).__name__}")


def _points_1d(X, y):
    """X as a 1-d float array of x values (from shape (n, 1) or (n,)) and y beside it."""
    try:
        x = np.asarray(X, dtype=float) if _is_sequence(X) else None
    except (TypeError, ValueError) as error:
        raise ValueError(f"X must be numbers, shape (n, 1) or (n,): {error}") from None
    if x is None or not (x.ndim == 1 or (x.ndim == 2 and x.shape[1] == 1)) or len(x) == 0:
        raise ValueError(f"X must have shape (n, 1) or (n,) with n ≥ 1, got {getattr(x, 'shape', type(X).__name__)}")
    x = x.ravel()
    targets = _floats(y, "y")
    if len(targets) != len(x):
        raise ValueError(f"X has {len(x)} rows but y has {len(targets)} values")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(targets))):
        raise ValueError("X and y must be finite numbers: a nan or inf point cannot be drawn (drop it first)")
    return x, targets


def _line(name, value):
    if not _is_sequence(value) or len(value) != 2:
        raise ValueError(f"lines[{name!r}] must be (slope, intercept), got {value!r}")
    return _finite(value[0], f"lines[{name!r}] slope"), _finite(value[1], f"lines[{name!r}] intercept")


# ----- drawing and saving -----


def _axes(ax):
    """``ax`` itself, or the Axes of a new Figure (this is where matplotlib is imported)."""
    if ax is not None:
        if not hasattr(ax, "figure") or not hasattr(ax, "plot"):
            raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
        _show_inline(_whole_figure(ax))
        return ax
    try:
        from matplotlib.figure import Figure
    except ImportError as error:
        raise MissingExtraError(
            f"plots need matplotlib, which is not installed ({error}). Install it with: {INSTALL_HINT}"
        ) from error
    figure = Figure(figsize=FIGSIZE, layout="constrained")
    _show_inline(figure)
    return figure.add_subplot()


def _whole_figure(ax):
    """The Figure ``ax`` is drawn in: for an Axes in a SubFigure (``fig.subfigures()``) the
    whole Figure, which is what Jupyter shows and a file holds (a SubFigure's ``figure`` is
    that root Figure, as a Figure's is itself)."""
    return ax.figure.figure


def _show_inline(figure):
    """Let Jupyter show ``figure`` as a picture: it shows an object inline if it has
    ``_repr_png_``, and a Figure made without pyplot has none (``display(fig)`` gave only
    "<Figure size 640x480 with 1 Axes>"). A figure of pyplot's is left alone: pyplot shows
    it already, and a second picture of it would be a duplicate."""
    from matplotlib.figure import Figure

    if type(figure) is Figure and figure.canvas.manager is None and not hasattr(figure, "_repr_png_"):
        figure._repr_png_ = functools.partial(_render, figure, "png", dpi=JUPYTER_DPI)


LINESTYLES = ("-", "--", "-.", ":", (0, (3, 1, 1, 1, 1, 1)), (0, (8, 2)))  # … dash-dot-dot, long dashes


def _regression_curves(ax):
    """How many models plot_regression drew on ``ax`` that are still there: none after
    ``ax.clear()``, so a notebook loop that clears and redraws draws "model", not "model 50"."""
    return sum(getattr(line, REGRESSION_CURVE, False) for line in ax.get_lines())


def _linestyle(i):
    """Solid, dashed, dash-dot, dotted, …: series that run on top of each other stay visible,
    and series stay apart where their colours do not (in gray, or to colour-blind eyes)."""
    return LINESTYLES[i % len(LINESTYLES)]


def _finish(ax, path, title, legend=True):
    """Title, light grid and legend; save to ``path`` if given; return the Figure."""
    if title:
        ax.set_title(title)
    ax.grid(True, **GRID)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best")
    figure = _whole_figure(ax)
    if path is not None:
        save_figure(figure, path)
    return figure


def save_figure(figure, path):
    """Save a Figure as png, svg or pdf (by the extension), atomically and reproducibly:
    the same figure gives the same bytes."""
    if not hasattr(figure, "savefig"):
        raise TypeError(f"save_figure needs a matplotlib Figure (what the plots return), got {type(figure).__name__}")
    atomic_write_bytes(path, _render(figure, _check_path(path)))
    return path


def _render(figure, fmt, dpi=PNG_DPI):
    """The figure as the bytes of a png, svg or pdf file, the same for the same figure.

    Each save lays the figure out again, starting from where the last layout put the axes,
    and the result drifts in the last digits (which renames svg clip paths and can move a
    pixel). So the axes go back where they were, and every save starts from the same place."""
    import matplotlib

    buffer = io.BytesIO()
    placed = [(ax, ax.get_position(original=True), ax.get_position(), ax.get_in_layout()) for ax in figure.axes]
    with matplotlib.rc_context({"svg.hashsalt": SVG_SALT}):
        figure.savefig(buffer, format=fmt, dpi=dpi, metadata=SAVE_METADATA[fmt])
    for ax, original, active, in_layout in placed:
        ax.set_position(original, "original")
        ax.set_position(active, "active")
        ax.set_in_layout(in_layout)  # set_position takes an axes out of the layout
    return buffer.getvalue()


def _check_path(path):
    """The file format named by the extension of ``path`` (png, svg or pdf), or None."""
    if path is None:
        return None
    if not isinstance(path, (str, os.PathLike)) or isinstance(os.fspath(path), bytes):
        raise TypeError(f"path must be a file name (a str or a pathlib.Path), got {type(path).__name__}")
    extension = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if extension not in FORMATS:
        found = f"extension '.{extension}'" if extension else "no extension"
        raise ValueError(f"cannot save a plot to {os.fspath(path)!r}: it has {found}; use .png, .svg or .pdf")
    folder = os.path.dirname(os.path.abspath(os.fspath(path)))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot save a plot to {os.fspath(path)!r}: the folder {folder!r} does not exist")
    return extension


# ----- checking inputs -----


def _shown(name):
    """A name as matplotlib should show it, exactly: "$" escaped (it would start mathtext),
    and a zero-width space before a leading "_" (which would hide it from the legend)."""
    text = str(name).replace("$", r"\$")
    return "\u200b" + text if text.startswith("_") else text


def _is_real(x):
    return (isinstance(x, numbers.Real) and not isinstance(x, bool)) or isinstance(x, (np.floating, np.integer))


def _is_sequence(x):
    return isinstance(x, (list, tuple, np.ndarray, range)) and getattr(x, "ndim", 1) > 0


def _number(x):
    """A float from a number or a Value."""
    if isinstance(x, Value):
        return x.data
    if not _is_real(x):
        raise TypeError(f"expected a number or a Value, got {type(x).__name__}: {x!r:.40}")
    return float(x)


def _margin(margin):
    """How far past the data a plot reaches: a finite number ≥ 0."""
    margin = _finite(margin, "margin")
    if margin < 0:
        raise ValueError(f"margin must be ≥ 0, got {margin}")
    return margin


def _finite(x, what):
    try:
        number = _number(x)
    except TypeError as error:
        raise TypeError(f"{what}: {error}") from None
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, got {number}")
    return number


def _floats(values, what):
    """A 1-d float array from a list, tuple or 1-d array of numbers or Values."""
    if not _is_sequence(values) or np.ndim(values) != 1:
        raise ValueError(f"{what} must be a 1-d list of numbers, got {type(values).__name__}")
    try:
        return np.array([_number(v) for v in values], dtype=float)
    except TypeError as error:
        raise TypeError(f"{what}: {error}") from None


def _interval(pair, what):
    if not _is_sequence(pair) or len(pair) != 2:
        raise ValueError(f"{what} must be a pair (low, high), got {pair!r}")
    low, high = _finite(pair[0], f"{what} low"), _finite(pair[1], f"{what} high")
    if not low < high:
        raise ValueError(f"{what} must have low < high, got ({low:g}, {high:g})")
    return low, high


def _points_2d(X):
    """X as an (n, 2) float array with n ≥ 1."""
    points = np.asarray(X, dtype=float) if _is_sequence(X) else None
    if points is None or points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        shape = points.shape if points is not None else type(X).__name__
        raise ValueError(f"X must be a list of points (x1, x2), shape (n, 2), got shape {shape}")
    if not np.all(np.isfinite(points)):
        raise ValueError("X contains NaN or inf")
    return points
