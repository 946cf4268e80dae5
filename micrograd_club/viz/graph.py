"""Graph diagrams of a Value's computation, drawn by Graphviz, with every partial derivative.

Each value is a box (name | data | grad), each op a small circle, and every edge from an
input into an op carries the op's local derivative ∂out/∂in; after ``backward()`` it also
carries what flowed back along it, upstream × local. A value used twice gets two edges,
and its grad is the sum of both flows.
"""

import glob
import html
import json
import math
import os
import pathlib
import subprocess
import sys
import textwrap

import graphviz

from micrograd_club._io import PNG_DPI, WINDOWS, atomic_write_bytes, plural, printable
from micrograd_club.engine import Value
from micrograd_club.nn import Parameter
from micrograd_club._inputs import whole_number
from micrograd_club.viz.notation import (
    WEIGHTED_SUM, checked_precision, local_formula, node_names, number, partial, role,
)
from micrograd_club.viz.trace import accumulation_note

__all__ = ["draw_graph", "draw_dot", "save_graph", "GraphTooLargeError", "GraphvizNotFoundError"]

COLORS = {
    "parameter": "#ffd8a8",
    "input": "#a5d8ff",
    "constant": "#e9ecef",
    "computed": "#ffffff",
    "output": "#b2f2bb",
    "neuron": "#eebefa",
}
# The pale fills are near-identical grays on a photocopy, and parameter/output and input/neuron
# look alike to red-green colour-blind eyes, so the leaves' cell borders differ as well.
BORDERS = {"parameter": ' border="2"', "input": ' style="dashed"', "constant": ' style="dotted"'}
MAX_NODES = 150  # draw_graph's default max_nodes: more value boxes than this are a hairball
# The longest Graphviz may take to draw one diagram. Its layout time grows far faster than the graph:
# x·x·…·x, 149 nodes with x used by every product, ran for more than nine minutes.
DOT_SECONDS = 60
SMALLER_PIECE = "Draw a smaller piece of it, e.g. a few steps of a long chain"  # of a graph too large or slow to draw
HIGHLIGHT = "#e03131"
# The stepper's node whose grad was just completed: a blue that stands out on white (the yellow it
# was had 1.9:1, under the 3:1 that WCAG asks of a picture's meaningful parts) and from the red
# path to red-green colour-blind eyes; its rounded corners set it apart from the path in gray too.
CURRENT = "#1971c2"
CURRENT_SHAPE = ' style="rounded"'
FONT = "DejaVu Sans"
NODE_FONT = {"fontname": FONT, "fontsize": "11"}
ACTIVATION_OPS = {"ReLU", "σ", "tanh", "leaky_relu"}
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
SOURCE_FORMATS = (".dot", ".gv")
# The highest dpi save_graph takes: more than any printer needs (a printed handout wants 300), and
# a typo such as 30000 for 300 would ask Graphviz for a picture larger than it can draw.
MAX_DPI = 1200
GRAPH_EXTENSIONS = (*FORMATS, *SOURCE_FORMATS)  # every file name save_graph can write

INSTALL_GRAPHVIZ = (
    "Graphviz's `dot` program is needed to render diagrams, and it is not installed. Install it with\n"
    "  Debian/Ubuntu: sudo apt-get install graphviz\n"
    "  macOS:         brew install graphviz\n"
    "  Windows:       winget install graphviz   (or https://graphviz.org/download/), then reopen the terminal\n"
    "  conda:         conda install -c conda-forge graphviz\n"
    "Without it, draw_graph(root).source still gives the DOT text, and save_graph(root, 'graph.dot') writes it."
)
# Graphviz's installer for Windows leaves its folder off PATH unless told otherwise.
OFF_PATH = (
    "Graphviz is installed in {folder}, but that folder is not on PATH, so its dot program is not found: "
    "add it (Start menu: Edit environment variables for your account > Path > New > {folder}), "
    "then open a new terminal or restart Jupyter"
)


class GraphTooLargeError(ValueError):
    """The graph has more nodes than can be drawn legibly, or Graphviz took longer than
    DOT_SECONDS to lay it out. The message says what to do from Python; ``reason`` is the
    message without that advice and ``limit`` the limit that was passed ("max_nodes",
    "max_steps" or "DOT_SECONDS"), so that the command line can give advice of its own."""

    def __init__(self, message, reason=None, limit=None):
        super().__init__(message)
        self.reason = message if reason is None else reason
        self.limit = limit


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """Graphviz's ``dot`` executable is not installed: the message says how to install it. A
    ``graphviz.ExecutableNotFound`` (a RuntimeError), so code written for graphviz catches it too."""

    def __init__(self, message):
        RuntimeError.__init__(self, message)  # graphviz's __init__ takes the command, not a message


