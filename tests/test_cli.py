"""The micrograd-club command, run in-process through ``main(argv)`` (plus one real
``python -m micrograd_club``): what it prints, the files it writes, its exit status, and
one-line errors."""

import csv
import errno
import importlib.util
import io
import os
import pathlib
import re
import shlex
import struct
import subprocess
import sys
import types

import pytest

import micrograd_club.demos
from micrograd_club import __version__, _io, cli
from micrograd_club.nn import MLP
from micrograd_club.train import History
from micrograd_club.viz.notation import number

TANH = ["graph", "tanh(w*x + b)", "--set", "x=1", "w=0.4", "b=0.1"]
TINY_TRAINING = ["--samples", "30", "--epochs", "3", "--layers", "4", "--no-progress"]


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    """Every command runs in an empty folder, so default output folders land there."""
    monkeypatch.chdir(tmp_path)


def run(capsys, *argv):
    """(exit status, stdout, stderr) of ``micrograd-club argv``."""
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line_error(err, *phrases):
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("micrograd-club")
    for phrase in phrases:
        assert phrase in err


def folder_contents(folder):
    """{file name: bytes} of a folder, to see that a failed run left it as it was."""
    return {path.name: path.read_bytes() for path in pathlib.Path(folder).iterdir()}


# ----- graph -----


def test_graph_prints_the_value_and_every_gradient(capsys):
    status, out, err = run(capsys, *TANH)
    assert status == 0 and err == ""
    assert out.splitlines() == [
        "f = tanh(w*x + b) = 0.4621",
        "∂f/∂x = 0.3146",
        "∂f/∂w = 0.7864",
        "∂f/∂b = 0.7864",
    ]


def test_the_result_is_never_named_like_a_variable(capsys):
    status, out, _ = run(capsys, "graph", "f*out", "--set", "f=3", "out=2")
    assert status == 0
    assert out.splitlines() == ["result = f*out = 6.0000", "∂result/∂f = 2.0000", "∂result/∂out = 3.0000"]


def test_an_expression_that_is_one_variable_is_not_written_twice(capsys):
    status, out, _ = run(capsys, "graph", " x ", "--set", "x=1")
    assert status == 0
    assert out.splitlines() == ["x = 1.0000", "∂x/∂x = 1.0000"]


def test_graph_says_when_a_variable_is_not_used(capsys):
    status, out, _ = run(capsys, "graph", "x*x", "--set", "x=3", "y=1")
    assert status == 0
    assert "∂f/∂x = 6.0000\n" in out
    assert "∂f/∂y = 0.0000  (y is not in the expression)" in out


def test_graph_trace_prints_the_chain_rule(capsys):
    _, plain, _ = run(capsys, *TANH)
    status, traced, _ = run(capsys, *TANH, "--trace")
    assert status == 0
    assert "∂f/∂f = 1 (the start of the backward pass)" not in plain
    assert traced.startswith(plain)
    trace = traced[len(plain):].splitlines()
    assert trace[1:] == [  # every inner piece of the formula gets its line, so the chain shows
        "the chain rule, from the output back to the inputs:",
        "∂f/∂f = 1 (the start of the backward pass)",
        "∂f/∂(w·x + b) = tanh'(w·x + b) = 0.7864",
        "∂f/∂(w·x) = ∂f/∂(w·x + b) · ∂(w·x + b)/∂(w·x) = (0.7864) × (1.0000) = 0.7864",
        "∂f/∂w = ∂f/∂(w·x) · ∂(w·x)/∂w = (0.7864) × (1.0000) = 0.7864",
        "∂f/∂x = ∂f/∂(w·x) · ∂(w·x)/∂x = (0.7864) × (0.4000) = 0.3146",
        "∂f/∂b = ∂f/∂(w·x + b) · ∂(w·x + b)/∂b = (0.7864) × (1.0000) = 0.7864",
    ]


def test_every_node_is_the_older_name_of_trace(capsys):
    _, traced, _ = run(capsys, *TANH, "--trace")
    status, every, _ = run(capsys, *TANH, "--every-node")
    assert status == 0 and every == traced


def test_graph_precision_sets_the_decimals_printed_traced_and_drawn(capsys):
    status, out, _ = run(capsys, *TANH, "--precision", "2", "--trace", "--out", "graph.dot")
    assert status == 0
    assert out.splitlines()[:4] == ["f = tanh(w*x + b) = 0.46", "∂f/∂x = 0.31", "∂f/∂w = 0.79", "∂f/∂b = 0.79"]
    assert "∂f/∂x = ∂f/∂(w·x) · ∂(w·x)/∂x = (0.79) × (0.40) = 0.31" in out
    with open("graph.dot", encoding="utf-8") as f:
        drawing = f.read()
    assert "data 0.46" in drawing and "0.4621" not in drawing


def test_graph_rankdir_sets_the_diagrams_direction(capsys):
    for rankdir in ("LR", "TB"):
        status, _, _ = run(capsys, *TANH, "--rankdir", rankdir, "--out", f"{rankdir}.dot")
        with open(f"{rankdir}.dot", encoding="utf-8") as f:
            assert status == 0 and f"rankdir={rankdir}" in f.read()


@pytest.mark.parametrize("option, value, message", [
    ("--precision", "18", "argument --precision: expected a whole number up to 17, got '18'"),
    ("--precision", "-1", "argument --precision: expected a whole number >= 0, got '-1'"),
    ("--rankdir", "sideways", "argument --rankdir: invalid choice: 'sideways'"),
])
def test_graph_refuses_a_precision_or_direction_it_cannot_draw(capsys, option, value, message):
    status, _, err = run(capsys, *TANH, option, value)
    assert status == 2
    assert_one_line_error(err, message)


def test_graph_writes_dot_text_without_graphviz(capsys):
    status, out, _ = run(capsys, *TANH, "--out", "graph.dot")
    assert status == 0
    assert "wrote graph.dot" in out
    with open("graph.dot", encoding="utf-8") as f:
        assert f.read().startswith("digraph")


