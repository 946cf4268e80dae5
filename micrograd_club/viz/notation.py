"""How diagrams and traces write things down, in the notes' notation: a name for every
node, ∂out/∂in for every edge, and the formula of each local derivative (σ'(z1), x, 1 …)."""

import math

from micrograd_club.engine import Constant
from micrograd_club.nn import Parameter

# How an op joins its operands' names into the name of its result ("w1·x").
INFIX = {"+": "+", "-": "−", "*": "·", "/": "/"}
# Ops that are functions of one input: their local derivative is written f'(x).
FUNCTIONS = {"exp", "log", "sqrt", "tanh", "σ", "ReLU", "leaky_relu", "softplus", "abs", "clamp"}
SUPERSCRIPTS = str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")
# A neuron's pre-activation as one node (engine.weighted_sum): parents (w1 … wn, x1 … xn, b).
WEIGHTED_SUM = "Σwx+b"
LONGEST_DERIVED_NAME = 14


def number(x, precision=4):
    """x with ``precision`` decimals; scientific notation for tiny and huge values."""
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == 0 or 10.0**-precision <= abs(x) < 1e6:
        return f"{x:.{precision}f}"
    return f"{x:.{precision}e}"


def short_number(x):
    """A constant as a student would write it: 2, 0.5, -1."""
    return f"{x:g}"


def role(node):
    """"parameter", "constant", "input" (any other leaf) or "computed"."""
    if isinstance(node, Parameter):
        return "parameter"
    if isinstance(node, Constant):
        return "constant"
    return "computed" if node.parents else "input"


def node_names(order, root_name="L"):
    """A name for every node of ``order`` (a topological order, parents first): its label,
    else an expression built from its parents' names ("w1·x", "σ(z)"), else v1, v2, ….
    An unlabelled root is called ``root_name``, as the notes call the loss L."""
    names, compound, unnamed = {}, set(), 0
    for node in order:
        derived = None
        if node.label:
            names[node] = node.label
        elif isinstance(node, Constant):
            names[node] = short_number(node.data)
        elif node.parents:
            derived = _derived_name(node, names, compound)
        if derived is not None and len(derived) <= LONGEST_DERIVED_NAME:
            names[node] = derived
            compound.add(node)
        elif node not in names:
            unnamed += 1
            names[node] = f"v{unnamed}"
    root = order[-1]
    if not root.label:
        names[root] = root_name
        compound.discard(root)
    return names


def _derived_name(node, names, compound):
    def operand(parent):
        return f"({names[parent]})" if parent in compound else names[parent]

    op = node.op
    if op in INFIX and len(node.parents) == 2:
        a, b = node.parents
        joiner = INFIX[op] if op in ("*", "/") else f" {INFIX[op]} "
        return f"{operand(a)}{joiner}{operand(b)}"
    if op.startswith("**") and len(node.parents) == 1:
        return f"{operand(node.parents[0])}{op[2:].translate(SUPERSCRIPTS)}"
    if op == "neg":
        return f"−{operand(node.parents[0])}"
    if op == WEIGHTED_SUM:
        return WEIGHTED_SUM
    if op == "max":  # softmax's shift
        return f"max({', '.join(names[p] for p in node.parents)})"
    if len(node.parents) == 1:
        return f"{op}({names[node.parents[0]]})"
    return None


def partial(out_name, in_name):
    """∂out/∂in, with brackets around compound names: ∂(w1·x)/∂w1."""
    return f"∂{_bracket(out_name)}/∂{_bracket(in_name)}"


def _bracket(name):
    return f"({name})" if any(ch in name for ch in " ·/+−²³^(") and not _enclosed(name) else name


def _enclosed(name):
    """True when one pair of brackets holds the whole name: "(a + b)", not "(w·x) + b"."""
    if not (name.startswith("(") and name.endswith(")")):
        return False
    depth = 0
    for ch in name[:-1]:
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            return False  # the first bracket closed before the end
    return True


def local_formula(node, index, names):
    """The formula of ∂node/∂parents[index] in terms of names, or None where the number is
    all there is to say (a + b: 1)."""
    op, parents = node.op, node.parents
    a = names[parents[0]]
    if op == WEIGHTED_SUM:  # ∂z/∂wᵢ = xᵢ, ∂z/∂xᵢ = wᵢ, ∂z/∂b = 1
        n = len(parents) // 2
        if index < n:
            return names[parents[n + index]]
        if index < 2 * n:
            return names[parents[index - n]]
        return None
    if op in FUNCTIONS:
        return f"{op}'({a})"
    if op == "*":
        return names[parents[1 - index]]
    if op == "/":
        b = names[parents[1]]
        return f"1/{_bracket(b)}" if index == 0 else f"−{_bracket(a)}/{_bracket(b)}²"
    if op.startswith("**") and len(parents) == 1:
        n = float(op[2:])
        power = "" if n == 2 else f"^{short_number(n - 1)}"
        return f"{short_number(n)}·{_bracket(a)}{power}"
    if op == "**":
        b = names[parents[1]]
        return f"{_bracket(b)}·{_bracket(a)}^({b}−1)" if index == 0 else f"{_bracket(names[node])}·ln {_bracket(a)}"
    return None  # +, −, neg: the local derivative is the constant itself
