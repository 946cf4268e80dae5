"""The backward pass as a slide show: one diagram per step, the node whose gradient was
just completed outlined, nodes not reached yet without a gradient. ``save_backward_html``
puts every frame into one self-contained HTML page (inline SVG, no network, no server)
with Previous/Next buttons, a slider, arrow keys, and the chain-rule line of each step.

Graphviz lays out the last frame once, and every frame is drawn with its nodes and edges
pinned there, so stepping changes only the numbers and the outline, never the picture.
"""

import html
import json
import os
import re

from micrograd_club._inputs import whole_number
from micrograd_club._io import atomic_write_text, plural
from micrograd_club.engine import Value
from micrograd_club.viz.graph import (
    CURRENT, GRAPH_EXTENSIONS, MAX_NODES, GraphTooLargeError, GraphvizNotFoundError, drawn_nodes, grad_cell_width,
    missing_dot_advice, pipe, render,
)
from micrograd_club.viz.notation import checked_precision
from micrograd_club.viz.trace import _trace

__all__ = ["backward_steps", "save_backward_html", "BackwardSteps"]


TITLE = "Backpropagation, step by step"
# Frames drawn into one page at most. Each is a whole picture of every node, so the page grows
# with the square of the steps: a chain of 150 nodes made 52 MB, 100 about 25 MB.
MAX_STEPS = 100

# The frame covers a line that shows where a notebook viewer strips frames (GitHub, or Jupyter
# with a notebook opened from a file and not trusted), instead of a blank space.
INLINE = (
    '<div style="position: relative; width: 100%; height: 40em">'
    '<p style="color: #495057">{title}: run this cell to step through it (in a notebook opened from a file, '
    'Jupyter shows it once the notebook is trusted: File → Trust Notebook).</p>'
    '<iframe title="{title}" style="position: absolute; top: 0; left: 0; width: 100%; height: 100%; '
    'border: 1px solid #dee2e6; background: #fff" srcdoc="{page}"></iframe></div>'
)


class BackwardSteps(list):
    """The diagrams of ``backward_steps``, one per step of the backward pass, in order. As a
    cell's result in Jupyter they show as the step-through page of ``save_backward_html``.
    ``key`` is the trace's "where v1 = …" line for the shorthands the steps use ("" if none)."""

    key = ""

    def __repr__(self):
        """How many there are and how to look at them, instead of every diagram's repr."""
        root = self[-1].step.root_name if self else "L"
        return (f"<BackwardSteps of {root}: {plural(len(self), 'diagram')}, one per step; display(steps[i]) in "
                "Jupyter, steps[i].step.text is its chain-rule line>")

    def _repr_html_(self):
        """Jupyter shows the steps inline as the page ``save_backward_html`` writes, with its
        buttons, slider and arrow keys, in a frame of its own in the cell's output (so its ids
        and keys cannot clash with the notebook's or another stepper's). Without Graphviz's
        ``dot``, or with more than MAX_STEPS frames, or when dot takes too long (see
        ``graph.DOT_SECONDS``), Jupyter shows why instead, as a ``Diagram`` does, above the text repr."""
        if not self:
            return None
        if len(self) > MAX_STEPS:
            return _note(f"{len(self)} steps are more than the {MAX_STEPS} frames shown as one page (each is a run of "
                         "Graphviz's dot, and the page grows with the square of the steps)", self)
        try:
            page = _stepper_page(self, TITLE)
        except GraphvizNotFoundError:
            return _note(missing_dot_advice(), self)
        except GraphTooLargeError as error:
            return _note(str(error), self)
        return INLINE.format(title=TITLE, page=html.escape(page, quote=True))


def _note(reason, steps):
    """What Jupyter shows in place of the step-through page: why there is none, then the text repr."""
    return f'<pre style="white-space: pre-wrap">{html.escape(reason)}\n{html.escape(repr(steps))}</pre>'


