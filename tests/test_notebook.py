"""What a student sees in Jupyter: notebooks run headless in a real kernel (nbclient), their
outputs read back as Jupyter stores them. Skips without nbclient and ipykernel
(pip install nbclient ipykernel; ipywidgets for the widget's test: the notebook extra), which
CI installs (and then fails rather than skips, see conftest); tests/test_train.py also checks
the text bar's rules against a stand-in kernel. docs/walkthrough.ipynb, the notebook students
work through, is run here too, and must be stored without outputs."""

import json
import os
import re
import sys
import textwrap

import pytest

import backprop_by_hand

nbclient = pytest.importorskip("nbclient", reason="runs notebooks: pip install nbclient ipykernel")
nbformat = pytest.importorskip("nbformat", reason="runs notebooks: pip install nbclient ipykernel")
pytest.importorskip("ipykernel", reason="runs notebooks: pip install nbclient ipykernel")

KERNEL = "micrograd-club-test"
REPO = os.path.join(os.path.dirname(__file__), os.pardir)
WALKTHROUGH = os.path.join(REPO, "docs", "walkthrough.ipynb")
TRAIN = """
from micrograd_club.data import make_xor
from micrograd_club.nn import MLP
from micrograd_club.train import fit
X, y = make_xor(n_samples=40, noise=0.05, seed=0)
history = fit(MLP(2, [4, 1], seed=0), X, y * 2 - 1, loss="hinge", epochs=20, seed=0, progress={progress})
"""


