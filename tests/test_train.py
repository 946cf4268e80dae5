"""fit: the training loop, its history, progress bar, validation, Ctrl-C and errors."""

import csv
import io
import math
import os
import random
import re
import sys
import types
import warnings

import numpy as np
import pytest

from micrograd_club import losses
from micrograd_club.compile import CompileError
from micrograd_club.data import batches, make_blobs, make_moons, make_regression, make_xor, train_test_split
from micrograd_club.engine import Value
from micrograd_club.nn import MLP, Module, Neuron, Parameter
from micrograd_club.optim import SGD, Adam, LambdaLR
from micrograd_club.train import OPTIMIZERS, History, evaluate, fit, predict_labels
from micrograd_club.viz.notation import number


def small_xor(labels="01"):
    X, y = make_xor(n_samples=40, noise=0.05, seed=0)
    return X, (y if labels == "01" else y * 2 - 1)


def test_fit_learns_xor_and_records_history():
    X, y = small_xor()
    model = MLP(2, [8, 1], activation="tanh", seed=0)
    history = fit(model, X, y, loss="binary_cross_entropy_with_logits", optimizer="adam", lr=0.05,
                  epochs=60, progress=False, seed=0)
    assert isinstance(history, History) and history.epochs == 60
    assert set(history) == {"loss", "accuracy"}
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["accuracy"][-1] == 1.0
    assert evaluate(model, X, y, loss="binary_cross_entropy_with_logits")["accuracy"] == 1.0


def test_fit_is_reproducible_with_a_seed():
    X, y = small_xor()
    runs = []
    for _ in range(2):
        model = MLP(2, [4, 1], seed=3)
        runs.append(fit(model, X, y, loss="mse", lr=0.05, epochs=3, batch_size=8, progress=False, seed=7)["loss"])
    assert runs[0] == runs[1]


def test_batch_sizes_give_batch_stochastic_and_minibatch_descent():
    X, y = small_xor()
    steps = {}
    for batch_size in (None, 1, 16):
        model = MLP(2, [4, 1], seed=3)
        optimizer = SGD(model.parameters(), lr=0.01)
        counted = []
        original = optimizer.step

        def step():
            counted.append(1)
            original()

        optimizer.step = step
        fit(model, X, y, loss="mse", optimizer=optimizer, epochs=2, batch_size=batch_size, progress=False, seed=1)
        steps[batch_size] = len(counted)
    assert steps == {None: 2, 1: 80, 16: 6}  # 40 samples: 1, 40 and 3 steps per epoch


def test_validation_data_and_regression_metrics():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(30, 1))
    y = 2 * X[:, 0] + 1
    model = MLP(1, [1], seed=0)
    history = fit(model, X, y, loss="mse", lr=0.1, epochs=40, validation_data=(X[:5], y[:5]), progress=False)
    assert set(history) == {"loss", "val_loss"}  # no accuracy for a regression loss
    assert history["loss"][-1] < 1e-2 and len(history["val_loss"]) == 40


class CountedMLP(MLP):
    """An MLP that counts how often it is called on a row."""

    calls = 0

    def __call__(self, x):
        self.calls += 1
        return super().__call__(x)


@pytest.mark.parametrize("loss, labels, sizes", [("hinge", "±1", [6, 1]), ("cross_entropy", "classes", [6, 3]),
                                                 ("sse", "01", [6, 1])])
def test_validation_is_replayed_on_the_tape_and_scores_as_evaluate_does(loss, labels, sizes):
    """On the compiled path the validation rows are replayed on the tape too: the scalar
    engine ran the model on each of them after every epoch, which took as long as the
    compiled epoch itself. The scores are still evaluate's."""
    if labels == "classes":
        X, y = make_blobs(n_samples=40, centers=3, seed=0)
    else:
        X, y = small_xor(labels)
    X_train, X_val, y_train, y_val = train_test_split(X, y, seed=0)
    calls, scores = {}, []  # the model's calls in each run, and (fit's, evaluate's) validation scores per epoch

    def check(epoch, history):
        calls_so_far = model.calls
        scores.append(({name: history[f"val_{name}"][-1] for name in ("loss", "accuracy") if f"val_{name}" in history},
                       evaluate(model, X_val, y_val, loss=loss)))
        model.calls = calls_so_far  # evaluate's own calls are not fit's

    for epochs in (1, 4):
        model = CountedMLP(2, sizes, activation="tanh", seed=2)
        history = fit(model, X_train, y_train, loss=loss, optimizer="adam", lr=0.05, epochs=epochs, progress=False,
                      seed=0, validation_data=(X_val, y_val), callback=check)
        assert history.path == "compiled"
        calls[epochs] = model.calls
    assert calls[1] == calls[4]  # the model ran on rows when the tape was traced and checked, not after each epoch
    for during, after in scores:
        assert during == pytest.approx(after, rel=1e-12, abs=1e-15)


def test_validation_rows_the_tape_cannot_replay_are_scored_by_the_scalar_engine():
    class Piecewise(Module):  # another formula where x0 < 0: only in the validation rows here
        def __init__(self):
            self.net = MLP(2, [4, 1], seed=0)

        def __call__(self, x):
            out = self.net(x)
            return out * 3.0 if float(x[0]) < 0 else out

    X, y = small_xor("01")
    X = np.abs(X)
    X_val = X[:5] * [[-1.0, 1.0]]
    model = Piecewise()
    history = fit(model, X, y, loss="mse", epochs=2, progress=False, validation_data=(X_val, y[:5]))
    assert history.path == "compiled"  # the training rows all take one branch
    assert history["val_loss"][-1] == evaluate(model, X_val, y[:5], loss="mse")["loss"]