def test_graph_draws_svg_png_and_the_step_through(capsys, needs_dot):
    status, out, err = run(capsys, *TANH, "--out", "graph.svg", "--html", "steps.html")
    assert status == 0 and err == ""
    assert "wrote graph.svg" in out and "wrote steps.html" in out
    with open("graph.svg", encoding="utf-8") as f:
        assert "<svg" in f.read(300)
    with open("steps.html", encoding="utf-8") as f:
        page = f.read()
    assert page.lstrip().lower().startswith("<!doctype html") and page.count("<svg") >= 5
    status, _, _ = run(capsys, "graph", "x*x", "--set", "x=3", "--out", "graph.png")
    with open("graph.png", "rb") as f:
        assert status == 0 and f.read(8) == b"\x89PNG\r\n\x1a\n"


def png_width(path):
    """The width in pixels of the PNG ``path``, from its IHDR chunk."""
    with open(path, "rb") as f:
        return struct.unpack(">I", f.read(20)[16:20])[0]


def test_graph_draws_a_png_for_print_with_dpi(capsys, needs_dot):
    assert run(capsys, *TANH, "--out", "slide.png")[0] == 0
    status, out, err = run(capsys, *TANH, "--out", "handout.png", "--dpi", "300")
    assert status == 0 and err == "" and "wrote handout.png" in out
    assert png_width("handout.png") == pytest.approx(png_width("slide.png") * 2, rel=0.02)  # 300 dpi / 150
    assert run(capsys, *TANH, "--out", "HANDOUT.PNG", "--dpi", "300")[0] == 0  # a PNG, whatever its case
    assert png_width("HANDOUT.PNG") == png_width("handout.png")


@pytest.mark.parametrize("argv, message", [
    (["--out", "graph.svg", "--dpi", "300"], "--dpi sets the resolution of a .png picture, and --out is 'graph.svg': "
                                             "give --out FILE.png (.svg and .pdf are sharp at any size)"),
    (["--dpi", "300"], "and --out is not given: give --out FILE.png"),
    (["--out", "graph.png", "--dpi", "30000"], "argument --dpi: expected a whole number up to 1,200, got '30000'"),
    (["--out", "graph.png", "--dpi", "0"], "argument --dpi: expected a whole number greater than 0, got '0'"),
])
def test_graph_refuses_a_dpi_it_cannot_use_before_printing(capsys, argv, message):
    status, out, err = run(capsys, *TANH, *argv)
    assert status == 2 and out == ""
    assert_one_line_error(err, message)
    assert os.listdir(".") == []