class Diagram(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose ``pipe`` and ``render`` (and so ``view`` and the picture
    Jupyter shows) stop Graphviz after DOT_SECONDS, and that, shown in Jupyter on a machine
    without Graphviz, says how to install it instead of showing the library's traceback."""

    summary = "a graph"  # what is drawn, for repr: render() sets "L (10 values)"
    smaller = SMALLER_PIECE  # what to draw instead if Graphviz takes too long: render() sets one that fits

    def __repr__(self):
        """What the diagram is and how to see it, where no picture is shown (a plain REPL)."""
        return (f'<Diagram of {self.summary}: a picture in Jupyter; save_graph(root, "graph.svg") writes it to '
                "a file, .source is its DOT text>")

    def copy(self):
        """graphviz's ``copy``, which makes a new Diagram from the DOT statements and settings
        alone, keeping what ``render`` said about the diagram (``summary`` and ``smaller``)."""
        copied = super().copy()
        copied.summary, copied.smaller = self.summary, self.smaller
        return copied

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except GraphvizNotFoundError:
            return {"text/plain": f"{missing_dot_advice()}\n(The diagram itself is in .source, as DOT text.)"}
        except GraphTooLargeError as error:
            return {"text/plain": str(error)}

    def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False, *, engine=None,
             encoding=None):
        """graphviz's ``pipe``, with its arguments and result (the picture as bytes, or as text
        decoded with ``encoding``), but drawn by this module's ``pipe``: graphviz's own has no
        time limit."""
        picture = pipe(self, self.format if format is None else format, engine=engine, renderer=renderer,
                       formatter=formatter, neato_no_op=neato_no_op, quiet=quiet)
        return picture if encoding is None else picture.decode(encoding)

    def render(self, filename=None, directory=None, view=False, cleanup=False, format=None, renderer=None,
               formatter=None, neato_no_op=None, quiet=False, quiet_view=False, *, outfile=None, engine=None,
               raise_if_result_exists=False, overwrite_source=False):
        """graphviz's ``render``, with its arguments and result (the path of the picture), but the
        picture is drawn by ``pipe``, so Graphviz is stopped after DOT_SECONDS: graphviz's own
        render has no time limit. As there, the DOT source is saved (to ``filename`` in
        ``directory``, name.gv unless given) and the picture written beside it with the format
        added to its name (``render("graph")`` writes graph and graph.svg), or to ``outfile``,
        whose suffix names the format."""
        if raise_if_result_exists and overwrite_source:
            raise ValueError("overwrite_source cannot be combined with raise_if_result_exists")
        if outfile is not None:
            outfile = pathlib.Path(outfile) if directory is not None else pathlib.Path(self.directory, outfile)
            if format is None and not outfile.suffix:
                raise ValueError(f"cannot tell the format of outfile {os.fspath(outfile)!r}: give format='svg' "
                                 "(or 'png', 'pdf', …), or end the name with .svg, .png, .pdf, …")
            format = outfile.suffix[1:] if format is None else format
            filename = outfile.with_suffix(".gv") if filename is None else filename
        source = pathlib.Path(self.save(filename, directory=directory))
        format = self.format if format is None else format
        renderer = self.renderer if renderer is None else renderer
        formatter = self.formatter if formatter is None else formatter
        if outfile is None:
            added = ".".join(part for part in (formatter, renderer, format) if part)
            outfile = source.with_suffix(f"{source.suffix}.{added}")
        elif not overwrite_source and outfile.resolve() == source.resolve():
            raise ValueError(f"outfile {outfile.name!r} must be different from input file {source.name!r} "
                             "(pass overwrite_source=True to override)")
        if raise_if_result_exists and outfile.exists():
            raise graphviz.FileExistsError(f"output file exists: {os.fspath(outfile)!r}")
        atomic_write_bytes(outfile, self.pipe(format, renderer, formatter, neato_no_op, quiet, engine=engine))
        if cleanup:
            os.remove(source)
        if view or quiet_view:
            graphviz.view(outfile, quiet=quiet_view)
        return os.fspath(outfile)


