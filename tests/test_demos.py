"""The demos in demos/: each one runs, writes its pictures, and computes the numbers it
prints -- checked here against independent computations (plain math and numpy, or the
values the lesson notes print). Also the fallbacks: no Graphviz, no matplotlib."""

import contextlib
import importlib
import inspect
import io
import itertools
import math
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

from micrograd_club.demos import DEMOS
from micrograd_club.demos._common import NO_GRAPHVIZ, PLOTS_SKIPPED, parse_out_dir

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


@pytest.fixture(scope="module")
def run_demo(tmp_path_factory):
    """Run a demo's main() once per test module: (returned dict, output folder, printed text).
    ``run.warnings[name]`` are the messages of the warnings it gave."""
    results = {}

    def run(name):
        if name not in results:
            out_dir = tmp_path_factory.mktemp(name) / "out"
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed), warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                # as Python does by default, outside the project: a library's deprecation warning about
                # another library (matplotlib 3.8 calling pyparsing 3.3's old names, on Python 3.9)
                # is hidden from the student's console, and is not the demo's to fix
                warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"(?!micrograd_club\b)")
                result = importlib.import_module(DEMOS[name]).main(out_dir)
            results[name] = (result, out_dir, printed.getvalue())
            run.warnings[name] = [str(warning.message) for warning in caught]
        return results[name]

    run.warnings = {}
    return run


@pytest.mark.parametrize("name", list(DEMOS))
def test_a_demo_gives_no_warning(run_demo, name):
    """What a demo shows on purpose (a slip, a learning rate too large) it explains in print;
    a warning on the student's console would say something else went wrong."""
    run_demo(name)
    assert run_demo.warnings[name] == []


def assert_png(path):
    assert os.path.isfile(path), f"{path} was not written"
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"


def assert_svg(path):
    assert os.path.isfile(path), f"{path} was not written"
    with open(path, encoding="utf-8") as f:
        text = f.read()
    assert "<svg" in text and text.rstrip().endswith("</svg>"), f"{path} is not an SVG"


def assert_written(result, out_dir, *names):
    """The demo wrote exactly these files and reported each of them."""
    assert sorted(os.listdir(out_dir)) == sorted(names)
    assert sorted(os.path.basename(path) for path in result["files"]) == sorted(names)


# ----- the registry and the command line -----


def test_registry_lists_every_demo_in_lesson_order():
    assert list(DEMOS) == [
        "sigmoid_and_prediction", "loss_functions", "gradient_descent", "backprop_by_hand",
        "neuron", "mlp_classifier", "optimizers",
    ]
    scripts = {name[:-3] for name in os.listdir(os.path.join(REPO, "demos"))
               if name.endswith(".py") and not name.startswith("_")}
    assert scripts == set(DEMOS)
    for name, module_name in DEMOS.items():
        assert module_name == f"micrograd_club.demos.{name}"
        module = importlib.import_module(module_name)
        default = inspect.signature(module.main).parameters["out_dir"].default
        assert default == f"micrograd_club_out/{name}"
        assert module.__doc__.strip().split("\n")[0], f"{name} needs a one-line summary"


def test_out_option():
    assert parse_out_dir("neuron", []) == os.path.join("micrograd_club_out", "neuron")
    assert parse_out_dir("neuron", ["--out", "pictures"]) == "pictures"


def test_out_option_that_is_a_file_is_a_usage_error(tmp_path, capsys):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep me", encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        parse_out_dir("neuron", ["--out", str(a_file)])
    assert stop.value.code == 2
    assert f"--out: {a_file} is a file, not a folder" in capsys.readouterr().err
    assert a_file.read_text(encoding="utf-8") == "keep me"


def test_a_demo_runs_as_a_script_into_the_default_folder_printing_utf8_where_the_console_cannot(tmp_path):
    """Output redirected to a file or a pipe on Windows is cp1252, which has no σ: the demo
    stopped at its first line with a UnicodeEncodeError."""
    script = os.path.join(REPO, "demos", "sigmoid_and_prediction.py")
    done = subprocess.run([sys.executable, script], cwd=tmp_path, capture_output=True, timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "cp1252"})
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "σ(2.5)" in done.stdout.decode("utf-8")
    assert_png(tmp_path / "micrograd_club_out" / "sigmoid_and_prediction" / "squared_error_descent.png")


# ----- 1. the article: sigmoid, prediction, error formula, squared-error descent -----


