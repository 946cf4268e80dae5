"""The chain rule, step by step: the backward pass written out the way the notes do,
∂L/∂h = ∂L/∂y · ∂y/∂h = (-0.1133) × (0.3000) = -0.0340, one line per node.

By default only the nodes a student named (labels), the parameters and the inputs get a
line; unnamed intermediate nodes (such as w2·h inside y = w2·h + b2) are folded into the
local derivative, so ∂y/∂w2 = h. ``every_node=True`` gives every node its own line.
"""

import heapq
import math
import re
from dataclasses import dataclass, field
from typing import List, NamedTuple

from micrograd_club._io import plural, printable
from micrograd_club.engine import Constant, Value
from micrograd_club.viz.notation import (
    FUNCTIONS, SHORTHAND, SUPERSCRIPT_DIGITS, checked_precision, derived_name, is_number, local_formula, node_names,
    number, partial, role, short_number, shorthands,
)

__all__ = ["trace_backward", "explain", "accumulation_note", "BackwardTrace", "TraceStep", "Term"]

NAMES_IN_REPR = 8  # a BackwardTrace's repr names this many steps, then "…"
# The "where v1 = …" key writes out at most this many shorthands: a chain of 100,000 steps,
# each written with the one before, made a key of 3 MB, and a loss over 100 moons one of 1.6 MB.
KEY_ENTRIES = 100
EXPLAIN_LINES = 1000  # explain prints at most this many lines of the chain rule (trace_backward has them all)
LEAF_RANK = {"parameter": 0, "input": 1, "constant": 2}  # which leaf a note about added-up grads names first
# v1 in a line, but not in v12, v1#2 or xv1; v1² is v1 squared (a superscript is a word character to re)
SHORTHAND_NAME = re.compile(rf"(?<![\w#]){SHORTHAND}(?![^\W{SUPERSCRIPT_DIGITS}]|#)")
# In the key "v1 = …\nv2 = …": the name a line defines, or one that a formula uses.
DEFINED_OR_USED = re.compile(rf"^({SHORTHAND}) = |({SHORTHAND_NAME.pattern})", re.MULTILINE)


class Term(NamedTuple):
    """One contribution to a gradient: ∂L/∂via · ∂via/∂node."""

    via: Value
    via_name: str
    upstream: float  # ∂L/∂via
    local: float  # ∂via/∂node
    local_name: str  # how the local derivative is written: "σ'(z1)", "∂y/∂h"

    @property
    def contribution(self):
        """upstream × local: what flows to the node along this edge."""
        return self.upstream * self.local


@dataclass
class TraceStep:
    """The moment the backward pass completes one node's gradient."""

    node: Value
    name: str
    grad: float
    terms: List[Term] = field(default_factory=list)
    root_name: str = "L"
    precision: int = 4
    root_formula: str = ""  # what an unlabelled root, called root_name, stands for: "x·x + y"

    def __repr__(self):
        """The step's chain-rule line, not every field: ``TraceStep(∂L/∂z = σ'(z) = 0.2350)``."""
        return f"TraceStep({self.text})"

    @property
    def text(self):
        """The chain-rule line, as the notes write it: ∂L/∂h = ∂L/∂y · ∂y/∂h = (-0.1133) × (0.3000) = -0.0340."""
        lhs = partial(self.root_name, self.name)
        if not self.terms:
            what = f"; {self.root_name} = {self.root_formula}" if self.root_formula else ""
            return f"{lhs} = 1 (the start of the backward pass{what})"
        symbols, numbers = [], []
        for term in self.terms:
            if term.via_name == self.root_name and term.upstream == 1.0:
                symbols.append(term.local_name)  # ∂L/∂L · ∂L/∂y is just ∂L/∂y
                numbers.append(f"({number(term.local, self.precision)})")
            else:
                symbols.append(f"{partial(self.root_name, term.via_name)} · {term.local_name}")
                numbers.append(f"({number(term.upstream, self.precision)}) × ({number(term.local, self.precision)})")
        chain = " + ".join(symbols)
        result = number(self.grad, self.precision)
        if chain == lhs or (len(symbols) == 1 and is_number(chain)):
            return f"{lhs} = {result}"  # the formula is already the number: ∂L/∂(e²) = 0.5
        if len(numbers) == 1 and " × " not in numbers[0]:
            return f"{lhs} = {chain} = {result}"  # one term from the root: (0.7864) would repeat the result
        return f"{lhs} = {chain} = {' + '.join(numbers)} = {result}"

    def as_dict(self):
        """The step as plain data: the node's name, role, data and grad, its terms and its line."""
        return {
            "node": self.name,
            "role": role(self.node),
            "data": self.node.data,
            "grad": self.grad,
            "terms": [
                {
                    "via": t.via_name,
                    "upstream": t.upstream,
                    "local": t.local,
                    "local_name": t.local_name,
                    "contribution": t.contribution,
                }
                for t in self.terms
            ],
            "text": self.text,
        }