def test_without_graphviz_the_dot_text_is_written_and_one_line_says_how_to_install(capsys, monkeypatch, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    status, out, err = run(capsys, *TANH, "--out", "pictures.svg", "--html", "steps.html")
    assert status == 0
    assert out.startswith("f = tanh(w*x + b) = 0.4621\n∂f/∂x = 0.3146")
    assert "wrote pictures.dot" in out and "skipped steps.html (Graphviz's dot draws its frames)" in out
    assert not os.path.exists("pictures.svg") and not os.path.exists("steps.html")
    assert not os.path.exists("steps.dot")  # the same diagram twice
    with open("pictures.dot", encoding="utf-8") as f:
        assert f.read().startswith("digraph")
    assert err.count("\n") == 1 and "install Graphviz: sudo apt-get install graphviz" in err
    assert "Traceback" not in err
    status, out, _ = run(capsys, *TANH, "--html", "only.html")
    assert status == 0 and "wrote only.dot" in out  # the page alone: its diagram as DOT text


# Python advice, which the command line has no options for
PYTHON_ADVICE = ("collapse=", "model(X[0])", "save_graph(", "raise max_", "max_nodes=", "max_steps=")


def test_graph_too_slow_to_draw_says_what_to_do_on_the_command_line(capsys, monkeypatch, needs_dot):
    """Graphviz stopped after DOT_SECONDS: the advice was Python's (collapse='neuron',
    save_graph(root, 'graph.dot')), which a command-line user cannot follow."""
    from micrograd_club.viz import graph

    monkeypatch.setattr(graph, "DOT_SECONDS", 1e-9)  # as if every diagram took too long
    status, out, picture = run(capsys, "graph", "x*x*x", "--set", "x=2", "--out", "cube.png")
    assert status == 2 and out.startswith("f = x*x*x = 8.0000") and not os.path.exists("cube.png")
    assert_one_line_error(picture, "Graphviz's dot was stopped after 1e-09 s laying out f (3 values)",
                          "Draw a shorter formula", "--out cube.dot", "dot -Tpng cube.dot -o cube.png")
    status, _, page = run(capsys, "graph", "x*x*x", "--set", "x=2", "--html", "steps.html")
    assert status == 2 and not os.path.exists("steps.html")
    assert_one_line_error(page, "Graphviz's dot was stopped", "--out steps.dot", "dot -Tsvg steps.dot -o steps.svg")
    assert not any(advice in err for err in (picture, page) for advice in PYTHON_ADVICE)
    status, out, _ = run(capsys, "graph", "x*x*x", "--set", "x=2", "--out", "cube.dot")
    assert status == 0 and "wrote cube.dot" in out  # the DOT text it advises needs no Graphviz


@pytest.mark.skipif(os.name == "nt", reason="POSIX shell quoting; the Windows quoting is checked by pretending")
def test_the_dot_command_advised_can_be_pasted_with_a_space_in_the_path(capsys, monkeypatch, needs_dot):
    """dot -Tpng my files/cube.dot -o my files/cube.png ran dot on the files "my" and "files/cube.dot"."""
    from micrograd_club.viz import graph

    monkeypatch.setattr(graph, "DOT_SECONDS", 1e-9)  # as if every diagram took too long
    os.mkdir("my files")
    status, _, err = run(capsys, "graph", "x*x*x", "--set", "x=2", "--out", "my files/cube.png")
    assert status == 2 and "--out 'my files/cube.dot' and" in err
    assert shlex.split(err.rpartition(": dot ")[2]) == ["-Tpng", "my files/cube.dot", "-o", "my files/cube.png"]
    monkeypatch.setattr(cli, "WINDOWS", True)  # cmd and PowerShell read double quotes, not single ones
    status, _, err = run(capsys, "graph", "x*x*x", "--set", "x=2", "--out", "my files\\cube.png")
    assert err.rstrip().endswith(': dot -Tpng "my files\\cube.dot" -o "my files\\cube.png"')


@pytest.mark.parametrize("option, name", [("--out", "graph.svg"), ("--html", "steps.html")])
def test_graph_into_a_missing_folder_fails_before_printing_anything(capsys, option, name):
    """The value, gradients and trace were printed, and then the command failed."""
    path = os.path.join("no such folder", name)
    status, out, err = run(capsys, *TANH, "--trace", option, path)
    assert status == 1 and out == ""
    assert_one_line_error(err, f"cannot write {path}: No such file or directory; the folder ",
                          "no such folder' does not exist: create it first")


def test_graph_into_a_read_only_file_fails_before_printing_anything(capsys, monkeypatch):
    with open("graph.dot", "w", encoding="utf-8") as f:
        f.write("keep me")
    monkeypatch.setattr(_io.os, "access", lambda name, mode: False)  # as for a user who is not root
    status, out, err = run(capsys, *TANH, "--out", "graph.dot")
    assert status == 1 and out == ""
    assert_one_line_error(err, "cannot write graph.dot: Permission denied; the file is read-only")
    with open("graph.dot", encoding="utf-8") as f:
        assert f.read() == "keep me"


def test_graph_too_large_to_draw_says_what_to_do_on_the_command_line(capsys, monkeypatch):
    """Refused by max_nodes or max_steps: the advice named collapse='neuron', model(X[0]) and
    raising max_nodes or max_steps, none of which the command line has."""
    ones = "+".join(["1"] * 22)
    formula = "+".join([f"({ones})"] * 4) + "*x"  # 88 constants: 177 values
    status, _, err = run(capsys, "graph", formula, "--set", "x=1", "--out", "big.dot")
    assert status == 2 and not os.path.exists("big.dot")
    assert_one_line_error(err, "this graph has 177 value nodes, more than max_nodes=150 can draw legibly. Split the "
                               "formula into shorter ones and draw each", "--trace")
    assert not any(advice in err.split(". ", 1)[1] for advice in PYTHON_ADVICE)
    ones = "+".join(["1"] * 14)
    formula = "+".join([f"({ones})"] * 4) + "*x"  # 113 values, within max_nodes, past max_steps
    status, _, err = run(capsys, "graph", formula, "--set", "x=1", "--html", "steps.html")
    assert status == 2 and not os.path.exists("steps.html")
    assert_one_line_error(err, "has 113 steps, more than max_steps=100 frames",
                          "step through a shorter formula, or draw this one as a single picture with --out steps.svg")
    assert not any(advice in err.split(". ", 1)[1] for advice in PYTHON_ADVICE)
    monkeypatch.setattr(cli, "WINDOWS", False)
    status, _, err = run(capsys, "graph", formula, "--set", "x=1", "--html", "my steps.html")
    assert status == 2 and "as a single picture with --out 'my steps.svg' (up to" in err  # quoted for pasting


def test_on_windows_a_graphviz_not_on_path_is_named_with_its_folder(capsys, graphviz_off_path):
    folder = graphviz_off_path
    status, out, err = run(capsys, *TANH, "--out", "pictures.svg")
    assert status == 0 and "wrote pictures.dot" in out
    assert err == f"Graphviz is installed in {folder}, but that folder is not on PATH, so its dot program is " \
        f"not found: add it (Start menu: Edit environment variables for your account > Path > New > {folder}), " \
        "then open a new terminal or restart Jupyter\n"


@pytest.mark.parametrize(
    "argv, phrases",
    [
        (["graph", "x.__class__", "--set", "x=1"], ["attribute access (.__class__) is not allowed at column 2"]),
        (["graph", "__import__('os').system('id')"], ["calling __import__() is not allowed"]),
        (["graph", "q*2", "--set", "x=1"], ["unknown variable 'q'", "--set q=1"]),
        (["graph", "--set", "x=1", "x*x"], ["got 'x*x'", "put the expression first"]),
        (["graph", "x", "--set", "x=abc"], ["'abc' is not a number"]),
        (["graph", "x", "--set", "x=1", "x=2"], ["x is set twice"]),
        (["graph", "log(x)", "--set", "x=0"], ["log of a non-positive number"]),
        (["graph", "x", "--set", "x=1", "--out", "graph.jpg"], ["cannot tell the format of 'graph.jpg'"]),
        (["graph"], ["give the expression to compute"]),
        (["train", "moons", "--layers", "16,x"], ["--layers", "'16,x'", "comma"]),
        (["train", "moons", "--layers", "0"], ["--layers", "whole numbers >= 1"]),
        (["train", "moon"], ["invalid choice: 'moon'", "moons"]),
        (["train", "moons", "--lr", "-1"], ["--lr", "greater than 0"]),
        (["train", "moons", "--lr", "inf"], ["--lr", "greater than 0"]),
        (["train", "moons", "--epochs", "1.5"], ["--epochs", "whole number"]),
        (["train", "moons", "--noise", "nan"], ["--noise", "number >= 0"]),
        (["train", "moons", "--seed", "-1"], ["argument --seed: expected a whole number >= 0, got '-1'"]),
        (["train", "moons", "--seed", "1e3"], ["argument --seed: expected a whole number, got '1e3'"]),
        (["train", "moons", "--optimizer", "newton"], ["invalid choice: 'newton'"]),
        (["train", "spiral", "--loss", "hinge"], ["--loss hinge does not fit spiral (3 classes): use cross_entropy"]),
        (["train", "regression", "--loss", "hinge"], ["does not fit regression", "mse"]),
        (["train", "moons", "--loss", "mse"], ["does not fit moons", "hinge"]),
        (["train", "spiral", "--samples", "2"], ["spiral: n_samples=2 is fewer than classes=3"]),
        (["train", "blobs", "--samples", "1"], ["blobs: all 1 samples are of one class", "--samples"]),
        (["train", "moons", "--epochs", "9" * 40], ["--epochs", "whole number up to"]),
        (["train", "moons", "--samples", "9" * 400], ["--samples", "whole number up to"]),  # more than a float holds
        (["train", "moons", "--samples", "10000000000"], ["--samples", "up to 1,000,000"]),
        (["train", "moons", "--layers", "100000"], ["--layers", "at most 10000"]),
        (["train", "moons", "--layers", "5000,5000"], ["25,025,001 parameters", "at most 1,000,000"]),
        ([], ["choose a command: graph, train or demo"]),
        (["frobnicate"], ["invalid choice: 'frobnicate'"]),
    ],
)
def test_usage_errors_are_one_line_with_exit_status_2(capsys, argv, phrases):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert_one_line_error(err, *phrases)
    assert os.listdir() == []


@pytest.mark.parametrize("argv, message", [
    (["graph", "x*x", "--sett", "x=3"], "--sett x=3; did you mean --set? (see micrograd-club graph --help)"),
    (["demo", "--lsit"], "--lsit; did you mean --list? (see micrograd-club demo --help)"),
    (["train", "moons", "--batch_size", "4"],
     "--batch_size 4; did you mean --batch-size? (see micrograd-club train --help)"),
    (["graph", "x*x", "y*y", "--set", "x=3"], "y*y (see micrograd-club graph --help)"),
])
def test_an_unknown_option_points_to_its_commands_help_and_the_closest_option(capsys, argv, message):
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert_one_line_error(err, f"unrecognized arguments: {message}")


def test_an_unwritable_path_is_one_line_naming_it_with_exit_status_1(capsys, tmp_path):
    path = str(tmp_path / "no-such-folder" / "graph.dot")
    status, _, err = run(capsys, "graph", "x", "--set", "x=1", "--out", path)
    assert status == 1
    assert_one_line_error(err, f"cannot write {path}: No such file or directory")


def test_ctrl_c_exits_with_130(capsys, monkeypatch):
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "parse_expression", interrupted)
    status, _, err = run(capsys, *TANH)
    assert status == 130
    assert_one_line_error(err, "stopped (Ctrl-C)")


