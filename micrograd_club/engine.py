"""The scalar autograd engine: a ``Value`` records how it was made, and ``backward()``
applies the chain rule to the whole graph in reverse topological order.

Every op computes its output *and* its local derivatives at forward time and stores
them on the new node:

    out.parents     = (a, b)              the inputs, in order (``a + a`` keeps both)
    out.local_grads = (∂out/∂a, ∂out/∂b)  plain floats

so the backward pass is one loop, ``parent.grad += local_grad * node.grad``, and the
diagram, the chain-rule trace and any fast path all read the same numbers.
"""

import math
import numbers
from contextlib import ContextDecorator

__all__ = ["Value", "Constant", "weighted_sum", "no_grad", "is_grad_enabled"]

_grad_enabled = True


class no_grad(ContextDecorator):
    """Inside ``with no_grad():`` ops record no graph (like ``torch.no_grad``): results are
    plain leaves, which saves memory when you only evaluate a model. Also a decorator."""

    def __enter__(self):
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = False
        return self

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._previous
        return False


def is_grad_enabled():
    """True unless inside ``no_grad()``."""
    return _grad_enabled


def _binary_op(method):
    """Let ``method(self, other)`` take a Value or a plain number; anything else gives
    Python's usual TypeError (by returning NotImplemented, so numpy arrays of Values
    still work element-wise)."""

    def wrapper(self, other):
        if not isinstance(other, Value):
            number = _as_float(other)
            if number is None:
                return NotImplemented
            other = Constant(number)
        return method(self, other)

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


