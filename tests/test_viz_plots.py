"""Lesson plots: each returns a Figure, saves png/svg/pdf atomically and reproducibly, draws
into a given Axes, and plots what the engine computes (decision regions, autograd
derivatives, optimizer paths); matplotlib stays an optional, lazily imported extra."""

import html
import io
import math
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from micrograd_club import Value  # noqa: E402
from micrograd_club.nn import MLP, Neuron  # noqa: E402
from micrograd_club.train import History  # noqa: E402
from micrograd_club.viz import plots  # noqa: E402
from micrograd_club.viz.plots import (  # noqa: E402
    MissingExtraError,
    plot_curves,
    plot_decision_boundary,
    plot_fits,
    plot_function_and_grad,
    plot_history,
    plot_loss_landscape,
    plot_regression,
    predict_grid,
)

SIGNATURES = {b"png": b"\x89PNG\r\n\x1a\n", b"svg": b"<?xml", b"pdf": b"%PDF-"}
X2 = [[-1.0, -1.0], [-0.5, 1.0], [0.5, -1.0], [1.0, 1.0]]
Y2 = [0, 0, 1, 1]


def step_neuron():
    """A 2-input linear neuron w = (1, 0), b = 0: its boundary is the line x1 = 0."""
    neuron = Neuron(2, nonlin=False)
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = 1.0, 0.0, 0.0
    return neuron


def bowl(a, b):
    return (a - 1) ** 2 + 2 * (b + 0.5) ** 2


def contour_points(contour_sets):
    """Every vertex the contour sets draw, as one (n, 2) array. Read from their paths, the
    same points ``allsegs`` gives from matplotlib 3.8.1 on; 3.8.0's ``allsegs`` gave single
    points in place of polygons, and the plots extra allows 3.8.0."""
    return np.concatenate([path.vertices for contours in contour_sets for path in contours.get_paths()])


# One small call of every plot, taking path= and ax=.
CALLS = {
    "history": lambda **kw: plot_history({"loss": [1.0, 0.5, 0.3], "accuracy": [0.5, 0.75, 1.0]}, **kw),
    "decision_boundary": lambda **kw: plot_decision_boundary(step_neuron(), X2, Y2, resolution=8, **kw),
    "function_and_grad": lambda **kw: plot_function_and_grad(lambda x: x.tanh(), points=11, **kw),
    "loss_landscape": lambda **kw: plot_loss_landscape(
        bowl, ((-2, 3), (-2, 2)), resolution=8, levels=5, paths={"GD": [(-1, 1), (0, 0), (1, -0.5)]}, **kw
    ),
    "curves": lambda **kw: plot_curves({"SGD": [3.0, 2.0, 1.5], "Adam": [3.0, 1.0, 0.5]}, **kw),
    "fits": lambda **kw: plot_fits([[0.0], [1.0], [2.0]], [1.0, 2.9, 5.2], {"MSE": (2.0, 1.0)}, **kw),
}


def new_axes():
    return Figure().add_subplot()


# ----- every plot: a Figure, files, Axes -----


@pytest.mark.parametrize("name", CALLS)
def test_returns_a_figure_with_something_drawn(name):
    figure = CALLS[name]()
    assert isinstance(figure, Figure)
    ax = figure.axes[0]
    assert ax.lines or ax.collections


@pytest.mark.parametrize("extension", ["png", "svg", "pdf"])
@pytest.mark.parametrize("name", CALLS)
def test_saves_each_format_atomically(name, extension, tmp_path):
    target = tmp_path / f"plot.{extension}"
    target.write_bytes(b"old contents")
    figure = CALLS[name](path=target)
    assert isinstance(figure, Figure)
    assert target.read_bytes().startswith(SIGNATURES[extension.encode()])
    assert os.listdir(tmp_path) == [f"plot.{extension}"]  # no temp file left behind


@pytest.mark.parametrize("extension", ["png", "svg", "pdf"])
def test_files_are_reproducible(extension, tmp_path):
    first, second = tmp_path / f"a.{extension}", tmp_path / f"b.{extension}"
    CALLS["loss_landscape"](path=first)
    CALLS["loss_landscape"](path=second)
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("name", CALLS)
def test_draws_into_a_given_axes(name):
    figure = Figure()
    left, right = figure.subplots(1, 2)
    assert CALLS[name](ax=right) is figure
    assert not left.lines and not left.collections
    assert right.lines or right.collections


@pytest.mark.parametrize("bad", ["plot.jpg", "plot", "plot.png.txt"])
def test_unknown_extension_is_refused_before_drawing(bad, tmp_path):
    with pytest.raises(ValueError, match=r"\.png, \.svg or \.pdf") as error:
        CALLS["curves"](path=tmp_path / bad)
    extension = os.path.splitext(bad)[1]
    assert (f"'{extension}'" if extension else "no extension") in str(error.value)
    assert os.listdir(tmp_path) == []


def test_extension_is_case_insensitive(tmp_path):
    CALLS["curves"](path=tmp_path / "PLOT.PNG")
    assert (tmp_path / "PLOT.PNG").read_bytes().startswith(SIGNATURES[b"png"])


def test_figures_show_inline_in_jupyter():
    assert CALLS["curves"]()._repr_png_().startswith(SIGNATURES[b"png"])


def test_a_figure_of_your_own_made_without_pyplot_shows_inline_once_drawn_into():
    """A notebook loop that redraws a curve into the same Axes without pyplot (whose figure
    would show again at the end of the cell) shows a picture with display(fig), not a line
    of text; a figure of pyplot's gets no second picture."""
    import matplotlib.pyplot as plt

    figure = Figure()
    assert plot_history({"loss": [1.0, 0.5]}, ax=figure.add_subplot()) is figure
    assert figure._repr_png_().startswith(SIGNATURES[b"png"])
    managed, ax = plt.subplots()
    try:
        plot_history({"loss": [1.0, 0.5]}, ax=ax)
        assert not hasattr(managed, "_repr_png_")
    finally:
        plt.close(managed)