def test_output_to_a_file_in_another_encoding_is_written_as_utf8(monkeypatch):
    """A redirect on Windows writes cp1252, which has no ∂: the first gradient line was a traceback."""
    redirected = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")
    monkeypatch.setattr(sys, "stdout", redirected)
    assert cli.main(["graph", "x*x", "--set", "x=3"]) == 0
    redirected.flush()
    assert redirected.buffer.getvalue().decode("utf-8") == "f = x*x = 9.0000\n∂f/∂x = 6.0000\n"


def test_main_called_in_process_leaves_stdout_and_stderr_as_it_found_them(monkeypatch):
    """main() switched a cp1252 stdout to UTF-8 for its ∂ and left it so: a notebook or test that
    called it went on writing UTF-8 into a file read as cp1252."""
    redirected = {name: io.TextIOWrapper(io.BytesIO(), encoding="cp1252", errors="replace") for name in ("out", "err")}
    monkeypatch.setattr(sys, "stdout", redirected["out"])
    monkeypatch.setattr(sys, "stderr", redirected["err"])
    assert cli.main(["graph", "x*x", "--set", "x=3", "y=1"]) == 0  # y: a line on each stream
    assert (sys.stdout, sys.stderr) == (redirected["out"], redirected["err"])
    for stream in redirected.values():
        assert (stream.encoding, stream.errors) == ("cp1252", "replace")
    print("after: é ∂")
    sys.stdout.flush()
    assert redirected["out"].buffer.getvalue().endswith("after: é ?\n".encode("cp1252"))


def test_main_ending_in_an_error_leaves_stdout_and_stderr_as_it_found_them(monkeypatch):
    """An error that main() does not handle (here a broken install) goes up as a traceback, and
    stdout, switched to UTF-8 for the ∂, is back to the encoding the caller gave it."""
    from micrograd_club.viz import plots

    def broken(*args, **kwargs):
        raise ModuleNotFoundError("No module named 'numpyy'", name="numpyy")

    redirected = io.TextIOWrapper(io.BytesIO(), encoding="cp1252", errors="replace")
    monkeypatch.setattr(sys, "stdout", redirected)
    monkeypatch.setattr(plots, "plot_history", broken)
    with pytest.raises(ModuleNotFoundError, match="numpyy"):
        cli.main(["train", "moons", *TINY_TRAINING])
    assert sys.stdout is redirected and (redirected.encoding, redirected.errors) == ("cp1252", "replace")


@pytest.mark.skipif(os.name == "nt", reason="Windows passes file names as text, never as undecodable bytes")
def test_a_file_name_the_locale_cannot_decode_is_printed_as_its_own_bytes(monkeypatch):
    """In an ASCII locale (LC_ALL=C with python -X utf8=0) the folder Übung arrives as
    surrogates, which stdout's "surrogateescape" writes back as the original bytes; switching
    stdout to UTF-8 made it "strict", and printing "wrote Übung/…" stopped the command."""
    redirected = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="surrogateescape")
    monkeypatch.setattr(sys, "stdout", redirected)
    folder = "Übung".encode("utf-8").decode("ascii", "surrogateescape")  # as the ASCII locale decoded it
    assert folder == "\udcc3\udc9cbung" and os.fsencode(folder) == "Übung".encode("utf-8")
    os.mkdir(folder)
    assert cli.main(["graph", "x*x", "--set", "x=3", "--out", os.path.join(folder, "g.dot")]) == 0
    redirected.flush()
    assert redirected.buffer.getvalue().decode("utf-8").endswith("\nwrote Übung/g.dot\n")
    assert os.listdir("Übung") == ["g.dot"]