def draw_graph(
    root,
    *,
    rankdir="auto",
    show_local_grads=True,
    precision=4,
    highlight=None,
    max_nodes=MAX_NODES,
    collapse=None,
    show_grads=None,
    legend=True,
    root_name="L",
):
    """A ``graphviz.Digraph`` (a ``Diagram``) of everything ``root`` was computed from.

    - ``rankdir``: "LR" (left to right, as micrograd draws), "TB" (top to bottom), "RL", "BT",
      or "auto": whichever of LR and TB keeps the picture narrower, so a long chain runs down
      the page instead of off its side, and a neuron with many inputs still fans out sideways.
    - ``show_local_grads``: label each input → op edge with ∂out/∂in (and the backward flow).
    - ``highlight``: a Value (e.g. a weight); the path from it to ``root`` is drawn in red,
      which shows how it affects the result.
    - ``collapse="neuron"``: draw each neuron (Σwx + b → activation) as one node, for MLPs.
    - ``max_nodes``: a larger graph raises GraphTooLargeError instead of drawing a hairball.
    - ``show_grads``: None shows grads once ``backward()`` has run (root.grad ≠ 0), and
      "not computed yet" before; True/False force it.
    - ``precision``: decimals of every number; ``legend``: a table naming the colours and borders.
    - ``root_name``: the name of an unlabelled root, L as in the notes (``explain`` and
      ``backward_steps`` take it too, so the picture and the chain rule can call it alike).

    The output is deterministic (the same graph gives the same DOT text), displays inline
    in Jupyter, and ``.render()``/``save_graph`` write files; ``.source`` needs no Graphviz.

    Draw after ``backward()`` and before the optimizer's ``step()``: computed nodes and edges
    show the numbers of the forward pass, while leaves show their data and grad now, so
    after a step (or a second ``backward()``, which adds to leaf grads) they disagree; a
    note under the picture then says so.
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph expects a Value (the result to draw the graph of), got {type(root).__name__}")
    order = root.topological_order()
    if show_grads is None:
        show_grads = root.grad != 0
    grads = {node: node.grad for node in order} if show_grads else {}
    diagram = render(
        order,
        grads,
        rankdir=rankdir,
        show_local_grads=show_local_grads,
        precision=precision,
        highlight=highlight,
        max_nodes=max_nodes,
        collapse=collapse,
        legend=legend,
        root_name=root_name,
    )
    note = accumulation_note(root, root_name) if show_grads else None
    if note:  # under the picture, so a leaf's grad that disagrees with its edges is explained
        diagram.attr(label="\n".join(textwrap.wrap(note, 70)), labelloc="b", fontsize="10", fontcolor="#c92a2a")
    return diagram


def draw_dot(root, format="svg", rankdir="LR", **options):
    """micrograd's ``draw_dot(root, format='svg', rankdir='LR')``, as its trace_graph notebook and
    lecture define it: ``draw_graph`` drawn left to right, whose ``render()`` writes ``format``,
    so ``draw_dot(y).render('gout')`` writes gout.svg and ``draw_dot(y, format='png')`` a PNG
    there as here. Other keywords are ``draw_graph``'s (``rankdir="auto"`` picks the narrower way)."""
    if not isinstance(format, str):
        raise TypeError(f"draw_dot's format is a file format such as 'svg' or 'png', got {type(format).__name__}")
    diagram = draw_graph(root, rankdir=rankdir, **options)
    diagram.format = format  # graphviz refuses an unknown format, naming the ones it knows
    return diagram


def save_graph(root, path, *, dpi=PNG_DPI, **options):
    """Draw ``root`` (options as for ``draw_graph``) and write it to ``path``: .svg, .png or
    .pdf (rendered by Graphviz), or .dot/.gv (the DOT source, no Graphviz needed).
    A PNG is drawn at ``dpi`` dots per inch: 150 unless given, as the plots are, sharp on a
    slide; ``dpi=300`` for a printed handout (up to MAX_DPI). SVG and PDF are sharp at any
    size and ignore it. The file is written atomically. Returns the path."""
    dpi = whole_number(dpi, "dpi", maximum=MAX_DPI)
    graph = draw_graph(root, **options)
    write_graph(graph, path, dpi=dpi)
    return path


def write_graph(graph, path, dpi=PNG_DPI):
    """Write a Digraph to ``path`` in the format its extension names (a PNG at ``dpi``, set
    with Graphviz's graph attribute of that name on a copy, so the diagram itself is unchanged)."""
    extension = os.path.splitext(os.fspath(path))[1].lower()
    if extension in SOURCE_FORMATS:
        atomic_write_bytes(path, graph.source.encode("utf-8"))
    elif extension in FORMATS:
        if extension == ".png":
            graph = graph.copy()
            graph.attr(dpi=str(dpi))
        atomic_write_bytes(path, pipe(graph, FORMATS[extension]))
    else:
        known = ", ".join(sorted(FORMATS) + sorted(SOURCE_FORMATS))
        raise ValueError(f"cannot tell the format of {os.fspath(path)!r}: use one of {known}")


