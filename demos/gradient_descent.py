"""Section 4.2: a line fitted by gradient descent; batch, SGD, mini-batch, momentum; learning rates.

Section 4.2 of the club's notes, computed by the engine: fitting the line
y = θ0 + θ1·x by gradient descent on the MSE loss, with the notes' update rules, and the
gradient from backward() checked against the notes' formulas; the loss landscape over
(θ0, θ1) with the paths of batch, stochastic, mini-batch and momentum gradient descent;
and a learning rate that is too small, one that is good and one that is too large.

    python demos/gradient_descent.py [--out DIR]

Writes into DIR (default micrograd_club_out/gradient_descent): paths.png (the landscape and
the four paths), learning_rates.png (three panels) and learning_rate_losses.png.
"""

import os

import numpy as np

from micrograd_club.data import batches, make_regression
from micrograd_club.demos._common import output_folder, parse_out_dir, save_panels, save_plot
from micrograd_club.losses import mse
from micrograd_club.nn import Parameter
from micrograd_club.optim import SGD
from micrograd_club.viz import plots

LEARNING_RATE = 0.03
UPDATES = 40
MINI_BATCH = 5
MOMENTUM = 0.7


def line_loss(theta0, theta1, xs, ys):
    """ℒ(θ0, θ1) = (1/n) Σ (yᵢ − (θ0 + θ1·xᵢ))², the notes' MSE for linear regression."""
    return mse([theta0 + theta1 * x for x in xs], ys)


def notes_gradient(theta0, theta1, xs, ys):
    """The notes' formulas: ∂ℒ/∂θ0 = −(2/n) Σ (yᵢ − ŷᵢ) and ∂ℒ/∂θ1 = −(2/n) Σ xᵢ(yᵢ − ŷᵢ)."""
    n = len(xs)
    errors = [y - (theta0 + theta1 * x) for x, y in zip(xs, ys)]
    return -2 / n * sum(errors), -2 / n * sum(x * e for x, e in zip(xs, errors))


def batch_gradient_descent(xs, ys, learning_rate, steps):
    """The notes' iterative process, written out: start at θ0 = θ1 = 0, compute the
    gradients, update θ0 := θ0 − η·∂ℒ/∂θ0 and θ1 := θ1 − η·∂ℒ/∂θ1, repeat.
    Returns the path [(θ0, θ1), …] and the loss before each step."""
    theta0, theta1 = Parameter(0.0, "θ0"), Parameter(0.0, "θ1")
    path, losses = [(0.0, 0.0)], []
    for _ in range(steps):
        loss = line_loss(theta0, theta1, xs, ys)
        theta0.grad = theta1.grad = 0.0
        loss.backward()
        theta0.data -= learning_rate * theta0.grad
        theta1.data -= learning_rate * theta1.grad
        path.append((theta0.data, theta1.data))
        losses.append(loss.data)
    return path, losses


def descend(X, y, *, learning_rate, updates, batch_size=None, momentum=0.0):
    """The same descent with ``optim.SGD``, over batches from ``data.batches``: the whole set
    (batch_size None), one example (1: SGD) or a mini-batch. Returns the path of (θ0, θ1)
    after each of ``updates`` parameter updates."""
    theta0, theta1 = Parameter(0.0, "θ0"), Parameter(0.0, "θ1")
    optimizer = SGD([theta0, theta1], lr=learning_rate, momentum=momentum)
    path, epoch = [(0.0, 0.0)], 0
    while len(path) <= updates:
        for X_batch, y_batch in batches(X, y, batch_size, seed=epoch):
            loss = line_loss(theta0, theta1, X_batch.ravel().tolist(), y_batch.tolist())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            path.append((theta0.data, theta1.data))
            if len(path) > updates:
                break
        epoch += 1
    return path


def largest_stable_learning_rate(xs):
    """For the MSE of a line, gradient descent diverges once η > 2/λ, λ the largest
    curvature of the landscape (eigenvalue of the Hessian (2/n)·[[n, Σx], [Σx, Σx²]])."""
    x = np.asarray(xs)
    hessian = 2 / len(x) * np.array([[len(x), x.sum()], [x.sum(), (x * x).sum()]])
    return 2 / np.linalg.eigvalsh(hessian).max()


def box_around(paths, minimum, padding=0.3):
    """((θ0 range), (θ1 range)) covering every path and the minimum, with some room."""
    points = np.array([point for path in paths for point in path] + [minimum])
    low, high = points.min(axis=0), points.max(axis=0)
    room = padding * (high - low) + 0.2
    return ((low[0] - room[0], high[0] + room[0]), (low[1] - room[1], high[1] + room[1]))