def backward_steps(root, *, precision=4, same_layout=True, root_name="L", **options):
    """One diagram (a graphviz.Digraph) per step of the backward pass of ``root``, in a list
    (a ``BackwardSteps``), showing the gradients known so far with the node just completed
    outlined; each diagram's ``.step`` is that step's TraceStep (``diagram.step.text`` is its
    chain-rule line). ``root_name`` names an unlabelled root, in the diagrams and the lines
    alike; the other options are ``draw_graph``'s drawing options (``rankdir``,
    ``show_local_grads``, ``highlight``, ``collapse``, ``max_nodes``, ``legend``). There is
    one step per node drawn, so with ``collapse="neuron"`` a neuron is one step, and its line
    is written with the diagram's names (∂L/∂(neuron 1.2)).

        for diagram in backward_steps(loss):
            display(diagram)  # in Jupyter

    As the last line of a Jupyter cell, ``backward_steps(loss)`` shows the step-through page of
    ``save_backward_html`` inline instead (Previous/Next, slider, arrow keys).

    With ``same_layout`` (the default) every diagram is drawn with the nodes and edges where
    Graphviz put them in the last one, so from step to step only the numbers and the outline
    change and nothing jumps around. That needs Graphviz's ``dot``; without it the diagrams
    are still made (``.source`` is their DOT text), each to be laid out on its own.

    A graph of more than ``max_nodes`` nodes drawn (150 unless given) raises GraphTooLargeError
    at once, saying what to step through instead.
    """
    _check_options(options, "backward_steps", DRAWING_OPTIONS)
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps expects a Value, got {type(root).__name__}")
    precision, order = checked_precision(precision), root.topological_order()
    # One step per node drawn, named as drawn: collapsed, a neuron's inner nodes had steps of their
    # own, frames with nothing outlined, and lines that called "neuron 2.1" (Σwx+b)#4.
    # Refused here, not by the first frame: tracing every node and measuring every grad with dot came first,
    # which took half a minute for a chain of 40,000 nodes.
    _, names, shown = drawn_nodes(order, options.get("collapse"), root_name, precision,
                                  max_nodes=whole_number(options.get("max_nodes", MAX_NODES), "max_nodes"))
    steps = _trace(order, True, precision, root_name, names=names, traced=set(shown))
    options["root_name"] = root_name
    grad_width = _widest_grad_cell(steps, precision) if same_layout else None
    frames = BackwardSteps(_frames(order, steps, precision, grad_width, options))
    frames.key = steps.key()
    if grad_width is not None:
        layout = json.loads(pipe(frames[-1], "json"))  # the last frame: every label at its largest
        for diagram in frames:
            _pin_to_layout(diagram, layout)
    return frames


# draw_graph's options that every frame is drawn with (backward_steps decides the rest)
DRAWING_OPTIONS = ("rankdir", "show_local_grads", "highlight", "collapse", "max_nodes", "legend")


def _check_options(options, where, allowed):
    """A misspelt option is reported as ``where``'s, not as one of the internal ``render()``."""
    for name in options:
        if name not in allowed:
            raise TypeError(f"{where}() got an unexpected keyword argument {name!r}; its options are "
                            f"{', '.join(allowed)}")


def _frames(order, steps, precision, grad_width, options):
    """One diagram per step: the gradients known after it, the node it completed outlined."""
    known = {}
    for step in steps:
        known[step.node] = step.grad
        diagram = render(order, dict(known), current=step.node, precision=precision, grad_width=grad_width,
                         **options)
        diagram.step = step
        yield diagram


def _widest_grad_cell(steps, precision):
    """The grad cell width (points) that fits every grad text of the pass, or None without Graphviz."""
    try:
        return grad_cell_width([step.grad for step in steps], precision)
    except GraphvizNotFoundError:
        return None


