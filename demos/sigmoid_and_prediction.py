"""The article's sigmoid(2.5), predictions ŷ = σ(W·x + b), error formula and squared-error descent.

The article "The Foundational Mathematics of Machine Learning" (the club's reference
000_4a7620ae3d76859b.txt), computed by the engine: sigmoid(2.5), the predictions
ŷ = σ(W·x + b) it prints, its error formula −y ln ŷ − (1 − y) ln(1 − ŷ) with the gradient
found by backpropagation beside the one worked out by hand, and gradient descent on the
squared errors E = ½ Σ (y − ŷ)² of a tiny dataset.

The article typesets its error function E(W) = −(1/m) Σ y ln ŷ + (1 − y) ln(1 − ŷ) without
brackets around the two terms, so the minus sign misses the second: read as printed, the
error of a wrong prediction for label 0 is negative and gradient descent pushes ŷ further
towards the wrong answer. The demo shows both; its code's error_formula has the brackets.

    python demos/sigmoid_and_prediction.py [--out DIR]

Writes into DIR (default micrograd_club_out/sigmoid_and_prediction):
squared_error_descent.png, E after every step of gradient descent.
"""

import os

from micrograd_club import Value
from micrograd_club.demos._common import compare_line, output_folder, parse_out_dir, save_plot
from micrograd_club.losses import sse
from micrograd_club.nn import Parameter
from micrograd_club.optim import SGD
from micrograd_club.viz import plots

# What the article prints (numpy float64, shown to 17 significant digits).
NOTES_SIGMOID_2_5 = "0.92414181997875655"
NOTES_PREDICT_16_038_10 = "0.999999896117"
NOTES_PREDICT_1_038_01 = "0.61774787476924897"

# A tiny dataset for gradient descent: hours of practice x, and whether the student
# passed (1) or not (0).
HOURS = [0.5, 1.0, 1.5, 2.0, 3.0, 3.5, 4.0, 4.5]
PASSED = [0, 0, 0, 0, 1, 1, 1, 1]
LEARNING_RATE = 0.5
STEPS = 150


def predict(W, x, b):
    """The article's prediction ŷ = σ(W·x + b)."""
    return (W * x + b).sigmoid()


def error_formula(y, output):
    """The article's error of one prediction: −y ln ŷ − (1 − y) ln(1 − ŷ)."""
    return -y * output.log() - (1 - y) * (1 - output).log()


def error_as_typeset(y, output):
    """The article's E(W) for one example read as it is typeset, without brackets around the
    two terms: −y ln ŷ + (1 − y) ln(1 − ŷ), the second term added instead of subtracted."""
    return -y * output.log() + (1 - y) * (1 - output).log()


def error_by_backprop(formula, x=0.38, y=1.0, W=1.0, b=0.1):
    """``formula(y, ŷ)`` for ŷ = σ(W·x + b), and its ∂E/∂W and ∂E/∂b by backpropagation."""
    W, b = Parameter(W, "W"), Parameter(b, "b")
    y_hat = predict(W, x, b)
    error = formula(y, y_hat)
    error.backward()
    return {"y_hat": y_hat.data, "error": error.data, "dE/dW": W.grad, "dE/db": b.grad}


def error_and_its_gradient(x=0.38, y=1.0, W=1.0, b=0.1):
    """The error of ŷ = σ(W·x + b) against the label y, and ∂E/∂W, ∂E/∂b by backpropagation
    beside the hand-derived (ŷ − y)·x and ŷ − y (σ' = σ(1 − σ) cancels the log's 1/ŷ)."""
    found = error_by_backprop(error_formula, x, y, W, b)
    return {**found, "dE/dW by hand": (found["y_hat"] - y) * x, "dE/db by hand": found["y_hat"] - y}


def squared_error_descent(W=1.0, b=0.1, learning_rate=LEARNING_RATE, steps=STEPS):
    """Gradient descent on E = ½ Σ (y − ŷ)² over the tiny dataset, starting from W = 1,
    b = 0.1 (the article's second prediction). Returns E before every step, the final W and
    b, and the first step's gradient by backpropagation and by the article's formula
    ∂E/∂W = −Σ (y − ŷ)·σ'(W·x + b)·x."""
    W, b = Parameter(W, "W"), Parameter(b, "b")
    optimizer = SGD([W, b], lr=learning_rate)
    errors = []
    for step in range(steps):
        predictions = [predict(W, x, b) for x in HOURS]
        E = sse(predictions, PASSED)
        optimizer.zero_grad()
        E.backward()
        if step == 0:
            first_gradient = {
                "dE/dW": W.grad,
                "dE/dW by hand": -sum((y - p.data) * p.data * (1 - p.data) * x
                                      for x, y, p in zip(HOURS, PASSED, predictions)),
            }
        errors.append(E.data)
        optimizer.step()
    return {"errors": errors, "W": W.data, "b": b.data, **first_gradient}