def test_sigmoid_and_prediction(run_demo):
    result, out_dir, printed = run_demo("sigmoid_and_prediction")
    # what the article prints (numpy float64, 17 significant digits), and the formula itself
    assert result["sigmoid_2_5"] == pytest.approx(0.92414181997875655, rel=1e-15)
    assert result["predict_16_038_10"] == pytest.approx(0.999999896117, abs=5e-13)
    assert result["predict_16_038_10"] == pytest.approx(sigmoid(16 * 0.38 + 10), rel=1e-15)
    assert result["predict_1_038_01"] == pytest.approx(0.61774787476924897, rel=1e-15)
    assert printed.count("✓") == 3

    y_hat = sigmoid(0.38 + 0.1)
    for label, found in ((1, result["error_y1"]), (0, result["error_y0"])):
        assert found["error"] == pytest.approx(-label * math.log(y_hat) - (1 - label) * math.log(1 - y_hat), rel=1e-14)
        assert found["dE/dW"] == pytest.approx((y_hat - label) * 0.38, rel=1e-12)
        assert found["dE/db"] == pytest.approx(y_hat - label, rel=1e-12)
    # the article's E(W) as typeset, −y ln ŷ + (1 − y) ln(1 − ŷ): for label 0 a negative error
    # whose gradient −ŷ makes descent raise ŷ, towards the wrong answer 1
    typeset = result["error_as_typeset_y0"]
    assert typeset["error"] == pytest.approx(math.log(1 - y_hat), rel=1e-14) and typeset["error"] < 0
    assert typeset["dE/db"] == pytest.approx(-y_hat, rel=1e-12)
    assert "the minus sign misses the\n  second term" in printed
    assert f"E = ln(1 − ŷ) = {math.log(1 - y_hat):.6f}" in printed

    from micrograd_club.demos.sigmoid_and_prediction import HOURS, PASSED

    descent = result["descent"]
    errors = descent["errors"]
    start = [sigmoid(1.0 * x + 0.1) for x in HOURS]
    assert errors[0] == pytest.approx(0.5 * sum((y - p) ** 2 for y, p in zip(PASSED, start)), rel=1e-14)
    assert descent["dE/dW"] == pytest.approx(
        -sum((y - p) * p * (1 - p) * x for x, y, p in zip(HOURS, PASSED, start)), rel=1e-12)
    assert all(later < earlier for earlier, later in zip(errors, errors[1:])), "E must fall at every step"
    assert errors[-1] < errors[0] / 10
    # the learned boundary σ = ½ lies between the last fail (2.0 hours) and the first pass (3.0)
    assert 2.0 < -descent["b"] / descent["W"] < 3.0
    assert_written(result, out_dir, "squared_error_descent.png")
    assert_png(out_dir / "squared_error_descent.png")


# ----- 2. section 3: losses -----


def test_loss_functions_table_3_2_and_the_other_losses(run_demo):
    result, out_dir, printed = run_demo("loss_functions")
    assert result["squared_errors"] == pytest.approx([0.04, 0.04, 0.25, 0.01, 0.01], abs=1e-12)
    assert result["sum_of_squared_errors"] == pytest.approx(0.35, abs=1e-12)
    assert result["sse"] == pytest.approx(0.175, abs=1e-12)
    assert result["mse"] == pytest.approx(0.07, abs=1e-12)
    assert "WRONG" not in printed and printed.count("✓") == 7

    residuals = np.array([3, 5, 2, 7, 4]) - np.array([2.8, 5.2, 2.5, 6.9, 3.9])
    assert result["regression"]["MAE"] == pytest.approx(np.mean(np.abs(residuals)), rel=1e-12)
    assert result["regression"]["Huber"] == pytest.approx(np.mean(0.5 * residuals**2), rel=1e-12)
    residuals[3] = 17 - 6.9
    assert result["regression_with_outlier"]["MSE"] == pytest.approx(np.mean(residuals**2), rel=1e-12)
    assert result["regression_with_outlier"]["MAE"] == pytest.approx(np.mean(np.abs(residuals)), rel=1e-12)
    huber = np.where(np.abs(residuals) <= 1, 0.5 * residuals**2, np.abs(residuals) - 0.5)
    assert result["regression_with_outlier"]["Huber"] == pytest.approx(np.mean(huber), rel=1e-12)

    bce = [-math.log(0.9), -math.log(1 - 0.3), -math.log(1 - 0.6)]
    assert result["bce_each"] == pytest.approx(bce, rel=1e-12)
    assert result["bce"] == pytest.approx(sum(bce) / 3, rel=1e-12)
    exps = np.exp([2.0, 1.0, 0.1])
    assert result["softmax"] == pytest.approx(exps / exps.sum(), rel=1e-12)
    assert result["cross_entropy"] == pytest.approx(-math.log(exps[0] / exps.sum()), rel=1e-12)
    assert result["cross_entropy_one_hot"] == pytest.approx(result["cross_entropy"], rel=1e-12)
    assert result["hinge_each"] == pytest.approx([0.0, 0.6, 1.5], abs=1e-12)
    assert result["hinge"] == pytest.approx(0.7, abs=1e-12)