class Value:
    """One scalar in a computation graph: its ``data``, its gradient ``grad`` (∂L/∂self
    after ``L.backward()``), and how it was made (``op``, ``parents``, ``local_grads``)."""

    __slots__ = ("data", "grad", "label", "op", "parents", "local_grads", "__weakref__")

    def __init__(self, data, label=""):
        number = _as_float(data)
        if number is None:
            hint = (
                "To copy a Value without its graph use x.detach()."
                if isinstance(data, Value)
                else "For a list of numbers make one Value each: [Value(x) for x in xs]."
            )
            raise TypeError(
                f"Value(data) needs a real number (int, float, bool or a numpy scalar), "
                f"got {type(data).__name__}: {data!r:.60}. {hint}"
            )
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.data = number
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.parents = ()
        self.local_grads = ()

    # ----- arithmetic: out = f(a, b) with ∂out/∂a, ∂out/∂b beside it -----

    @_binary_op
    def __add__(self, other):
        """a + b;  ∂/∂a = 1,  ∂/∂b = 1."""
        return _result(self.data + other.data, "+", (self, other), (1.0, 1.0))

    @_binary_op
    def __sub__(self, other):
        """a − b;  ∂/∂a = 1,  ∂/∂b = −1."""
        return _result(self.data - other.data, "-", (self, other), (1.0, -1.0))

    @_binary_op
    def __mul__(self, other):
        """a · b;  ∂/∂a = b,  ∂/∂b = a."""
        return _result(self.data * other.data, "*", (self, other), (other.data, self.data))

    @_binary_op
    def __truediv__(self, other):
        """a / b;  ∂/∂a = 1/b,  ∂/∂b = −a/b²."""
        a, b = self.data, other.data
        if b == 0:
            raise ZeroDivisionError(
                f"Value division by zero: {a!r} / {b!r}. "
                "Add a small epsilon to the denominator, e.g. a / (b + 1e-12), or check b first."
            )
        return _result(a / b, "/", (self, other), (1.0 / b, -a / (b * b)))

    def __pow__(self, exponent):
        """aⁿ;  ∂/∂a = n·aⁿ⁻¹.  With a Value exponent also ∂/∂n = aⁿ·ln a."""
        if isinstance(exponent, Value):
            return self._pow_value(exponent)
        n = _as_float(exponent)
        if n is None:
            return NotImplemented
        a = self.data
        return _result(_power(a, n), f"**{n:g}", (self,), (_power_derivative(a, n),))

    def _pow_value(self, exponent):
        a, n = self.data, exponent.data
        out = _power(a, n)
        if a > 0:
            d_exponent = out * math.log(a)
        elif a == 0 or not _grad_enabled:
            d_exponent = 0.0  # lim aⁿ·ln a = 0 as a → 0⁺ (for n > 0)
        else:
            raise ValueError(
                f"{a!r} ** Value({n!r}): the gradient with respect to the exponent, aⁿ·ln a, "
                "needs a positive base. If the exponent is a constant, pass a plain number "
                f"(x ** {n!r}); otherwise use abs(x) ** n or exp(n * log(x)) with x > 0."
            )
        return _result(out, "**", (self, exponent), (_power_derivative(a, n), d_exponent))

    @_binary_op
    def __radd__(self, other):  # number + Value
        return other + self

    @_binary_op
    def __rsub__(self, other):  # number - Value
        return other - self

    @_binary_op
    def __rmul__(self, other):  # number * Value
        return other * self

    @_binary_op
    def __rtruediv__(self, other):  # number / Value
        return other / self

    @_binary_op
    def __rpow__(self, other):  # number ** Value
        return other._pow_value(self)

    def __neg__(self):
        """−a;  ∂/∂a = −1."""
        return _result(-self.data, "neg", (self,), (-1.0,))

    def __abs__(self):
        """|a|;  ∂/∂a = sign(a) (0 at a = 0, as in PyTorch)."""
        a = self.data
        return _result(abs(a), "abs", (self,), (float((a > 0) - (a < 0)),))

    def abs(self):
        """|a|, the same as ``abs(a)``."""
        return self.__abs__()

    # ----- elementary functions -----

    def exp(self):
        """eˣ;  ∂/∂x = eˣ.  Overflows to inf (as torch.exp does) instead of raising."""
        out = _safe_exp(self.data)
        return _result(out, "exp", (self,), (out,))

    def log(self):
        """ln x;  ∂/∂x = 1/x.  Only defined for x > 0."""
        x = self.data
        if not x > 0:
            raise ValueError(
                f"log of a non-positive number: log({x!r}) is undefined (ln x needs x > 0). "
                "Keep the input positive, e.g. (p + 1e-12).log(), or compute the loss from "
                "logits (binary_cross_entropy_with_logits, cross_entropy)."
            )
        return _result(math.log(x), "log", (self,), (1.0 / x,))

    def sqrt(self):
        """√x;  ∂/∂x = 1/(2√x) (inf at x = 0, as in PyTorch)."""
        x = self.data
        if x < 0:
            raise ValueError(
                f"sqrt of a negative number: sqrt({x!r}) has no real value. "
                "Use abs(x).sqrt() or keep the input non-negative."
            )
        root = math.sqrt(x)
        return _result(root, "sqrt", (self,), (0.5 / root if root else math.inf,))

    def tanh(self):
        """tanh x;  ∂/∂x = 1 − tanh² x."""
        t = math.tanh(self.data)
        return _result(t, "tanh", (self,), (1.0 - t * t,))

    def sigmoid(self):
        """σ(x) = 1 / (1 + e⁻ˣ);  ∂/∂x = σ(x)·(1 − σ(x))."""
        s = _sigmoid(self.data)
        return _result(s, "σ", (self,), (s * (1.0 - s),))

    def relu(self):
        """ReLU(x) = max(0, x);  ∂/∂x = 1 if x > 0 else 0."""
        x = self.data
        return _result(x if x > 0 else 0.0, "ReLU", (self,), (1.0 if x > 0 else 0.0,))

    def leaky_relu(self, negative_slope=0.01):
        """x if x > 0 else slope·x;  ∂/∂x = 1 if x > 0 else slope."""
        x, slope = self.data, float(negative_slope)
        if x > 0:
            return _result(x, "leaky_relu", (self,), (1.0,))
        return _result(slope * x, "leaky_relu", (self,), (slope,))

    def softplus(self):
        """softplus(x) = ln(1 + eˣ), computed stably;  ∂/∂x = σ(x)."""
        x = self.data
        out = math.log1p(_safe_exp(-abs(x))) + max(x, 0.0)
        return _result(out, "softplus", (self,), (_sigmoid(x),))

    def clamp(self, min=None, max=None):
        """x limited to [min, max];  ∂/∂x = 1 inside the range, 0 where it was clamped."""
        x = self.data
        if min is not None and x < min:
            return _result(float(min), "clamp", (self,), (0.0,))
        if max is not None and x > max:
            return _result(float(max), "clamp", (self,), (0.0,))
        return _result(x, "clamp", (self,), (1.0,))

    # ----- backpropagation -----

    def topological_order(self):
        """Every node this Value depends on, each after all of its parents (leaves first,
        ``self`` last). Iterative, so graphs of any depth work."""
        order, visited = [], set()
        stack = [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((parent, False) for parent in node.parents if parent not in visited)
        return order

    def backward(self, gradient=1.0):
        """Fill in ``grad`` = ∂self/∂node for every node of the graph, by the chain rule:
        ∂L/∂parent += ∂node/∂parent · ∂L/∂node, visiting nodes from ``self`` back to the leaves.

        As in PyTorch, leaves *accumulate* gradients across calls (call ``zero_grad()`` or set
        ``p.grad = 0`` between steps), while intermediate nodes are recomputed each call: for
        ``y = x*x*x`` at x = 3, two ``y.backward()`` calls give ``x.grad == 54`` (27 + 27).
        (micrograd accumulates into intermediates too and gives 72.)
        """
        order = self.topological_order()
        for node in order:
            if node.parents:
                node.grad = 0.0
        self.grad += float(gradient)
        for node in reversed(order):
            upstream = node.grad
            for parent, local_grad in zip(node.parents, node.local_grads):
                parent.grad += local_grad * upstream

    # ----- conversions and display -----

    def detach(self):
        """A new leaf with the same data and label, cut off from the graph."""
        return Value(self.data, self.label)

    def item(self):
        """The data as a Python float (like ``tensor.item()``)."""
        return self.data

    def __float__(self):
        return self.data

    def __bool__(self):
        """Truth of the data, as for a PyTorch scalar tensor: ``Value(0.0)`` is false."""
        return self.data != 0

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"{type(self).__name__}(data={_fmt(self.data)}, grad={_fmt(self.grad)}{label})"

    # Comparisons look at data; == and hash stay identity-based so Values can live in sets.
    def __lt__(self, other):
        return _compare(self, other, float.__lt__)

    def __le__(self, other):
        return _compare(self, other, float.__le__)

    def __gt__(self, other):
        return _compare(self, other, float.__gt__)

    def __ge__(self, other):
        return _compare(self, other, float.__ge__)

    # micrograd-era names, read-only, so older drawing code keeps working.
    @property
    def _prev(self):
        return set(self.parents)

    @property
    def _op(self):
        return self.op


def weighted_sum(weights, inputs, bias):
    """z = Σᵢ wᵢxᵢ + b as ONE node (a neuron's pre-activation), instead of a chain of n
    products and n sums: ∂z/∂wᵢ = xᵢ,  ∂z/∂xᵢ = wᵢ,  ∂z/∂b = 1.
    Parents are (w1 … wn, x1 … xn, b); numbers among them become Constants."""
    weights = [w if isinstance(w, Value) else _constant(w, "weights") for w in weights]
    inputs = [x if isinstance(x, Value) else _constant(x, "inputs") for x in inputs]
    bias = bias if isinstance(bias, Value) else _constant(bias, "bias")
    if len(weights) != len(inputs):
        raise ValueError(f"weighted_sum: got {len(weights)} weights and {len(inputs)} inputs; they must pair up")
    total = bias.data
    for w, x in zip(weights, inputs):
        total += w.data * x.data
    local_grads = tuple(x.data for x in inputs) + tuple(w.data for w in weights) + (1.0,)
    return _result(total, "Σwx+b", (*weights, *inputs, bias), local_grads)


class Constant(Value):
    """A plain number that took part in an op (the 2 in ``x * 2``): a leaf that is neither
    an input nor a parameter, so diagrams and traces can show it as such."""

    __slots__ = ()


# ----- helpers -----


def _result(data, op, parents, local_grads):
    """A new node; inside ``no_grad()`` a bare leaf instead."""
    out = Value.__new__(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    if _grad_enabled:
        out.op, out.parents, out.local_grads = op, parents, local_grads
    else:
        out.op, out.parents, out.local_grads = "", (), ()
    return out


def _constant(x, what):
    number = _as_float(x)
    if number is None:
        raise TypeError(f"weighted_sum: {what} must be Values or numbers, got {type(x).__name__}")
    return Constant(number)


def _as_float(x):
    """x as a Python float if it is a real number (int, float, bool, numpy scalar or
    one-element array), else None."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real):  # int, bool, Fraction, numpy real scalars (np.float64 too)
        try:
            return float(x)
        except OverflowError:
            raise OverflowError(f"{x!r:.40} is too large for a float (over 1.8e308)") from None
    if hasattr(x, "dtype") and getattr(x, "size", None) == 1 and hasattr(x, "item"):
        item = x.item()  # numpy bool_ and one-element arrays
        if isinstance(item, (bool, int, float)):
            return float(item)
    return None


def _compare(a, b, op):
    other = b.data if isinstance(b, Value) else _as_float(b)
    if other is None:
        return NotImplemented
    return op(a.data, other)


def _safe_exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # x < 0, so e ≤ 1 and nothing overflows
    return e / (1.0 + e)


def _power(a, n):
    """a ** n with errors that say what went wrong."""
    if a == 0 and n < 0:
        raise ZeroDivisionError(
            f"Value power: {a!r} ** {n!r} divides by zero. Add a small epsilon to the base."
        )
    if a < 0 and not float(n).is_integer():
        raise ValueError(
            f"Value power: {a!r} ** {n!r} (a negative base to a fractional power) has no real value. "
            "Use abs(x) ** n or keep the base positive."
        )
    try:
        return a**n
    except OverflowError:
        raise OverflowError(
            f"Value power: {a!r} ** {n!r} is too large for a float (over 1.8e308). "
            "Scale the inputs down or work with logarithms."
        ) from None


def _power_derivative(a, n):
    """∂(aⁿ)/∂a = n·aⁿ⁻¹: 0 for n = 0, and inf at a pole (0 ** 0.5), as in PyTorch."""
    if n == 0:
        return 0.0
    if a == 0 and n < 1:
        return math.copysign(math.inf, n)
    return n * _power(a, n - 1)


def _fmt(x):
    """4 decimals for everyday numbers, scientific notation for tiny and huge ones."""
    if x == 0 or 1e-4 <= abs(x) < 1e6:
        return f"{x:.4f}"
    return f"{x:.4e}"