def test_an_axes_in_a_subfigure_shows_and_saves_the_whole_figure(tmp_path):
    # A SubFigure has no picture of its own: Jupyter showed "<Figure size … with 2 Axes>" and
    # path= failed, as plot_history returned the SubFigure.
    figure = Figure()
    left, right = figure.subfigures(1, 2)
    assert plot_history({"loss": [1.0, 0.5]}, ax=left.add_subplot(), path=tmp_path / "left.png") is figure
    assert figure._repr_png_().startswith(SIGNATURES[b"png"])
    assert (tmp_path / "left.png").read_bytes().startswith(SIGNATURES[b"png"])


# ----- matplotlib is optional -----


def test_importing_the_package_does_not_import_matplotlib():
    code = (
        "import micrograd_club, micrograd_club.viz, micrograd_club.viz.plots, sys; "
        "assert 'matplotlib' not in sys.modules, sorted(m for m in sys.modules if 'matplotlib' in m)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", CALLS)
def test_without_matplotlib_a_plot_says_how_to_install_it(name, monkeypatch):
    for module in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")] + ["matplotlib"]:
        monkeypatch.setitem(sys.modules, module, None)  # None makes `import matplotlib…` fail
    with pytest.raises(MissingExtraError, match=r'Install it with: pip install "micrograd-club\[plots\]"$'):
        CALLS[name]()
    assert issubclass(MissingExtraError, ImportError)


# ----- 1. history -----


def test_history_log_scale_is_for_the_loss_only():
    """A loss that falls from 200 to 0.01 flattens into the axis after a few epochs; on a log
    scale every epoch shows. The accuracy axis stays linear, from 0 to 1."""
    fig = plot_history({"loss": [200.0, 3.0, 0.01], "accuracy": [0.0, 0.9, 1.0]}, log=True)
    loss_axes, accuracy_axes = fig.axes
    assert loss_axes.get_yscale() == "log" and accuracy_axes.get_yscale() == "linear"
    assert plot_history({"loss": [200.0, 3.0, 0.01]}).axes[0].get_yscale() == "linear"
    with pytest.raises(ValueError, match=r"but history\['loss'\] is 0 at epoch 3; use log=False"):
        plot_history({"loss": [1.0, 0.5, 0.0], "accuracy": [0.0, 0.5, 1.0]}, log=True)  # hinge reaches 0


def test_history_without_accuracy_has_one_axis():
    figure = plot_history(History(loss=[0.9, 0.4, 0.2, 0.1]))
    assert len(figure.axes) == 1
    (line,) = figure.axes[0].lines
    assert list(line.get_xdata()) == [1, 2, 3, 4]
    assert list(line.get_ydata()) == [0.9, 0.4, 0.2, 0.1]
    assert figure.axes[0].get_legend().texts[0].get_text() == "training loss"


def test_history_is_drawn_from_a_history_csv(tmp_path):
    """The command line's history.csv is drawn from its path as the History it was written from."""
    history = History({"loss": [0.8, 0.3], "val_loss": [0.9, 0.5], "accuracy": [0.6, 0.9]})
    history.to_csv(tmp_path / "history.csv")
    from_file = plot_history(tmp_path / "history.csv")
    assert plots._render(from_file, "png") == plots._render(plot_history(history), "png")
    assert [list(line.get_ydata()) for line in from_file.axes[0].lines] == [[0.8, 0.3], [0.9, 0.5]]
    (tmp_path / "model.json").write_text('{"format": "micrograd_club model"}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"model\.json, line 1: the header is .*A history file"):
        plot_history(str(tmp_path / "model.json"))


def test_history_puts_accuracy_on_a_right_axis():
    history = {"loss": [0.8, 0.3], "val_loss": [0.9, 0.5], "accuracy": [0.6, 0.9], "val_accuracy": [0.5, 0.8]}
    figure = plot_history(history)
    left, right = figure.axes
    assert [list(line.get_ydata()) for line in left.lines] == [[0.8, 0.3], [0.9, 0.5]]
    assert [list(line.get_ydata()) for line in right.lines] == [[0.6, 0.9], [0.5, 0.8]]
    assert [line.get_linestyle() for line in right.lines] == ["-", "--"]
    assert right.get_ylim()[0] < 0 < 1 < right.get_ylim()[1]
    legend = [text.get_text() for text in left.get_legend().texts]
    assert legend == ["training loss", "validation loss", "training accuracy", "validation accuracy"]


@pytest.mark.parametrize("epochs", [3, 100])
def test_history_tells_loss_from_accuracy_by_mark_not_by_colour_alone(epochs):
    """In gray, or to colour-blind eyes, the loss and the accuracy curves looked alike (only
    their colours differed, and past 30 epochs neither had marks)."""
    ramp = list(np.linspace(0.1, 0.9, epochs))
    history = {"loss": ramp[::-1], "val_loss": ramp[::-1], "accuracy": ramp, "val_accuracy": ramp}
    figure = plot_history(history)
    left, right = figure.axes
    loss_marks = {line.get_marker() for line in left.lines}
    accuracy_marks = {line.get_marker() for line in right.lines}
    assert len(loss_marks) == len(accuracy_marks) == 1 and loss_marks.isdisjoint(accuracy_marks)
    assert {line.get_color() for line in left.lines}.isdisjoint(line.get_color() for line in right.lines)
    assert not (loss_marks | accuracy_marks) & {None, "None", "", " "}
    assert all(len(line.get_xdata()[::line.get_markevery() or 1]) <= 2 * plots.MARKS_PER_CURVE
               for line in left.lines + right.lines)  # a long curve's marks stay apart
    assert [line.get_linestyle() for line in left.lines + right.lines] == ["-", "--", "-", "--"]
    legend = left.get_legend()
    assert [handle.get_marker() for handle in legend.legend_handles] == [*loss_marks] * 2 + [*accuracy_marks] * 2
    assert left.get_zorder() > right.get_zorder()  # the legend is drawn over the accuracy curves, not under them


@pytest.mark.parametrize("earlier", [{"loss": [0.8, 0.3], "accuracy": [0.6, 0.9]}, {"loss": [9.0, 7.0, 5.0]}])
def test_history_drawn_again_into_the_same_axes_gives_the_same_picture(earlier):
    """A notebook loop redrawing the history into one Axes stacked another right-hand axis
    (and another set of curves) on every call."""
    history = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6], "accuracy": [0.5, 0.75, 1.0]}
    once, again = new_axes(), new_axes()
    plot_history(history, ax=once)
    plot_history(earlier, ax=again)
    plot_history(history, ax=again)
    assert len(again.figure.axes) == 2 and len(again.lines) == 2
    assert plots._render(again.figure, "png") == plots._render(once.figure, "png")