def test_bad_validation_labels_are_refused_before_training():
    X, y = small_xor("±1")
    model = MLP(2, [4, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match="labels must be -1 or \\+1"):
        fit(model, X, y, loss="hinge", epochs=2, progress=False, validation_data=(X, (y + 1) / 2))
    assert [p.data for p in model.parameters()] == before  # not an epoch trained first


def test_progress_bar_shows_loss_and_accuracy(capsys):
    X, y = small_xor("±1")
    fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", epochs=2, progress=True, seed=0)
    err = capsys.readouterr().err
    assert "2/2 |" in err and "loss=" in err and "acc=" in err
    fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", epochs=2, progress=False, seed=0)
    assert capsys.readouterr().err == ""


class Terminal(io.StringIO):
    def isatty(self):
        return True


def last_frame_on_a_terminal(monkeypatch, columns, **options):
    """The line the finished bar leaves on a terminal ``columns[0]`` characters wide (its
    width read again whenever tqdm asks, as from a terminal the user may resize), after
    fit(..., **options) of the command line's 100 epochs."""
    terminal = Terminal()
    terminal.fileno = lambda: 2
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=None: os.terminal_size((columns[0], 24)))
    # tqdm before 4.68 (our floor is 4.60) asks the terminal itself (an ioctl, which fails on this fake
    # one) and then reads these, less one as os.get_terminal_size's width is read
    monkeypatch.setenv("COLUMNS", str(columns[0]))
    monkeypatch.setenv("LINES", "24")
    X, y = small_xor("±1")
    fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", epochs=100, progress=True, seed=0, **options)
    return terminal.getvalue().split("\r")[-1].rstrip()  # tqdm pads a line with spaces over a longer one before


def test_the_finished_bar_fits_a_terminal_of_80_columns_with_its_loss_and_accuracy(monkeypatch):
    """On the usual 80 columns, the command line's 100 epochs show the bar and every digit of
    the loss and accuracy (with tqdm's rate, epochs/s, the accuracy was cut short and the
    bar was one character wide)."""
    last = last_frame_on_a_terminal(monkeypatch, [80])
    assert re.fullmatch(r"100/100 \|#{10,}\| \d\d:\d\d<00:00, loss=\d\.\d{4}, acc=\d\.\d{3}", last), last
    assert len(last) < 80


def test_the_finished_bar_fits_80_columns_with_the_validation_scores_too(monkeypatch):
    """With validation data the line needed about 105 columns: on 80, tqdm cut it short at
    "val_loss=0" (which reads as a loss of 0) and val_accuracy was not shown at all."""
    X, y = small_xor("±1")
    seen = []
    last = last_frame_on_a_terminal(monkeypatch, [80], validation_data=(X[:10], y[:10]),
                                    callback=lambda epoch, history: seen.append(history))
    scores = r"loss=\d\.\d{4} \(val \d\.\d{4}\), acc=\d\.\d{3} \(val \d\.\d{3}\)"
    assert re.fullmatch(r"100/100 \|#{5,}\| \d\d:\d\d<00:00, " + scores, last), last
    assert len(last) < 80
    history = seen[-1]  # the scores shown are the last epoch's, each beside its own validation score
    assert history["val_loss"][0] != history["val_loss"][-1]
    assert last.endswith(f"loss={number(history['loss'][-1])} (val {number(history['val_loss'][-1])}), "
                         f"acc={number(history['accuracy'][-1], 3)} (val {number(history['val_accuracy'][-1], 3)})")


def test_the_bar_follows_a_terminal_made_narrower_while_training(monkeypatch):
    """tqdm measured the terminal once: made narrower during training, the line was wider
    than the terminal and wrapped onto a new line at every update."""
    columns = [200]

    def narrow_to_80(epoch, history):  # in both places tqdm may read the width (see last_frame_on_a_terminal)
        columns[0] = 80
        monkeypatch.setenv("COLUMNS", "80")

    last = last_frame_on_a_terminal(monkeypatch, columns, callback=narrow_to_80)
    assert len(last) < 80 and last.endswith("acc=1.000"), last


def test_progress_none_shows_the_bar_on_a_terminal_only(capsys, monkeypatch):
    """progress=None is tqdm's rule (the command line's and the demos'): a bar on a terminal,
    none in a log file or a pipe, where its \\r frames pile up."""
    X, y = small_xor("±1")
    fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", epochs=2, progress=None, seed=0)
    assert capsys.readouterr().err == ""  # pytest's capture is not a terminal
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", epochs=2, progress=None, seed=0)
    assert "2/2 |" in terminal.getvalue() and "loss=" in terminal.getvalue()
    with pytest.raises(TypeError, match="progress must be True or False, got str"):
        fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", epochs=2, progress="no")


@pytest.mark.parametrize("loss, targets, message", [
    ("hinge", "01", "hinge: labels\\[\\d+\\] = 0.0, but labels must be -1 or \\+1; for 0/1 labels use y\\*2 - 1"),
    ("binary_cross_entropy", "±1", "binary_cross_entropy: targets\\[\\d+\\] = -1.0 is outside \\[0, 1\\]"),
])
def test_targets_the_loss_refuses_are_refused_before_the_progress_bar_starts(capsys, loss, targets, message):
    X, y = small_xor(targets)
    with pytest.raises(ValueError, match=message):
        fit(MLP(2, [4, 1], seed=0), X, y, loss=loss, epochs=3, progress=True)
    assert capsys.readouterr().err == ""


