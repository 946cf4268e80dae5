"""Section 4.7: backpropagation through the 1-1-1 network, every wrong number in the notes flagged.

Section 4.7 of the club's notes, computed by the engine: the 1-1-1 network's forward
pass, backward pass and one gradient-descent step, printed beside the numbers the notes
print, with every number where the notes are wrong flagged; then the chain rule written out
one step per node, and pictures of it.

    python demos/backprop_by_hand.py [--out DIR]

Writes into DIR (default micrograd_club_out/backprop_by_hand): backward_graph.svg (every
edge labelled with its local derivative and the gradient that flowed along it, the path
from w1 to L highlighted) and backward_steps.html (Previous/Next through the backward pass).

The network (sections 4.4-4.6):  z1 = w1·x + b1,  h = σ(z1),  y = z2 = w2·h + b2,
L = ½(y − t)²,  and one step θ ← θ − η·∂L/∂θ. Section 4.4.3 calls this L the mean squared
error, which section 3.2.2 defines without the ½: that loss is ``losses.mse``, twice L with
twice its gradients, so L is ``losses.sse`` (½·Σ of the squares), as the demo says.
"""

import os

from micrograd_club import Value
from micrograd_club.demos._common import (
    VERDICT_MARKS,
    output_folder,
    parse_out_dir,
    save_diagram,
    save_step_through,
    verdict,
)
from micrograd_club.losses import mse, sse
from micrograd_club.nn import Parameter
from micrograd_club.optim import SGD
from micrograd_club.viz import trace_backward

GIVEN = {"x": 1.0, "t": 0.5, "w1": 0.4, "b1": 0.1, "w2": 0.3, "b2": 0.2, "eta": 0.1}

# What sections 4.7.2-4.7.5 print, exactly as printed.
NOTES_4_7 = [
    ("z1", "0.5"),
    ("h", "0.622459"),
    ("z2", "0.3867377"),
    ("L", "0.005488"),
    ("∂L/∂y", "-0.1132623"),
    ("∂L/∂w2", "-0.070506"),
    ("∂L/∂b2", "-0.1132623"),
    ("∂L/∂h", "-0.0339787"),
    ("σ'(z1)", "0.2350037"),
    ("∂L/∂w1", "-0.007994"),
    ("∂L/∂b1", "-0.007994"),
    ("w2 step", "0.0070506"),  # 4.7.4's −η·∂L/∂θ, the step each update adds
    ("b2 step", "0.01132623"),
    ("w1 step", "0.0007994"),
    ("b1 step", "0.0007994"),
    ("w1 after", "0.4007994"),
    ("b1 after", "0.1007994"),
    ("w2 after", "0.3070506"),
    ("b2 after", "0.21132623"),
]


def build_network(given=GIVEN):
    """The 1-1-1 network of section 4.4 as labelled Values, forward pass done:
    {name: node} for x, t, w1, b1, w2, b2, z1, h, y and the loss L."""
    x, t = Value(given["x"], "x"), Value(given["t"], "t")
    w1, b1 = Parameter(given["w1"], "w1"), Parameter(given["b1"], "b1")
    w2, b2 = Parameter(given["w2"], "w2"), Parameter(given["b2"], "b2")
    z1 = w1 * x + b1
    h = z1.sigmoid()
    y = w2 * h + b2
    loss = sse(y, t)
    for node, name in ((z1, "z1"), (h, "h"), (y, "y"), (loss, "L")):
        node.label = name
    return {"x": x, "t": t, "w1": w1, "b1": b1, "w2": w2, "b2": b2, "z1": z1, "h": h, "y": y, "L": loss}


def run_example(given=GIVEN):
    """Forward, backward and one SGD step: every quantity the notes print, by name."""
    net = build_network(given)
    net["L"].backward()
    found = {
        "z1": net["z1"].data,
        "h": net["h"].data,
        "z2": net["y"].data,
        "L": net["L"].data,
        "∂L/∂y": net["y"].grad,
        "∂L/∂w2": net["w2"].grad,
        "∂L/∂b2": net["b2"].grad,
        "∂L/∂h": net["h"].grad,
        "σ'(z1)": net["h"].local_grads[0],
        "∂L/∂w1": net["w1"].grad,
        "∂L/∂b1": net["b1"].grad,
    }
    found.update({f"{name} step": -given["eta"] * net[name].grad for name in ("w2", "b2", "w1", "b1")})
    SGD([net[name] for name in ("w1", "b1", "w2", "b2")], lr=given["eta"]).step()
    found.update({f"{name} after": net[name].data for name in ("w1", "b1", "w2", "b2")})
    return found