def _pin_to_layout(diagram, layout):
    """Draw ``diagram`` with every node and edge where ``layout`` (Graphviz's JSON output for a
    diagram of the same graph) put them, instead of laying it out afresh.

    Each node gets that ``pos``, each edge its spline ``pos`` and label place ``lp``, and the
    graph ``layout=nop2``, the attribute form of ``neato -n2``: "the positions are given, draw
    them". Graphviz makes a drawing just big enough for what is in it, so two invisible points
    at the corners of the layout's bounding box give every frame the same size.
    """
    for obj in layout["objects"]:
        if "pos" in obj:  # a node (subgraphs have none)
            diagram.node(obj["name"], pos=obj["pos"])
    _pin_edges(diagram, layout)
    x0, y0, x1, y1 = layout["bb"].split(",")
    for corner, pos in (("corner_low", f"{x0},{y0}"), ("corner_high", f"{x1},{y1}")):
        diagram.node(corner, label="", shape="point", width="0", height="0", style="invis", pos=pos)
    diagram.attr(layout="nop2")


EDGE_STATEMENT = re.compile(r"\t(\w+) -> (\w+)")


def _pin_edges(diagram, layout):
    """Give each edge statement of ``diagram`` the ``pos`` and ``lp`` of its edge in ``layout``.

    Edges have no names, so an edge is known by its tail, head and how many edges with the
    same ends came before it (``a + a`` has two edges from a to the +). DOT allows a second
    [attribute list] after an edge statement, so the pinned places are simply appended."""
    names = {obj["_gvid"]: obj["name"] for obj in layout["objects"]}
    placed = {}
    for edge in layout.get("edges", []):
        ends = (names[edge["tail"]], names[edge["head"]])
        placed.setdefault(ends, []).append({key: edge[key] for key in ("pos", "lp") if key in edge})
    for i, statement in enumerate(diagram.body):
        match = EDGE_STATEMENT.match(statement)
        places = placed.get(match.groups()) if match else None
        if places:
            attributes = " ".join(f'{key}="{value}"' for key, value in places.pop(0).items())
            diagram.body[i] = f"{statement.rstrip()} [{attributes}]\n"


def save_backward_html(root, path, *, title=TITLE, max_steps=MAX_STEPS, **options):
    """Write the step-through of ``root``'s backward pass to ``path`` as one HTML file that
    works offline, headed by ``title``. Needs Graphviz's ``dot`` to draw the frames. Returns
    the path. A graph of more than ``max_steps`` nodes drawn (one frame each; collapsed, a
    neuron is one) raises GraphTooLargeError at once: each frame pictures every node, so the
    page grows with the square of the steps (about 25 MB for 100).

    Every frame is drawn in the same layout (see ``backward_steps``, whose options it takes:
    ``precision``, ``same_layout``, ``root_name`` and the drawing options), so stepping
    changes only the numbers and the outline."""
    _check_options(options, "save_backward_html", ("precision", "same_layout", "root_name", *DRAWING_OPTIONS))
    if not isinstance(root, Value):
        raise TypeError(f"save_backward_html expects a Value (the result to backpropagate from), got "
                        f"{type(root).__name__}")
    if os.path.splitext(os.fspath(path))[1].lower() in GRAPH_EXTENSIONS:
        raise ValueError(f"save_backward_html writes a web page, not a picture: end {os.fspath(path)!r} with .html "
                         "(save_graph writes one diagram as a picture)")
    max_steps = whole_number(max_steps, "max_steps")
    # one frame per node drawn: refused before anything is traced or drawn
    drawn_nodes(root.topological_order(), options.get("collapse"), max_nodes=max_steps, limit="max_steps")
    atomic_write_text(path, _stepper_page(backward_steps(root, **options), title))
    return path


def _stepper_page(diagrams, title):
    """The step-through page of ``backward_steps``' diagrams, each drawn to SVG by dot."""
    frames = [_inline_svg(pipe(diagram, "svg").decode("utf-8"), _frame_name(diagram.step, i, len(diagrams)))
              for i, diagram in enumerate(diagrams, start=1)]
    return _page(title, frames, [diagram.step.text for diagram in diagrams], diagrams.key)