def fake_ipython(monkeypatch, in_a_kernel):
    """IPython and ipykernel as imported in a Jupyter kernel (get_ipython() is ipykernel's shell)
    or in IPython at a terminal with ipykernel imported (get_ipython() is another shell)."""
    class ZMQInteractiveShell:  # what get_ipython() returns in a Jupyter kernel
        pass

    class TerminalInteractiveShell:  # what get_ipython() returns in `ipython` at a terminal
        pass

    zmqshell = types.ModuleType("ipykernel.zmqshell")
    zmqshell.ZMQInteractiveShell = ZMQInteractiveShell
    monkeypatch.setitem(sys.modules, "ipykernel.zmqshell", zmqshell)
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = ZMQInteractiveShell if in_a_kernel else TerminalInteractiveShell
    monkeypatch.setitem(sys.modules, "IPython", ipython)


def test_a_notebook_without_ipywidgets_gets_a_text_bar_on_stdout_and_no_warning(monkeypatch, recwarn, capsys):
    """In a Jupyter kernel without ipywidgets the bar is a line of text: on stdout, not in the
    red box Jupyter draws around stderr, and shown with progress=None too (a kernel's output
    is not a terminal, but it is seen). tests/test_notebook.py checks the same in a real kernel."""
    for name in ("tqdm.auto", "tqdm.autonotebook", "tqdm.notebook"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    fake_ipython(monkeypatch, in_a_kernel=True)
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # not installed
    X, y = small_xor("±1")
    for progress in (True, None):
        fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", epochs=1, progress=progress)
        out, err = capsys.readouterr()
        assert "1/1 |" in out and "loss=" in out and err == ""
    assert [str(w.message) for w in recwarn] == []


def test_an_ipython_terminal_is_not_taken_for_a_notebook(monkeypatch, capsys):
    """IPython in a terminal (ipykernel imported or not) is a terminal: the bar stays on stderr,
    and progress=None leaves it to tqdm, which shows none when stderr is not a terminal."""
    fake_ipython(monkeypatch, in_a_kernel=False)
    X, y = small_xor("±1")
    fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", epochs=1, progress=True)
    out, err = capsys.readouterr()
    assert out == "" and "1/1 |" in err
    fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", epochs=1, progress=None)
    assert capsys.readouterr() == ("", "")


def test_progress_bar_writes_a_huge_loss_in_scientific_notation(capsys):
    fit(MLP(1, [2, 1], seed=0), [[0.0], [1.0]], [1e150, 1e150], loss="mse", lr=1e-300, epochs=1, progress=True)
    err = capsys.readouterr().err
    assert re.search(r"loss=1\.0+e\+300", err) and not re.search(r"\d{20}", err)


def test_ctrl_c_stops_cleanly_and_returns_the_history_so_far():
    X, y = small_xor("±1")

    def interrupt_after_three(epoch, history):
        if epoch == 2:
            raise KeyboardInterrupt

    history = fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", epochs=50, progress=False,
                  callback=interrupt_after_three)
    assert history.interrupted and history.epochs == 3 and len(history["accuracy"]) == 3


def test_after_ctrl_c_the_model_is_the_one_the_history_describes():
    X, y = small_xor("±1")  # 40 rows: 5 mini-batches of 8 per epoch

    class StoppedInEpochThree(SGD):
        calls = 0

        def step(self):
            StoppedInEpochThree.calls += 1
            if StoppedInEpochThree.calls == 2 * 5 + 3:
                raise KeyboardInterrupt
            super().step()

    model = MLP(2, [4, 1], seed=0)
    history = fit(model, X, y, loss="hinge", optimizer=StoppedInEpochThree(model.parameters(), lr=0.1),
                  epochs=10, batch_size=8, seed=3, progress=False)
    assert history.interrupted and history.epochs == 2
    again = MLP(2, [4, 1], seed=0)
    fit(again, X, y, loss="hinge", optimizer=SGD(again.parameters(), lr=0.1), epochs=2, batch_size=8, seed=3,
        progress=False)
    assert model.state_dict() == again.state_dict()


def test_ctrl_c_inside_an_optimizer_step_leaves_no_half_update():
    X, y = small_xor("±1")
    model = MLP(2, [4, 1], seed=0)

    class InterruptedHalfway(SGD):
        def step(self):
            for p in self.param_groups[0]["params"][:5]:
                p.data -= 1.0  # half an update, then Ctrl-C
            raise KeyboardInterrupt

    before = [p.data for p in model.parameters()]
    history = fit(model, X, y, loss="hinge", optimizer=InterruptedHalfway(model.parameters(), lr=0.1),
                  epochs=3, progress=False)
    assert history.interrupted and history.epochs == 0
    assert [p.data for p in model.parameters()] == before


def test_history_to_csv(tmp_path):
    history = History({"loss": [0.5, 0.25], "accuracy": [0.5, 1.0]})
    path = tmp_path / "history.csv"
    history.to_csv(path)
    assert path.read_text(encoding="utf-8") == "epoch,loss,accuracy\n1,0.5,0.5\n2,0.25,1.0\n"


def test_history_shows_as_one_line_in_a_notebook():
    history = History({"loss": [0.9, 0.5, 0.25], "accuracy": [0.5, 0.75, 1.0]})
    history.path = "compiled"
    assert repr(history) == "History(3 epochs, compiled: loss 0.9000 → 0.2500, accuracy 0.5000 → 1.0000)"
    history.interrupted = True
    assert repr(History()) == "History(0 epochs, scalar)" and ", interrupted:" in repr(history)
    assert repr(History({"loss": [0.5]})) == "History(1 epoch, scalar: loss 0.5000 → 0.5000)"
    assert dict(history)["loss"] == [0.9, 0.5, 0.25]  # every number, as a plain dict


def test_history_to_csv_quotes_names_and_leaves_missing_values_empty(tmp_path):
    history = History({"loss": [0.5, 0.25], "val, held out": [0.75]})
    path = tmp_path / "history.csv"
    history.to_csv(path)
    with open(path, encoding="utf-8", newline="") as f:
        assert list(csv.reader(f)) == [["epoch", "loss", "val, held out"], ["1", "0.5", "0.75"], ["2", "0.25", ""]]