def test_loss_functions_outliers_pull_the_mse_fit(run_demo):
    result, out_dir, _ = run_demo("loss_functions")
    X, y = result["data"]
    x = X.ravel()
    fits = result["fits"]
    # MSE by gradient descent lands on the least-squares line
    assert fits["MSE"] == pytest.approx(tuple(np.polyfit(x, y, 1)), rel=1e-6)
    # MAE: the best line by MAE passes through two data points; gradient descent gets close to it
    best_mae = min(np.mean(np.abs(y - (y[i] + (y[j] - y[i]) / (x[j] - x[i]) * (x - x[i]))))
                   for i, j in itertools.combinations(range(len(x)), 2))
    slope, intercept = fits["MAE"]
    assert np.mean(np.abs(y - (intercept + slope * x))) == pytest.approx(best_mae, abs=0.01)
    # the outliers drag the MSE line far more than the MAE and Huber lines
    distance = result["distance_from_true_line"]
    assert distance["MSE"] > 5 * max(distance["MAE"], distance["Huber"])
    assert abs(fits["Huber"][0] - 2.0) < 0.25 and abs(fits["Huber"][1] - 1.0) < 0.5
    assert abs(fits["MSE"][1] - 1.0) > 1.0
    assert_written(result, out_dir, "loss_curves.png", "outlier_fits.png")
    for name in ("loss_curves.png", "outlier_fits.png"):
        assert_png(out_dir / name)


# ----- 3. section 4.2: gradient descent -----


def test_gradient_descent(run_demo):
    result, out_dir, _ = run_demo("gradient_descent")
    from micrograd_club.data import make_regression

    X, y = make_regression(n_samples=20, slope=2.0, intercept=1.0, noise=0.5, seed=0)
    x = X.ravel()
    # at θ0 = θ1 = 0 the prediction is 0, so the notes' formulas give −(2/n)Σy and −(2/n)Σxy
    expected = (-2 / len(x) * y.sum(), -2 / len(x) * (x * y).sum())
    assert result["gradient_by_backward"] == pytest.approx(expected, rel=1e-12)
    assert result["gradient_by_notes"] == pytest.approx(expected, rel=1e-12)
    slope, intercept = np.polyfit(x, y, 1)
    assert result["least_squares"] == pytest.approx((intercept, slope), rel=1e-9)

    def loss(theta0, theta1):
        return np.mean((y - theta0 - theta1 * x) ** 2)

    best = loss(intercept, slope)
    losses = result["batch_losses"]
    assert all(later < earlier for earlier, later in zip(losses, losses[1:]))
    assert losses[0] == pytest.approx(np.mean(y**2), rel=1e-12)
    # one step of the notes' update rule from 0: θ = −η·∇ℒ
    assert result["batch_path"][1] == pytest.approx((-0.03 * expected[0], -0.03 * expected[1]), rel=1e-12)

    variants, final = result["variants"], result["final_losses"]
    assert all(len(path) == 41 for path in variants.values())
    assert np.array(variants["batch GD (all 20 points)"]) == pytest.approx(np.array(result["batch_path"]), rel=1e-12)
    for name, path in variants.items():
        assert final[name] == pytest.approx(loss(*path[-1]), rel=1e-12)
        assert final[name] < losses[0] / 100, name
    momentum = next(name for name in final if name.startswith("momentum"))
    assert final[momentum] < final["batch GD (all 20 points)"]
    assert final[momentum] == pytest.approx(best, rel=0.02)

    runs = result["learning_rates"]
    assert runs["too small"]["learning_rate"] < runs["good"]["learning_rate"] < runs["too large"]["learning_rate"]
    assert runs["good"]["losses"][-1] == pytest.approx(best, rel=0.25)
    assert runs["too small"]["losses"][-1] > 10 * runs["good"]["losses"][-1]
    assert runs["too large"]["losses"][-1] > runs["too large"]["losses"][0], "too large a rate must diverge"
    assert_written(result, out_dir, "paths.png", "learning_rates.png", "learning_rate_losses.png")
    for name in ("paths.png", "learning_rates.png", "learning_rate_losses.png"):
        assert_png(out_dir / name)


# ----- 4. section 4.7: backprop by hand -----


