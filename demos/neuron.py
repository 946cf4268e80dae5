"""Section 5.3: the two-input neuron, activation functions with their derivatives, softmax.

Section 5.3 of the club's notes, computed by the engine: the two-input neuron
(z = w1·x1 + w2·x2 + b, y = σ(z)) with its gradients, the activation functions of 5.3.2
with their derivatives found by backward() (the notes' Figures 5.3 and 5.4, plus tanh and
leaky ReLU), and the softmax of 5.3.6 on an example.

    python demos/neuron.py [--out DIR]

Writes into DIR (default micrograd_club_out/neuron): neuron_graph.svg (the neuron as a
computation graph after backward(), Figure 5.2), activations.png (each activation and its
derivative) and relu.png, sigmoid.png (Figures 5.3 and 5.4 on their own).
"""

import math
import os

from micrograd_club import Value
from micrograd_club.demos._common import (
    compare_line,
    output_folder,
    parse_out_dir,
    save_diagram,
    save_panels,
    save_plot,
    verdict,
)
from micrograd_club.nn import Neuron, Parameter, softmax
from micrograd_club.viz import plots

# Section 5.3's neuron, and what the notes print for it.
INPUTS = {"x1": 0.5, "x2": 0.3}
WEIGHTS = {"w1": 0.8, "w2": 0.2}
BIAS = 0.1
NOTES_Z = "0.56"
NOTES_OUTPUT = "0.63"
THRESHOLD = 0.5

LEAKY_SLOPE = 0.1  # steeper than the usual 0.01, so the slope below 0 shows in the picture
ACTIVATIONS = {
    "ReLU": lambda z: z.relu(),
    "σ": lambda z: z.sigmoid(),
    "tanh": lambda z: z.tanh(),
    "leaky ReLU": lambda z: z.leaky_relu(LEAKY_SLOPE),
}
# The derivatives worked out by hand, to check the ones backward() finds.
DERIVATIVES_BY_HAND = {
    "ReLU": lambda z: 1.0 if z > 0 else 0.0,
    "σ": lambda z: (1 / (1 + math.exp(-z))) * (1 - 1 / (1 + math.exp(-z))),
    "tanh": lambda z: 1 - math.tanh(z) ** 2,
    "leaky ReLU": lambda z: 1.0 if z > 0 else LEAKY_SLOPE,
}
SOFTMAX_LOGITS = [2.0, 1.0, 0.1]


def two_input_neuron():
    """Section 5.3's neuron as labelled Values, after backward(): {name: node}."""
    x1, x2 = Value(INPUTS["x1"], "x1"), Value(INPUTS["x2"], "x2")
    w1, w2 = Parameter(WEIGHTS["w1"], "w1"), Parameter(WEIGHTS["w2"], "w2")
    b = Parameter(BIAS, "b")
    z = w1 * x1 + w2 * x2 + b
    z.label = "z"
    y = z.sigmoid()
    y.label = "y"
    y.backward()
    return {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "z": z, "y": y}


def activation_and_derivative(activation, z):
    """f(z) and f'(z), the derivative by backward()."""
    z = Value(z, "z")
    out = activation(z)
    out.backward()
    return out.data, z.grad