def test_history_from_csv_reads_back_what_to_csv_wrote(tmp_path):
    """history.csv (what micrograd-club train writes) could be written but not read back to
    be plotted: every digit, a series that ends early, a name with a comma, and nan come back."""
    history = History({"loss": [0.9, 1 / 3, math.nan], "val, held out": [0.75], "accuracy": [0.5, 0.75, 1.0]})
    path = tmp_path / "history.csv"
    history.to_csv(path)
    again = History.from_csv(path)
    assert isinstance(again, History) and list(again) == list(history)
    assert again["loss"][:2] == [0.9, 1 / 3] and math.isnan(again["loss"][2])
    assert again["val, held out"] == [0.75] and again["accuracy"] == [0.5, 0.75, 1.0]
    assert repr(again).startswith("History(3 epochs: loss 0.9000 → nan")  # not "scalar": the file does not say
    History({"loss": []}).to_csv(path)
    assert History.from_csv(str(path)) == {"loss": []}


def test_history_from_csv_reads_a_file_saved_again_by_an_editor(tmp_path):
    """A spreadsheet or Notepad may add a byte order mark, spaces after the commas, CRLF line
    ends and a blank line at the end."""
    path = tmp_path / "history.csv"
    path.write_bytes("\ufeffepoch, loss, accuracy\r\n1, 0.5, 0.25\r\n2, 0.25, 0.5\r\n\r\n".encode("utf-8"))
    assert History.from_csv(path) == {"loss": [0.5, 0.25], "accuracy": [0.25, 0.5]}
    # the epochs aligned to the right, and a space after the comma of a series that has ended
    path.write_text("epoch, loss, val_loss\n 1, 0.5, 0.75\n 2, 0.25, \n", encoding="utf-8")
    assert History.from_csv(path) == {"loss": [0.5, 0.25], "val_loss": [0.75]}


@pytest.mark.parametrize("text, message", [
    ("", r"h\.csv is empty, so it holds no history"),
    ("\n\n", r"h\.csv is empty"),
    ("loss,accuracy\n0.5,0.5\n", r"h\.csv, line 1: the header is 'loss,accuracy', not epoch followed by"),
    ("epoch,loss,loss\n1,0.5,0.5\n", r"h\.csv, line 1: the header is 'epoch,loss,loss'"),
    ("epoch\n1\n", r"h\.csv, line 1: the header is 'epoch'"),
    ("epoch,loss,\n1,0.5,\n", r"h\.csv, line 1: the header is 'epoch,loss,'"),  # a column without a name
    ("epoch;loss\n1;0.5\n", r"h\.csv, line 1: the header is 'epoch;loss'"),
    ("epoch,loss\n1,0.5\n2,abc\n", r"h\.csv, line 3: column 'loss' is 'abc', which is not a number"),
    ("\nepoch;loss\n1;0.5\n", r"h\.csv, line 2: the header is 'epoch;loss'"),  # numbered as an editor numbers lines,
    ("epoch,loss\n1,0.5\n\n2,abc\n", r"h\.csv, line 4: column 'loss' is 'abc'"),  # blank ones included
    ("epoch,loss\n1,0.5\n2,0.4,0.3\n", r"h\.csv, line 3: 3 cells, but the header names 2 columns \(epoch,loss\)"),
    ("epoch,loss,acc\n1,0.5\n", r"h\.csv, line 2: 2 cells, but the header names 3 columns \(epoch,loss,acc\)"),
    ("epoch,loss\n1,0.5\n3,0.4\n", r"h\.csv, line 3: the epoch is '3', but 2 comes next"),
    ("epoch,loss,acc\n1,0.5,\n2,0.4,0.5\n", r"h\.csv, line 3: column 'acc' has a value after an empty cell"),
    ("epoch,loss\n1,__import__('os')\n", r"line 2: column 'loss' is .*which is not a number"),
])
def test_history_from_csv_says_what_is_wrong_with_a_file_that_is_not_a_history(tmp_path, text, message):
    path = tmp_path / "h.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as raised:
        History.from_csv(path)
    assert "has the header epoch,NAME,… (such as epoch,loss,accuracy)" in str(raised.value)  # and how to fix it


def test_history_from_csv_refuses_a_file_that_is_not_a_table_of_text(tmp_path):
    path = tmp_path / "history.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(ValueError, match=r"history\.png is not a history file \(.*utf-8.*\)\. A history file"):
        History.from_csv(path)
    path = tmp_path / "data.csv"
    path.write_text("epoch,loss\n1," + "0" * 200_000 + "\n", encoding="utf-8")  # past the csv module's field limit
    with pytest.raises(ValueError, match=r"data\.csv is not a history file \(field larger than field limit"):
        History.from_csv(path)
    with pytest.raises(TypeError, match="path must be a file name"):
        History.from_csv(3)


def test_divergence_is_reported_with_the_history_before_it():
    X, y = small_xor()
    with pytest.raises(FloatingPointError, match="diverged.*learning rate") as raised:
        fit(MLP(2, [8, 1], seed=0), X * 1e3, y * 1e3, loss="mse", lr=1e3, epochs=20, progress=False)
    history = raised.value.history
    assert 0 < history.epochs < 20 and len(history["loss"]) == history.epochs
    assert all(math.isfinite(loss) for loss in history["loss"])


