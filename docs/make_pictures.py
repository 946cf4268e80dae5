"""Regenerate the pictures in the README from the code itself.

    python docs/make_pictures.py

Writes into docs/images/:
- backprop_4_7.svg: the notes' section 4.7 network after backward(), every edge labelled
  with its local derivative and the gradient that flowed along it;
- mlp_neurons.svg: an MLP(2, [4, 4, 1]) drawn one node per neuron;
- a few of the demos' plots (paths.png, outlier_fits.png, moons_boundary.png), made by
  running those demos.
"""

import contextlib
import io
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "demos"))

import backprop_by_hand  # noqa: E402
from micrograd_club import Value  # noqa: E402
from micrograd_club.demos import gradient_descent, loss_functions, mlp_classifier  # noqa: E402
from micrograd_club.nn import MLP  # noqa: E402
from micrograd_club.viz import save_graph  # noqa: E402

IMAGES = os.path.join(HERE, "images")
# (demo module, picture it writes) for the README
DEMO_PICTURES = [
    (gradient_descent, "paths.png"),
    (loss_functions, "outlier_fits.png"),
    (mlp_classifier, "moons_boundary.png"),
]


def draw_diagrams(folder=IMAGES):
    """The two graph diagrams; returns the paths written."""
    os.makedirs(folder, exist_ok=True)
    net = backprop_by_hand.build_network()
    net["L"].backward()
    written = [save_graph(net["L"], os.path.join(folder, "backprop_4_7.svg"), highlight=net["w1"])]
    model = MLP(2, [4, 4, 1], seed=1)
    out = model([Value(0.5, "x1"), Value(-1.0, "x2")])
    out.label = "score"
    out.backward()
    written.append(save_graph(out, os.path.join(folder, "mlp_neurons.svg"), collapse="neuron"))
    return written


def copy_demo_pictures(folder=IMAGES):
    """Run the demos that draw the README's plots and copy those plots; returns the paths."""
    written = []
    with tempfile.TemporaryDirectory() as scratch:
        for demo, picture in DEMO_PICTURES:
            with contextlib.redirect_stdout(io.StringIO()):  # the demos' own report is not needed here
                demo.main(os.path.join(scratch, demo.__name__))
            target = os.path.join(folder, picture)
            shutil.copyfile(os.path.join(scratch, demo.__name__, picture), target)
            written.append(target)
    return written


def main(folder=IMAGES):
    written = draw_diagrams(folder) + copy_demo_pictures(folder)
    for path in written:
        print("wrote", os.path.relpath(path))
    return written


if __name__ == "__main__":
    main()