class BackwardTrace(list):
    """The steps of a backward pass, in order; ``print()`` it for the chain, or use
    ``as_dicts()`` for a table (e.g. ``pandas.DataFrame(trace.as_dicts())``). Names too long
    to write out are v1, v2, …; ``shorthands`` says what each stands for."""

    shorthands = {}

    def as_dicts(self):
        """One dict per step (see ``TraceStep.as_dict``), numbered from 0 under "step"."""
        return [dict(step=i, **step.as_dict()) for i, step in enumerate(self)]

    def __repr__(self):
        """One line naming the steps, ``BackwardTrace(3 steps: L, z, w; print() it for the chain
        rule)``, rather than every field of every step."""
        names = [step.name for step in self[:NAMES_IN_REPR]] + (["…"] if len(self) > NAMES_IN_REPR else [])
        return f"BackwardTrace({plural(len(self), 'step')}: {', '.join(names)}; print() it for the chain rule)"

    def __str__(self):
        key = self.key()
        return "\n".join([step.text for step in self] + ([key] if key else []))

    def key(self):
        """The line under the steps, "where v1 = …, v2 = …", saying what each v1, v2, … that
        they use stands for (and any that those are written with); "" when they use none."""
        lines = [step.text for step in self]
        # One pass over the text for the v1, v2, … it uses (not one search per shorthand per line:
        # a trace of a few thousand nodes took minutes to print).
        mentioned = set(re.findall(SHORTHAND_NAME, "\n".join(lines)))
        key = [f"{name} = {formula}" for name, formula in self.shorthands.items()]
        uses = {}  # each shorthand -> the shorthands its formula is written with (v2 = tanh(v1): v1)
        for defined, used in re.findall(DEFINED_OR_USED, "\n".join(key)):  # again one pass
            if defined:
                uses[defined] = current = set()
            else:
                current.add(used)
        for name in reversed(self.shorthands):  # a shorthand's formula uses only earlier ones
            if name in mentioned:
                mentioned |= uses[name]
        used = [line for line, name in zip(key, self.shorthands) if name in mentioned]
        if len(used) > KEY_ENTRIES:  # the latest, which the lines use, each written with earlier ones
            return (f"where {', '.join(used[-KEY_ENTRIES:])} (and {len(used) - KEY_ENTRIES:,} earlier shorthands "
                    "that these are written with: a trace's .shorthands has every one)")
        return "where " + ", ".join(used) if used else ""

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))


def trace_backward(root, *, every_node=False, precision=4, root_name="L"):
    """The backward pass of ``root`` as a BackwardTrace, one step per node, in the order a
    student would work it by hand: from the root back, finishing each expression before
    moving on (y, then w2 and b2, then h, …). Gradients are computed here from the
    recorded local derivatives; nothing in the graph is changed, and ``backward()`` need
    not have run. A node used several times sums its contributions.

    ``every_node=True`` gives every node a line (by default: the root, labelled nodes,
    parameters and inputs); ``precision`` is the decimals of each number; ``root_name``
    names an unlabelled root, L as in the notes (its line then says what it stands for:
    ∂L/∂L = 1 (the start of the backward pass; L = x·x + y))."""
    _check_root(root, "trace_backward")
    return _trace(root.topological_order(), every_node, checked_precision(precision), root_name)


def _check_root(root, function):
    if not isinstance(root, Value):
        raise TypeError(f"{function} expects a Value, got {type(root).__name__}")