def test_history_drawn_into_a_cleared_axes_gives_the_same_picture():
    """A notebook loop that cleared its Axes before redrawing (ax.clear()) got NotImplementedError:
    "cannot remove artist", as plot_history removed the curves that clear had taken away."""
    history = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6], "accuracy": [0.5, 0.75, 1.0]}
    once, again = new_axes(), new_axes()
    plot_history(history, ax=once)
    plot_history(history, ax=again)
    again.clear()
    plot_history(history, ax=again)
    assert len(again.figure.axes) == 2 and len(again.lines) == 2
    assert plots._render(again.figure, "png") == plots._render(once.figure, "png")


def test_history_accuracy_curves_show_in_front_of_the_loss_axes_background():
    """The loss axes are drawn over the accuracy axes (for the legend): with their background
    drawn too, it would hide the accuracy curves."""
    figure = plot_history({"loss": [0.8, 0.3], "accuracy": [0.6, 0.9]})
    shown = plots._render(figure, "png")
    for line in figure.axes[1].lines:
        line.set_visible(False)
    assert plots._render(figure, "png") != shown


@pytest.mark.parametrize("setup", [
    lambda ax: ax.set_facecolor("lightyellow"),
    lambda ax: ax.set_zorder(3),
    lambda ax: (ax.patch.set_visible(False), ax.figure.set_facecolor("lightblue")),
], ids=["facecolor", "zorder", "no background"])
def test_history_drawn_again_without_accuracy_gives_back_the_axes_own_background_and_order(setup):
    """Drawing accuracy put the Axes in front and hid its background; a history drawn again
    without accuracy gives the picture it gives on its own, with the Axes' own settings."""
    once, again = new_axes(), new_axes()
    setup(once)
    setup(again)
    plot_history({"loss": [1.0, 0.5]}, ax=once)
    plot_history({"loss": [0.8, 0.3], "accuracy": [0.6, 0.9]}, ax=again)
    plot_history({"loss": [1.0, 0.5]}, ax=again)
    assert (again.get_zorder(), again.patch.get_visible()) == (once.get_zorder(), once.patch.get_visible())
    assert plots._render(again.figure, "png") == plots._render(once.figure, "png")


def test_history_drawn_again_keeps_what_else_is_on_the_axes():
    ax = new_axes()
    target = ax.axhline(0.1, color="gray")
    plot_history({"loss": [1.0, 0.5], "accuracy": [0.5, 1.0]}, ax=ax)
    plot_history({"loss": [1.0, 0.4]}, ax=ax)
    assert target in ax.lines and len(ax.figure.axes) == 1


@pytest.mark.parametrize(
    "history, error, message",
    [
        ({}, ValueError, "nothing to plot"),
        ([0.5, 0.2], TypeError, "needs a dict"),
        ({"loss": [0.5, "x"]}, TypeError, "history\\['loss'\\]"),
        ({"loss": 0.5}, ValueError, "1-d list"),
    ],
)
def test_history_rejects_bad_input(history, error, message):
    with pytest.raises(error, match=message):
        plot_history(history)


# ----- 2. decision boundary -----


def test_predict_grid_matches_the_model():
    xs, ys, classes = predict_grid(step_neuron(), X2, resolution=9, margin=0.5)
    assert xs[0] == -1.5 and xs[-1] == 1.5 and ys[0] == -1.5 and ys[-1] == 1.5
    assert classes.shape == (9, 9)
    expected = (xs > 0).astype(int)  # the neuron's score is x1
    assert all(list(row) == list(expected) for row in classes)


def test_a_threshold_can_be_given_when_scores_all_fall_in_0_to_1():
    always_positive = lambda x: Value(0.5 + 0.1 * x[0])  # a hinge score > 0 everywhere: class 1 everywhere
    _, _, guessed = predict_grid(always_positive, X2, resolution=5)
    assert guessed.min() == 0  # the guess reads it as a probability, cut at 0.5
    _, _, classes = predict_grid(always_positive, X2, resolution=5, threshold=0)
    assert classes.min() == 1
    with pytest.raises(ValueError, match="threshold must be a finite number"):
        predict_grid(always_positive, X2, threshold=float("nan"))


def test_predict_grid_reads_probabilities_and_class_lists():
    probability = lambda x: (Value(x[0]) - 0.25).sigmoid()  # > 0.5 exactly where x1 > 0.25
    xs, _, classes = predict_grid(probability, X2, resolution=7)
    assert list(classes[3]) == list((xs > 0.25).astype(int))
    three_classes = lambda x: [Value(-x[0]), Value(x[0]), Value(x[1])]  # argmax
    xs, ys, classes = predict_grid(three_classes, X2, resolution=7)
    for i, b in enumerate(ys):
        assert list(classes[i]) == [int(np.argmax([-a, a, b])) for a in xs]


