"""Section 3: the MSE worked example (Table 3.2), the other losses, and outliers pulling a fit.

Section 3 of the club's notes, computed by the engine: the Mean Squared Error worked
example (Tables 3.1 and 3.2), the other losses of section 3.3 (binary and categorical
cross-entropy, hinge, MAE, Huber) on small examples, and Figure 3.1's lesson: how outliers
pull a line fitted under MSE, MAE and Huber loss.

    python demos/loss_functions.py [--out DIR]

Writes into DIR (default micrograd_club_out/loss_functions): loss_curves.png (each loss
against the residual y − ŷ, and the classification losses against the margin y·f(x)) and
outlier_fits.png (the three fitted lines and the true one over data with outliers).
"""

import os

import numpy as np

from micrograd_club import Value
from micrograd_club.data import make_regression
from micrograd_club.demos._common import compare_line, output_folder, parse_out_dir, save_panels, save_plot
from micrograd_club.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge,
    huber,
    mae,
    mse,
    sse,
)
from micrograd_club.nn import Parameter, softmax
from micrograd_club.optim import SGD
from micrograd_club.viz import plots

# Tables 3.1 and 3.2: actual values yᵢ and the model's predictions ŷᵢ.
ACTUAL = [3, 5, 2, 7, 4]
PREDICTED = [2.8, 5.2, 2.5, 6.9, 3.9]
NOTES_SQUARED_ERRORS = ["0.04", "0.04", "0.25", "0.01", "0.01"]
NOTES_SUM = "0.35"
NOTES_MSE = "0.07"

# The line behind the outlier data, and the fit: gradient descent with momentum from θ = 0.
TRUE_SLOPE, TRUE_INTERCEPT = 2.0, 1.0
OUTLIER_FRACTION = 0.15
FIT_STEPS, FIT_LEARNING_RATE, FIT_MOMENTUM = 1000, 0.05, 0.9
HUBER_DELTA = 1.0

# Small classification examples: probabilities p of class 1 with labels y (binary
# cross-entropy), three class scores with the true class (categorical), scores f(x) with
# labels ±1 (hinge).
BCE_PROBABILITIES, BCE_LABELS = [0.9, 0.3, 0.6], [1, 0, 0]
CE_LOGITS, CE_CLASS = [2.0, 1.0, 0.1], 0
HINGE_SCORES, HINGE_LABELS = [2.3, 0.4, 0.5], [1, 1, -1]


def table_3_2():
    """Each observation's squared error (yᵢ − ŷᵢ)², their sum and the MSE, by the engine."""
    squared_errors = [((Value(y) - y_hat) ** 2).data for y, y_hat in zip(ACTUAL, PREDICTED)]
    half_sum = sse(PREDICTED, ACTUAL).data  # the library's sse is ½ Σ, as in section 4.4.3
    return {
        "squared_errors": squared_errors,
        "sse": half_sum,
        "sum_of_squared_errors": 2 * half_sum,
        "mse": mse(PREDICTED, ACTUAL).data,
    }


def regression_losses(actual, predicted):
    """MSE, MAE and Huber of one set of predictions."""
    return {
        "MSE": mse(predicted, actual).data,
        "MAE": mae(predicted, actual).data,
        "Huber": huber(predicted, actual, delta=HUBER_DELTA).data,
    }


def classification_examples():
    """The classification losses of section 3.3 on the small examples above."""
    return {
        "bce_each": [binary_cross_entropy(p, y).data for p, y in zip(BCE_PROBABILITIES, BCE_LABELS)],
        "bce": binary_cross_entropy(BCE_PROBABILITIES, BCE_LABELS).data,
        "softmax": [p.data for p in softmax(CE_LOGITS)],
        "cross_entropy": cross_entropy(CE_LOGITS, CE_CLASS).data,
        "cross_entropy_one_hot": cross_entropy(CE_LOGITS, [1.0, 0.0, 0.0]).data,
        "hinge_each": [hinge(s, y).data for s, y in zip(HINGE_SCORES, HINGE_LABELS)],
        "hinge": hinge(HINGE_SCORES, HINGE_LABELS).data,
    }


def fit_line(loss, xs, ys):
    """Fit ŷ = θ0 + θ1·x by gradient descent with momentum on ``loss``; returns (θ1, θ0)."""
    slope, intercept = Parameter(0.0, "θ1"), Parameter(0.0, "θ0")
    optimizer = SGD([slope, intercept], lr=FIT_LEARNING_RATE, momentum=FIT_MOMENTUM)
    for _ in range(FIT_STEPS):
        predictions = [intercept + slope * x for x in xs]
        optimizer.zero_grad()
        loss(predictions, ys).backward()
        optimizer.step()
    return slope.data, intercept.data