def test_a_loss_that_grows_tenfold_warns():
    X, y = small_xor()
    with pytest.warns(RuntimeWarning, match=r"the loss grew from .* over 3 epochs: training is diverging"):
        fit(MLP(2, [8, 1], seed=0), X, y * 10, loss="mse", lr=1.0, epochs=3, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit(MLP(2, [8, 1], seed=0), X, y, loss="mse", lr=0.01, epochs=3, progress=False)  # no warning


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_diverging_step_is_undone_so_the_model_stays_finite(optimizer):
    X, y = make_moons(10, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    with pytest.raises(FloatingPointError, match="diverged"):
        fit(model, X, 2 * y - 1, loss="hinge", optimizer=optimizer, lr=1e300, epochs=5, seed=0, progress=False)
    assert all(np.isfinite(p.data) for p in model.parameters())


@pytest.mark.parametrize("where", ["X", "y"])
def test_nan_in_the_data_is_refused_before_training(where):
    X, y = make_moons(20, seed=0)
    y = 2.0 * y - 1
    if where == "X":
        X[3, 0] = np.nan
    else:
        y[3] = np.nan
    model = MLP(2, [4, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=f"{where} has nan or inf in row 3"):
        fit(model, X, y, loss="hinge", epochs=2, progress=False)
    assert [p.data for p in model.parameters()] == before


def test_cross_entropy_needs_class_indices_and_an_output_per_class():
    X = [[0.0], [1.0], [2.0]]
    with pytest.raises(ValueError, match=r"y\[0\] = 0.4 is not a class index"):
        fit(MLP(1, [2, 3], seed=0), X, [0.4, 1.6, 2.9], loss="cross_entropy", epochs=1, progress=False)
    with pytest.raises(ValueError, match="the model has 1 and y has 3 classes"):
        fit(MLP(1, [2, 1], seed=0), X, [0, 1, 2], loss="cross_entropy", epochs=1, progress=False)
    with pytest.raises(ValueError, match="the model has 1 and y has 1 class\\."):
        evaluate(MLP(1, [2, 1], seed=0), X, [0, 0, 0], loss="cross_entropy")


@pytest.mark.parametrize(
    "sizes, output_activation, loss, labels, message",
    [
        ([4, 3], "softmax", "cross_entropy", "classes",
         r"cross_entropy: the logits lie between 0 and 1 and add up to 1"),
        ([4, 1], "sigmoid", "binary_cross_entropy_with_logits", "01",
         r"ends in a sigmoid, which is never below 0, but binary_cross_entropy_with_logits takes raw scores.*"
         r"use loss='binary_cross_entropy'"),
        ([4, 1], "sigmoid", "hinge", "±1", r"ends in a sigmoid, which is never below 0, but hinge takes raw scores"),
        ([4, 1], "relu", "hinge", "±1", r"ends in a relu, .* without output_activation='relu'$"),
    ],
)
def test_an_output_squashed_before_a_loss_on_raw_scores_warns(sizes, output_activation, loss, labels, message):
    """The notes put a softmax (or a sigmoid) at the output; cross_entropy, the logits BCE and
    hinge take raw scores, so such a model trains silently badly: a softmax twice cannot get
    its loss near 0, and a sigmoid before hinge predicts class +1 for every example."""
    X, y = make_blobs(n_samples=30, centers=3, seed=0) if labels == "classes" else small_xor(labels)
    model = MLP(2, sizes, activation="tanh", output_activation=output_activation, seed=0)
    with pytest.warns(UserWarning, match=message):
        fit(model, X, y, loss=loss, epochs=1, progress=False)


def test_a_single_neuron_squashed_before_a_loss_on_raw_scores_warns_too():
    X, y = small_xor("01")
    with pytest.warns(UserWarning, match="ends in a sigmoid"):
        fit(Neuron(2, activation="sigmoid", seed=0), X, y, loss="binary_cross_entropy_with_logits", epochs=1,
            progress=False)


@pytest.mark.parametrize(
    "loss, labels, floor", [("hinge", "±1", 1.0), ("binary_cross_entropy_with_logits", "01", math.log(2))]
)
def test_a_relu_output_warns_of_the_loss_it_is_stuck_at_not_of_one_class_for_all(loss, labels, floor):
    """A ReLU output, unlike a sigmoid, can still give the class below 0 a score (of 0) that
    predicts it: its harm is the loss each such example is stuck at, with no gradient back."""
    X, y = small_xor(labels)
    with pytest.warns(UserWarning) as caught:
        fit(MLP(2, [4, 1], activation="tanh", output_activation="relu", seed=0), X, y, loss=loss, epochs=1,
            progress=False)
    message = str(caught[0].message)
    assert "predicted as the same class" not in message
    assert f"still costs {'1' if loss == 'hinge' else 'ln 2'}" in message and "no gradient" in message
    neuron = Neuron(2, activation="relu", seed=0)
    neuron.load_state_dict({"w.0": 1.0, "w.1": 1.0, "b": 0.0})
    out = neuron([-1.0, -1.0])  # a score of 0 for an example of the class below 0:
    assert out.data == 0 and predict_labels([out], loss) == [-1 if loss == "hinge" else 0]  # right,
    example_loss = getattr(losses, loss)([out], [-1.0 if loss == "hinge" else 0.0])
    example_loss.backward()
    assert example_loss.data == pytest.approx(floor)  # yet it costs the floor the message names,
    assert all(p.grad == 0 for p in neuron.parameters())  # and teaches the model nothing


def test_a_loss_of_your_own_that_shares_a_name_is_not_warned_about():
    """Only the library's own losses are known to take raw scores; a function of your own
    called binary_cross_entropy_with_logits may well take the sigmoid's probabilities."""
    def binary_cross_entropy_with_logits(probabilities, targets):
        return losses.binary_cross_entropy(probabilities, targets)

    X, y = small_xor("01")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit(MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=0), X, y,
            loss=binary_cross_entropy_with_logits, epochs=1, progress=False)


@pytest.mark.parametrize(
    "sizes, output_activation, loss, labels",
    [([4, 3], None, "cross_entropy", "classes"), ([4, 1], "sigmoid", "binary_cross_entropy", "01"),
     ([4, 1], "tanh", "hinge", "±1"), ([4, 1], None, "binary_cross_entropy_with_logits", "01")],
)
def test_an_output_that_suits_the_loss_trains_without_a_warning(sizes, output_activation, loss, labels):
    X, y = make_blobs(n_samples=30, centers=3, seed=0) if labels == "classes" else small_xor(labels)
    model = MLP(2, sizes, activation="tanh", output_activation=output_activation, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit(model, X, y, loss=loss, epochs=1, progress=False)


def test_a_column_of_regression_targets_is_refused_without_talk_of_classes():
    """y.reshape(-1, 1), a habit from other libraries, was refused as not "a class index per
    sample", even for a regression."""
    X, y = make_regression(n_samples=10, seed=0)
    with pytest.raises(ValueError, match=r"y must be a 1-d list of targets \(one number per sample: a value to "
                                         r"predict, or a class index\), got shape \(10, 1\): a column\? "
                                         r"Pass y\.ravel\(\)"):
        fit(MLP(1, [1], seed=0), X, y.reshape(-1, 1), loss="mse", epochs=1, progress=False)


def test_bad_arguments():
    X, y = small_xor("±1")
    model = MLP(2, [4, 1], seed=0)
    with pytest.raises(ValueError, match="unknown loss 'l3'"):
        fit(model, X, y, loss="l3", progress=False)
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        fit(model, X, y, optimizer="lbfgs", progress=False)
    with pytest.raises(ValueError, match="same length, got 40 and 39"):
        fit(model, X, y[:-1], progress=False)
    with pytest.raises(ValueError, match="epochs must be a whole number"):
        fit(model, X, y, epochs=0, progress=False)
    with pytest.raises(ValueError, match="epochs must be a whole number from 1 to"):
        fit(model, X, y, epochs=10**30, progress=False)
    with pytest.raises(TypeError, match="epochs must be a whole number, got float: 2.5"):
        fit(model, X, y, epochs=2.5, progress=False)
    with pytest.raises(ValueError, match=r"y must be a 1-d list.*\(40, 2\)$"):
        fit(model, X, np.stack([y, y], axis=1), progress=False)
    with pytest.raises(ValueError, match=r"y must be a 1-d list.*\(40, 1\): a column\? Pass y\.ravel\(\)"):
        fit(model, X, np.reshape(y, (-1, 1)), progress=False)
    with pytest.raises(ValueError, match="unknown metric"):
        fit(model, X, y, loss="hinge", metrics=("f1",), progress=False)
    with pytest.raises(TypeError, match=r"fit expects a model, got the class MLP itself: build the model first"):
        fit(MLP, X, y, progress=False)  # used to fail in parameters(): "missing 1 required positional argument"
    with pytest.raises(TypeError, match=r"evaluate expects a model, got the class MLP itself"):
        evaluate(MLP, X, y)


@pytest.mark.parametrize("takes_a_seed", [
    lambda seed: make_moons(10, seed=seed),
    lambda seed: train_test_split(*small_xor(), seed=seed),
    lambda seed: batches(*small_xor(), seed=seed),
    lambda seed: MLP(2, [4, 1], seed=seed),
    lambda seed: fit(MLP(2, [4, 1], seed=0), *small_xor(), epochs=1, progress=False, seed=seed),
], ids=["make_moons", "train_test_split", "batches", "MLP", "fit"])
@pytest.mark.parametrize("seed, error, shown", [
    (-1, ValueError, "-1"),  # fit said TypeError, and MLP took it: random.Random(-1) draws as Random(1) does
    (1.5, TypeError, "float: 1.5"),
    (True, TypeError, "bool: True"),
])
def test_every_function_that_takes_a_seed_checks_it_alike(takes_a_seed, seed, error, shown):
    with pytest.raises(error, match=rf"^seed must be None(,| or) a whole number >= 0.*, got {re.escape(shown)}$"):
        takes_a_seed(seed)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"model": None}, TypeError, r"fit expects a model such as nn.MLP\(2, \[16, 1\]\) .* got NoneType"),
    ({"model": lambda row: row[0]}, TypeError, "callable, with a parameters"),
    ({"validation_data": "X"}, TypeError, "validation_data must be a pair .* got str"),
    ({"validation_data": ([[0.0, 0.0]],)}, TypeError, "validation_data must be a pair .* got tuple of length 1"),
    ({"metrics": 3}, TypeError, "metrics must be a list of names"),
    ({"callback": 3}, TypeError, r"callback must be a function callback\(epoch, history\), got int"),
    ({"scheduler": "step"}, TypeError, "scheduler must be a learning-rate scheduler"),
    ({"seed": "a"}, TypeError, "seed must be None, a whole number >= 0 or a numpy Generator, got str"),
    ({"seed": -1}, ValueError, "seed must be None, a whole number >= 0 or a numpy Generator, got -1"),
])
def test_bad_arguments_are_refused_before_any_training(kwargs, error, message):
    X, y = small_xor("±1")
    model = MLP(2, [4, 1], seed=0)
    before = [p.data for p in model.parameters()]
    arguments = {"model": model, "loss": "hinge", "epochs": 2, "progress": False, **kwargs}
    with pytest.raises(error, match=message):
        fit(arguments.pop("model"), X, y, **arguments)
    assert [p.data for p in model.parameters()] == before


