"""How diagrams and traces write things down, in the notes' notation: a name for every
node, ∂out/∂in for every edge, and the formula of each local derivative (σ'(z1), x, 1 …)."""

import re

from micrograd_club._inputs import whole_number
from micrograd_club._io import printable
from micrograd_club.engine import Constant, CustomOp, _format_number
from micrograd_club.nn import Parameter

# How an op joins its operands' names into the name of its result ("w1·x").
INFIX = {"+": "+", "-": "−", "*": "·", "/": "/"}
# Ops that are functions of one input: their local derivative is written f'(x).
FUNCTIONS = {"exp", "log", "sqrt", "tanh", "σ", "ReLU", "leaky_relu", "softplus", "abs", "clamp"}
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUPERSCRIPTS = str.maketrans("0123456789-.", f"{SUPERSCRIPT_DIGITS}⁻·")
# A neuron's pre-activation as one node (engine.weighted_sum): parents (w1 … wn, x1 … xn, b).
WEIGHTED_SUM = "Σwx+b"
LONGEST_DERIVED_NAME = 14
SHORTHAND = r"v\d+"  # how node_names calls a node whose name would be longer: v1, v2, …
# What makes a name compound when it stands outside brackets: spaces, operators, powers.
_OPERATOR_CHARACTERS = set(" ·/+−-*^×") | set("⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


MAX_PRECISION = 17  # a float holds about 17 significant digits: further decimals of a number ≥ 1 are noise


def number(x, precision=4):
    """x with ``precision`` decimals; scientific notation for tiny and huge values, as a Value's
    repr writes them (a zero is 0.0000 whatever its sign)."""
    return _format_number(x, precision)


def checked_precision(precision):
    """``precision`` (decimals per number) as an int from 0 to MAX_PRECISION, or a clear error."""
    return whole_number(precision, "precision", minimum=0, maximum=MAX_PRECISION)


def is_number(text):
    """Whether a name is a number, as ``short_number`` writes a constant ("2", "-0.5", "1e-05")."""
    try:
        float(text)
    except ValueError:
        return False
    return text == text.strip()


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


def node_names(order, root_name="L", given=None):
    """A name for every node of ``order`` (a topological order, parents first): its label,
    else an expression built from its parents' names ("w1·x", "σ(z)"), else v1, v2, ….
    An unlabelled root is called ``root_name``, as the notes call the loss L. No two nodes
    share a name: one already taken gets "#2", "#3" … (as the w1 of two Neurons built on
    their own does, written (x·y)#2 when the name is compound), and the root keeps its own; only
    constants are named by their value alone. ``given`` names some nodes outright (a
    diagram's collapsed neurons), as labels do."""
    given = given or {}
    root = order[-1]
    names, unnamed = {root: printable(root.label or given.get(root) or root_name)}, 0
    taken, last_suffix = set(names.values()), {}
    for node in order[:-1]:
        name = None
        if node.label:
            name = printable(node.label)
        elif node in given:
            name = printable(given[node])
        elif isinstance(node, Constant):
            names[node] = short_number(node.data)  # a number names itself, however often it is used
            continue
        elif node.parents:
            name = derived_name(node, names)
        if name is None or (not node.label and len(name) > LONGEST_DERIVED_NAME):
            unnamed += 1
            name = f"v{unnamed}"
        names[node] = _first_free(name, taken, last_suffix)  # every name above is printable where it was made
    return names


def shorthands(order, names):
    """What each v1, v2, … that ``node_names`` gave stands for, written with its parents'
    names: {"v1": "tanh((w·x) + b)"}, the key printed under a trace that uses them."""
    key = {}
    for node in order:
        name = names[node]
        if node.parents and not node.label and re.fullmatch(SHORTHAND, name):
            formula = derived_name(node, names)
            if formula:
                key[name] = formula
    return key


def _first_free(name, taken, last_suffix):
    """name, or else the first of name#2, name#3 … that is not taken (``last_suffix``
    remembers where the search for each name stopped, so a thousand neurons stay quick)."""
    candidate, count = name, last_suffix.get(name, 1)
    while candidate in taken:
        count += 1
        candidate = f"{_bracket(name, functions=False)}#{count}"  # (x·y)#2, not x·y#2: that reads x·(y#2)
    last_suffix[name] = count
    taken.add(candidate)
    return candidate


# Which kinds of name need brackets as an operand, as in the notes' w1·x + b1: a product
# inside a sum needs none, a sum inside a product does. (left side, right side) of each op.
NEEDS_BRACKETS = {
    "+": (set(), {"negative"}),
    "-": (set(), {"sum", "negative"}),
    "*": ({"sum"}, {"sum", "negative"}),
    "/": ({"sum"}, {"sum", "negative", "product"}),
}


def derived_name(node, names):
    """How ``node`` is computed, written with its parents' ``names``: "w1·x", "σ(z)", "x² + y",
    "x^y", an op of your own as a function, "mul(x, y)"; None for a leaf."""

    def operand(parent, needs_brackets=("sum", "negative", "product", "power")):
        name = names[parent]
        return f"({name})" if _kind(name) in needs_brackets else name

    op = printable(node.op)  # an op of your own may hold control characters; the parents' names are printable
    if isinstance(node.op, CustomOp):  # an op of your own is a function, whatever its name looks like
        return f"{op}({', '.join(names[p] for p in node.parents)})"
    if op in INFIX and len(node.parents) == 2:
        (a, b), (left, right) = node.parents, NEEDS_BRACKETS[op]
        joiner = INFIX[op] if op in ("*", "/") else f" {INFIX[op]} "
        return f"{operand(a, left)}{joiner}{operand(b, right)}"
    if op.startswith("**") and len(node.parents) == 1:
        return f"{operand(node.parents[0])}{op[2:].translate(SUPERSCRIPTS)}"
    if op == "**" and len(node.parents) == 2:  # an exponent that is a Value: x^y, as local_formula writes it
        return f"{operand(node.parents[0])}^{operand(node.parents[1])}"
    if op == "neg":
        return f"−{operand(node.parents[0], ('sum', 'negative', 'product'))}"
    if op == WEIGHTED_SUM:
        return WEIGHTED_SUM
    if op == "max":  # softmax's shift
        return f"max({', '.join(names[p] for p in node.parents)})"
    if len(node.parents) == 1:
        return f"{op}({names[node.parents[0]]})"
    return None


def _kind(name):
    """What a name is, outside brackets: "sum" (a + or − between terms, or a space),
    "negative" (a leading minus), "product" (· or /), "power" (a superscript) or "atom"."""
    if is_number(name):  # a constant such as 1e-05 or -2
        return "negative" if name.startswith("-") else "atom"
    depth, found = 0, "atom"
    for position, ch in enumerate(name):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0:
            if ch == " " or (ch in "+−-" and position > 0 and name[position - 1] not in "⁰¹²³⁴⁵⁶⁷⁸⁹·"):
                return "sum"
            if ch in "−-" and position == 0:
                found = "negative"
            elif ch in "·/*×" and name[position - 1] not in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻" and found != "negative":
                found = "product"
            elif ch in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻^" and found == "atom":
                found = "power"
    return found


def partial(out_name, in_name):
    """∂out/∂in, with brackets around compound names: ∂(w1·x)/∂w1."""
    return f"∂{_bracket(out_name)}/∂{_bracket(in_name)}"


def _bracket(name, functions=True):
    """``name`` in brackets when it would otherwise run into what surrounds it: when it has
    an operator, a space or a power outside brackets ("w·x + b", "y - t", "-2", "x²"), and,
    after ∂ (``functions``), when it is a function of something ("∂(σ(z))")."""
    depth = 0
    for position, ch in enumerate(name):
        if ch == "(":
            depth += 1
            if functions and position > 0 and depth == 1:
                return f"({name})"
        elif ch == ")":
            depth -= 1
        elif depth == 0 and ch in _OPERATOR_CHARACTERS:
            return f"({name})"
    return name


def local_formula(node, index, names):
    """The formula of ∂node/∂parents[index] in terms of names, or None where the number is
    all there is to say (a + b: 1)."""
    op, parents = node.op, node.parents
    if isinstance(op, CustomOp):
        return None  # an op of your own is known by its numbers only (its name may look like "**" or "exp")
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
        if n in (0, 1):
            return None  # x⁰ and x¹ have the constant derivatives 0 and 1
        power = "" if n == 2 else short_number(n - 1).translate(SUPERSCRIPTS)  # x³ → 3·x², as names write powers
        return f"{short_number(n)}·{_bracket(a)}{power}"
    if op == "**":
        b = names[parents[1]]
        return f"{_bracket(b)}·{_bracket(a)}^({b}−1)" if index == 0 else f"{_bracket(names[node])}·ln {_bracket(a)}"
    return None  # +, −, neg: the local derivative is the constant itself