def main(out_dir="micrograd_club_out/loss_functions"):
    """Print the worked examples beside the notes' numbers and fit lines under three losses;
    draw the losses and the fits into ``out_dir``."""
    out_dir = output_folder(out_dir)

    print("Table 3.2: squared errors (yᵢ − ŷᵢ)²")
    table = table_3_2()
    for i, (printed, exact) in enumerate(zip(NOTES_SQUARED_ERRORS, table["squared_errors"])):
        print(compare_line(f"({ACTUAL[i]} − {PREDICTED[i]})²", printed, exact))
    print(f"  losses.sse(ŷ, y) = ½·Σ (yᵢ − ŷᵢ)² = {table['sse']!r} (the ½ of section 4.4.3), so:")
    print(compare_line("Σ (yᵢ − ŷᵢ)²", NOTES_SUM, table["sum_of_squared_errors"]))
    print(compare_line("MSE", NOTES_MSE, table["mse"]))
    print(f"  (computers store binary fractions: 3 − 2.8 = {3 - 2.8!r}, so its square is "
          f"{table['squared_errors'][0]!r}, not exactly 0.04)")

    with_outlier = list(ACTUAL)
    with_outlier[3] = 17  # observation 4 is an outlier now: ŷ = 6.9 misses it by 10.1
    clean, spoiled = regression_losses(ACTUAL, PREDICTED), regression_losses(with_outlier, PREDICTED)
    print(f"\nRegression losses on Table 3.1, and with observation 4 an outlier (y₄ = 17), Huber δ = {HUBER_DELTA}:")
    for name in clean:
        print(f"  {name:<6} {clean[name]:9.4f} → {spoiled[name]:9.4f}   ({spoiled[name] / clean[name]:5.0f}× larger)")
    print("  Squaring makes the one big error dominate MSE; MAE and Huber grow only in proportion to it.")

    print("\nClassification losses:")
    examples = classification_examples()
    print("  binary cross-entropy −[y·ln p + (1 − y)·ln(1 − p)]:")
    for p, y, each in zip(BCE_PROBABILITIES, BCE_LABELS, examples["bce_each"]):
        print(f"    p = {p}, y = {y}: {each:.4f}")
    print(f"    mean: {examples['bce']:.4f}")
    print(f"  categorical cross-entropy −Σ yᵢ·ln pᵢ, logits {CE_LOGITS}, true class {CE_CLASS}:")
    print(f"    softmax p = [{', '.join(f'{p:.4f}' for p in examples['softmax'])}]")
    print(f"    loss = −ln p₀ = {examples['cross_entropy']:.4f} (one-hot target [1, 0, 0]: "
          f"{examples['cross_entropy_one_hot']:.4f})")
    print("  hinge max(0, 1 − y·f(x)):")
    for s, y, each in zip(HINGE_SCORES, HINGE_LABELS, examples["hinge_each"]):
        print(f"    f(x) = {s}, y = {y:+d}: {each:.4f}")
    print(f"    mean: {examples['hinge']:.4f}")

    X, y = make_regression(n_samples=30, slope=TRUE_SLOPE, intercept=TRUE_INTERCEPT, noise=0.5,
                           outliers=OUTLIER_FRACTION, outlier_scale=10.0, seed=1)
    xs, ys = X.ravel().tolist(), y.tolist()
    print(f"\nFitting ŷ = θ0 + θ1·x to {len(xs)} points around y = {TRUE_INTERCEPT} + {TRUE_SLOPE}·x, "
          f"{OUTLIER_FRACTION:.0%} of them outliers pushed upwards")
    print(f"(gradient descent with momentum {FIT_MOMENTUM}, η = {FIT_LEARNING_RATE}, {FIT_STEPS} steps):")
    true_line = TRUE_INTERCEPT + TRUE_SLOPE * X.ravel()
    fits, pull = {}, {}
    for name, loss in (("MSE", mse), ("MAE", mae), ("Huber", lambda p, t: huber(p, t, delta=HUBER_DELTA))):
        slope, intercept = fits[name] = fit_line(loss, xs, ys)
        # how far the fitted line is from the true one, on average over the data
        pull[name] = float(np.mean(np.abs(intercept + slope * X.ravel() - true_line)))
        print(f"  {name:<6} slope {slope:6.3f}  intercept {intercept:6.3f}   "
              f"mean distance from the true line {pull[name]:.3f}")
    print(f"  true   slope {TRUE_SLOPE:6.3f}  intercept {TRUE_INTERCEPT:6.3f}")
    print("  The outliers drag the MSE line towards them; MAE and Huber stay near the true line.")

    print("\nPictures:")
    residuals = np.linspace(-3, 3, 121).tolist()
    regression_curves = {
        "MSE: a²": (residuals, [mse([0.0], [a]).data for a in residuals]),
        "MAE: |a|": (residuals, [mae([0.0], [a]).data for a in residuals]),
        f"Huber, δ = {HUBER_DELTA}": (residuals, [huber([0.0], [a], delta=HUBER_DELTA).data for a in residuals]),
    }
    margins = residuals
    classification_curves = {
        "hinge: max(0, 1 − m)": (margins, [hinge([m], [1]).data for m in margins]),
        "cross-entropy of σ(m): ln(1 + e⁻ᵐ)": (
            margins, [binary_cross_entropy_with_logits([m], [1]).data for m in margins]),
    }
    files = [
        save_panels(os.path.join(out_dir, "loss_curves.png"), [
            (plots.plot_curves, (regression_curves,),
             dict(title="Regression losses", xlabel="residual a = y − ŷ", ylabel="loss")),
            (plots.plot_curves, (classification_curves,),
             dict(title="Classification losses", xlabel="margin m = y·f(x)  (y = ±1)", ylabel="loss")),
        ]),
        save_plot(plots.plot_fits, X, y,
                  {"true line": (TRUE_SLOPE, TRUE_INTERCEPT), **{name: fits[name] for name in fits}},
                  path=os.path.join(out_dir, "outlier_fits.png"), title="Lines fitted under MSE, MAE and Huber"),
    ]
    return {
        **table,
        "regression": clean,
        "regression_with_outlier": spoiled,
        **examples,
        "data": (X, y),
        "fits": fits,
        "distance_from_true_line": pull,
        "files": [path for path in files if path],
    }


if __name__ == "__main__":
    main(parse_out_dir("loss_functions"))