def test_decision_boundary_regions_match_the_model():
    figure = plot_decision_boundary(step_neuron(), X2, Y2, resolution=11, margin=0.5)
    ax = figure.axes[0]
    regions = [c for c in ax.collections if isinstance(c, ContourSet) and c.filled]
    assert len(regions) == 2  # class 0 on the left, class 1 on the right of x1 = 0
    half_cell = 3.0 / 10 / 2
    left, right = contour_points(regions[:1]), contour_points(regions[1:])
    assert left[:, 0].max() <= half_cell and right[:, 0].min() >= -half_cell
    assert left[:, 0].min() == -1.5 and right[:, 0].max() == 1.5
    scatters = [c for c in ax.collections if not isinstance(c, ContourSet)]
    assert [c.get_offsets().tolist() for c in scatters] == [X2[:2], X2[2:]]
    assert [t.get_text() for t in ax.get_legend().texts] == ["y = 0", "y = 1"]


def test_decision_boundary_reads_in_black_and_white_the_edge_a_line_each_class_a_shape():
    three = lambda x: [Value(-x[0]), Value(x[0]), Value(0.5 - abs(x[0]))]  # left, right, a band around x1 = 0
    X = [[-1.0, 0.0], [1.0, 0.0], [0.0, 0.5]]
    ax = plot_decision_boundary(three, X, [0, 1, 2], resolution=41, margin=0.5).axes[0]
    scatters = [c for c in ax.collections if not isinstance(c, ContourSet)]
    shapes = {tuple(map(tuple, c.get_paths()[0].vertices.round(6))) for c in scatters}
    assert len(shapes) == 3  # a circle, a square, a triangle, not three circles told apart by colour
    legend_shapes = {tuple(map(tuple, h.get_paths()[0].vertices.round(6))) for h in ax.get_legend().legend_handles}
    assert legend_shapes == shapes
    edges = [c for c in ax.collections if isinstance(c, ContourSet) and not c.filled]
    assert edges and all(c.levels.tolist() == [0.0] for c in edges)
    points = contour_points(edges)
    inside = points[np.all(np.abs(points[:, :1]) < 1.5 - 1e-9, axis=1)]
    assert np.allclose(np.abs(inside[:, 0]), 0.25, atol=0.02)  # on the band's edges, |x1| = 0.25


def test_decision_boundary_edge_is_interpolated_not_a_staircase():
    diagonal = lambda x: Value(x[0] + x[1])  # class 1 where x1 + x2 > 0, as for X2's second and fourth points
    figure = plot_decision_boundary(diagonal, X2, [0, 1, 0, 1], resolution=7, margin=0.5)
    regions = [c for c in figure.axes[0].collections if isinstance(c, ContourSet)]
    points = contour_points(regions)
    inside = points[np.all(np.abs(points) < 1.5 - 1e-9, axis=1)]  # off the frame: on the edge itself
    assert len(inside) and np.allclose(inside.sum(axis=1), 0.0, atol=1e-9)  # on x1 + x2 = 0, between grid points


def boundary_edge_x1(figure):
    """Where the drawn edge between the classes crosses the plane (its x1 values, off the frame)."""
    edges = [c for c in figure.axes[0].collections if isinstance(c, ContourSet) and not c.filled]
    points = contour_points(edges)
    return points[np.abs(points[:, 1]) < 0.5, 0]


def test_decision_boundary_of_a_score_fitted_to_0_1_labels_is_cut_at_one_half():
    """A model trained by mse on 0/1 labels scores about 0 and 1, and beyond them where the grid
    reaches past the data; the guess read such a score as a logit, cut it at 0, and shaded
    class 0's points at x1 = 0.1 and 0.2 as class 1."""
    fitted_to_0_1 = lambda x: Value(x[0])  # score = x1: about 0 for class 0, about 1 for class 1
    X = [[0.1, 0.0], [0.2, 0.3], [0.8, 0.0], [1.0, 0.3]]
    figure = plot_decision_boundary(fitted_to_0_1, X, [0, 0, 1, 1], resolution=41, margin=0.5)
    assert np.allclose(boundary_edge_x1(figure), 0.5, atol=1e-9)
    logit = lambda x: Value(x[0] - 0.5)  # the same model as a logit: cut at 0, at the same place
    assert np.allclose(boundary_edge_x1(plot_decision_boundary(logit, X, [0, 0, 1, 1], resolution=41)), 0.5)
    probability = lambda x: (Value(x[0]) - 0.5).sigmoid()
    assert np.allclose(boundary_edge_x1(plot_decision_boundary(probability, X, [0, 0, 1, 1], resolution=41)), 0.5,
                       atol=1e-3)


def points_on_two_rows(class_0_x1, class_1_x1):
    """Points at the x1 given, on two rows, and their 0/1 labels."""
    x1 = [*class_0_x1, *class_1_x1]
    return [[a, 0.3 * (i % 2)] for i, a in enumerate(x1)], [0] * len(class_0_x1) + [1] * len(class_1_x1)


@pytest.mark.parametrize("class_0_x1, class_1_x1, cut", [
    ((0.1, -0.5, 0.9), (0.8, -0.3), 0.5),  # in their class: 3 of 5 points at 0.5, 2 at 0: a fifth more
    ((0.1, -0.4, -0.5, -0.6, -0.7), (0.8, 0.9, 1.0, 1.1, -0.3), 0.0),  # 10 and 9 of 10: a tenth more, as a logit may
])
def test_a_score_is_cut_at_one_half_when_that_puts_a_fifth_more_points_in_their_class(class_0_x1, class_1_x1, cut):
    """The rule counts points: 3 of 5 is a fifth more than 2 of 5, though 0.4 + 0.2 > 0.6 in
    floating point, which kept such a model's cut at 0."""
    X, y = points_on_two_rows(class_0_x1, class_1_x1)
    figure = plot_decision_boundary(lambda x: Value(x[0]), X, y, resolution=41, margin=0.5)
    assert np.allclose(boundary_edge_x1(figure), cut, atol=1e-9)


def test_a_threshold_given_is_kept_when_another_would_fit_the_data_better():
    X = [[0.1, 0.0], [0.2, 0.3], [0.8, 0.0], [1.0, 0.3]]
    figure = plot_decision_boundary(lambda x: Value(x[0]), X, [0, 0, 1, 1], resolution=41, margin=0.5, threshold=0)
    assert np.allclose(boundary_edge_x1(figure), 0.0, atol=1e-9)