def test_unexpected_errors_are_not_hidden(monkeypatch):
    def broken(*args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "parse_expression", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        cli.main(TANH)


# ----- help and version -----


@pytest.mark.parametrize(
    "argv, example",
    [
        ([], 'micrograd-club graph "tanh(w*x + b)" --set x=1 w=0.4 b=0.1 --trace'),
        (["graph"], 'micrograd-club graph "tanh(w*x + b)" --set x=1 w=0.4 b=0.1'),
        (["train"], "micrograd-club train spiral --layers 32,32"),
        (["demo"], "micrograd-club demo all --out lessons/"),
    ],
)
def test_help_of_every_command_shows_an_example(capsys, argv, example):
    status, out, err = run(capsys, *argv, "--help")
    assert status == 0 and err == ""
    assert "examples:" in out and example in out


def test_train_help_names_the_files_it_writes(capsys):
    status, out, _ = run(capsys, "train", "--help")
    assert status == 0
    for name in ("model.json", "history.csv", *cli.PICTURES):
        assert name in out


def test_version(capsys):
    status, out, _ = run(capsys, "--version")
    assert status == 0
    assert out == f"micrograd-club {__version__}\n"


# ----- train -----


def test_train_writes_a_loadable_model_the_history_and_the_plots(capsys):
    status, out, err = run(capsys, "train", "moons", *TINY_TRAINING, "--out", "run")
    assert status == 0 and err == ""
    assert "training MLP(2, [4, 1]) on moons (30 samples), hinge loss, adam lr=0.05, 3 epochs" in out
    assert "after 3 epochs: loss " in out and ", accuracy " in out
    assert f"wrote {os.path.join('run', 'model.json')}\nwrote {os.path.join('run', 'history.csv')}\n" in out
    model = MLP(2, [4, 1], activation="relu", seed=123).load(os.path.join("run", "model.json"))
    assert model.state_dict() != MLP(2, [4, 1], activation="relu", seed=0).state_dict()  # trained, not initial
    with open(os.path.join("run", "history.csv"), encoding="utf-8") as f:
        rows = f.read().splitlines()
    assert rows[0] == "epoch,loss,accuracy"
    assert [row.split(",")[0] for row in rows[1:]] == ["1", "2", "3"]
    history = History.from_csv(os.path.join("run", "history.csv"))  # what plot_history("run/history.csv") draws
    assert list(history) == ["loss", "accuracy"] and history.epochs == 3
    assert f"loss {number(history['loss'][-1])}, accuracy {number(history['accuracy'][-1])}" in out
    assert_plots(out, "run", ["history.png", "decision_boundary.png"])


def test_train_draws_no_progress_bar_into_a_file_or_pipe(capsys):
    """tqdm's bar redraws itself with \r: in a log file that is one long line of frames."""
    status, _, err = run(capsys, "train", "moons", "--samples", "30", "--epochs", "3", "--layers", "4")
    assert status == 0 and err == ""


def assert_plots(out, folder, names):
    """With matplotlib, the PNGs are written; without it, one line says how to get them."""
    if importlib.util.find_spec("matplotlib") is None:
        assert 'plots skipped: pip install "micrograd-club[plots]"' in out
        return
    for name in names:
        with open(os.path.join(folder, name), "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n", name


def test_one_epoch_is_one_epoch_not_1_epochs(capsys):
    status, out, _ = run(capsys, "train", "moons", "--samples", "30", "--epochs", "1", "--layers", "4")
    assert status == 0 and "1 epochs" not in out
    assert "adam lr=0.05, 1 epoch\n" in out and "after 1 epoch: loss " in out


@pytest.mark.parametrize(
    "dataset, model, plots",
    [
        ("spiral", MLP(2, [4, 3]), ["history.png", "decision_boundary.png"]),
        ("blobs", MLP(2, [4, 3]), ["history.png", "decision_boundary.png"]),
        ("regression", MLP(1, [4, 1]), ["history.png", "fit.png"]),
    ],
)
def test_train_sizes_the_output_layer_for_the_dataset(capsys, dataset, model, plots):
    status, out, _ = run(capsys, "train", dataset, *TINY_TRAINING)
    folder = os.path.join("micrograd_club_out", f"train-{dataset}")
    assert status == 0
    model.load(os.path.join(folder, "model.json"))
    assert_plots(out, folder, plots)
    for picture in ("decision_boundary.png", "fit.png"):  # a boundary for classes, a curve for regression
        assert os.path.exists(os.path.join(folder, picture)) == (picture in plots)


def test_train_removes_an_earlier_runs_picture_that_it_does_not_redraw(capsys):
    os.makedirs("run")
    stale = os.path.join("run", "decision_boundary.png")
    with open(stale, "wb") as f:
        f.write(b"an earlier run's moons picture")
    status, out, _ = run(capsys, "train", "regression", *TINY_TRAINING, "--out", "run")
    assert status == 0 and not os.path.exists(stale)
    assert f"removed {stale} (an earlier run's; this run has no such picture)" in out


def test_train_with_binary_cross_entropy_uses_a_sigmoid_output(capsys):
    status, out, _ = run(capsys, "train", "xor", *TINY_TRAINING, "--loss", "binary_cross_entropy", "--out", "run")
    assert status == 0
    assert 'training MLP(2, [4, 1], output_activation="sigmoid") on xor' in out  # the model it trains, as loaded
    assert 'MLP(2, [4, 1], activation="relu", output_activation="sigmoid").load(' in out
    MLP(2, [4, 1], output_activation="sigmoid").load(os.path.join("run", "model.json"))
    status, out, _ = run(capsys, "train", "xor", *TINY_TRAINING, "--activation", "tanh", "--out", "run2")
    assert status == 0 and 'training MLP(2, [4, 1], activation="tanh") on xor' in out


def test_train_without_matplotlib_skips_the_plots_in_one_line(capsys, monkeypatch):
    for name in [name for name in sys.modules if name == "matplotlib" or name.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    status, out, err = run(capsys, "train", "moons", *TINY_TRAINING, "--out", "run")
    assert status == 0 and err == ""
    assert out.count('plots skipped: pip install "micrograd-club[plots]"') == 1
    assert sorted(os.listdir("run")) == ["history.csv", "model.json"]


def test_train_does_not_hide_a_broken_import(monkeypatch):
    from micrograd_club.viz import plots

    def broken(*args, **kwargs):
        raise ModuleNotFoundError("No module named 'numpyy'", name="numpyy")

    monkeypatch.setattr(plots, "plot_history", broken)
    with pytest.raises(ModuleNotFoundError, match="numpyy"):
        cli.main(["train", "moons", *TINY_TRAINING])


def test_diverging_training_is_one_line_with_exit_status_1_and_keeps_the_loss_so_far(capsys, tmp_path):
    status, out, err = run(capsys, "train", "regression", "--samples", "30", "--epochs", "200", "--layers", "4",
                           "--activation", "linear", "--optimizer", "sgd", "--lr", "1", "--no-progress",
                           "--out", str(tmp_path))
    assert status == 1
    assert_one_line_error(err, "training diverged", "history.csv has the loss of the", "no model.json was written")
    assert "Lower the learning rate, e.g. --lr 0.1 (this run had --lr 1)." in err  # not fit's argument, lr
    assert "(lr)" not in err and "scale the inputs" not in err  # train makes the inputs itself
    epochs = int(re.search(r"the loss of the (\d+) epochs? before", err).group(1))
    with open(tmp_path / "history.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert len(rows) == epochs + 1 and float(rows[-1][1]) > 1e100  # the loss growing is on record
    assert not (tmp_path / "model.json").exists()


def test_train_refuses_a_history_it_cannot_write_before_training(capsys):
    """model.json was written first, and then history.csv failed: the new model sat beside the
    old history, as if they were one run's."""
    assert run(capsys, "train", "xor", *TINY_TRAINING, "--out", "run")[0] == 0
    before = folder_contents("run")
    os.remove(os.path.join("run", "history.csv"))
    os.mkdir(os.path.join("run", "history.csv"))  # a folder in the way
    status, out, err = run(capsys, "train", "xor", *TINY_TRAINING, "--seed", "1", "--out", "run")
    assert status == 1 and "training" not in out and "wrote" not in out
    assert_one_line_error(err, f"cannot write {os.path.join('run', 'history.csv')}: ", "is not a regular file")
    with open(os.path.join("run", "model.json"), "rb") as f:
        assert f.read() == before["model.json"]


@pytest.mark.parametrize("name", ["model.json", "history.png"])
def test_train_refuses_a_model_or_picture_it_cannot_write_before_training(capsys, name):
    """Every file train writes is checked before training, as history.csv is: a folder in the
    way of the model or a picture failed only after training (with the model and history
    written beside the picture)."""
    os.makedirs(os.path.join("run", name))
    status, out, err = run(capsys, "train", "xor", *TINY_TRAINING, "--out", "run")
    assert status == 1 and "training" not in out and "wrote" not in out
    assert_one_line_error(err, f"cannot write {os.path.join('run', name)}: ", "is not a regular file")
    assert os.listdir("run") == [name]


@pytest.mark.parametrize("earlier", ["run", "empty", None], ids=["an earlier run's", "an empty file", "none"])
def test_a_history_that_fails_to_write_after_the_model_puts_the_model_back(capsys, monkeypatch, earlier):
    """The checks before training pass, and then the disk fills up: model.json must not stay
    this run's beside an earlier run's history.csv (or none)."""
    if earlier == "run":
        assert run(capsys, "train", "xor", *TINY_TRAINING, "--out", "run")[0] == 0
    elif earlier == "empty":  # an empty model.json is put back empty, not removed
        os.makedirs("run")
        open(os.path.join("run", "model.json"), "wb").close()
    before = folder_contents("run") if earlier else {}

    def disk_full(history, path):
        raise OSError(errno.ENOSPC, "No space left on device; the disk is full", path)

    monkeypatch.setattr(History, "to_csv", disk_full)
    status, out, err = run(capsys, "train", "xor", *TINY_TRAINING, "--seed", "1", "--out", "run")
    assert status == 1 and "wrote" not in out
    model = os.path.join("run", "model.json")
    assert_one_line_error(err, f"cannot write {os.path.join('run', 'history.csv')}: No space left on device",
                          f"so {model} was put back as it was: the folder keeps the earlier run's model and history "
                          "together" if earlier else f"so {model} was removed again: nothing of this run was saved")
    assert folder_contents("run") == before


def test_a_model_that_cannot_be_put_back_is_named_with_what_to_do(capsys, monkeypatch):
    """The disk is full, so history.csv fails, and so does putting model.json back: the one
    line says that the folder now holds this run's model beside an earlier run's history."""
    assert run(capsys, "train", "xor", *TINY_TRAINING, "--out", "run")[0] == 0

    def disk_full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(History, "to_csv", disk_full)
    monkeypatch.setattr(cli, "atomic_write_bytes", disk_full)
    status, out, err = run(capsys, "train", "xor", *TINY_TRAINING, "--seed", "1", "--out", "run")
    model = os.path.join("run", "model.json")
    assert status == 1 and "wrote" not in out
    assert_one_line_error(err, f"cannot write {os.path.join('run', 'history.csv')}: No space left on device",
                          f"and {model} could not be put back as it was (No space left on device): it is this "
                          "run's model, beside an earlier run's history.csv (or none); delete it or train again")


def test_diverging_training_keeps_an_earlier_runs_files(capsys):
    assert run(capsys, "train", "regression", *TINY_TRAINING, "--out", "run")[0] == 0
    before = folder_contents("run")
    status, out, err = run(capsys, "train", "regression", "--samples", "30", "--epochs", "200", "--layers", "4",
                           "--activation", "linear", "--optimizer", "sgd", "--lr", "1", "--no-progress",
                           "--out", "run")
    assert status == 1 and "wrote" not in out and "removed" not in out
    assert_one_line_error(err, "training diverged", "Nothing was written: run keeps the earlier run's files",
                          "give a new --out")
    assert "Lower the learning rate, e.g. --lr 0.1 (this run had --lr 1)." in err and "(lr)" not in err
    assert folder_contents("run") == before


def test_a_loss_that_grows_tenfold_gives_a_warning_line(capsys, tmp_path):
    status, _, err = run(capsys, "train", "regression", "--samples", "30", "--epochs", "10", "--layers", "4",
                         "--activation", "linear", "--optimizer", "sgd", "--lr", "0.04", "--no-progress",
                         "--out", str(tmp_path))
    assert status == 0
    assert re.fullmatch(r"micrograd-club: warning: the loss grew from \S+ to \S+ over 10 epochs: training is "
                        r"diverging\. Lower the learning rate, e\.g\. --lr 0\.004 \(this run had --lr 0\.04\)\.\n", err)


def test_a_step_that_ruins_the_parameters_is_one_line_and_saves_nothing(capsys):
    status, _, err = run(capsys, "train", "moons", "--samples", "10", "--epochs", "5", "--lr", "1e300",
                         "--no-progress")
    assert status == 1
    assert_one_line_error(err, "training diverged", "e.g. --lr 1e+299 (this run had --lr 1e+300)")


def test_ctrl_c_during_training_saves_the_finished_epochs_and_exits_130(capsys, monkeypatch):
    from micrograd_club.optim import Adam

    real_step, steps = Adam.step, []

    def step_until_ctrl_c(self):
        steps.append(1)
        if len(steps) == 3:
            raise KeyboardInterrupt
        real_step(self)

    monkeypatch.setattr(Adam, "step", step_until_ctrl_c)
    status, out, err = run(capsys, "train", "moons", *TINY_TRAINING, "--out", "run")
    assert status == 130
    assert "after 2 epochs" in out
    assert_one_line_error(err, "stopped (Ctrl-C) after 2 epochs")
    with open(os.path.join("run", "history.csv"), encoding="utf-8") as f:
        assert len(f.read().splitlines()) == 3  # header and 2 epochs


def test_ctrl_c_in_the_first_epoch_keeps_an_earlier_runs_files(capsys, monkeypatch):
    from micrograd_club.optim import Adam

    assert run(capsys, "train", "moons", *TINY_TRAINING, "--out", "run")[0] == 0
    before = folder_contents("run")

    def ctrl_c(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(Adam, "step", ctrl_c)
    status, out, err = run(capsys, "train", "moons", *TINY_TRAINING, "--out", "run")
    assert status == 130 and "wrote" not in out and "removed" not in out
    assert_one_line_error(err, "stopped (Ctrl-C) before the first epoch finished; nothing was written to run")
    assert folder_contents("run") == before


# ----- demo -----


@pytest.fixture
def fake_demos(monkeypatch):
    """A registry of three fake demos that record (name, out_dir) when run."""
    runs = []
    registry = {}
    for name in ("first", "backprop_by_hand", "last"):
        module = types.ModuleType(f"fake_demos.{name}", f"The {name} demo.\n\nMore text.")
        module.main = lambda out_dir, name=name: runs.append((name, out_dir))
        monkeypatch.setitem(sys.modules, module.__name__, module)
        registry[name] = module.__name__
    monkeypatch.setattr(micrograd_club.demos, "DEMOS", registry, raising=False)
    return runs


def test_demo_runs_backprop_by_hand_by_default(capsys, fake_demos):
    status, _, err = run(capsys, "demo")
    assert status == 0 and err == ""
    folder = os.path.join("micrograd_club_out", "backprop_by_hand")
    assert fake_demos == [("backprop_by_hand", folder)]
    assert os.path.isdir(folder)


def test_demo_runs_the_named_one_into_out(capsys, fake_demos):
    assert run(capsys, "demo", "last", "--out", "here")[0] == 0
    assert fake_demos == [("last", "here")]


def test_demo_all_runs_every_demo_in_order_each_into_its_folder(capsys, fake_demos):
    status, out, _ = run(capsys, "demo", "all", "--out", "lessons")
    assert status == 0
    assert fake_demos == [(name, os.path.join("lessons", name)) for name in ("first", "backprop_by_hand", "last")]
    assert sorted(os.listdir("lessons")) == ["backprop_by_hand", "first", "last"]
    assert out.splitlines() == ["== first ==", "== backprop_by_hand ==", "== last =="]


def test_demo_list_shows_names_and_summaries_and_runs_nothing(capsys, fake_demos):
    status, out, _ = run(capsys, "demo", "--list")
    assert status == 0 and fake_demos == []
    assert [line.split() for line in out.splitlines()] == [
        ["first", "The", "first", "demo."],
        ["backprop_by_hand", "The", "backprop_by_hand", "demo."],
        ["last", "The", "last", "demo."],
    ]


def test_demo_without_the_demos_package_says_why_and_what_to_run(capsys, monkeypatch):
    """After ``pip install .``, ``python -m micrograd_club demo`` in the repository imports the
    package from its source folder, which has no demos/ inside: it ended in a traceback."""
    monkeypatch.setitem(sys.modules, "micrograd_club.demos", None)  # None: not importable
    status, out, err = run(capsys, "demo", "--list")
    assert status == 1 and out == ""
    source = os.path.dirname(os.path.dirname(os.path.abspath(micrograd_club.__file__)))
    assert_one_line_error(err, f"Python took micrograd_club from the source folder {source}, where they are demos/",
                          "run micrograd-club instead of python -m micrograd_club", "pip install -e .")


def test_an_unknown_demo_is_a_usage_error_listing_the_names(capsys, fake_demos):
    status, _, err = run(capsys, "demo", "nope")
    assert status == 2 and fake_demos == []
    assert_one_line_error(err, "unknown demo 'nope': choose one of first, backprop_by_hand, last, or all")


# ----- the real entry point -----


def test_python_dash_m_micrograd_club_runs_the_command(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "micrograd_club", "graph", "x*x", "--set", "x=3"],
        capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == ["f = x*x = 9.0000", "∂f/∂x = 6.0000"]


@pytest.mark.parametrize("unbuffered, merged", [("", False), ("1", True)])
def test_a_reader_that_stops_early_takes_the_output_not_the_files(tmp_path, unbuffered, merged):
    """micrograd-club train ... | head: with stdout buffered, the text used to meet the closed
    pipe at exit (a traceback, status 120); unbuffered, at the first line (nothing saved)."""
    env = {**os.environ, "PYTHONUNBUFFERED": unbuffered}
    with subprocess.Popen(  # the with closes stderr's pipe too
        [sys.executable, "-m", "micrograd_club", "train", "moons", *TINY_TRAINING, "--out", "run"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT if merged else subprocess.PIPE, cwd=tmp_path, env=env,
    ) as process:
        process.stdout.close()  # the reader leaves before reading a line
        err = b"" if merged else process.stderr.read()
        assert process.wait(timeout=60) == 0 and err == b""
    assert {"model.json", "history.csv"} <= set(os.listdir(tmp_path / "run"))


class PipeWithoutReader:
    """stdout piped into a program that has stopped reading, as Windows reports it: every
    write and flush raises OSError(EINVAL) (elsewhere it is BrokenPipeError, errno EPIPE)."""

    encoding = "utf-8"

    def __init__(self, fd):
        self.fd = fd

    def write(self, text):
        raise OSError(errno.EINVAL, "Invalid argument")

    def flush(self):
        raise OSError(errno.EINVAL, "Invalid argument")

    def fileno(self):
        return self.fd


@pytest.fixture
def pipe_fd(tmp_path):
    """A file descriptor for a PipeWithoutReader (its reader leaving sends the rest to os.devnull)."""
    fd = os.open(tmp_path / "pipe", os.O_WRONLY | os.O_CREAT)
    yield fd
    os.close(fd)


def test_a_reader_that_stops_early_on_windows_takes_the_output_not_the_command(monkeypatch, pipe_fd):
    """On Windows, `micrograd-club graph ... | more` quit early ended in a traceback: the closed
    pipe is OSError(EINVAL) there, and only BrokenPipeError was taken as the reader leaving."""
    monkeypatch.setattr(cli, "WINDOWS", True, raising=False)
    monkeypatch.setattr(sys, "stdout", PipeWithoutReader(pipe_fd))  # here: pytest sets its own before each test
    assert cli.main(["graph", "x*x", "--set", "x=3", "--out", "g.dot"]) == 0
    assert os.path.exists("g.dot")  # the command carried on after its reader left


def test_an_invalid_argument_elsewhere_is_not_taken_for_a_reader_that_left(monkeypatch, pipe_fd):
    monkeypatch.setattr(cli, "WINDOWS", False, raising=False)
    monkeypatch.setattr(sys, "stdout", PipeWithoutReader(pipe_fd))
    with pytest.raises(OSError, match="Invalid argument"):
        cli.main(["graph", "x*x", "--set", "x=3"])


def test_real_demo_all_writes_every_picture(tmp_path, capsys, needs_dot):
    """The acceptance run: every real demo, through the command, into one folder."""
    pytest.importorskip("matplotlib")
    assert cli.main(["demo", "all", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "10 of 19 printed numbers are wrong" in out and "plots skipped" not in out
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert {p.split("/")[0] for p in written} == set(micrograd_club.demos.DEMOS)
    magic = {".png": b"\x89PNG", ".svg": b"<?xml", ".html": b"<!DOCTYPE html>"}
    for name in written:
        path = tmp_path / name
        assert path.read_bytes().startswith(magic[path.suffix]), name
    assert "backprop_by_hand/backward_steps.html" in written and "mlp_classifier/moons_boundary.png" in written


def test_an_expression_starting_with_a_minus_gets_the_leading_space_hint(capsys):
    status, _, err = run(capsys, "graph", "-x*x", "--set", "x=3")
    assert status == 2
    assert_one_line_error(err, 'unrecognized arguments: -x*x; if -x*x is the expression, start it with a space: '
                               '" -x*x"')
    status, _, err = run(capsys, "train", "moons", "-q")
    assert status == 2 and "if -q is the expression" not in err  # only graph takes an expression


@pytest.mark.parametrize("text, hint", [("2x", "write 2*x"), ("x**2 + 3.5y", "write 3.5*y"), ("1e3w", "write 1e3*w"),
                                        ("tanh(2x)", "write 2*x")])
def test_a_number_written_against_a_name_gets_the_multiplication_hint(capsys, text, hint):
    status, _, err = run(capsys, "graph", text, "--set", "x=3", "y=1", "w=2")
    assert status == 2  # Python's words differ: "invalid decimal literal"; 3.9 "invalid syntax" or "unexpected EOF"
    assert_one_line_error(err, "cannot read the expression: ", f"; to multiply, {hint}")


@pytest.mark.parametrize("text, column", [("2(x + 1)", 2), ("(x + 1)(x - 1)", 8)])
def test_a_bracket_written_against_a_number_or_bracket_gets_the_multiplication_hint(capsys, text, column):
    status, _, err = run(capsys, "graph", text, "--set", "x=3")
    assert status == 2
    assert_one_line_error(err, f"at column {column}; to multiply, put * before the bracket, e.g. 2*(x + 1)")


def test_an_out_folder_that_cannot_be_written_is_reported_before_training(capsys, monkeypatch):
    with open("afile", "w", encoding="utf-8") as f:
        f.write("not a folder")
    for command in (["train", "xor", *TINY_TRAINING], ["demo", "neuron"]):
        status, out, err = run(capsys, *command, "--out", "afile")
        assert status == 1 and "training" not in out
        assert_one_line_error(err, "--out afile is a file, not a folder")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cli.tempfile, "TemporaryFile", refuse)  # root may write anywhere, so the folder pretends
    status, out, err = run(capsys, "train", "xor", *TINY_TRAINING, "--out", "locked")
    assert status == 1 and "training" not in out
    assert_one_line_error(err, "cannot write locked: Permission denied")


@pytest.mark.parametrize("argv, message", [
    (["train", "xor", "--out", ""], "an empty folder name"),
    (["graph", "x", "--set", "x=1", "--html", "steps.svg"],
     "the step-through is a web page: end 'steps.svg' with .html"),
    (["graph", "x", "--set", "x=1", "--html", ""], "end '' with .html"),
])
def test_output_names_that_cannot_work_are_usage_errors(capsys, argv, message):
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert_one_line_error(err, message)


def test_an_infinite_result_gets_a_warning_line(capsys):
    status, out, err = run(capsys, "graph", "exp(x)", "--set", "x=1000")
    assert status == 0 and "f = exp(x) = inf" in out
    assert err.startswith("micrograd-club: warning: a result is inf or nan") and err.count("\n") == 1


def test_an_expression_the_terminal_could_not_decode_is_a_usage_error(capsys):
    """σ typed in a terminal set to ASCII: Python keeps its two bytes as surrogates, and the
    parser's UnicodeEncodeError was a traceback."""
    status, out, err = run(capsys, "graph", "σ(x)".encode("utf-8").decode("ascii", "surrogateescape"), "--set", "x=1")
    assert status == 2 and out == ""
    assert_one_line_error(err, "the byte 0xcf at column 1 is not a character in the terminal's encoding", "sigmoid")
