"""Regenerate the pictures in the README from the code itself.

    python docs/make_pictures.py

Writes docs/images/backprop_4_7.svg (the notes' section 4.7 network after backward(),
every edge labelled with its local derivative and the gradient that flowed along it) and
docs/images/mlp_neurons.svg (an MLP(2, [4, 4, 1]) drawn one node per neuron).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "demos"))

import backprop_by_hand  # noqa: E402
from micrograd_club import Value  # noqa: E402
from micrograd_club.nn import MLP  # noqa: E402
from micrograd_club.viz import save_graph  # noqa: E402

IMAGES = os.path.join(HERE, "images")


def main(folder=IMAGES):
    """Draw the README's pictures into ``folder``; returns the paths written."""
    os.makedirs(folder, exist_ok=True)
    net = backprop_by_hand.build_network()
    net["L"].backward()
    written = [save_graph(net["L"], os.path.join(folder, "backprop_4_7.svg"), rankdir="TB", highlight=net["w1"])]
    model = MLP(2, [4, 4, 1], seed=1)
    out = model([Value(0.5, "x1"), Value(-1.0, "x2")])
    out.label = "score"
    out.backward()
    written.append(save_graph(out, os.path.join(folder, "mlp_neurons.svg"), collapse="neuron"))
    for path in written:
        print("wrote", os.path.relpath(path))
    return written


if __name__ == "__main__":
    main()