def main(out_dir="micrograd_club_out/sigmoid_and_prediction"):
    """Print every number the article prints beside the engine's, the error formula and its
    gradient, and gradient descent on squared errors; plot E per step into ``out_dir``."""
    out_dir = output_folder(out_dir)

    print("Sigmoid and prediction, ŷ = σ(W·x + b):")
    sigmoid_2_5 = Value(2.5).sigmoid().data
    predict_16 = predict(Value(16.0), 0.38, 10).data
    predict_1 = predict(Value(1.0), 0.38, 0.1).data
    print(compare_line("σ(2.5)", NOTES_SIGMOID_2_5, sigmoid_2_5, width=22))
    print(compare_line("predict(16, .38, 10)", NOTES_PREDICT_16_038_10, predict_16, width=22))
    print(compare_line("predict(1, .38, .1)", NOTES_PREDICT_1_038_01, predict_1, width=22))

    print("\nThe error formula E = −y ln ŷ − (1 − y) ln(1 − ŷ) for ŷ = predict(1, .38, .1):")
    by_label = {}
    for y in (1.0, 0.0):
        found = by_label[y] = error_and_its_gradient(y=y)
        print(f"  label y = {y:.0f}: E = {found['error']:.6f}")
        print(f"    ∂E/∂W by backprop {found['dE/dW']:+.12f}   by hand (ŷ − y)·x = {found['dE/dW by hand']:+.12f}")
        print(f"    ∂E/∂b by backprop {found['dE/db']:+.12f}   by hand  ŷ − y    = {found['dE/db by hand']:+.12f}")
    typeset = error_by_backprop(error_as_typeset, y=0.0)
    print("  The article typesets E(W) = −(1/m) Σ y ln ŷ + (1 − y) ln(1 − ŷ): the minus sign misses the")
    print("  second term, which needs brackets with the first. Read as printed, for label 0:")
    print(f"    E = ln(1 − ŷ) = {typeset['error']:.6f}, below zero for a wrong answer, and ∂E/∂b = "
          f"{typeset['dE/db']:+.6f}:")
    print("    a descent step raises b, and ŷ with it, towards the wrong answer.")
    print(f"  With the brackets, as the article's own error_formula has them: E = {by_label[0.0]['error']:.6f}, "
          f"∂E/∂b = {by_label[0.0]['dE/db']:+.6f}.")

    print(f"\nGradient descent on E = ½ Σ (y − ŷ)², {len(HOURS)} examples, η = {LEARNING_RATE}:")
    descent = squared_error_descent()
    print(f"  first step: ∂E/∂W by backprop {descent['dE/dW']:+.12f}, "
          f"by the article's −Σ (y − ŷ)·σ'(h)·x {descent['dE/dW by hand']:+.12f}")
    for step, E in enumerate(descent["errors"]):
        if step < 5 or step % 25 == 0 or step == STEPS - 1:
            print(f"  step {step:3d}: E = {E:.6f}")
    print(f"  after {STEPS} steps W = {descent['W']:.4f}, b = {descent['b']:.4f}: "
          f"the boundary σ = ½ sits at x = −b/W = {-descent['b'] / descent['W']:.3f} hours")

    print("\nPictures:")
    plot_path = save_plot(
        plots.plot_curves, {"E = ½ Σ (y − ŷ)²": descent["errors"]},
        path=os.path.join(out_dir, "squared_error_descent.png"),
        title=f"Gradient descent on squared errors (η = {LEARNING_RATE})", xlabel="step", ylabel="E",
    )
    return {
        "sigmoid_2_5": sigmoid_2_5,
        "predict_16_038_10": predict_16,
        "predict_1_038_01": predict_1,
        "error_y1": by_label[1.0],
        "error_y0": by_label[0.0],
        "error_as_typeset_y0": typeset,
        "descent": descent,
        "files": [path for path in (plot_path,) if path],
    }


if __name__ == "__main__":
    main(parse_out_dir("sigmoid_and_prediction"))