def test_a_scheduler_must_adjust_the_optimizer_that_fit_steps():
    X, y = small_xor("±1")
    model = MLP(2, [4, 1], seed=0)
    elsewhere = LambdaLR(SGD(model.parameters(), lr=0.1), lambda epoch: 0.5)
    with pytest.raises(ValueError, match="scheduler adjusts a different optimizer"):
        fit(model, X, y, loss="hinge", optimizer="sgd", scheduler=elsewhere, epochs=2, progress=False)


def test_metrics_may_be_one_name():
    X, y = small_xor("±1")
    history = fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", metrics="accuracy", epochs=2, progress=False)
    assert list(history) == ["loss", "accuracy"]


class SumsIntoItsBias:
    """A micrograd-style neuron of plain Values that adds each wᵢxᵢ to its bias with +=."""

    def __init__(self):
        self.w, self.b = [Value(0.5), Value(-0.3)], Value(0.1)

    def __call__(self, x):
        act = self.b
        for wi, xi in zip(self.w, x):
            act += wi * xi  # a new Value each time, as in micrograd
        return act.tanh()

    def parameters(self):
        return [*self.w, self.b]


def test_evaluating_a_model_that_sums_into_its_bias_leaves_the_bias_alone():
    """evaluate runs the model inside no_grad(), where += on a plain Value used to change it in
    place: every call added Σwx to self.b, so each evaluation gave another loss."""
    model, (X, y) = SumsIntoItsBias(), small_xor("±1")
    first = evaluate(model, X, y, loss="mse")
    assert model.b.data == 0.1 and evaluate(model, X, y, loss="mse") == first
    assert first["loss"] == pytest.approx(losses.mse([model(x) for x in X], y).data)  # as outside no_grad()


