"""Gradient descent, momentum, RMSprop, Adagrad and Adam racing from the same start.

The optimizers that section 4.2 and section 6.2 of the club's notes name (gradient
descent, momentum, RMSprop, Adagrad, Adam), racing on one problem: an MLP(1, [8, 1]) with
tanh learning y = sin(x) from 20 points. Every optimizer starts from the same weights and
sees the same data, so the only difference is how each turns gradients into steps.

    python demos/optimizers.py [--out DIR]

Writes into DIR (default micrograd_club_out/optimizers): optimizer_losses.png, the loss per
epoch of each optimizer on a log scale.
"""

import math
import os

import numpy as np

from micrograd_club.demos._common import output_folder, parse_out_dir, save_plot
from micrograd_club.nn import MLP
from micrograd_club.optim import SGD, Adagrad, Adam, RMSprop
from micrograd_club.train import fit
from micrograd_club.viz import plots

EPOCHS = 200

# name -> how to build the optimizer for a model's parameters (learning rates picked by hand
# for this problem: each method has its own good range)
OPTIMIZERS = {
    "gradient descent (η = 0.1)": lambda params: SGD(params, lr=0.1),
    "momentum (η = 0.1, γ = 0.9)": lambda params: SGD(params, lr=0.1, momentum=0.9),
    "RMSprop (η = 0.005)": lambda params: RMSprop(params, lr=0.005),
    "Adagrad (η = 0.1)": lambda params: Adagrad(params, lr=0.1),
    "Adam (η = 0.02)": lambda params: Adam(params, lr=0.02),
}


def sine_data():
    """20 evenly spaced x in [−3, 3] and y = sin(x)."""
    X = np.linspace(-3, 3, 20).reshape(-1, 1)
    return X, np.array([math.sin(x) for x in X.ravel()])


def race(X, y, make_optimizer):
    """Train a fresh MLP(1, [8, 1]) (the same initial weights every time: seed 0) with full
    batches in a fixed order; returns the MSE loss of every epoch."""
    model = MLP(1, [8, 1], activation="tanh", seed=0)
    history = fit(model, X, y, loss="mse", optimizer=make_optimizer(model.parameters()), epochs=EPOCHS,
                  shuffle=False, progress=False)
    return history["loss"]


def main(out_dir="micrograd_club_out/optimizers"):
    """Train the same model with each optimizer, print how the loss fell, and plot the
    loss curves into ``out_dir``."""
    out_dir = output_folder(out_dir)
    X, y = sine_data()
    print(f"Learning y = sin(x) with an MLP(1, [8, 1]), tanh, MSE loss, {EPOCHS} full-batch epochs,")
    print("the same initial weights for every optimizer:")
    checkpoints = [0, 9, 49, 99, EPOCHS - 1]
    print(f"  {'epoch':<28}" + "".join(f"{epoch + 1:>10}" for epoch in checkpoints))
    curves = {}
    for name, make_optimizer in OPTIMIZERS.items():
        curves[name] = race(X, y, make_optimizer)
        print(f"  {name:<28}" + "".join(f"{curves[name][epoch]:10.5f}" for epoch in checkpoints))
    fastest = min(curves, key=lambda name: curves[name][-1])
    print(f"  lowest final loss: {fastest}")

    print("\nPictures:")
    epochs = range(1, EPOCHS + 1)  # numbered from 1, as in the table above and in plot_history
    plot_path = save_plot(plots.plot_curves, {name: (epochs, losses) for name, losses in curves.items()},
                          path=os.path.join(out_dir, "optimizer_losses.png"), log=True, xlabel="epoch", ylabel="MSE",
                          title="Five optimizers, same start, same data")
    return {
        "losses": curves,
        "final_losses": {name: losses[-1] for name, losses in curves.items()},
        "lowest_final_loss": fastest,
        "files": [path for path in (plot_path,) if path],
    }


if __name__ == "__main__":
    main(parse_out_dir("optimizers"))
