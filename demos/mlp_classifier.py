"""Section 5.6 and beyond: a softmax MLP, a 3-class spiral, and Karpathy's two moons.

Section 5.6 of the club's notes and beyond, computed by the engine: a multilayer
perceptron whose outputs go through a softmax to become class probabilities; one trained
with cross-entropy to tell apart the three arms of a spiral; and Karpathy's micrograd demo,
an MLP(2, [16, 16, 1]) that learns to separate two moons.

    python demos/mlp_classifier.py [--out DIR]

Writes into DIR (default micrograd_club_out/mlp_classifier): spiral_history.png and
spiral_boundary.png (loss and accuracy per epoch, and the class the model predicts at every
point of the plane), moons_history.png and moons_boundary.png.
"""

import os
import warnings

from micrograd_club import Value
from micrograd_club.data import make_moons, make_spiral
from micrograd_club.demos._common import PROGRESS, output_folder, parse_out_dir, save_plot
from micrograd_club.losses import cross_entropy
from micrograd_club.nn import MLP, softmax
from micrograd_club.optim import SGD, Adam, LambdaLR
from micrograd_club.train import fit
from micrograd_club.viz import plots

SPIRAL_EPOCHS = 80
MOONS_EPOCHS = 100


def section_5_6_example(x=(0.5, -1.0)):
    """The notes' Figure 5.6: 2 inputs, a hidden layer of 2 sigmoid neurons, 2 outputs
    through a softmax. Returns the hidden values, the logits and the probabilities, what the
    notes' yₖ = Σ xⱼwⱼₖ would give (the output weights and biases applied to the inputs
    instead of the hidden values), and those weights and biases."""
    model = MLP(2, [2, 2], activation="sigmoid", output_activation="softmax", seed=0)
    hidden_layer, output_layer = model.layers
    hidden = hidden_layer(list(x))
    logits = output_layer(hidden)
    probabilities = model(list(x))
    logits_from_inputs = [sum((w * x_j for w, x_j in zip(neuron.w, x)), neuron.b) for neuron in output_layer.neurons]
    return {
        "x": x,
        "hidden": [h.data for h in hidden],
        "logits": [z.data for z in logits],
        "probabilities": [p.data for p in probabilities],
        "logits_from_inputs": [z.data for z in logits_from_inputs],
        "output_weights": [[w.data for w in neuron.w] for neuron in output_layer.neurons],
        "output_biases": [neuron.b.data for neuron in output_layer.neurons],
    }


def train_spiral():
    """An MLP(2, [8, 8, 3]) with tanh, whose three outputs are logits (no softmax inside the
    model: cross_entropy applies log-softmax itself), trained with Adam on a 3-arm spiral."""
    X, y = make_spiral(n_samples=90, classes=3, noise=0.1, seed=0)
    model = MLP(2, [8, 8, 3], activation="tanh", seed=0)
    optimizer = Adam(model.parameters(), lr=0.05)
    history = fit(model, X, y, loss="cross_entropy", optimizer=optimizer, epochs=SPIRAL_EPOCHS, seed=0,
                  progress=PROGRESS)
    return model, X, y, history


def train_moons():
    """micrograd's demo: MLP(2, [16, 16, 1]) with ReLU and micrograd's weights
    (random.seed(1337)), hinge loss on labels ±1 plus 1e-4·L2, SGD with the learning
    rate falling from 1.0 to 0.1 over 100 epochs, each epoch one step on all 100 points."""
    X, y = make_moons(n_samples=100, noise=0.1, seed=0)
    y = y * 2 - 1  # labels -1 and +1, as the hinge loss wants
    model = MLP(2, [16, 16, 1], seed=1337)
    optimizer = SGD(model.parameters(), lr=1.0)
    scheduler = LambdaLR(optimizer, lambda epoch: 1.0 - 0.9 * epoch / MOONS_EPOCHS)
    history = fit(model, X, y, loss="hinge", optimizer=optimizer, scheduler=scheduler,
                  epochs=MOONS_EPOCHS, l2=1e-4, seed=0, progress=PROGRESS)
    return model, X, y, history