def pipe(graph, fmt, *, engine=None, renderer=None, formatter=None, neato_no_op=None, quiet=True):
    """Draw ``graph`` in the format ``fmt`` with Graphviz, as ``graphviz.Digraph.pipe`` does (with
    the graph's own layout engine, renderer and formatter unless given others), but stopped after
    DOT_SECONDS (graphviz's pipe has no time limit): then GraphTooLargeError says what to draw
    instead. Without dot, GraphvizNotFoundError says how to install it. Unless ``quiet``, dot's
    warnings go to stderr."""
    command = dot_command(graph, fmt, engine, renderer, formatter, neato_no_op)
    try:
        done = subprocess.run(command, input=graph.source.encode(graph.encoding), capture_output=True,
                              timeout=DOT_SECONDS)
    except FileNotFoundError:
        raise GraphvizNotFoundError(missing_dot_advice()) from None
    except subprocess.TimeoutExpired:  # subprocess.run has stopped dot
        raise too_slow(graph) from None
    if done.stderr and not quiet:
        sys.stderr.write(done.stderr.decode(errors="replace"))
    if done.returncode:
        raise graphviz.CalledProcessError(done.returncode, command, output=done.stdout, stderr=done.stderr)
    return done.stdout


def too_slow(graph):
    """The GraphTooLargeError for a ``graph`` that Graphviz took more than DOT_SECONDS to lay out,
    saying what to draw instead (a Diagram's ``smaller``, which fits how it was drawn)."""
    reason = (f"Graphviz's dot was stopped after {DOT_SECONDS} s laying out {getattr(graph, 'summary', 'a graph')}: "
              "its layout time grows far faster than the graph, most of all for a value used by many operations "
              "far apart (x in x·x·…·x)")
    advice = (f"{getattr(graph, 'smaller', SMALLER_PIECE)}; or write the DOT text with save_graph(root, 'graph.dot') "
              "and run dot on it yourself, which has no time limit.")
    return GraphTooLargeError(f"{reason}. {advice}", reason, "DOT_SECONDS")


def dot_command(graph, fmt, engine=None, renderer=None, formatter=None, neato_no_op=None):
    """The command that graphviz runs to draw ``graph`` in the format ``fmt`` (``dot -Kdot -Tsvg``),
    with its own layout engine, renderer and formatter unless given others; refusing what
    graphviz refuses, with its messages."""
    engine = graph.engine if engine is None else engine
    renderer = graph.renderer if renderer is None else renderer
    formatter = graph.formatter if formatter is None else formatter
    for option, value, known in (("engine", engine, graphviz.ENGINES), ("format", fmt, graphviz.FORMATS),
                                 ("renderer", renderer, graphviz.RENDERERS),
                                 ("formatter", formatter, graphviz.FORMATTERS)):
        if value is not None and value.lower() not in known:
            raise ValueError(f"unknown {option}: {value!r} (must be one of {sorted(known)})")
    if formatter is not None and renderer is None:
        raise graphviz.RequiredArgumentError("formatter given without renderer")
    output = ":".join(part for part in (fmt, renderer, formatter) if part is not None)
    return ["dot", f"-K{engine}", f"-T{output}", *([f"-n{neato_no_op:d}"] if neato_no_op else [])]


def missing_dot_advice(install=INSTALL_GRAPHVIZ):
    """What to do when Graphviz's dot is not found: ``install`` it, or on Windows, where it is
    installed but not on PATH, add its folder to PATH (saying "install it" would not help)."""
    if not WINDOWS:
        return install
    # ProgramW6432 is C:\Program Files to a 32-bit Python too, whose ProgramFiles is the (x86) one
    for variable in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"):
        if os.environ.get(variable):
            found = sorted(glob.glob(os.path.join(glob.escape(os.environ[variable]), "Graphviz*", "bin", "dot.exe")))
            if found:
                return OFF_PATH.format(folder=os.path.dirname(found[-1]))
    return install


# ----- building the diagram -----