def main(out_dir="micrograd_club_out/gradient_descent"):
    """Print the gradient check and how each variant and learning rate fares; draw the
    landscape with the paths and the learning-rate comparison into ``out_dir``."""
    out_dir = output_folder(out_dir)
    X, y = make_regression(n_samples=20, slope=2.0, intercept=1.0, noise=0.5, seed=0)
    xs, ys = X.ravel().tolist(), y.tolist()

    def loss_at(theta0, theta1):
        return line_loss(theta0, theta1, xs, ys).data

    best_theta1, best_theta0 = np.polyfit(xs, ys, 1)  # least squares: the bottom of the landscape
    print(f"Linear regression y = θ0 + θ1·x on {len(xs)} points; the minimum of ℒ is at "
          f"θ0 = {best_theta0:.4f}, θ1 = {best_theta1:.4f} (ℒ = {loss_at(best_theta0, best_theta1):.4f})")

    print("\nThe gradient at the start θ0 = θ1 = 0, by backward() and by the notes' formulas:")
    theta0, theta1 = Parameter(0.0, "θ0"), Parameter(0.0, "θ1")
    line_loss(theta0, theta1, xs, ys).backward()
    by_formula = notes_gradient(0.0, 0.0, xs, ys)
    print(f"  ∂ℒ/∂θ0: backward() {theta0.grad:+.12f}   −(2/n) Σ (yᵢ − ŷᵢ)    {by_formula[0]:+.12f}")
    print(f"  ∂ℒ/∂θ1: backward() {theta1.grad:+.12f}   −(2/n) Σ xᵢ(yᵢ − ŷᵢ) {by_formula[1]:+.12f}")

    print(f"\nBatch gradient descent with the notes' update rules, η = {LEARNING_RATE}:")
    batch_path, batch_losses = batch_gradient_descent(xs, ys, LEARNING_RATE, UPDATES)
    for step in (0, 1, 2, 3, 10, 20, UPDATES - 1):
        theta0_now, theta1_now = batch_path[step]
        print(f"  step {step:2d}: θ0 = {theta0_now:.4f}, θ1 = {theta1_now:.4f}, ℒ = {batch_losses[step]:.4f}")

    print(f"\nThe variants of section 4.2.3, {UPDATES} updates each, η = {LEARNING_RATE}, with optim.SGD:")
    variants = {
        "batch GD (all 20 points)": descend(X, y, learning_rate=LEARNING_RATE, updates=UPDATES),
        "SGD (1 point)": descend(X, y, learning_rate=LEARNING_RATE, updates=UPDATES, batch_size=1),
        f"mini-batch GD ({MINI_BATCH} points)": descend(X, y, learning_rate=LEARNING_RATE, updates=UPDATES,
                                                        batch_size=MINI_BATCH),
        f"momentum γ = {MOMENTUM} (all points)": descend(X, y, learning_rate=LEARNING_RATE, updates=UPDATES,
                                                         momentum=MOMENTUM),
    }
    final_losses = {}
    for name, variant_path in variants.items():
        final_losses[name] = loss_at(*variant_path[-1])
        print(f"  {name:<30} ends at θ0 = {variant_path[-1][0]:.4f}, θ1 = {variant_path[-1][1]:.4f}, "
              f"ℒ = {final_losses[name]:.4f}")
    print("  optim.SGD's momentum b ← γ·b + ∇ℒ, θ ← θ − η·b is the notes' v ← γ·v + η·∇ℒ, θ ← θ − v with v = η·b.")

    limit = largest_stable_learning_rate(xs)
    learning_rates = {"too small": limit / 40, "good": limit / 2, "too large": limit * 1.04}
    print(f"\nLearning rates (here gradient descent diverges for η above 2/λ_max = {limit:.4f}):")
    runs = {}
    for name, learning_rate in learning_rates.items():
        run_path = descend(X, y, learning_rate=learning_rate, updates=25)
        runs[name] = {"learning_rate": learning_rate, "path": run_path,
                      "losses": [loss_at(*point) for point in run_path]}
        first, last = runs[name]["losses"][0], runs[name]["losses"][-1]
        print(f"  η = {learning_rate:.4f} ({name}): ℒ {first:.3f} → {last:.3f} after 25 steps")

    print("\nPictures:")
    minimum = (best_theta0, best_theta1)
    files = [
        save_plot(plots.plot_loss_landscape, loss_at, box_around(variants.values(), minimum, padding=0.1),
                  paths=variants, path=os.path.join(out_dir, "paths.png"), log_levels=True,
                  title=f"Four ways down the MSE landscape ({UPDATES} updates each)"),
        save_panels(os.path.join(out_dir, "learning_rates.png"), [
            (plots.plot_loss_landscape, (loss_at, box_around([run["path"]], minimum)),
             dict(paths={f"η = {run['learning_rate']:.4f}": run["path"]}, log_levels=True, title=f"η {name}"))
            for name, run in runs.items()
        ], panel_size=(5.5, 4.5)),
        save_plot(plots.plot_curves,
                  {f"η = {run['learning_rate']:.4f} ({name})": run["losses"] for name, run in runs.items()},
                  path=os.path.join(out_dir, "learning_rate_losses.png"), log=True,
                  title="Loss per step for three learning rates", ylabel="ℒ(θ0, θ1)"),
    ]
    return {
        "gradient_by_backward": (theta0.grad, theta1.grad),
        "gradient_by_notes": by_formula,
        "least_squares": minimum,
        "batch_path": batch_path,
        "batch_losses": batch_losses,
        "variants": variants,
        "final_losses": final_losses,
        "largest_stable_learning_rate": limit,
        "learning_rates": runs,
        "files": [path for path in files if path],
    }


if __name__ == "__main__":
    main(parse_out_dir("gradient_descent"))