def test_decision_boundary_accepts_plus_minus_one_labels():
    figure = plot_decision_boundary(step_neuron(), np.array(X2), np.array([-1, -1, 1, 1]), resolution=5)
    assert [t.get_text() for t in figure.axes[0].get_legend().texts] == ["y = -1", "y = +1"]


def test_decision_boundary_legend_lists_only_classes_in_the_data():
    figure = plot_decision_boundary(lambda x: [Value(0.0)] * 3, X2, [0, 2, 2, 0], resolution=5)
    assert [t.get_text() for t in figure.axes[0].get_legend().texts] == ["y = 0", "y = 2"]


@pytest.mark.parametrize(
    "X, y, message",
    [
        ([[0.0, 1.0, 2.0]], [0], "shape \\(n, 2\\)"),
        (X2, [0, 1], "4 labels"),
        (X2, [0, 1, 0.5, 1], "labels must be"),
    ],
)
def test_decision_boundary_rejects_bad_data(X, y, message):
    with pytest.raises(ValueError, match=message):
        plot_decision_boundary(step_neuron(), X, y, resolution=5)


def test_decision_boundary_rejects_a_model_that_returns_text():
    with pytest.raises(TypeError, match="must return a Value"):
        plot_decision_boundary(lambda x: "class 1", X2, Y2, resolution=5)


# ----- 3. function and derivative -----


def test_sigmoid_derivative_comes_from_backward():
    ax = new_axes()
    plot_function_and_grad(lambda x: x.sigmoid(), x_range=(-6, 6), points=25, ax=ax, name="σ")
    f, df = ax.lines
    xs = f.get_xdata()
    sigma = 1 / (1 + np.exp(-xs))
    assert list(xs) == list(np.linspace(-6, 6, 25))
    np.testing.assert_allclose(f.get_ydata(), sigma, rtol=1e-12)
    np.testing.assert_allclose(df.get_ydata(), sigma * (1 - sigma), rtol=1e-12)
    assert [f.get_label(), df.get_label()] == ["σ(x)", "σ'(x) = ∂σ/∂x  (by backward())"]


@pytest.mark.parametrize("name, fn, panel", [
    ("tanh", lambda x: x.tanh(), True),
    ("leaky ReLU", lambda x: x.leaky_relu(0.1), True),
    ("leaky ReLU", lambda x: x.leaky_relu(0.1), False),
    ("σ", lambda x: x.sigmoid(), True),
])
def test_the_legend_of_a_function_and_its_derivative_covers_neither_curve(name, fn, panel):
    """The neuron demo's panels: matplotlib's "best" place for the legend, as wide as half the
    plot, lay across tanh's rise and leaky ReLU's line, hiding them on the printed page."""
    figure = Figure(figsize=(4.8, 4.0) if panel else plots.FIGSIZE, layout="constrained")
    plot_function_and_grad(fn, name=name, ax=figure.add_subplot())
    figure.canvas.draw()
    ax = figure.axes[0]
    box = ax.get_legend().get_window_extent()
    for line in ax.lines:
        points = ax.transData.transform(np.column_stack([line.get_xdata(), line.get_ydata()]))
        assert not any(box.contains(x, y) for x, y in points), line.get_label()


def test_the_band_for_the_legend_hides_none_of_the_lines_drawn_into_the_same_axes():
    figure = Figure()
    ax = figure.add_subplot()
    ax.plot([-5, 5], [0, 20], label="mine, before")
    plot_function_and_grad(lambda x: x.sigmoid(), ax=ax)
    assert ax.get_ylim()[1] > 20
    ax.plot([-5, 5], [-30, 0], label="mine, after")
    figure.canvas.draw()
    assert ax.get_ylim()[0] < -30


def test_the_curves_keep_matplotlibs_margin_below_and_a_constant_one_draws_without_a_warning():
    ax = new_axes()
    plot_function_and_grad(lambda x: x.tanh(), ax=ax)
    data = np.concatenate([line.get_ydata() for line in ax.lines])
    assert ax.get_ylim()[0] == pytest.approx(data.min() - 0.05 * (data.max() - data.min()), abs=1e-12)
    flat = new_axes()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not matplotlib's "Attempting to set identical low and high ylims"
        plot_function_and_grad(lambda x: x * 0.0, ax=flat)
    low, high = flat.get_ylim()
    assert low < 0.0 < high and low == pytest.approx(-0.05)


def test_curves_that_reach_near_the_largest_float_are_drawn():
    """The band for the legend took the axis past 1.8e308, and matplotlib refused it: "Axis
    limits cannot be NaN or Inf" for exp up to x = 709.7, which it drew before the band."""
    ax = new_axes()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # nor numpy's "overflow encountered in scalar subtract"
        plot_function_and_grad(lambda x: x.exp(), x_range=(0, 709.7), ax=ax)
    low, high = ax.get_ylim()
    assert math.isfinite(low) and math.isfinite(high) and high >= math.exp(709.7)


def test_derivative_of_a_composite_function():
    ax = new_axes()
    plot_function_and_grad(lambda x: x * x * x - 2 * x, x_range=(-2, 2), points=9, ax=ax)
    xs = ax.lines[1].get_xdata()
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 3 * xs**2 - 2, rtol=1e-12, atol=1e-12)
    assert ax.get_title() == "f(x) and its derivative f'(x)"


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"fn": lambda x: x.log(), "x_range": (-1, 1)}, ValueError, "x = -1"),
        ({"fn": lambda x: 2.0}, TypeError, "must return a Value"),
        ({"fn": 3}, TypeError, "function of one Value"),
        ({"fn": lambda x: x, "x_range": (1, -1)}, ValueError, "low < high"),
        ({"fn": lambda x: x, "points": 1}, ValueError, "points must be a whole number from 2 to 100,000, got 1"),
        ({"fn": lambda x: x, "points": 50.0}, TypeError, "points must be a whole number, got float: 50.0"),
        ({"fn": lambda x: x, "points": np.int64(1)}, ValueError, "points must be a whole number from 2 to 100,000"),
    ],
)
def test_function_and_grad_rejects_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        plot_function_and_grad(**kwargs)