def execute(notebook, tmp_path, monkeypatch):
    """Run ``notebook`` in place, in a kernel of this Python, with ``tmp_path`` as its working folder."""
    spec = tmp_path / "kernels" / KERNEL / "kernel.json"
    spec.parent.mkdir(parents=True)
    spec.write_text(json.dumps({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                "display_name": KERNEL, "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))  # searched first for kernels
    nbclient.NotebookClient(notebook, kernel_name=KERNEL, timeout=120,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()


def run_notebook(tmp_path, monkeypatch, *cells):
    """Run ``cells`` as a notebook in a kernel of this Python; give each cell's outputs."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell) for cell in cells])
    execute(notebook, tmp_path, monkeypatch)
    return [cell.outputs for cell in notebook.cells]


def streams(outputs, name):
    return "".join(output.text for output in outputs if output.output_type == "stream" and output.name == name)


def test_without_ipywidgets_the_bar_is_text_on_stdout_with_progress_true_or_none(tmp_path, monkeypatch):
    """Jupyter draws stderr in a red box, as it draws errors: the text bar goes to stdout, as
    tqdm's widget does; and progress=None (the demos', the command line's) shows it, as it
    would be on a terminal."""
    hide_ipywidgets = "import sys; sys.modules['ipywidgets'] = None  # as if not installed"
    outputs = run_notebook(tmp_path, monkeypatch, hide_ipywidgets, TRAIN.format(progress=True),
                           TRAIN.format(progress=None))
    for cell in outputs[1:]:
        assert streams(cell, "stderr") == ""
        assert "20/20 |" in streams(cell, "stdout") and "loss=" in streams(cell, "stdout")
        assert {output.output_type for output in cell} == {"stream"}  # no warning, no widget


def test_the_widgets_text_ends_where_the_bar_ended(tmp_path, monkeypatch):
    """A notebook saved or shown without its widgets (reopened, on GitHub, nbviewer) shows the
    widget's text instead: the finished bar, with its loss, not the 0% it started at."""
    pytest.importorskip("ipywidgets", reason="the widget bar needs ipywidgets")
    (cell,) = run_notebook(tmp_path, monkeypatch, TRAIN.format(progress=None))
    (bar,) = [output for output in cell if "application/vnd.jupyter.widget-view+json" in output.get("data", {})]
    assert "20/20" in bar.data["text/plain"]
    assert "loss=" in bar.data["text/plain"]
    assert streams(cell, "stderr") == ""


def test_progress_false_shows_nothing_in_a_notebook(tmp_path, monkeypatch):
    """progress=False is silent in Jupyter too: no widget, no text bar."""
    pytest.importorskip("ipywidgets", reason="the widget bar needs ipywidgets")
    (cell,) = run_notebook(tmp_path, monkeypatch, TRAIN.format(progress=False))
    assert cell == []


def test_backward_steps_as_a_cells_result_shows_the_stepper(tmp_path, monkeypatch, needs_dot):
    """The last line of a cell, ``backward_steps(loss)``, shows the step-through page inline
    (saved in the notebook as HTML, with the text repr beside it for viewers without HTML)."""
    cell = "from micrograd_club import Value\nfrom micrograd_club.viz import backward_steps\nx = Value(2.0, 'x')\n"
    (outputs,) = run_notebook(tmp_path, monkeypatch, cell + "backward_steps(x * x + 1)")
    (result,) = [output for output in outputs if output.output_type == "execute_result"]
    assert '<iframe title="Backpropagation, step by step"' in result.data["text/html"]
    assert "Next &amp;rarr;" in result.data["text/html"]  # the page's controls, escaped into srcdoc
    assert result.data["text/plain"].startswith("<BackwardSteps of L: 4 diagrams")


def test_the_readmes_live_plot_keeps_fits_progress_bar(tmp_path, monkeypatch):
    """The README's way to redraw the loss curve after every epoch, in fit's callback: the
    finished bar stays beside the last picture (the recipe before, clear_output, wiped the bar
    along with the earlier pictures)."""
    pytest.importorskip("matplotlib", reason="plots need matplotlib")
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        blocks = re.findall(r"```python\n(.*?)```", f.read(), flags=re.S)
    (recipe,) = [textwrap.dedent(block) for block in blocks if "callback=" in block and "plot_history" in block]
    setup = TRAIN.split("history = fit")[0] + "y = y * 2 - 1\nmodel = MLP(2, [4, 1], seed=0)\n"
    setup += "from micrograd_club.viz.plots import plot_history\n"
    (cell,) = run_notebook(tmp_path, monkeypatch, setup + recipe)
    assert [output.output_type for output in cell if output.output_type == "error"] == []
    pictures = [output for output in cell if "image/png" in output.get("data", {})]
    bars = [output for output in cell if "50/50 |" in output.get("data", {}).get("text/plain", "")
            or "50/50 |" in output.get("text", "")]
    assert len(pictures) == 1  # one picture, updated in place
    assert len(bars) == 1 and "50/50" in str(bars[0])


# ----- docs/walkthrough.ipynb, the notebook a student works through -----


def test_the_walkthrough_is_stored_without_outputs():
    """A clean notebook: small and diff-able, and nobody commits an executed copy (about a
    megabyte of pictures) or the execution counts of one run."""
    notebook = nbformat.read(WALKTHROUGH, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    run = [cell.id for cell in code if cell.outputs or cell.execution_count is not None]
    assert run == [], (f"docs/walkthrough.ipynb was saved with the outputs of cells {run}: clear them (JupyterLab: "
                       "Edit > Clear Outputs of All Cells, then save) or git checkout docs/walkthrough.ipynb")
    assert notebook.metadata.kernelspec.name == "python3"


def cell_outputs(notebook, cell_id):
    (cell,) = [cell for cell in notebook.cells if cell.get("id") == cell_id]
    return cell.outputs


def results(outputs, mime):
    return [output.data[mime] for output in outputs if mime in output.get("data", {})]


def markdown(notebook):
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")


def test_the_walkthrough_runs_and_shows_what_it_says(tmp_path, monkeypatch, needs_dot):
    """The walkthrough, run top to bottom as a student would: no cell fails, it prints the
    engine's gradients of section 4.7 (not the notes' printed ones), the numbers its text
    states are the engine's, every diagram and plot is a picture, fit reaches the accuracy the
    text promises, nothing goes to stderr (Jupyter's red box), and it writes no file."""
    pytest.importorskip("matplotlib", reason="plots need matplotlib")
    engine = backprop_by_hand.run_example()  # the numbers tests/test_lesson_notes.py pins
    notebook = nbformat.read(WALKTHROUGH, as_version=4)
    execute(notebook, tmp_path, monkeypatch)
    assert os.listdir(tmp_path) == ["kernels"]  # the working folder holds only the kernel spec

    everything = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert [output for output in everything if output.output_type == "error"] == []
    assert streams(everything, "stderr") == ""

    printed = streams(cell_outputs(notebook, "backward"), "stdout")
    for name in ("∂L/∂w1", "∂L/∂b1", "∂L/∂w2", "∂L/∂b2", "∂L/∂h"):
        assert f"{name} = {engine[name]:.7f}\n" in printed
    assert "gradcheck passed" in streams(cell_outputs(notebook, "gradcheck"), "stdout")
    stepped = streams(cell_outputs(notebook, "sgd"), "stdout")
    for name in ("w1", "b1", "w2", "b2"):
        assert f"{name} = {engine[name + ' after']:.8f}" in stepped

    text = markdown(notebook).replace("−", "-")
    for name in ("L", "∂L/∂w2", "∂L/∂w1", "∂L/∂b2"):
        assert f"{engine[name]:.7f}" in text, name
    for name in ("w1 after", "b1 after", "w2 after"):
        assert f"{engine[name]:.7f}" in text, name

    for cell_id in ("graph", "highlight", "neuron", "mlp"):
        (svg,) = results(cell_outputs(notebook, cell_id), "image/svg+xml")
        assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    (page,) = results(cell_outputs(notebook, "steps"), "text/html")
    assert '<iframe title="Backpropagation, step by step"' in page
    for cell_id in ("history", "boundary"):
        assert len(results(cell_outputs(notebook, cell_id), "image/png")) == 1

    (promised,) = re.findall(r"reaches (\d+) % training accuracy", text)
    fitted = streams(cell_outputs(notebook, "fit"), "stdout")
    (reached,) = re.findall(r"training accuracy after \d+ epochs: (\d+)%", fitted)
    assert int(reached) >= int(promised)