def render(order, grads, *, current=None, rankdir="auto", show_local_grads=True, precision=4,
           highlight=None, max_nodes=MAX_NODES, collapse=None, legend=True, root_name="L", grad_width=None):
    """The diagram of a graph given in topological order. ``grads`` maps each node whose
    gradient is known to it (nodes missing from it show "not computed yet"); ``current``
    is drawn as the node whose gradient was just completed. ``grad_width`` (points) is the
    least width of every box's grad cell: the backward stepper gives the widest one it
    will show (``grad_cell_width``), so that no box changes size from step to step."""
    precision, max_nodes = checked_precision(precision), whole_number(max_nodes, "max_nodes")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(map(repr, RANKDIRS))}, got {rankdir!r}")
    root = order[-1]
    neurons, names, shown = drawn_nodes(order, collapse, root_name, precision, max_nodes=max_nodes)
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    on_path = path_to_root(order, highlight) if highlight is not None else set()
    if rankdir == "auto":
        rankdir = narrower_direction(shown, neurons, legend)

    graph = Diagram(
        graph_attr={"rankdir": rankdir, "fontname": FONT, "nodesep": "0.25", "ranksep": "0.45"},
        node_attr=dict(NODE_FONT),
        edge_attr={"fontname": FONT, "fontsize": "9", "color": "#495057"},
    )
    graph.summary = f"{names[root]} ({plural(len(shown), 'value')})"
    graph.smaller = smaller_piece(order, collapse, neurons)
    if neurons:  # dense layer-to-layer wiring: bundle the edges, keep each layer in order
        graph.attr(concentrate="true", ordering="in")
        graph.attr("edge", penwidth="0.6", arrowsize="0.5")
    for node in shown:
        node_id = ids[node]
        neuron = neurons.get(node)
        kind = "output" if node is root else role(node)
        outline = CURRENT if node is current else (HIGHLIGHT if node in on_path else None)
        box = _value_box(names[node], node.data, grads.get(node), precision, kind, neuron, outline,
                         keep_border=current is not None, grad_width=grad_width)
        graph.node(node_id, label=box, shape="plain")
        if neuron is not None:
            _draw_neuron_inputs(graph, neuron, node_id, ids, precision, on_path)
            continue
        if not node.parents:
            continue
        op_id = f"{node_id}op"
        path_edge = node in on_path
        graph.node(op_id, label=_html_text(printable(node.op)), shape="circle", width="0.3", margin="0.02",
                   style="filled", fillcolor="#f1f3f5", **({"color": HIGHLIGHT, "penwidth": "2"} if path_edge else {}))
        graph.edge(op_id, node_id, **({"color": HIGHLIGHT, "penwidth": "2"} if path_edge else {}))
        for index, parent in enumerate(node.parents):
            label = ""
            if show_local_grads:
                label = edge_label(node, index, names, precision, grads.get(node))
            style = {"color": HIGHLIGHT, "penwidth": "2"} if parent in on_path and path_edge else {}
            graph.edge(ids[parent], op_id, label=label, **style)
    if legend:
        _draw_legend(graph, current is not None, bool(on_path), bool(neurons))
    return graph


def drawn_nodes(order, collapse=None, root_name="L", precision=4, *, max_nodes=None, limit="max_nodes"):
    """What a diagram of ``order`` (a topological order) draws: (neurons, names, shown), where
    ``neurons`` are the collapsed neurons (see ``find_neurons``; none unless ``collapse`` is
    "neuron"), ``names`` each node's name in the diagram (a collapsed neuron's is "neuron 1.2")
    and ``shown`` the nodes drawn, in order. The step-through names its lines the same way.
    More than ``max_nodes`` shown raises GraphTooLargeError (naming the option ``limit``)
    before any name is made, so a graph of a million nodes is refused in moments."""
    if collapse not in (None, "neuron"):
        raise ValueError(f"collapse must be None or 'neuron', got {collapse!r}")
    if collapse is None and max_nodes is not None and len(order) > max_nodes:  # no need to look for neurons
        raise too_large(order, len(order), max_nodes, limit, collapse, {})
    neurons = find_neurons(order, precision) if collapse == "neuron" else {}
    hidden = _hidden_by(neurons, order)
    shown = [node for node in order if node not in hidden]
    if max_nodes is not None and len(shown) > max_nodes:
        raise too_large(order, len(shown), max_nodes, limit, collapse, neurons)
    names = node_names(order, root_name, given={output: neuron["name"] for output, neuron in neurons.items()})
    return neurons, names, shown


def too_large(order, count, limit_value, limit, collapse, neurons):
    """The GraphTooLargeError for a graph (``order``) of which ``count`` nodes would be drawn,
    refused by the option ``limit`` (max_nodes: one diagram; max_steps: one frame per node),
    saying what to draw instead, which depends on whether it was collapsed (``collapse``) and
    how many ``neurons`` that found."""
    if limit == "max_steps":
        what = (f"the backward pass of this graph has {count:,} steps, more than max_steps={limit_value} frames "
                "(each frame pictures every node, so the page grows with the square of the steps: 100 make 25 MB)")
    else:
        what = f"this graph has {count:,} value nodes, more than max_nodes={limit_value} can draw legibly"
    if collapse is not None and neurons:
        what += f" even with its {len(neurons):,} neurons collapsed ({len(order):,} nodes in all)"
    elif collapse is not None:
        what += "; collapse='neuron' found no neurons (a Σwx+b of Parameters, then its activation) to collapse"
    advice = (f"{smaller_piece(order, collapse, neurons)}; or raise {limit} (a picture of thousands of nodes is "
              "unreadable, and slow to draw).")
    return GraphTooLargeError(f"{what}. {advice}", what, limit)


