"""What every demo shares: its output folder, saving pictures (and carrying on without the
optional extras, matplotlib and Graphviz), comparing with the numbers the notes print, and
reading ``--out`` from the command line.

Each missing extra is reported in one line, once per demo run (``output_folder`` starts a
run), so a machine without matplotlib or Graphviz still runs every demo and prints every number.
"""

import argparse
import os
import sys

from micrograd_club._io import writes_unicode
from micrograd_club.viz import GraphvizNotFoundError, save_backward_html, save_graph
from micrograd_club.viz.graph import missing_dot_advice
from micrograd_club.viz.plots import INSTALL_HINT as INSTALL_PLOTS, MissingExtraError, save_figure

PLOTS_SKIPPED = f"plots skipped: {INSTALL_PLOTS}"
NO_GRAPHVIZ = (
    "Graphviz's dot is not installed, so diagrams are saved as DOT text (.dot) and HTML step-throughs "
    "are skipped: apt-get install graphviz / brew install graphviz / conda install graphviz"
)

# fit's progress bar, as the command line shows it: only where it can be seen (on a terminal,
# in Jupyter), not as lines of \r frames in a log file or a CI run's output.
PROGRESS = None

_already_said = set()


def output_folder(out_dir):
    """Create ``out_dir`` (and its parents) if missing, start a new run, and return it."""
    _already_said.clear()
    os.makedirs(out_dir, exist_ok=True)
    return out_dir


def parse_out_dir(name, argv=None):
    """The ``--out DIR`` option of ``python demos/NAME.py``: where pictures are written.
    As this starts the script, it also lets stdout and stderr print ∂ and σ (see writes_unicode)."""
    for stream in (sys.stdout, sys.stderr):
        writes_unicode(stream)
    default = os.path.join("micrograd_club_out", name)
    parser = argparse.ArgumentParser(description=f"Run the {name} demo.")
    parser.add_argument("--out", default=default, type=_folder_name,
                        help=f"folder for the pictures (default: {default})")
    return parser.parse_args(argv).out


def _folder_name(text):
    """--out's value: the name of a folder, new or existing, not of a file."""
    if os.path.exists(text) and not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder: give a folder's name")
    return text


def save_plot(plot_function, *args, path, **kwargs):
    """``plot_function(*args, path=path, **kwargs)`` (one of ``micrograd_club.viz.plots``),
    or one line saying how to get matplotlib if it is missing. Returns the path or None."""
    try:
        plot_function(*args, path=path, **kwargs)
    except MissingExtraError:
        _say_once(PLOTS_SKIPPED)
        return None
    return _wrote(path)


def save_panels(path, panels, *, columns=None, title=None, panel_size=(4.8, 4.0)):
    """Several plots side by side in one picture: ``panels`` is a list of
    ``(plot_function, args, kwargs)``, each drawn into its own Axes. Returns the path or None."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        _say_once(PLOTS_SKIPPED)
        return None
    columns = columns or len(panels)
    rows = -(-len(panels) // columns)
    figure = Figure(figsize=(panel_size[0] * columns, panel_size[1] * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for ax, (plot_function, args, kwargs) in zip(axes, panels):
        plot_function(*args, ax=ax, **kwargs)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    if title:
        figure.suptitle(title)
    save_figure(figure, path)
    return _wrote(path)


def save_diagram(root, path, **options):
    """The computation graph of ``root`` as a picture (``save_graph``; options as for
    ``draw_graph``). Without Graphviz's dot, writes the DOT text next to it (.dot) instead.
    Returns the path written."""
    try:
        save_graph(root, path, **options)
    except GraphvizNotFoundError:
        _say_once(missing_dot_advice(NO_GRAPHVIZ))
        path = os.path.splitext(path)[0] + ".dot"
        save_graph(root, path, **options)
    return _wrote(path)


def save_step_through(root, path, **options):
    """The backward pass of ``root`` as an HTML page to click through (``save_backward_html``),
    or one line saying it was skipped because Graphviz's dot is missing. Returns the path or None."""
    try:
        save_backward_html(root, path, **options)
    except GraphvizNotFoundError:
        _say_once(missing_dot_advice(NO_GRAPHVIZ))
        return None
    return _wrote(path)


def verdict(printed, exact):
    """How a number printed in the notes compares with the exact value:
    "ok" (correctly rounded), "last digit" (off by at most one unit in the last printed
    digit: truncated rather than rounded, or computed from a truncated number) or "WRONG"
    (an arithmetic error)."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    unit = 10.0**-decimals
    if round(exact, decimals) == float(printed):
        return "ok"
    if abs(exact - float(printed)) <= unit * (1 + 1e-9):
        return "last digit"
    return "WRONG"


VERDICT_MARKS = {"ok": "✓", "last digit": "~ last digit", "WRONG": "✗ WRONG in the notes"}


def compare_line(name, printed, exact, width=12):
    """One line of a "notes print / engine computes" table, with the verdict."""
    mark = VERDICT_MARKS[verdict(printed, exact)]
    return f"  {name:<{width}} notes: {printed:<20} engine: {exact!r:<22} {mark}"


def _say_once(message):
    if message not in _already_said:
        _already_said.add(message)
        print(message)


def _wrote(path):
    print(f"  wrote {path}")
    return path
