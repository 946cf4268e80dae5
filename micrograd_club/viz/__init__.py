"""Seeing backpropagation: graph diagrams with every partial derivative, a chain-rule
trace, and a step-through of the backward pass."""

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