def _trace(order, every_node, precision, root_name, names=None, traced=None):
    """``trace_backward`` of the root ``order[-1]``, given its topological order. A diagram's
    step-through gives its own ``names`` and the nodes it draws as the ``traced`` ones (those
    with a line of their own), so that its lines speak of what its pictures show."""
    root = order[-1]
    names = names or node_names(order, root_name)
    grads = _gradients(order)
    traced = _traced_nodes(order, every_node) if traced is None else traced
    position = {node: i for i, node in enumerate(order)}

    terms_of = {node: [] for node in traced}
    for child in order:
        if child in traced:
            for parent, local, local_name in _folded_locals(child, traced, position, names, root):
                terms_of[parent].append(Term(child, names[child], grads[child], local, local_name))
    for node, terms in terms_of.items():
        # A term straight from the root is written by its local derivative alone (∂L/∂L = 1), so
        # one written ∂L/∂node would read like the whole gradient: give its number instead.
        if len(terms) > 1:
            whole = partial(names[root], names[node])
            terms[:] = [t._replace(local_name=short_number(t.local)) if t.via is root and t.local_name == whole
                        else t for t in terms]

    trace = BackwardTrace()
    trace.shorthands = shorthands(order, names)
    for node in backward_order(order):
        if node in traced:
            terms = sorted(terms_of[node], key=lambda t: -position[t.via])
            trace.append(TraceStep(node, names[node], grads[node], terms, names[root], precision))
    if names[root] == printable(root_name) and not root.label:  # a name that says nothing of what it is
        trace[0].root_formula = derived_name(root, names) or ""  # (a collapsed neuron is named for what it is)
    return trace


def explain(root, *, every_node=False, precision=4, root_name="L"):
    """Print the chain rule for every node of ``root`` (see ``trace_backward``, which takes
    the same options). When no node between the root and the leaves has a label, every line
    is one number; a last line then says how to see the chain. A graph of more than
    EXPLAIN_LINES lines (a loss over a whole data set, every_node=True) prints its first
    EXPLAIN_LINES, and says that ``trace_backward`` holds them all."""
    _check_root(root, "explain")
    order = root.topological_order()  # once, for the trace, the note and the hint
    trace = _trace(order, every_node, checked_precision(precision), root_name)
    shown = BackwardTrace(trace[:EXPLAIN_LINES])
    shown.shorthands = trace.shorthands
    print("\n".join(step.text for step in shown))
    if len(trace) > len(shown):
        print(f"… (the first {len(shown):,} of {len(trace):,} lines: trace_backward(root) returns them all, to print() "
              "or turn into a table with .as_dicts(); or explain a smaller piece, such as one example's output)")
    key = shown.key()
    if key:
        print(key)
    note = _accumulation_note(order, root_name)
    if note:
        print(note)
    if len(trace) > 1 and all(term.via is trace[0].node for step in trace for term in step.terms) \
            and len(order) > len(trace):
        print("(nothing between the result and the inputs has a label, so each line is one number: "
              "label the steps, e.g. z = w * x + b; z.label = 'z', or pass every_node=True, to see the chain)")


def accumulation_note(root, root_name="L"):
    """A sentence for when some input's ``grad`` is not what one backward pass from ``root``
    gives, root.grad · ∂root/∂input (``backward()`` ran again, or ``zero_grad()`` was
    forgotten, so gradients added up; or the input also feeds a part of a bigger graph),
    naming the first such leaf, a parameter before an input before a constant (the ½ of a
    loss is the least telling); None when every grad matches, or none was computed."""
    return _accumulation_note(root.topological_order(), root_name)


def _accumulation_note(order, root_name):
    """``accumulation_note`` of the root ``order[-1]``, given its topological order."""
    root = order[-1]
    if root.grad is None or root.grad == 0:  # None: PyTorch's p.grad = None, no gradient to compare with
        return None
    this_pass = _gradients(order)
    leaves = sorted((node for node in order if not node.parents), key=lambda node: LEAF_RANK[role(node)])
    for node in leaves:
        if node.grad is None or node.grad == 0:  # no gradient (yet, or set to None): nothing added up
            continue
        expected = root.grad * this_pass[node]
        if not math.isclose(node.grad, expected, rel_tol=1e-9):
            name = node_names(order, root_name)[node]
            ratio = node.grad / expected if expected else math.inf
            if ratio > 1.5 and math.isclose(ratio, round(ratio), rel_tol=1e-9):
                return (
                    f"note: {name}.grad is {number(node.grad)}, {round(ratio)} × what this backward pass gives "
                    f"({number(expected)}): grads add up over backward() calls. Call zero_grad() "
                    "(or set each grad to 0) before backward(), unless you mean to add them."
                )
            return (
                f"note: {name}.grad is {number(node.grad)}, not {number(expected)}, what a backward pass from here "
                "gives: it also holds gradient from another backward() call or from a part of the graph not drawn."
            )
    return None


