"""The backward pass as a slide show: one diagram per step, the node whose gradient was
just completed outlined, nodes not reached yet without a gradient. ``save_backward_html``
puts every frame into one self-contained HTML page (inline SVG, no network, no server)
with Previous/Next buttons, a slider, arrow keys, and the chain-rule line of each step.
"""

import html
import json
import re

from micrograd_club._io import atomic_write_text
from micrograd_club.viz.graph import CURRENT, GraphTooLargeError, pipe, render
from micrograd_club.viz.trace import trace_backward

__all__ = ["backward_steps", "save_backward_html"]


def backward_steps(root, *, precision=4, **options):
    """Yield one diagram (a graphviz.Digraph) per step of the backward pass of ``root``,
    showing the gradients known so far with the node just completed outlined; each
    diagram's ``.step`` is that step's TraceStep (``diagram.step.text`` is its chain-rule
    line). Options are those of ``draw_graph`` (``rankdir``, ``collapse``, ``max_nodes`` …).

        for diagram in backward_steps(loss):
            display(diagram)  # in Jupyter
    """
    order = root.topological_order()
    known = {}
    for step in trace_backward(root, every_node=True, precision=precision):
        known[step.node] = step.grad
        diagram = render(order, dict(known), current=step.node, precision=precision, **options)
        diagram.step = step
        yield diagram


def save_backward_html(root, path, *, title="Backpropagation, step by step", max_steps=200, **options):
    """Write the step-through of ``root``'s backward pass to ``path`` as one HTML file that
    works offline. Needs Graphviz's ``dot`` to draw the frames. Returns the path."""
    steps = len(root.topological_order())
    if steps > max_steps:
        raise GraphTooLargeError(
            f"the backward pass of this graph has {steps} steps, more than max_steps={max_steps} frames; "
            "step through a smaller expression (one neuron, one example) or raise max_steps."
        )
    frames, lines = [], []
    for diagram in backward_steps(root, **options):
        frames.append(_inline_svg(pipe(diagram, "svg").decode("utf-8")))
        lines.append(diagram.step.text)
    atomic_write_text(path, _page(title, frames, lines))
    return path


def _inline_svg(svg):
    """Graphviz's SVG without the XML prologue and doctype, ready to sit inside HTML."""
    return re.sub(r"^.*?(?=<svg)", "", svg, flags=re.S)


def _page(title, frames, lines):
    # Inside <script> the HTML parser still reacts to "</script" and "<!--", so no "<" may appear
    # as itself; JSON reads \u003c as "<" again.
    steps_json = json.dumps(lines, ensure_ascii=False).replace("<", "\\u003c")
    frame_divs = "\n".join(
        f'<div class="frame" data-step="{i}"{"" if i == 0 else " hidden"}>{svg}</div>' for i, svg in enumerate(frames)
    )
    trace_items = "\n".join(f'<li data-step="{i}">{html.escape(line)}</li>' for i, line in enumerate(lines))
    return PAGE.format(
        title=html.escape(title),
        last=len(frames) - 1,
        count=len(frames),
        frames=frame_divs,
        trace=trace_items,
        steps_json=steps_json,
        current_color=CURRENT,
    )


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 1.5em; color: #212529; }}
  h1 {{ font-size: 1.3em; margin: 0 0 0.6em; }}
  .controls {{ display: flex; gap: 0.8em; align-items: center; margin-bottom: 0.8em; }}
  .controls button {{ font-size: 1em; padding: 0.3em 0.9em; }}
  #slider {{ width: 20em; }}
  #line {{ font-family: "DejaVu Sans Mono", monospace; background: #fff9db; padding: 0.5em 0.8em;
           border-left: 4px solid #fab005; margin-bottom: 0.8em; white-space: pre-wrap; }}
  .frame {{ overflow-x: auto; border: 1px solid #dee2e6; padding: 0.4em; }}
  ol {{ font-family: "DejaVu Sans Mono", monospace; font-size: 0.85em; color: #868e96; }}
  ol li.current {{ color: #212529; font-weight: bold; }}
  ol li.done {{ color: #495057; }}
</style>
</head>
<body>
<h1>{title}</h1>
<div class="controls">
  <button id="prev" type="button" aria-label="previous step">&larr; Previous</button>
  <button id="next" type="button" aria-label="next step">Next &rarr;</button>
  <input id="slider" type="range" min="0" max="{last}" value="0" aria-label="step">
  <span id="counter">step 1 of {count}</span>
</div>
<div id="line"></div>
{frames}
<h2 style="font-size:1em">The whole backward pass</h2>
<ol start="0">
{trace}
</ol>
<script type="application/json" id="steps">{steps_json}</script>
<script>
(function () {{
  var lines = JSON.parse(document.getElementById("steps").textContent);
  var frames = document.querySelectorAll(".frame");
  var items = document.querySelectorAll("ol li");
  var slider = document.getElementById("slider");
  var current = 0;
  function show(i) {{
    current = Math.max(0, Math.min(frames.length - 1, i));
    frames.forEach(function (frame, k) {{ frame.hidden = k !== current; }});
    items.forEach(function (item, k) {{
      item.className = k === current ? "current" : (k < current ? "done" : "");
    }});
    slider.value = current;
    document.getElementById("line").textContent = lines[current];
    document.getElementById("counter").textContent = "step " + (current + 1) + " of " + frames.length;
    document.getElementById("prev").disabled = current === 0;
    document.getElementById("next").disabled = current === frames.length - 1;
    var marked = frames[current].querySelector('[stroke="{current_color}"]');
    if (marked && marked.scrollIntoView) {{ marked.scrollIntoView({{block: "nearest", inline: "center"}}); }}
  }}
  document.getElementById("prev").addEventListener("click", function () {{ show(current - 1); }});
  document.getElementById("next").addEventListener("click", function () {{ show(current + 1); }});
  slider.addEventListener("input", function () {{ show(parseInt(slider.value, 10)); }});
  document.addEventListener("keydown", function (event) {{
    if (event.key === "ArrowRight") {{ show(current + 1); event.preventDefault(); }}
    if (event.key === "ArrowLeft") {{ show(current - 1); event.preventDefault(); }}
  }});
  show(0);
}})();
</script>
</body>
</html>
"""