def main(out_dir="micrograd_club_out/mlp_classifier"):
    """Print the softmax MLP's forward pass and train both classifiers (with progress bars);
    draw their training curves and decision boundaries into ``out_dir``."""
    out_dir = output_folder(out_dir)

    example = section_5_6_example()
    print(f"Section 5.6: an MLP with 2 inputs, 2 sigmoid hidden neurons and a softmax output, at x = {example['x']}")
    print(f"  hidden h = σ(Σ xⱼwⱼᵢ + b):  [{', '.join(f'{h:.4f}' for h in example['hidden'])}]")
    print(f"  logits y = Σ hⱼwⱼₖ + bₖ:    [{', '.join(f'{z:.4f}' for z in example['logits'])}]")
    print(f"  softmax(y):                 [{', '.join(f'{p:.4f}' for p in example['probabilities'])}]"
          f" (sum {sum(example['probabilities']):.4f})")
    h = Value(1.0)
    notes_formula, sigmoid = (1 / (1 + h.exp())).data, h.sigmoid().data
    print("  Note: 5.6 writes σ(hᵢ) = 1/(1 + e^hᵢ), which lacks the minus sign of 5.3.5's σ(z) = 1/(1 + e^−z):")
    print(f"  at h = 1 it gives {notes_formula:.4f}, but σ(1) = {sigmoid:.4f}.")
    print("  Note: 5.6 writes yₖ = Σ xⱼwⱼₖ, the inputs, where the output layer sums the hidden values hⱼ;")
    print(f"  the same weights and biases on the inputs would give "
          f"[{', '.join(f'{z:.4f}' for z in example['logits_from_inputs'])}].")

    logits = example["logits"]
    right = cross_entropy(logits, 0).data
    with warnings.catch_warnings():  # the slip shown on purpose, whose warning says what the lines below say
        warnings.simplefilter("ignore")
        softmax_twice = cross_entropy([p.data for p in softmax(logits)], 0).data
    print(f"\n  losses.cross_entropy takes the logits: for class 0 it is −ln softmax(y)₀ = {right:.4f}.")
    print(f"  Given the probabilities instead, it would apply softmax twice and give {softmax_twice:.4f}, so the")
    print("  models below output logits (output_activation=None) and cross_entropy does the softmax.")

    print(f"\nA 3-class spiral, MLP(2, [8, 8, 3]) with tanh, cross-entropy, Adam, {SPIRAL_EPOCHS} epochs:")
    spiral_model, spiral_X, spiral_y, spiral_history = train_spiral()
    print(f"  final loss {spiral_history['loss'][-1]:.4f}, training accuracy {spiral_history['accuracy'][-1]:.1%}")

    print(f"\nKarpathy's moons: MLP(2, [16, 16, 1]) with ReLU, hinge loss + 1e-4·L2, SGD η 1.0 → 0.1, "
          f"{MOONS_EPOCHS} epochs:")
    moons_model, moons_X, moons_y, moons_history = train_moons()
    for epoch in (0, 9, 24, 49, MOONS_EPOCHS - 1):
        print(f"  epoch {epoch + 1:3d}: loss {moons_history['loss'][epoch]:.4f}, "
              f"accuracy {moons_history['accuracy'][epoch]:.0%}")

    print("\nPictures:")
    files = [
        save_plot(plots.plot_history, spiral_history, path=os.path.join(out_dir, "spiral_history.png"),
                  title="Spiral: cross-entropy and accuracy per epoch"),
        save_plot(plots.plot_decision_boundary, spiral_model, spiral_X, spiral_y,
                  path=os.path.join(out_dir, "spiral_boundary.png"), title="Spiral: the class with the largest logit"),
        save_plot(plots.plot_history, moons_history, path=os.path.join(out_dir, "moons_history.png"),
                  title="Moons: hinge loss and accuracy per epoch"),
        save_plot(plots.plot_decision_boundary, moons_model, moons_X, moons_y,
                  path=os.path.join(out_dir, "moons_boundary.png"), title="Moons: the sign of the score", threshold=0),
    ]
    return {
        "section_5_6": example,
        "notes_sigmoid_at_1": notes_formula,
        "sigmoid_at_1": sigmoid,
        "cross_entropy_of_logits": right,
        "cross_entropy_of_probabilities": softmax_twice,
        "spiral_history": dict(spiral_history),
        "spiral_accuracy": spiral_history["accuracy"][-1],
        "moons_history": dict(moons_history),
        "moons_accuracy": moons_history["accuracy"][-1],
        "files": [path for path in files if path],
    }


if __name__ == "__main__":
    main(parse_out_dir("mlp_classifier"))