def main(out_dir="micrograd_club_out/neuron"):
    """Print the neuron's numbers beside the notes', the activations' derivatives and a
    softmax; draw the neuron's graph and the activations into ``out_dir``."""
    out_dir = output_folder(out_dir)

    print("Section 5.3: a neuron with x1 = 0.5, w1 = 0.8, x2 = 0.3, w2 = 0.2, b = 0.1")
    net = two_input_neuron()
    z, y = net["z"].data, net["y"].data
    print(compare_line("z", NOTES_Z, z, width=6))
    print(compare_line("σ(z)", NOTES_OUTPUT, y, width=6))
    if verdict(NOTES_OUTPUT, y) == "last digit":
        print(f"  σ(0.56) = {y:.4f} rounds to {y:.2f}: the notes' {NOTES_OUTPUT} cut the digits off (truncated).")
    fires = y > THRESHOLD
    print(f"  with threshold {THRESHOLD}: {y:.4f} {'>' if fires else '≤'} {THRESHOLD}, "
          f"so the neuron {'activates (outputs 1)' if fires else 'stays off (outputs 0)'}")

    layer_neuron = Neuron(2, activation="sigmoid")
    layer_neuron.w[0].data, layer_neuron.w[1].data, layer_neuron.b.data = WEIGHTS["w1"], WEIGHTS["w2"], BIAS
    neuron_output = layer_neuron([INPUTS["x1"], INPUTS["x2"]]).data
    print(f"  nn.Neuron(2, activation='sigmoid') with these weights gives the same: {neuron_output!r}")

    sigma_prime = y * (1 - y)
    print("\nHow y changes with each weight (backward(); by hand ∂y/∂wᵢ = σ'(z)·xᵢ, ∂y/∂b = σ'(z)):")
    gradients = {}
    for name, by_hand in (("w1", sigma_prime * INPUTS["x1"]), ("w2", sigma_prime * INPUTS["x2"]), ("b", sigma_prime)):
        gradients[name] = net[name].grad
        print(f"  ∂y/∂{name:<2} = {gradients[name]:.10f}   by hand {by_hand:.10f}")

    print("\nActivation functions and their derivatives f'(z), found by backward():")
    points = [-2.0, -0.5, 0.5, 2.0]
    print(f"  {'z':>15}" + "".join(f"{z_value:>12}" for z_value in points))
    table, mismatches = {}, []
    for name, activation in ACTIVATIONS.items():
        rows = [activation_and_derivative(activation, z_value) for z_value in points]
        table[name] = rows
        print(f"  {name + '(z)':>15}" + "".join(f"{value:12.6f}" for value, _ in rows))
        print(f"  {name + chr(39) + '(z)':>15}" + "".join(f"{grad:12.6f}" for _, grad in rows))
        mismatches += [f"{name}'({z_value})" for z_value, (_, grad) in zip(points, rows)
                       if not math.isclose(grad, DERIVATIVES_BY_HAND[name](z_value), rel_tol=1e-12)]
    if mismatches:
        print(f"  ✗ backward() disagrees with the derivative worked out by hand for {', '.join(mismatches)}")
    else:
        print("  ✓ every derivative from backward() equals the one worked out by hand (e.g. σ' = σ(1 − σ))")
    print(f"  (leaky ReLU here with slope {LEAKY_SLOPE} below 0, to make it visible; the usual slope is 0.01)")

    probabilities = [p.data for p in softmax(SOFTMAX_LOGITS)]
    print(f"\nSoftmax of the logits {SOFTMAX_LOGITS}: "
          f"[{', '.join(f'{p:.4f}' for p in probabilities)}], which sum to {sum(probabilities):.4f}")
    shifted = [p.data for p in softmax([logit + 100 for logit in SOFTMAX_LOGITS])]
    print(f"  adding 100 to every logit changes nothing: [{', '.join(f'{p:.4f}' for p in shifted)}]")

    print("\nPictures:")
    panels = [(plots.plot_function_and_grad, (activation,), dict(name=name, title=name))
              for name, activation in ACTIVATIONS.items()]
    files = [
        save_diagram(net["y"], os.path.join(out_dir, "neuron_graph.svg"), highlight=net["w1"]),
        save_panels(os.path.join(out_dir, "activations.png"), panels, columns=2),
        save_plot(plots.plot_function_and_grad, ACTIVATIONS["ReLU"], name="ReLU",
                  path=os.path.join(out_dir, "relu.png"), title="Figure 5.3: ReLU and its derivative"),
        save_plot(plots.plot_function_and_grad, ACTIVATIONS["σ"], name="σ",
                  path=os.path.join(out_dir, "sigmoid.png"), title="Figure 5.4: sigmoid and its derivative"),
    ]
    return {
        "z": z,
        "output": y,
        "output_verdict": verdict(NOTES_OUTPUT, y),
        "neuron_output": neuron_output,
        "gradients": gradients,
        "activations": {name: dict(zip(points, rows)) for name, rows in table.items()},
        "derivative_mismatches": mismatches,
        "softmax": probabilities,
        "files": [path for path in files if path],
    }


if __name__ == "__main__":
    main(parse_out_dir("neuron"))
