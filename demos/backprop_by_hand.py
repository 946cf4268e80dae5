"""Section 4.7 of the club's notes, computed by the engine: the 1-1-1 network's forward
pass, backward pass and one gradient-descent step, printed beside the numbers the notes
print, with every number where the notes are wrong flagged.

    python demos/backprop_by_hand.py

The network (sections 4.4-4.6):  z1 = w1·x + b1,  h = σ(z1),  y = z2 = w2·h + b2,
L = ½(y − t)²,  and one step θ ← θ − η·∂L/∂θ.
"""

from micrograd_club import Value
from micrograd_club.losses import sse
from micrograd_club.optim import SGD

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
    ("w1 after", "0.4007994"),
    ("b1 after", "0.1007994"),
    ("w2 after", "0.3070506"),
    ("b2 after", "0.21132623"),
]


def run_example(given=GIVEN):
    """Build the network from labelled Values, backpropagate, take one SGD step, and
    return (every quantity of the notes by name, the loss node for drawing)."""
    x, t = Value(given["x"], "x"), Value(given["t"], "t")
    w1, b1 = Value(given["w1"], "w1"), Value(given["b1"], "b1")
    w2, b2 = Value(given["w2"], "w2"), Value(given["b2"], "b2")

    z1 = w1 * x + b1
    z1.label = "z1"
    h = z1.sigmoid()
    h.label = "h"
    y = w2 * h + b2
    y.label = "y"
    loss = sse(y, t)
    loss.label = "L"

    loss.backward()
    found = {
        "z1": z1.data,
        "h": h.data,
        "z2": y.data,
        "L": loss.data,
        "∂L/∂y": y.grad,
        "∂L/∂w2": w2.grad,
        "∂L/∂b2": b2.grad,
        "∂L/∂h": h.grad,
        "σ'(z1)": h.local_grads[0],
        "∂L/∂w1": w1.grad,
        "∂L/∂b1": b1.grad,
    }
    SGD([w1, b1, w2, b2], lr=given["eta"]).step()
    found.update({"w1 after": w1.data, "b1 after": b1.data, "w2 after": w2.data, "b2 after": b2.data})
    return found, loss


def verdict(printed, exact):
    """How a number printed in the notes compares with the exact value:
    "ok" (correctly rounded), "last digit" (off by at most one unit in the last printed
    digit: truncated rather than rounded) or "WRONG" (an arithmetic error)."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    unit = 10.0**-decimals
    if round(exact, decimals) == float(printed):
        return "ok"
    if abs(exact - float(printed)) <= unit * (1 + 1e-9):
        return "last digit"
    return "WRONG"


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
        mark = {"ok": "✓", "last digit": "~ last digit", "WRONG": "✗ WRONG in the notes"}[result]
        lines.append(f"{name:<10} {printed:>12} {exact:>22.15f}  {mark}")
    wrong = [name for name, _, _, result in rows if result == "WRONG"]
    dy, dh, dw1, dw2, h, sigma_prime = (found[k] for k in ("∂L/∂y", "∂L/∂h", "∂L/∂w1", "∂L/∂w2", "h", "σ'(z1)"))
    lines += [
        "",
        f"{len(wrong)} of {len(rows)} printed numbers are wrong: {', '.join(wrong)}.",
        "Recomputing each from the numbers before it:",
        f"  L      = ½·(∂L/∂y)²          = ½·({dy:.7f})²                = {found['L']:.7f}",
        f"  ∂L/∂w2 = ∂L/∂y · h           = ({dy:.7f}) × {h:.7f}        = {dw2:.7f}",
        f"  ∂L/∂w1 = ∂L/∂h · σ'(z1) · x  = ({dh:.7f}) × {sigma_prime:.7f} × 1    = {dw1:.7f}",
        "Parameter updates built on a wrong gradient inherit its error.",
        "'~' marks a last digit that was truncated instead of rounded.",
    ]
    return "\n".join(lines)


def main():
    found, _ = run_example()
    print(report(compare_with_notes(found), found))


if __name__ == "__main__":
    main()