# ----- 4. loss landscape -----


def test_landscape_draws_each_path_with_start_and_end():
    paths = {"batch GD": [(-1, 1), (0, 0.5), (0.5, 0)], "SGD": [(2, -1), (1.5, -0.2)]}
    ax = new_axes()
    plot_loss_landscape(bowl, ((-2, 3), (-2, 2)), paths=paths, ax=ax, resolution=10, levels=6)
    assert len(ax.lines) == 3 * len(paths)
    for i, points in enumerate(paths.values()):
        line, start, end = ax.lines[3 * i : 3 * i + 3]
        assert list(zip(line.get_xdata(), line.get_ydata())) == points
        assert (start.get_xdata()[0], start.get_ydata()[0]) == points[0]
        assert (end.get_xdata()[0], end.get_ydata()[0]) == points[-1]
    assert [t.get_text() for t in ax.get_legend().texts] == ["batch GD", "SGD", "start", "end"]
    assert ax.get_xlim() == (-2, 3) and ax.get_ylim() == (-2, 2)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("θ0", "θ1")


def test_landscape_contours_span_the_loss_and_accept_values():
    figure = plot_loss_landscape(lambda a, b: Value(a) ** 2 + Value(b) ** 2, ((-1, 1), (-2, 2)), resolution=5, levels=7)
    filled = next(c for c in figure.axes[0].collections if isinstance(c, ContourSet))
    assert filled.levels[0] == 0 and filled.levels[-1] == 5  # min at (0, 0), max at (±1, ±2)
    assert len(filled.levels) == 7
    assert figure.axes[1].get_ylabel() == "ℒ(θ0, θ1)"  # the colorbar


def test_landscape_log_levels():
    figure = plot_loss_landscape(lambda a, b: 1 + a * a + b * b, ((-3, 3), (-3, 3)), resolution=7, log_levels=True)
    levels = next(c for c in figure.axes[0].collections if isinstance(c, ContourSet)).levels
    np.testing.assert_allclose(levels[1:] / levels[:-1], levels[1] / levels[0])  # evenly spaced on a log scale
    with pytest.raises(ValueError, match="positive loss"):
        plot_loss_landscape(bowl, ((-1, 3), (-2, 1)), resolution=5, log_levels=True)  # the grid has ℒ(1, -0.5) = 0


@pytest.mark.parametrize(
    "ranges, kwargs, message",
    [
        ((-1, 1), {}, "ranges\\[0\\] must be a pair"),
        (((-1, 1),), {}, "ranges must be"),
        (((1, -1), (0, 1)), {}, "low < high"),
        (((-1, 1), (0, 1)), {"paths": {"GD": [(0, 0, 0)]}}, "paths\\['GD'\\]"),
        (((-1, 1), (0, 1)), {"paths": {"GD": []}}, "empty"),
        (((-1, 1), (0, 1)), {"labels": ("θ0",)}, "two names"),
        (((-1, 1), (-1, 1)), {"fn": lambda a, b: 1 / a if a else math.inf}, "finite"),
    ],
)
def test_landscape_rejects_bad_input(ranges, kwargs, message):
    loss_fn = kwargs.pop("fn", bowl)
    with pytest.raises(ValueError, match=message):
        plot_loss_landscape(loss_fn, ranges, resolution=5, **kwargs)


# ----- 5. curves -----


def test_curves_from_lists_and_pairs():
    residual = [-2.0, 0.0, 2.0]
    ax = new_axes()
    plot_curves({"SGD": [Value(3.0), 2.0], "MSE": (residual, [4.0, 0.0, 4.0])}, ax=ax, xlabel="residual a", title="T")
    sgd, mse = ax.lines
    assert (list(sgd.get_xdata()), list(sgd.get_ydata())) == ([0, 1], [3.0, 2.0])
    assert (list(mse.get_xdata()), list(mse.get_ydata())) == (residual, [4.0, 0.0, 4.0])
    assert [t.get_text() for t in ax.get_legend().texts] == ["SGD", "MSE"]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), ax.get_yscale()) == ("T", "residual a", "loss", "linear")


def test_curves_differ_in_line_style_not_only_in_colour():
    names = ["gradient descent", "momentum", "RMSprop", "Adagrad", "Adam"]  # the optimizers demo's five
    ax = plot_curves({name: [1.0, 0.5] for name in names}).axes[0]
    assert [line.get_linestyle() for line in ax.lines[:4]] == ["-", "--", "-.", ":"]
    assert len({plots._linestyle(i) for i in range(len(names))}) == len(names)  # the fifth repeats none of them


def test_curves_log_scale():
    assert plot_curves({"Adam": [1.0, 0.1, 0.01]}, log=True).axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match=r"needs values above 0, but curve 'Adam' is 0 at step 1; use log=False"):
        plot_curves({"Adam": [1.0, 0.0]}, log=True)


@pytest.mark.parametrize(
    "curves, message",
    [({}, "at least one curve"), ({"a": ([1, 2], [1, 2, 3])}, "2 xs but 3 ys"), ({"a": 3.0}, "1-d list")],
)
def test_curves_reject_bad_input(curves, message):
    with pytest.raises(ValueError, match=message):
        plot_curves(curves)


# ----- 6. fits -----