def smaller_piece(order, collapse, neurons):
    """What to draw instead of the graph ``order``, too large or too slow to draw: a model's
    graph (one with Parameters) not yet collapsed can be, and one whose ``neurons`` were can be
    cut down to one example; any other graph only to a smaller piece."""
    if collapse is None and any(isinstance(node, Parameter) for node in order):
        return ("Pass collapse='neuron' to draw each neuron of a model as one node, or draw a smaller piece: "
                "one example's output, model(X[0]), rather than a loss over many examples, or one neuron's")
    if neurons:
        return "Draw one example's output, model(X[0]), rather than a loss over many examples, or a smaller model"
    return SMALLER_PIECE


RANKDIRS = ("auto", "LR", "TB", "RL", "BT")
# Rough sizes in points, measured on this module's own drawings: left to right, each value
# on the longest chain adds its box, an op circle and an edge label; top to bottom, each
# box on the widest rank adds its width.
LR_POINTS_PER_CHAIN_STEP = 400
TB_POINTS_PER_BOX = 215
TB_POINTS_FOR_LEGEND = 250  # top to bottom, the legend sits beside the top rank


def narrower_direction(shown, neurons, legend=True):
    """"LR" or "TB", whichever should give the narrower picture: left to right it is about
    as wide as the longest chain of values is long, top to bottom as the widest rank (values
    drawn side by side; a leaf sits one rank above the first node that uses it, as Graphviz
    places it) and the legend."""
    def drawn_parents(node):
        return neurons[node]["inputs"] if node in neurons else node.parents

    rank = {}
    for node in shown:  # topological order: parents first
        parents = drawn_parents(node)
        rank[node] = 1 + max(rank.get(p, 0) for p in parents) if parents else 0
    leaf_rank = {}
    for node in shown:
        for parent in drawn_parents(node):
            if not drawn_parents(parent):
                leaf_rank[parent] = min(leaf_rank.get(parent, rank[node] - 1), rank[node] - 1)
    rank.update(leaf_rank)
    boxes_per_rank = {}
    for node, r in rank.items():  # a neuron's box, with its summary line, is about two boxes wide
        boxes_per_rank[r] = boxes_per_rank.get(r, 0) + (2 if node in neurons else 1)
    longest_chain = 1 + max(rank.values()) - min(rank.values())
    wide_lr = LR_POINTS_PER_CHAIN_STEP * longest_chain
    wide_tb = TB_POINTS_PER_BOX * max(boxes_per_rank.values()) + (TB_POINTS_FOR_LEGEND if legend else 0)
    return "LR" if wide_lr <= wide_tb else "TB"


def edge_label(node, index, names, precision, upstream):
    """∂out/∂in = formula = value, and once the upstream gradient is known the flow
    ∂L/∂out × ∂out/∂in = contribution: an HTML-like label, so that names are shown exactly
    as written (see _html_text). An input that feeds the op more than once (x·x) has one edge
    per use, each with its own share: "∂L/∂x (edge 1 of 2) = x", not "∂L/∂x = x", which is
    half of the ∂L/∂x that its box and the trace give."""
    parent, local = node.parents[index], node.local_grads[index]
    formula = local_formula(node, index, names)
    symbol = partial(names[node], names[parent])
    uses = [i for i, other in enumerate(node.parents) if other is parent]
    if len(uses) > 1:
        symbol += f" (edge {uses.index(index) + 1} of {len(uses)})"
    lines = [f"{symbol}{f' = {formula}' if formula else ''} = {number(local, precision)}"]
    if upstream is not None:
        flow = number(upstream * local, precision)
        lines.append(f"flow: {number(upstream, precision)} × {number(local, precision)} = {flow}")
    return "<" + "<br/>".join(_html_text(line) for line in lines) + ">"


def _html_text(text):
    """Text for a Graphviz label, HTML-like or not, shown as written: Graphviz expands
    backslash sequences even in HTML-like labels (\\E, \\N become the edge's and node's
    ids), and reads \\\\ as one backslash (a single one at the end of a plain label would
    escape its closing quote)."""
    return html.escape(text).replace("\\", "\\\\")


def path_to_root(order, start):
    """Every node on some path from ``start`` to the root (including both)."""
    reaches = {start}
    for node in order:
        if any(parent in reaches for parent in node.parents):
            reaches.add(node)
    if order[-1] not in reaches:
        raise ValueError("highlight= must be a Value that the root was computed from")
    return reaches


CELLS = 'cellborder="1" cellspacing="0" cellpadding="4"'  # how a value box's cells are drawn


