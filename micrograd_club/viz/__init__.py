"""Seeing backpropagation: graph diagrams with every partial derivative, a chain-rule
trace, and a step-through of the backward pass.

Start with a loss after ``loss.backward()``: ``draw_graph(loss)`` draws it (a picture in
Jupyter), ``explain(loss)`` prints the chain rule one line per node, and
``save_backward_html(loss, "steps.html")`` writes a page that steps through the backward
pass. Plots of training, decision boundaries and loss landscapes are in ``viz.plots``."""

from micrograd_club.viz.graph import (
    GraphTooLargeError,
    GraphvizNotFoundError,
    draw_dot,
    draw_graph,
    save_graph,
)
from micrograd_club.viz.stepper import BackwardSteps, backward_steps, save_backward_html
from micrograd_club.viz.trace import BackwardTrace, TraceStep, explain, trace_backward

__all__ = [
    "draw_graph",
    "draw_dot",
    "save_graph",
    "trace_backward",
    "explain",
    "backward_steps",
    "save_backward_html",
    "BackwardSteps",
    "BackwardTrace",
    "TraceStep",
    "GraphTooLargeError",
    "GraphvizNotFoundError",
]