def test_backprop_by_hand_flags_the_notes_and_prints_the_chain_rule(run_demo):
    result, out_dir, printed = run_demo("backprop_by_hand")
    assert set(result["wrong_in_notes"]) == {"L", "∂L/∂w2", "∂L/∂w1", "∂L/∂b1", "w2 step", "w1 step", "b1 step",
                                             "w1 after", "b1 after", "w2 after"}
    h = sigmoid(0.5)
    y = 0.3 * h + 0.2
    assert result["L"] == pytest.approx(0.5 * (y - 0.5) ** 2, rel=1e-15)
    assert result["∂L/∂w1"] == pytest.approx((y - 0.5) * 0.3 * h * (1 - h), rel=1e-14)
    assert "10 of 19 printed numbers are wrong" in printed
    assert "∂L/∂w1 = ∂L/∂z1 · ∂z1/∂w1 = (-0.0080) × (1.0000) = -0.0080" in printed
    assert "∂L/∂w2 = ∂L/∂y · ∂y/∂w2 = (-0.1133) × (0.6225) = -0.0705" in printed


def test_backprop_by_hand_pictures(run_demo, needs_dot):
    result, out_dir, _ = run_demo("backprop_by_hand")
    assert_written(result, out_dir, "backward_graph.svg", "backward_steps.html")
    assert_svg(out_dir / "backward_graph.svg")
    assert "w1" in (out_dir / "backward_graph.svg").read_text(encoding="utf-8")
    page = (out_dir / "backward_steps.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html") and page.count("<svg") >= 10


def test_without_graphviz_diagrams_are_dot_text(tmp_path, monkeypatch, capsys):
    from micrograd_club.demos import backprop_by_hand

    no_programs = tmp_path / "empty"
    no_programs.mkdir()
    monkeypatch.setenv("PATH", str(no_programs))
    result = backprop_by_hand.main(tmp_path / "out")
    printed = capsys.readouterr().out
    assert sorted(os.listdir(tmp_path / "out")) == ["backward_graph.dot"]
    assert [os.path.basename(path) for path in result["files"]] == ["backward_graph.dot"]
    assert (tmp_path / "out" / "backward_graph.dot").read_text(encoding="utf-8").startswith("digraph")
    assert [line for line in printed.splitlines() if "install graphviz" in line] == [NO_GRAPHVIZ]
    assert "10 of 19 printed numbers are wrong" in printed


# ----- 5. section 5.3: the neuron -----


def test_neuron(run_demo):
    result, out_dir, printed = run_demo("neuron")
    z = 0.8 * 0.5 + 0.2 * 0.3 + 0.1
    assert result["z"] == pytest.approx(0.56, rel=1e-15)
    assert result["output"] == pytest.approx(sigmoid(z), rel=1e-15)
    assert round(result["output"], 2) == 0.64  # the notes print 0.63: truncated, not rounded
    assert result["output_verdict"] == "last digit" and "truncated" in printed
    assert result["neuron_output"] == pytest.approx(result["output"], rel=1e-15)
    s = sigmoid(z)
    assert result["gradients"] == pytest.approx({"w1": s * (1 - s) * 0.5, "w2": s * (1 - s) * 0.3, "b": s * (1 - s)})

    by_hand = {
        "ReLU": (lambda z: max(z, 0.0), lambda z: float(z > 0)),
        "σ": (sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z))),
        "tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2),
        "leaky ReLU": (lambda z: z if z > 0 else 0.1 * z, lambda z: 1.0 if z > 0 else 0.1),
    }
    assert set(result["activations"]) == set(by_hand)
    for name, (f, derivative) in by_hand.items():
        for point, (value, grad) in result["activations"][name].items():
            assert value == pytest.approx(f(point), rel=1e-12), (name, point)
            assert grad == pytest.approx(derivative(point), rel=1e-12), (name, point)
    assert result["derivative_mismatches"] == []
    exps = np.exp([2.0, 1.0, 0.1])
    assert result["softmax"] == pytest.approx(exps / exps.sum(), rel=1e-12)
    for name in ("activations.png", "relu.png", "sigmoid.png"):
        assert_png(out_dir / name)
    diagram = {"neuron_graph.svg", "neuron_graph.dot"} & set(os.listdir(out_dir))
    assert_written(result, out_dir, "activations.png", "relu.png", "sigmoid.png", *diagram)
    assert len(diagram) == 1


def test_neuron_diagram(run_demo, needs_dot):
    _, out_dir, _ = run_demo("neuron")
    assert_svg(out_dir / "neuron_graph.svg")


# ----- 6. section 5.6: MLP classifiers (slow: Karpathy's moons is 100 full-batch epochs) -----