def _gradients(order):
    """∂root/∂node for every node: the same loop as ``Value.backward``, into a dict."""
    grads = {node: 0.0 for node in order}
    grads[order[-1]] = 1.0
    for node in reversed(order):
        for parent, local in zip(node.parents, node.local_grads):
            grads[parent] += local * grads[node]
    return grads


def _traced_nodes(order, every_node):
    """The nodes that get a line: every node, or only the root, labelled nodes, parameters
    and inputs (constants such as the ½ of a loss say little to a student)."""
    root = order[-1]
    if every_node:
        return set(order)
    return {
        node
        for node in order
        if not isinstance(node, Constant) and (node is root or node.label or not node.parents)
    }


def _folded_locals(child, traced, position, names, root):
    """(parent, ∂child/∂parent, how to write it) for each traced node (one with a line) just
    below ``child``, multiplying local derivatives through the nodes folded away between them
    and summing over routes."""
    region, stack = [child], [child]
    seen = {child}
    while stack:
        for parent in stack.pop().parents:
            if parent not in seen and parent not in traced and parent.parents:
                seen.add(parent)
                region.append(parent)
                stack.append(parent)
    region.sort(key=lambda node: -position[node])
    reach, routes = {child: 1.0}, {}
    for node in region:
        for parent, local in zip(node.parents, node.local_grads):
            reach[parent] = reach.get(parent, 0.0) + reach[node] * local
            routes[parent] = routes.get(parent, 0) + 1
    edges_from = {}  # parent -> the places i where child.parents[i] is that parent (a + a: two)
    for i, parent in enumerate(child.parents):
        edges_from.setdefault(parent, []).append(i)
    # f'(x), or from the root the formula itself (∂(x·x)/∂x = x + x: two edges, two terms) when
    # every name in it has a line of its own
    spelled_out = child.op in FUNCTIONS or (child is root and all(p in traced for p in child.parents))
    found = []
    for parent in sorted(reach, key=lambda node: -position[node]):
        if parent is child or parent not in traced:
            continue
        direct = edges_from.get(parent, [])
        if routes[parent] == len(direct):  # only direct edges: one term per edge, a + a gives two
            for i in direct:
                formula = local_formula(child, i, names) if spelled_out else None
                found.append((parent, child.local_grads[i], formula or partial(names[child], names[parent])))
        else:
            found.append((parent, reach[parent], partial(names[child], names[parent])))
    return found


def backward_order(order):
    """Reverse topological order, arranged the way one works backprop by hand: from the
    root, a node only after every node that uses it, and among the ready ones first the
    unlabelled pieces of the current expression, then leaves, then labelled nodes, each in reading
    order (left to right in the expression)."""
    root = order[-1]
    reading = _reading_order(root)
    waiting = {node: 0 for node in order}  # how many distinct users are still to come
    for node in order:
        for parent in set(node.parents):
            waiting[parent] += 1

    def priority(node):
        if node.parents and not node.label:
            rank = 0
        elif not node.parents:
            rank = 1
        else:
            rank = 2
        return (rank, reading[node])

    ready = [(priority(root), root)]
    result = []
    while ready:
        _, node = heapq.heappop(ready)
        result.append(node)
        for parent in set(node.parents):
            waiting[parent] -= 1
            if waiting[parent] == 0:
                heapq.heappush(ready, (priority(parent), parent))
    return result


def _reading_order(root):
    """Each node's position in a left-to-right reading of the expression (DFS preorder)."""
    index, stack = {}, [root]
    while stack:
        node = stack.pop()
        if node not in index:
            index[node] = len(index)
            stack.extend(reversed(node.parents))
    return index