def _frame_name(step, number, count):
    """What a screen reader calls a frame's picture: without a name it read out every text in
    the diagram, legend included, one run of numbers with no word of which node is outlined."""
    return (f"step {number} of {count}: the backward graph of {step.root_name}, with {step.name} outlined, "
            "the node whose gradient was just completed")


def _inline_svg(svg, name):
    """Graphviz's SVG without the XML prologue and doctype, ready to sit inside HTML, as an
    image called ``name``."""
    svg = re.sub(r"^.*?(?=<svg)", "", svg, flags=re.S)
    label = f' role="img" aria-label="{html.escape(name)}"'
    return re.sub(r"<svg\b[^>]*", lambda tag: tag.group(0) + label, svg, count=1)


def _page(title, frames, lines, key):
    # Inside <script> the HTML parser still reacts to "</script" and "<!--", so no "<" may appear
    # as itself; JSON reads \u003c as "<" again.
    steps_json = json.dumps(lines, ensure_ascii=False).replace("<", "\\u003c")
    frame_divs = "\n".join(
        f'<div class="frame" data-step="{i}"{"" if i == 0 else " hidden"}>{svg}</div>' for i, svg in enumerate(frames)
    )
    trace_items = "\n".join(f'<li data-step="{i}">{html.escape(line)}</li>' for i, line in enumerate(lines))
    key_line = f'<p id="key">{html.escape(key)}</p>' if key else ""  # what v1, v2, … in the lines stand for
    return PAGE.format(
        title=html.escape(title),
        last=len(frames) - 1,
        count=len(frames),
        frames=frame_divs,
        trace=trace_items,
        key=key_line,
        steps_json=steps_json,
        current_color=CURRENT,
    )


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  /* The page is one screen high and never scrolls: the header (title, controls, the step's
     chain-rule line) stays on top, and only the diagram area below it scrolls. */
  html, body {{ height: 100%; margin: 0; }}
  body {{ display: flex; flex-direction: column; font-family: "DejaVu Sans", Helvetica, Arial, sans-serif;
          color: #212529; }}
  header {{ flex: none; position: sticky; top: 0; z-index: 1; background: #fff; padding: 0.8em 1.5em 0.6em;
            border-bottom: 1px solid #dee2e6; box-shadow: 0 2px 4px rgba(0, 0, 0, 0.06); }}
  h1 {{ font-size: 1.3em; margin: 0 0 0.5em; }}
  .controls {{ display: flex; flex-wrap: wrap; gap: 0.6em 0.8em; align-items: center; margin-bottom: 0.6em; }}
  .controls button {{ font-size: 1em; padding: 0.3em 0.9em; }}
  #slider {{ width: 20em; max-width: 40vw; }}
  .hint {{ color: #6c757d; font-size: 0.9em; }}
  kbd {{ border: 1px solid #adb5bd; border-radius: 3px; padding: 0 0.3em; background: #f8f9fa;
         font-family: inherit; }}
  #line {{ font-family: "DejaVu Sans Mono", monospace; background: #e7f5ff; padding: 0.5em 0.8em;
           border-left: 4px solid {current_color}; white-space: pre-wrap; max-height: 6em; overflow: auto; }}
  #key {{ font-family: "DejaVu Sans Mono", monospace; font-size: 0.85em; color: #495057; margin: 0.4em 0 0;
          max-height: 3em; overflow: auto; }}
  #stage {{ flex: 1; min-height: 0; overflow: auto; padding: 0.8em 1.5em; }}
  .frame {{ width: max-content; border: 1px solid #dee2e6; padding: 0.4em; }}
  .frame svg {{ display: block; }}
  ol {{ font-family: "DejaVu Sans Mono", monospace; font-size: 0.85em; color: #6c757d; }}
  ol li.current {{ color: #212529; font-weight: bold; }}
  ol li.done {{ color: #495057; }}
  /* Printed (a handout): the page grows instead of scrolling, so the diagram area would cut the
     picture off at the paper's edge; it is shrunk to fit the page instead, without the controls. */
  @media print {{
    html, body {{ height: auto; }}
    body {{ display: block; }}
    header {{ position: static; box-shadow: none; }}
    .controls button, #slider, .hint {{ display: none; }}
    #line, #key {{ max-height: none; }}
    #stage {{ overflow: visible; padding: 0.8em 0; }}
    .frame {{ width: auto; break-inside: avoid; }}
    .frame svg {{ width: auto; height: auto; max-width: 100%; max-height: 85vh; }}
  }}
</style>
</head>
<body>
<header>
<h1>{title}</h1>
<div class="controls">
  <button id="prev" type="button" aria-label="previous step">&larr; Previous</button>
  <button id="next" type="button" aria-label="next step">Next &rarr;</button>
  <input id="slider" type="range" min="0" max="{last}" value="0" aria-label="step">
  <span id="counter">step 1 of {count}</span>
  <span class="hint">or press <kbd>&larr;</kbd> <kbd>&rarr;</kbd> on the keyboard</span>
</div>
<div id="line" role="status"></div>
{key}
</header>
<main id="stage" tabindex="0" aria-label="diagram and the whole backward pass">
{frames}
<h2 style="font-size:1em">The whole backward pass</h2>
<ol>
{trace}
</ol>
</main>
<script type="application/json" id="steps">{steps_json}</script>
<script>
(function () {{
  var lines = JSON.parse(document.getElementById("steps").textContent);
  var frames = document.querySelectorAll(".frame");
  var items = document.querySelectorAll("ol li");
  var slider = document.getElementById("slider");
  var stage = document.getElementById("stage");
  var prev = document.getElementById("prev"), next = document.getElementById("next");
  var current = 0;
  // Scroll the diagram area (never the page, which would hide the controls) so that the
  // node is in view; a node already in view stays put, so the picture only moves when needed.
  function bringIntoView(node) {{
    var area = stage.getBoundingClientRect(), box = node.getBoundingClientRect();
    var left = area.left + stage.clientLeft, top = area.top + stage.clientTop;
    var width = stage.clientWidth, height = stage.clientHeight, margin = 16;
    if (box.left < left + margin || box.right > left + width - margin) {{
      stage.scrollLeft += box.left - left - (width - box.width) / 2;
    }}
    if (box.top < top + margin || box.bottom > top + height - margin) {{
      stage.scrollTop += box.top - top - (height - box.height) / 2;
    }}
  }}
  function show(i) {{
    current = Math.max(0, Math.min(frames.length - 1, i));
    frames.forEach(function (frame, k) {{ frame.hidden = k !== current; }});
    items.forEach(function (item, k) {{
      item.className = k === current ? "current" : (k < current ? "done" : "");
    }});
    var where = "step " + (current + 1) + " of " + frames.length;
    slider.value = current;
    slider.setAttribute("aria-valuetext", where);  // a screen reader said "0" for step 1 of 15
    document.getElementById("line").textContent = lines[current];
    document.getElementById("counter").textContent = where;
    var focused = document.activeElement;
    prev.disabled = current === 0;
    next.disabled = current === frames.length - 1;
    // A disabled button loses the keyboard's focus to the page: hand it to the slider, where a
    // key pressed once too often does nothing (on the other button, it would step back).
    if (focused.disabled) {{ slider.focus(); }}
    var marked = frames[current].querySelector('[stroke="{current_color}"]');
    if (marked) {{ bringIntoView(marked.closest("g.node") || marked); }}
  }}
  prev.addEventListener("click", function () {{ show(current - 1); }});
  next.addEventListener("click", function () {{ show(current + 1); }});
  slider.addEventListener("input", function () {{ show(parseInt(slider.value, 10)); }});
  document.addEventListener("keydown", function (event) {{
    if (event.altKey || event.ctrlKey || event.metaKey) {{ return; }}  // the browser's own: Alt+← goes back a page
    if (event.key === "ArrowRight") {{ show(current + 1); event.preventDefault(); }}
    if (event.key === "ArrowLeft") {{ show(current - 1); event.preventDefault(); }}
  }});
  show(0);
}})();
</script>
</body>
</html>
"""