def test_evaluate_names_a_missing_model():
    X, y = small_xor("±1")
    with pytest.raises(TypeError, match="evaluate expects a model .* got NoneType"):
        evaluate(None, X, y, loss="hinge")


def test_predict_labels_follow_the_loss():
    assert predict_labels([0.3, -0.2], "hinge") == [1, -1]
    assert predict_labels([0.7, 0.2], "binary_cross_entropy") == [1, 0]
    assert predict_labels([[0.1, 2.0, -1.0]], "cross_entropy") == [1]


def test_karpathy_moons_reaches_100_percent():
    """micrograd's demo: MLP(2, [16, 16, 1]), hinge + 1e-4·L2, SGD with lr 1 → 0.1, 100 steps."""
    X, y = make_moons(n_samples=100, noise=0.1, seed=0)
    y = y * 2 - 1
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    optimizer = SGD(model.parameters(), lr=1.0)
    scheduler = LambdaLR(optimizer, lambda k: 1.0 - 0.9 * k / 100)
    history = fit(model, X, y, loss="hinge", optimizer=optimizer, scheduler=scheduler, epochs=100, l2=1e-4,
                  progress=False)
    assert history["accuracy"][-1] == 1.0
    assert history.path == "compiled"  # replayed on a numpy tape: about a second for 100 steps, not 40


@pytest.mark.parametrize(
    "loss, labels, sizes, output",
    [
        ("hinge", "±1", [6, 1], None),
        ("mse", "01", [6, 1], None),
        ("sse", "01", [6, 1], None),
        ("binary_cross_entropy", "01", [6, 1], "sigmoid"),
        ("binary_cross_entropy_with_logits", "01", [6, 1], None),
        ("cross_entropy", "classes", [6, 3], None),
    ],
)
def test_compiled_and_scalar_fit_give_the_same_history(loss, labels, sizes, output):
    if labels == "classes":
        X, y = make_blobs(n_samples=30, centers=3, seed=0)
    else:
        X, y = small_xor(labels)
    runs = {}
    for compiled in (True, False):
        model = MLP(2, sizes, activation="tanh", output_activation=output, seed=2)
        history = fit(model, X, y, loss=loss, optimizer="adam", lr=0.05, epochs=4, batch_size=8, l2=1e-3,
                      progress=False, seed=5, compile=compiled)
        assert history.path == ("compiled" if compiled else "scalar")
        runs[compiled] = (history, [p.data for p in model.parameters()])
    (fast, fast_params), (slow, slow_params) = runs[True], runs[False]
    assert fast["loss"] == pytest.approx(slow["loss"], rel=1e-9)
    assert fast.get("accuracy") == slow.get("accuracy")  # regression losses report none
    assert fast_params == pytest.approx(slow_params, rel=1e-9, abs=1e-12)


def test_fit_uses_the_scalar_engine_when_it_cannot_compile():
    X, y = small_xor()

    def custom(predictions, targets):
        return sum((p - t) ** 2 for p, t in zip(predictions, targets)) * (1 / len(targets))

    history = fit(MLP(2, [4, 1], seed=0), X, y, loss=custom, epochs=2, progress=False)
    assert history.path == "scalar" and history.epochs == 2
    with pytest.raises(CompileError, match="custom loss"):
        fit(MLP(2, [4, 1], seed=0), X, y, loss=custom, epochs=2, progress=False, compile=True)
    assert fit(MLP(2, [4, 1], seed=0), X, y, loss="mse", epochs=1, progress=False, compile=False).path == "scalar"
    with pytest.raises(ValueError, match="compile must be"):
        fit(MLP(2, [4, 1], seed=0), X, y, epochs=1, progress=False, compile="yes")


def test_a_model_whose_graph_depends_on_the_data_trains_on_the_scalar_engine():
    class Branchy(Module):  # a Python if on .data: the tape cannot replay it
        def __init__(self):
            self.w = Value(0.5)

        def __call__(self, x):
            x = [xi if isinstance(xi, Value) else Value(xi) for xi in x]
            return self.w * x[0] if x[0].data > 0.5 else self.w * x[1] * x[1]

    X, y = small_xor()
    history = fit(Branchy(), X, y, loss="mse", epochs=3, progress=False)
    assert history.path == "scalar" and history.epochs == 3