@pytest.mark.parametrize("X", [[[0.0], [4.0], [1.0]], [0.0, 4.0, 1.0], np.array([0.0, 4.0, 1.0])])
def test_fits_draw_each_line_over_the_data(X):
    ax = new_axes()
    plot_fits(X, [1.0, 9.0, 3.0], {"MSE": (2.0, 1.0), "MAE": (Value(-0.5), Value(2.0))}, ax=ax)
    mse, mae = ax.lines
    assert (list(mse.get_xdata()), list(mse.get_ydata())) == ([0.0, 4.0], [1.0, 9.0])
    assert (list(mae.get_xdata()), list(mae.get_ydata())) == ([0.0, 4.0], [2.0, 0.0])
    assert [t.get_text() for t in ax.get_legend().texts] == ["data", "MSE: ŷ = 1.00 + 2.00x", "MAE: ŷ = 2.00 − 0.50x"]
    assert ax.collections[0].get_offsets().tolist() == [[0.0, 1.0], [4.0, 9.0], [1.0, 3.0]]


@pytest.mark.parametrize(
    "X, y, lines, error, message",
    [
        ([[0.0, 1.0]], [1.0], {}, ValueError, "shape \\(n, 1\\) or \\(n,\\)"),
        ([0.0, 1.0], [1.0], {}, ValueError, "2 rows but y has 1"),
        ([0.0], [1.0], {"MSE": (1.0,)}, ValueError, "\\(slope, intercept\\)"),
        ([0.0], [1.0], {"MSE": (1.0, math.nan)}, ValueError, "intercept must be a finite number"),
        ([0.0], [1.0], [(1.0, 2.0)], TypeError, "dict"),
    ],
)
def test_fits_reject_bad_input(X, y, lines, error, message):
    with pytest.raises(error, match=message):
        plot_fits(X, y, lines)


def test_save_figure_is_atomic_and_reproducible(tmp_path):
    figure = plots.plot_curves({"a": [3, 2, 1]})
    first, second = tmp_path / "one.svg", tmp_path / "two.svg"
    plots.save_figure(figure, first)
    plots.save_figure(figure, second)
    assert first.read_bytes() == second.read_bytes() and sorted(p.name for p in tmp_path.iterdir()) == [
        "one.svg",
        "two.svg",
    ]
    with pytest.raises(ValueError, match="use .png, .svg or .pdf"):
        plots.save_figure(figure, tmp_path / "x.gif")


@pytest.mark.parametrize("extension", ["png", "svg", "pdf"])
def test_saving_a_figure_again_gives_the_same_bytes(tmp_path, extension):
    """Each save lays the figure out again; with the legend beside the axes, that moved them."""
    figure = plot_fits([0.0, 4.0, 1.0], [1.0, 9.0, 3.0], {"MSE": (2.0, 1.0)})
    first, second = tmp_path / f"one.{extension}", tmp_path / f"two.{extension}"
    plots.save_figure(figure, first)
    plots.save_figure(figure, second)
    assert first.read_bytes() == second.read_bytes()


def test_module_exports():
    assert set(plots.__all__) == {
        "plot_history",
        "plot_decision_boundary",
        "plot_function_and_grad",
        "plot_loss_landscape",
        "plot_curves",
        "plot_fits",
        "plot_regression",
        "predict_grid",
        "save_figure",
        "MissingExtraError",
    }
    assert all(callable(getattr(plots, name)) for name in plots.__all__)


# ----- names shown as written, and bad input -----


def svg_text(figure):
    """Every piece of text a figure shows, as it shows it (an SVG keeping text as text; the
    zero-width space that keeps a leading "_" in the legend is left out)."""
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg")
    texts = re.findall(r">([^<>]+)</text>", buffer.getvalue().decode())
    return [html.unescape(text).replace("\u200b", "") for text in texts]


@pytest.mark.parametrize("name", ["_hidden", "cost $5 or $6", r"x $\frac$ y"])
def test_series_names_appear_in_the_legend_exactly_as_given(name):
    shown = svg_text(plot_curves({name: [1.0, 2.0], "other": [2.0, 1.0]}))
    assert name in shown and "other" in shown
    fits = svg_text(plot_fits([0.0, 1.0], [1.0, 3.0], {name: (2.0, 1.0)}))
    assert any(text.startswith(f"{name}: ŷ") for text in fits)


def test_the_derivative_is_found_even_inside_no_grad():
    from micrograd_club import no_grad

    with no_grad():
        figure = plot_function_and_grad(lambda x: x * x, x_range=(1, 3), points=3)
    assert list(figure.axes[0].lines[1].get_ydata()) == [2.0, 4.0, 6.0]