def _value_box(name, data, grad, precision, kind, neuron=None, outline=None, keep_border=False, grad_width=None):
    """name | data | grad as an HTML-like table, filled and bordered by role, outlined when marked.
    ``keep_border`` (the stepper's frames) gives the unmarked boxes an invisible outline as
    wide as the mark, so a box does not grow when marked; ``grad_width`` is the grad cell's
    least width in points."""
    title = f"<b>{_html_text(name)}</b>"
    if neuron is not None:
        title += f"<br/>{_html_text(neuron['summary'])}"
        kind = "output" if kind == "output" else "neuron"  # the result keeps the legend's output colour
    fill, cell = f'bgcolor="{COLORS[kind]}"', BORDERS.get(kind, "")
    table = f'border="0" {CELLS} {fill}'
    if outline:
        table = f'border="3" color="{outline}"{CURRENT_SHAPE if outline == CURRENT else ""} {CELLS} {fill}'
    elif keep_border:  # cells take the table's colour and fill its border unless given their own
        table, cell = f'border="3" color="transparent" {CELLS}', f'{cell} color="black" {fill}'
    grad_size = f' width="{grad_width}"' if grad_width else ""
    return (
        f"<<table {table}>"
        f"<tr><td{cell}>{title}</td><td{cell}>data {html.escape(number(data, precision))}</td>"
        f"<td{cell}{grad_size}>{html.escape(grad_text(grad, precision))}</td></tr></table>>"
    )


def grad_text(grad, precision):
    """What a box's grad cell says: the gradient, or that it is not known yet (None)."""
    return "grad not computed yet" if grad is None else f"grad {number(grad, precision)}"


def grad_cell_width(grads, precision):
    """The width in points of the widest grad cell among "grad not computed yet" and
    ``grads``, measured by Graphviz itself (each text drawn alone in a cell like a box's, with
    the thickest border a box has, a parameter's), since only Graphviz knows how wide its fonts
    draw. Needs ``dot``."""
    texts = sorted({grad_text(None, precision)} | {grad_text(grad, precision) for grad in grads})
    specimen = graphviz.Digraph(node_attr={**NODE_FONT, "shape": "plain"})
    cell = f'<table border="0" {CELLS}><tr><td{BORDERS["parameter"]}>{{}}</td></tr></table>'
    for i, text in enumerate(texts):
        specimen.node(f"t{i}", label=f"<{cell.format(html.escape(text))}>")
    layout = json.loads(pipe(specimen, "json"))
    return math.ceil(max(float(node["width"]) for node in layout["objects"]) * 72)  # inches to points


def _draw_neuron_inputs(graph, neuron, node_id, ids, precision, on_path):
    """An edge from each input into a collapsed neuron, labelled with its weight (up to four
    inputs), red where it lies on the highlighted path, as an op's input edges are."""
    for x, w in zip(neuron["inputs"], neuron["weights"]):
        label = f"w = {number(w.data, precision)}" if len(neuron["inputs"]) <= 4 else ""
        style = {"color": HIGHLIGHT, "penwidth": "2"} if x in on_path else {}  # then so is the neuron
        graph.edge(ids[x], node_id, label=label, **style)


def _draw_legend(graph, has_current, has_highlight, has_neurons):
    """One small table naming the colours and borders (and outlines) used."""
    cells = [
        f'<td bgcolor="{COLORS[kind]}"{BORDERS.get(kind, "")}>{text}</td>'
        for kind, text in [
            ("parameter", "parameter"),
            ("input", "input"),
            ("constant", "constant"),
            ("computed", "computed"),
            ("output", "output"),
        ]
    ]
    if has_neurons:
        cells.append(f'<td bgcolor="{COLORS["neuron"]}">neuron</td>')
    if has_current:
        cells.append(f'<td color="{CURRENT}" border="3"{CURRENT_SHAPE}>grad just completed</td>')
    if has_highlight:
        cells.append(f'<td color="{HIGHLIGHT}" border="2">highlighted path</td>')
    graph.node(
        "legend",
        label=f'<<table border="0" cellborder="1" cellspacing="2" cellpadding="3"><tr>{"".join(cells)}</tr></table>>',
        shape="plain",
        fontsize="9",
    )


# ----- collapsing neurons -----