def test_a_branch_taken_by_a_few_rows_only_is_found_before_training():
    class Piecewise(Module):  # a different formula for 2 rows of 100: a sample of rows may miss them
        def __init__(self):
            self.net = MLP(2, [4, 1], seed=0)

        def __call__(self, x):
            out = self.net(x)
            return out * 3.0 if float(x[0]) < 0 else out

    rng = np.random.default_rng(0)
    X = np.abs(rng.normal(size=(100, 2)))
    X[[37, 61], 0] *= -1
    y = rng.normal(size=100)
    runs = [fit(Piecewise(), X, y, loss="mse", epochs=3, lr=0.05, progress=False, seed=1, compile=compiled)
            for compiled in (None, False)]
    assert [h.path for h in runs] == ["scalar", "scalar"]
    assert runs[0]["loss"] == runs[1]["loss"]


def test_a_row_the_engine_cannot_compute_is_reported_as_the_engine_reports_it():
    class LogModel(Module):
        def __init__(self):
            self.w = Parameter(0.5, "w")

        def __call__(self, x):
            first = x[0] if isinstance(x[0], Value) else Value(float(x[0]))
            return self.w * first.log()

    X, y = [[1.0 + i] for i in range(20)] + [[0.0]], [0.0] * 21  # log(0) in the last row
    for compiled in (None, False):  # the compiled path would give inf there, then "training diverged"
        with pytest.raises(ValueError, match=r"log of a non-positive number: log\(0.0\)"):
            fit(LogModel(), X, y, loss="mse", epochs=2, progress=False, seed=0, compile=compiled)


def test_bad_labels_are_refused_on_the_compiled_path_too():
    X, y = small_xor("01")
    with pytest.raises(ValueError, match="labels must be -1 or \\+1"):
        fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", epochs=1, progress=False)


def test_fit_and_evaluate_take_rows_of_values_as_to_values_makes_them():
    from micrograd_club.data import to_values

    X, y = small_xor("±1")
    history = fit(MLP(2, [4, 1], seed=0), to_values(X), y, loss="hinge", epochs=2, progress=False, seed=0)
    assert history == fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", epochs=2, progress=False, seed=0)
    assert evaluate(MLP(2, [4, 1], seed=0), to_values(X), y, loss="hinge") == evaluate(
        MLP(2, [4, 1], seed=0), X, y, loss="hinge")


def test_a_numpy_generator_may_seed_the_shuffling():
    X, y = small_xor("±1")
    runs = [fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", epochs=2, batch_size=8, progress=False,
                seed=np.random.default_rng(5)) for _ in range(2)]
    assert runs[0] == runs[1]


def test_a_loss_of_your_own_that_shares_a_library_name_is_treated_as_your_own():
    def hinge(scores, labels):  # 0/1 labels, turned into ±1 here
        return losses.hinge(scores, [2 * t - 1 for t in labels])

    X, y = small_xor("01")
    history = fit(MLP(2, [4, 1], seed=0), X, y, loss=hinge, epochs=2, progress=False)
    assert history.path == "scalar" and len(history["loss"]) == 2


def test_every_named_optimizer_trains():
    X, y = small_xor("±1")
    for name in OPTIMIZERS:
        history = fit(MLP(2, [8, 1], seed=0), X, y, loss="hinge", optimizer=name, lr=0.05, epochs=30, progress=False)
        assert history["loss"][-1] < history["loss"][0], name


def test_fit_refuses_an_optimizer_of_another_model_or_its_class():
    X, y = small_xor("±1")
    model, other = MLP(2, [4, 1], seed=0), MLP(2, [4, 1], seed=1)
    with pytest.raises(ValueError, match="the optimizer holds parameters that are not this model's"):
        fit(model, X, y, loss="hinge", optimizer=SGD(other.parameters(), lr=0.1), epochs=1, progress=False)
    with pytest.raises(TypeError, match=r"optimizer is the class SGD: pass one made for the model"):
        fit(model, X, y, loss="hinge", optimizer=SGD, epochs=1, progress=False)
    first_layer = model.layers[0].parameters()  # an optimizer of some of the model's parameters is fine
    fit(model, X, y, loss="hinge", optimizer=SGD(first_layer, lr=0.1), epochs=1, progress=False)


def test_fit_refuses_an_lr_it_would_ignore_beside_an_optimizer_of_your_own():
    X, y = small_xor("±1")
    model = MLP(2, [4, 1], seed=0)
    message = ("fit got both an optimizer and lr=0.5, but the optimizer has its own learning rate (0.001): set it "
               "there, Adam(model.parameters(), lr=0.5), and leave lr out")
    with pytest.raises(ValueError, match=re.escape(message)):
        fit(model, X, y, loss="hinge", optimizer=Adam(model.parameters()), lr=0.5, epochs=1, progress=False)
    assert model.state_dict() == MLP(2, [4, 1], seed=0).state_dict()  # refused before any step
    fit(model, X, y, loss="hinge", optimizer="adam", lr=0.5, epochs=1, progress=False)  # a named one takes lr


def test_fit_says_what_a_custom_loss_must_return_and_refuses_an_infinite_l2():
    X, y = small_xor("±1")
    with pytest.raises(TypeError, match="the loss function must return a Value made from the predictions"):
        fit(MLP(2, [4, 1], seed=0), X, y, loss=lambda p, t: 1.0, epochs=1, progress=False)
    with pytest.raises(ValueError, match="l2 must be a finite number >= 0, got inf"):
        fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", l2=math.inf, epochs=1, progress=False)


def test_fit_checks_shuffle_before_training_and_takes_0_and_1():
    X, y = small_xor("±1")
    fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", shuffle=0, epochs=1, progress=False)
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", shuffle="no", epochs=1, progress=True)