def test_mlp_classifier_draws_no_progress_bar_into_a_log(capsys):
    """python demos/mlp_classifier.py 2> log (or in CI) filled the log with tqdm's \\r frames;
    the command line already left them out, and the demos now follow the same rule."""
    mlp_classifier = importlib.import_module(DEMOS["mlp_classifier"])
    mlp_classifier.train_spiral()
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_mlp_classifier(run_demo):
    result, out_dir, printed = run_demo("mlp_classifier")
    assert result["moons_accuracy"] == 1.0
    assert len(result["moons_history"]["loss"]) == 100
    assert result["moons_history"]["loss"][-1] < result["moons_history"]["loss"][0] / 10
    assert result["spiral_accuracy"] >= 0.95

    example = result["section_5_6"]
    logits = np.array(example["logits"])
    assert example["probabilities"] == pytest.approx(np.exp(logits) / np.exp(logits).sum(), rel=1e-12)
    assert all(0 < h < 1 for h in example["hidden"])  # sigmoid outputs
    weights, biases = np.array(example["output_weights"]), np.array(example["output_biases"])
    assert logits == pytest.approx(weights @ example["hidden"] + biases, rel=1e-12)
    # the notes' yₖ = Σ xⱼwⱼₖ: the same weights on the inputs, a different answer
    from_inputs = weights @ np.array(example["x"]) + biases
    assert example["logits_from_inputs"] == pytest.approx(from_inputs, rel=1e-12)
    assert np.abs(from_inputs - logits).min() > 0.1
    assert "5.6 writes yₖ = Σ xⱼwⱼₖ, the inputs" in printed
    assert f"[{', '.join(f'{z:.4f}' for z in from_inputs)}]" in printed
    assert result["notes_sigmoid_at_1"] == pytest.approx(1 / (1 + math.e), rel=1e-15)
    assert result["sigmoid_at_1"] == pytest.approx(sigmoid(1.0), rel=1e-15)
    log_p0 = logits[0] - math.log(np.exp(logits).sum())
    assert result["cross_entropy_of_logits"] == pytest.approx(-log_p0, rel=1e-12)
    assert result["cross_entropy_of_probabilities"] != pytest.approx(result["cross_entropy_of_logits"], rel=1e-3)
    names = ("spiral_history.png", "spiral_boundary.png", "moons_history.png", "moons_boundary.png")
    assert_written(result, out_dir, *names)
    for name in names:
        assert_png(out_dir / name)


# ----- 7. optimizers -----


def test_optimizers(run_demo):
    result, out_dir, _ = run_demo("optimizers")
    losses = result["losses"]
    assert len(losses) == 5
    starts = {curve[0] for curve in losses.values()}
    assert len(starts) == 1, "every optimizer must start from the same weights and data"
    for name, curve in losses.items():
        assert len(curve) == 200
        assert curve[-1] < curve[0] / 10, name
    final = result["final_losses"]
    assert result["lowest_final_loss"] == min(final, key=final.get)
    plain = next(name for name in final if name.startswith("gradient descent"))
    assert min(final.values()) < final[plain]
    assert_written(result, out_dir, "optimizer_losses.png")
    assert_png(out_dir / "optimizer_losses.png")


def test_the_optimizers_plot_numbers_epochs_as_its_table_does(tmp_path, monkeypatch):
    """The table's epoch 200 is the curves' last point, as plot_history numbers epochs (the
    curves ran from 0 to 199 under the label "epoch")."""
    from micrograd_club.viz import plots

    drawn = {}
    monkeypatch.setattr(plots, "plot_curves", lambda curves, **kwargs: drawn.update(curves))
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        importlib.import_module(DEMOS["optimizers"]).main(tmp_path)
    assert "epoch                                1        10        50       100       200" in printed.getvalue()
    for xs, ys in drawn.values():
        assert (xs[0], xs[-1], len(ys)) == (1, 200, 200)


# ----- without matplotlib -----


def test_without_matplotlib_plots_are_skipped_in_one_line(tmp_path, monkeypatch, capsys):
    from micrograd_club.demos import loss_functions

    for module in ("matplotlib", "matplotlib.figure", "matplotlib.pyplot"):
        monkeypatch.setitem(sys.modules, module, None)  # `import matplotlib` now raises ImportError
    result = loss_functions.main(tmp_path / "out")
    printed = capsys.readouterr().out
    assert printed.count(PLOTS_SKIPPED) == 1
    assert os.listdir(tmp_path / "out") == [] and result["files"] == []
    assert result["mse"] == pytest.approx(0.07, abs=1e-12)
    assert "MSE          notes: 0.07" in printed