def find_neurons(order, precision=4):
    """Neurons found by shape: one Σwx+b node whose weights and bias are Parameters (as
    ``nn`` builds them), or the micrograd way, b + w1·x1 + … + wn·xn, each followed by its
    activation: {output node: {"members", "inputs", "weights", "bias", "summary"}}. The
    output is the activation (or the sum, for a linear neuron); members are the nodes it
    replaces; the summary writes b with ``precision`` decimals, as the diagram writes numbers."""
    consumers = {}
    for node in order:
        for parent in node.parents:
            consumers[parent] = consumers.get(parent, 0) + 1
    activation_of = {}
    for node in order:
        if node.op in ACTIVATION_OPS and len(node.parents) == 1 and consumers.get(node.parents[0]) == 1:
            activation_of[node.parents[0]] = node
    chain_sums = _chain_sums(order, consumers)
    neurons, taken = {}, set()
    for top in reversed(order):
        if top in taken:
            continue
        if top.op == WEIGHTED_SUM:
            found = _fused_weighted_sum(top)
        elif top in chain_sums:
            found = _weighted_sum(top)
        else:
            continue
        if found is None:
            continue
        members, inputs, weights, bias = found
        output = activation_of.get(top, top)
        if output is not top:
            members.add(top)
        members -= {output}
        taken |= members | {output}
        act = output.op if output is not top else "linear"
        neurons[output] = {
            "members": members,
            "inputs": inputs,
            "weights": weights,
            "bias": bias,
            "summary": f"Σwx+b → {act}, {plural(len(weights), 'weight')}, b = {number(bias.data, precision)}",
        }
    _name_by_layer(neurons, order)
    return neurons


def _name_by_layer(neurons, order):
    """Name neurons "neuron <layer>.<k>": the layer is how many neurons deep it sits, and k its
    place among the next layer's inputs (which is its place in its own layer). A neuron is known
    by its bias, so in a loss over several examples each use of one neuron gets its name (as its
    parameters' labels n<layer>.<k>.… have it), and ``node_names`` calls the later uses
    (neuron 1.1)#2, …, as it does any name taken twice."""
    position = {node: i for i, node in enumerate(order)}
    place = {}
    for neuron in neurons.values():
        for k, x in enumerate(neuron["inputs"]):
            place.setdefault(x, k)
    layer_of, layers = {}, {}
    for output in sorted(neurons, key=position.get):  # parents first, so input layers are known
        layer_of[output] = 1 + max((layer_of.get(x, 0) for x in neurons[output]["inputs"]), default=0)
        layers.setdefault(layer_of[output], []).append(output)
    for layer, members in layers.items():
        members.sort(key=lambda o: (place.get(o, 0), position[o]))
        number_of_bias = {}
        for output in members:
            k = number_of_bias.setdefault(neurons[output]["bias"], len(number_of_bias) + 1)
            neurons[output]["name"] = f"neuron {layer}.{k}"


def _hidden_by(neurons, order):
    """The nodes neurons replace; a parameter also used outside its neurons (say, by an L2
    penalty) stays visible so those edges still have somewhere to start."""
    hidden = {member for neuron in neurons.values() for member in neuron["members"]}
    for node in order:
        if node not in hidden and node not in neurons:  # a neuron's box stands for its own parameters
            hidden.difference_update(p for p in node.parents if isinstance(p, Parameter))
    return hidden


def _fused_weighted_sum(top):
    """(members, inputs, weights, bias) if ``top`` is a Σwx+b node of Parameters, else None."""
    n = len(top.parents) // 2
    weights, inputs, bias = list(top.parents[:n]), list(top.parents[n:2 * n]), top.parents[-1]
    if not all(isinstance(p, Parameter) for p in (*weights, bias)):
        return None
    return {*weights, bias}, inputs, weights, bias


def _chain_sums(order, consumers):
    """The + nodes that end a chain b + w1·x1 + … + wk·xk: b and each wᵢ a Parameter, each
    product and each + below the top used only by the next +. One pass, parents first, each
    + decided from the one below it, so that ``find_neurons`` walks only the chains that are
    neurons (walking down from every + of a long sum, such as a loss over many examples,
    was quadratic)."""
    sums = set()
    for node in order:
        if node.op == "+" and len(node.parents) == 2:
            rest, term = node.parents
            starts_right = isinstance(rest, Parameter) or (rest in sums and consumers.get(rest) == 1)
            weight_times_input = (term.op == "*" and len(term.parents) == 2 and consumers.get(term) == 1
                                  and isinstance(term.parents[0], Parameter))
            if starts_right and weight_times_input:
                sums.add(node)
    return sums


def _weighted_sum(top):
    """(members, inputs, weights, bias) of b + w1·x1 + … + wn·xn, a top of ``_chain_sums``."""
    members, terms, node = set(), [], top
    while not isinstance(node, Parameter):  # down the chain to b
        members.add(node)
        terms.append(node.parents[1])
        node = node.parents[0]
    inputs, weights = [], []
    for term in reversed(terms):
        members |= {term, term.parents[0]}
        weights.append(term.parents[0])
        inputs.append(term.parents[1])
    members.add(node)
    return members, inputs, weights, node