def loss_as_mse(found, given=GIVEN):
    """Section 3.2.2's MSE of the network's output, (y − t)², and its ∂/∂y: what L and ∂L/∂y
    would be if L were the mean squared error that section 4.4.3 calls it."""
    y = Value(found["z2"], "y")
    loss = mse(y, given["t"])
    loss.backward()
    return loss.data, y.grad


def compare_with_notes(found):
    """One row per number the notes print: (name, printed, exact, verdict)."""
    return [(name, printed, found[name], verdict(printed, found[name])) for name, printed in NOTES_4_7]


def report(rows, found):
    lines = [
        "Section 4.7: x = 1, t = 0.5, w1 = 0.4, b1 = 0.1, w2 = 0.3, b2 = 0.2, η = 0.1",
        "",
        f"{'quantity':<10} {'notes print':>12} {'engine (exact)':>22}  verdict",
    ]
    for name, printed, exact, result in rows:
        mark = VERDICT_MARKS[result]
        lines.append(f"{name:<10} {printed:>12} {exact:>22.15f}  {mark}")
    wrong = [name for name, _, _, result in rows if result == "WRONG"]
    mse_loss, mse_dy = loss_as_mse(found)
    dy, dh, dw1, dw2, h, sigma_prime = (found[k] for k in ("∂L/∂y", "∂L/∂h", "∂L/∂w1", "∂L/∂w2", "h", "σ'(z1)"))
    lines += [
        "",
        f"{len(wrong)} of {len(rows)} printed numbers are wrong: {', '.join(wrong)}.",
        "Recomputing each from the numbers before it:",
        f"  L      = ½·(∂L/∂y)²          = ½·({dy:.7f})²                = {found['L']:.7f}",
        f"  ∂L/∂w2 = ∂L/∂y · h           = ({dy:.7f}) × {h:.7f}        = {dw2:.7f}",
        f"  ∂L/∂w1 = ∂L/∂h · σ'(z1) · x  = ({dh:.7f}) × {sigma_prime:.7f} × 1    = {dw1:.7f}",
        "Steps and updates built on a wrong gradient inherit its error.",
        "'~' marks a last digit one unit off: z2 truncated instead of rounded, and the numbers computed from it.",
        "",
        "4.4.3 calls L = ½(y − t)² the mean squared error, but 3.2.2's MSE has no ½:",
        f"  losses.mse(y, t) = (y − t)² = {mse_loss:.7f} = 2·L, with ∂/∂y = 2(y − t) = {mse_dy:.7f} = 2·∂L/∂y;",
        "  so L here is losses.sse, ½·Σ (y − t)², whose ½ cancels the 2 of the derivative.",
    ]
    return "\n".join(lines)


def main(out_dir="micrograd_club_out/backprop_by_hand"):
    """Print the comparison with the notes and the chain rule; write the pictures into
    ``out_dir``. Returns every number computed, the names the notes get wrong, and the files."""
    out_dir = output_folder(out_dir)
    found = run_example()
    rows = compare_with_notes(found)
    print(report(rows, found))

    net = build_network()  # a fresh network: run_example has already taken its SGD step
    net["L"].backward()
    print("\nThe backward pass, one chain-rule step per node (as in 4.7.3):")
    print(trace_backward(net["L"]))

    print("\nPictures:")
    files = [
        save_diagram(net["L"], os.path.join(out_dir, "backward_graph.svg"), rankdir="TB", highlight=net["w1"]),
        save_step_through(net["L"], os.path.join(out_dir, "backward_steps.html"),
                          title="Section 4.7: backpropagation, step by step"),
    ]
    return {
        **found,
        "wrong_in_notes": [name for name, _, _, result in rows if result == "WRONG"],
        "files": [path for path in files if path],
    }


if __name__ == "__main__":
    main(parse_out_dir("backprop_by_hand"))