@pytest.mark.parametrize("call, error, message", [
    (lambda: plot_decision_boundary(step_neuron(), X2[:3], [0, 1, 10**9]), ValueError, "K at most 1000, got 1e\\+09"),
    (lambda: plot_decision_boundary(step_neuron(), X2[:3], [0, 1, 1e20]), ValueError, "K at most 1000"),
    (lambda: plot_decision_boundary(step_neuron(), X2[:3], ["a", "b", "a"]), ValueError, "y must be numeric labels"),
    (lambda: plot_decision_boundary(lambda p: Value(math.nan), X2, Y2, resolution=3), ValueError,
     "the model's output is nan or inf at \\(-1.5, -1.5\\)"),
    (lambda: plot_fits([1.0, math.nan, 3.0], [1.0, 2.0, 3.0], {"MSE": (1.0, 0.0)}), ValueError, "finite numbers"),
    (lambda: plot_fits(["a", "b"], [1.0, 2.0], {}), ValueError, "X must be numbers"),
    (lambda: plot_history({"loss": []}), ValueError, "no finished epoch yet"),
    (lambda: plot_curves({"a": [1.0]}, path=b"x.png"), TypeError, "path must be a file name"),
    (lambda: plots.save_figure("not a figure", "x.png"), TypeError, "save_figure needs a matplotlib Figure"),
])
def test_bad_plot_input_is_refused_clearly(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_missing_folder_is_named_before_anything_is_drawn(tmp_path, monkeypatch):
    drawn = []
    monkeypatch.setattr(plots, "_axes", lambda ax: drawn.append(ax))
    with pytest.raises(FileNotFoundError, match=f"the folder '{tmp_path / 'nope'}' does not exist"):
        plot_curves({"a": [1.0, 2.0]}, path=tmp_path / "nope" / "curves.png")
    assert drawn == []


def test_fits_that_overlap_stay_visible_and_the_legend_covers_no_data():
    X, y = [[0.0], [1.0], [2.0]], [0.0, 10.0, 2.0]  # a high outlier in the middle, where a legend would go
    figure = plot_fits(X, y, {"MAE": (1.0, 0.0), "Huber": (1.0, 0.001)})
    ax = figure.axes[0]
    assert [line.get_linestyle() for line in ax.get_lines()] == ["-", "--"]  # on top of each other, both seen
    figure.draw_without_rendering()
    assert ax.get_legend().get_window_extent().x0 >= ax.get_window_extent().x1  # beside the axes, not on them


def test_paths_down_a_landscape_differ_in_line_style():
    paths = {"batch": [(0.0, 0.0), (0.5, 0.5)], "mini-batch": [(0.0, 0.0), (0.5, 0.5)]}  # the same route
    figure = plot_loss_landscape(lambda a, b: (a - 1) ** 2 + (b - 1) ** 2, ((-1, 2), (-1, 2)), paths=paths,
                                 resolution=10)
    styles = [line.get_linestyle() for line in figure.axes[0].get_lines() if line.get_label() in paths]
    assert styles == ["-", "--"]


def test_paths_down_a_landscape_differ_in_step_mark_in_the_plot_and_the_legend():
    paths = {name: [(0.0, 0.0), (0.5, 0.5), (0.9, 1.0)] for name in ("batch GD", "SGD", "mini-batch", "momentum")}
    ax = plot_loss_landscape(bowl, ((-2, 3), (-2, 2)), paths=paths, resolution=10).axes[0]
    marks = [line.get_marker() for line in ax.lines if line.get_label() in paths]
    assert len(set(marks)) == 4  # the dense ends of the paths meet: their colours alone would not tell them apart
    assert not {"o", "*"} & set(marks)  # those mark where each path starts and ends
    shown = ax.get_legend()
    legend = {text.get_text(): handle.get_marker() for text, handle in zip(shown.texts, shown.legend_handles)}
    assert [legend[name] for name in paths] == marks


def test_plot_regression_drawn_again_into_the_same_axes_tells_the_models_apart():
    """Two models drawn into one Axes to compare them gave two legend entries "data" and two
    curves of the same colour and style, both named "model: ŷ = model(x)"."""
    X, y = [[0.0], [1.0], [3.0]], [0.5, 1.0, -1.0]
    ax = plot_regression(MLP(1, [4, 1], seed=0), X, y, resolution=7).axes[0]
    plot_regression(MLP(1, [4, 1], seed=1), X, y, resolution=7, ax=ax)
    plot_regression(MLP(1, [4, 1], seed=2), X, y, resolution=7, ax=ax, label="_Huber")
    legend = [text.get_text() for text in ax.get_legend().texts]
    # a label is shown as given: one starting with "_" is not hidden, as matplotlib would hide it
    assert legend == ["data", "model: ŷ = model(x)", "model 2: ŷ = model(x)", "\u200b_Huber"]
    styles = [(line.get_color(), line.get_linestyle()) for line in ax.get_lines()]
    assert len({color for color, _ in styles}) == 3 and len({style for _, style in styles}) == 3  # apart in gray too
    assert ax.get_lines()[0].get_color() == "C1"  # one model alone is drawn as before


def test_plot_regression_into_a_cleared_axes_draws_one_model_again():
    """A notebook loop that clears its Axes and redraws the fit after each epoch got "model 2",
    "model 3" … in a new colour each time and no "data" in the legend: the count of models
    drawn there outlived ax.clear()."""
    X, y = [[0.0], [1.0], [3.0]], [0.5, 1.0, -1.0]
    ax = plot_regression(MLP(1, [4, 1], seed=0), X, y, resolution=7).axes[0]
    for seed in (1, 2):
        ax.clear()
        ax.axhline(0.0, color="gray")  # a line of the user's own is not a model
        plot_regression(MLP(1, [4, 1], seed=seed), X, y, resolution=7, ax=ax)
    assert [text.get_text() for text in ax.get_legend().texts] == ["data", "model: ŷ = model(x)"]
    assert [line.get_color() for line in ax.get_lines()] == ["gray", "C1"]


def test_plot_regression_draws_the_data_and_the_models_curve_through_it():
    model = MLP(1, [4, 1], seed=0)
    X, y = [[0.0], [1.0], [3.0]], [0.5, 1.0, -1.0]
    figure = plot_regression(model, X, y, resolution=7, margin=0.5)
    ax = figure.axes[0]
    (curve,) = ax.get_lines()
    xs, ys = curve.get_data()
    assert xs[0] == -1.5 and xs[-1] == 4.5 and len(xs) == 7  # the x range widened by half of it each side
    assert list(ys) == [model([x]).data for x in xs]
    assert ax.collections[0].get_offsets().tolist() == [[0.0, 0.5], [1.0, 1.0], [3.0, -1.0]]


@pytest.mark.parametrize("model, X, error, message", [
    (MLP(1, [2, 2], seed=0), [[0.0], [1.0]], TypeError, "the model must return one Value"),
    (lambda x: Value(math.nan), [[0.0], [1.0]], ValueError, "the model's output is nan or inf at x = "),
    (MLP(1, [2, 1], seed=0), [[0.0, 1.0]], ValueError, r"X must have shape \(n, 1\) or \(n,\)"),
])
def test_plot_regression_refuses_what_it_cannot_draw(model, X, error, message):
    with pytest.raises(error, match=message):
        plot_regression(model, X, [0.0] * len(X))


def test_a_grid_too_fine_to_compute_is_refused_before_the_model_runs():
    calls = []

    def model(x):
        calls.append(x)
        return Value(0.0)

    with pytest.raises(ValueError, match="resolution must be a whole number from 2 to 1,000, got 100000"):
        plot_decision_boundary(model, X2, Y2, resolution=10**5)  # ten billion calls: it used to run out of memory
    assert calls == []
