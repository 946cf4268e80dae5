"""The scalar autograd engine: a ``Value`` records how it was made, and ``backward()``
applies the chain rule to the whole graph in reverse topological order.

Every op computes its output *and* its local derivatives at forward time and stores
them on the new node, which gives them back as two tuples:

    out.parents       (a, b)              the inputs, in order (``a + a`` keeps both)
    out.local_grads   (∂out/∂a, ∂out/∂b)  plain floats, one per parent

so the backward pass is one loop, ``parent.grad += local_grad * node.grad``, and the
diagram and the chain-rule trace read these same numbers. (``micrograd_club.compile``
replays the ops on arrays with the same formulas, and is tested against these.)
"""

import functools
import inspect
import math
import numbers
import operator
import warnings
from contextlib import ContextDecorator

__all__ = ["Value", "Constant", "Op", "CustomOp", "weighted_sum", "weighted_sum_of_values", "maximum", "no_grad",
           "enable_grad", "is_grad_enabled"]

_grad_enabled = True


class no_grad(ContextDecorator):
    """Inside ``with no_grad():`` ops record no graph (like ``torch.no_grad``): results are
    plain leaves, which saves memory when you only evaluate a model. Also a decorator, with
    or without parentheses (on a generator function too). Unlike PyTorch's, the switch is one
    flag for the whole program, not one per thread."""

    records_graph = False  # what the flag is set to inside the block

    def __new__(cls, *args, **kwargs):
        block = super().__new__(cls)
        block._previous = []  # a stack, see __enter__
        if len(args) == 1 and not kwargs and callable(args[0]):  # @no_grad without (), as PyTorch allows
            return block(args[0])
        return block

    def __call__(self, func):
        """The decorator. A generator function is wrapped so the mode holds while its body runs,
        and the caller's mode is back at each ``yield`` (as PyTorch does); ContextDecorator alone
        would set the flag only while the generator object is made, not while it runs."""
        if inspect.isgeneratorfunction(func):
            return _generator_in_mode(self, func)
        return super().__call__(func)

    def __enter__(self):
        """Save the flag on a stack, not in one attribute: the same block may be entered again
        before it is left (a decorated function that recurses, ``with block:`` inside ``with
        block:``), and each exit must restore what its own enter found."""
        global _grad_enabled
        self._previous.append(_grad_enabled)
        _grad_enabled = self.records_graph
        return self

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._previous.pop()
        return False


class enable_grad(no_grad):
    """Record the graph again inside a ``no_grad()`` block (like ``torch.enable_grad``), for
    code that needs gradients wherever it is called from. Also a decorator."""

    records_graph = True


def is_grad_enabled():
    """True unless inside ``no_grad()`` (and not in an ``enable_grad()`` within it)."""
    return _grad_enabled


class Value:
    """One scalar in a computation graph: its ``data``, its gradient ``grad`` (∂L/∂self
    after ``L.backward()``), and how it was made (``op``, ``parents``, ``local_grads``).
    ``Value(0.4, "w")`` makes a leaf labelled w, the name diagrams and traces give it.
    (A third argument, micrograd's ``_op``, is refused with a hint on how ops are made here.)
    ``<``, ``<=``, ``>``, ``>=`` compare the data, but ``==`` asks whether two Values are the
    same node (as in micrograd, so Values can be kept in sets): write ``x.data == 2.0``
    (``x == 2.0``, always False, warns). ``a += b`` makes a new node, as ``a = a + b`` does
    (micrograd's way, in and out of ``no_grad()``); a model's ``Parameter`` is the one Value
    that ``-=`` updates in place, inside ``no_grad()`` (see ``nn.Parameter``)."""

    # __slots__: a node is a small fixed record (no per-node __dict__), about 100 bytes. Its inputs
    # and their local derivatives are in its own slots, not in tuples, laid out by how many inputs
    # the op that made it took:
    #
    #   a leaf (no inputs)           _a = None        _b = None
    #   one input x (x.tanh())       _a = x           _da = ∂out/∂x          _b = None
    #   two inputs x, y (x * y)      _a = x           _da = ∂out/∂x          _b = y       _db = ∂out/∂y
    #   more (Σwx+b, max, from_op)   _a = (x1, …)     _da = (∂out/∂x1, …)    _b = _MANY
    #
    # (_da and _db stay unset where the table has none.) ``parents`` and ``local_grads`` give them
    # back as tuples in every case, and code outside this file reads only those. Why not store the
    # tuples? A tuple of Values is one more object for Python's garbage collector to track, and
    # walk again and again while the graph is alive: slots halve the tracked objects of a
    # micrograd-style graph, and make its training step about 1.5 times as fast (benchmarks/README.md).
    __slots__ = ("data", "grad", "label", "op", "_a", "_da", "_b", "_db")

    def __init__(self, data, label="", _op=None):  # _op: micrograd's third argument, refused with a hint
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
        if isinstance(label, (tuple, list, set)) or _op is not None:
            raise TypeError(
                "Value(data, label) takes a label (a str) second. micrograd's Value(data, _children, _op) "
                "with a _backward closure is not how ops are made here: an op stores its inputs and local "
                'derivatives, e.g. Value.from_op(math.exp(x.data), "exp", (x,), (math.exp(x.data),))'
            )
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.data = number
        self.grad = 0.0
        self.label = label
        self.op = ""
        self._a = self._b = None  # a leaf: no inputs

    @property
    def parents(self):
        """The op's inputs, in order (``a + a`` keeps both): ``(a, b)``, ``(a,)``, ``(a, b, c, …)``, or
        ``()`` for a leaf. Read-only: the op that made the node chose them."""
        a, b = self._a, self._b
        if b is None:
            return () if a is None else (a,)
        return a if b is _MANY else (a, b)

    @property
    def local_grads(self):
        """∂out/∂parent for each of ``parents``, in the same order (plain floats)."""
        a, b = self._a, self._b
        if b is None:
            return () if a is None else (self._da,)
        return self._da if b is _MANY else (self._da, self._db)

    @local_grads.setter
    def local_grads(self, local_grads):
        """Replace the stored local derivatives, one number per parent (to see ``gradcheck``
        catch a wrong one, say). On a result made inside ``no_grad()``, which records no graph,
        they are ignored, as backward never reaches it."""
        if self._a is None and self.op == _MADE_IN_NO_GRAD:
            return
        try:
            numbers = tuple(map(_as_float, local_grads))
        except TypeError:  # one number, not a tuple of them
            numbers = (None,)
        if None in numbers or len(numbers) != len(self.parents):
            raise ValueError(
                f"local_grads needs one number per parent, ∂out/∂parent: this node has {len(self.parents)} "
                f"parents, got {local_grads!r:.60}. Give them as a tuple: (d,) for one parent, (da, db) for two"
            )
        if self._b is _MANY:
            self._da = numbers
        elif len(numbers) == 2:
            self._da, self._db = numbers
        elif numbers:
            (self._da,) = numbers

    # ----- arithmetic: out = f(a, b) with ∂out/∂a, ∂out/∂b beside it -----
    # A plain number on either side becomes a Constant leaf first (see _with_constant).

    def __add__(self, other):
        """a + b;  ∂/∂a = 1,  ∂/∂b = 1."""
        if not isinstance(other, Value):
            return _with_constant(Value.__add__, self, other)
        return _result(self.data + other.data, "+", (self, other), (1.0, 1.0))

    def __sub__(self, other):
        """a − b;  ∂/∂a = 1,  ∂/∂b = −1."""
        if not isinstance(other, Value):
            return _with_constant(Value.__sub__, self, other)
        return _result(self.data - other.data, "-", (self, other), (1.0, -1.0))

    def __mul__(self, other):
        """a · b;  ∂/∂a = b,  ∂/∂b = a."""
        if not isinstance(other, Value):
            return _with_constant(Value.__mul__, self, other)
        return _result(self.data * other.data, "*", (self, other), (other.data, self.data))

    def __truediv__(self, other):
        """a / b;  ∂/∂a = 1/b,  ∂/∂b = −a/b²."""
        if not isinstance(other, Value):
            return _with_constant(Value.__truediv__, self, other)
        a, b = self.data, other.data
        if b == 0:
            raise ZeroDivisionError(
                f"Value division by zero: {a!r} / {b!r}. "
                "Add a small epsilon to the denominator, e.g. a / (b + 1e-12), or check b first."
            )
        out = a / b
        return _result(out, "/", (self, other), (1.0 / b, -out / b))  # −a/b² as −(a/b)/b: b·b underflows for tiny b

    def __pow__(self, exponent):
        """aⁿ;  ∂/∂a = n·aⁿ⁻¹.  With a Value exponent also ∂/∂n = aⁿ·ln a."""
        if isinstance(exponent, Value):
            return self._pow_value(exponent)
        n = _as_float(exponent)
        if n is None:
            return _not_a_real_number(exponent)
        a = self.data
        return _result(_power(a, n), _shared_op(f"**{n:g}", n), (self,), (_power_derivative(a, n),))

    def _pow_value(self, exponent):
        a, n = self.data, exponent.data
        out = _power(a, n)
        if a > 0:
            d_exponent = out * math.log(a)
        elif a == 0:
            d_exponent = math.nan if math.isnan(n) else 0.0  # lim aⁿ·ln a = 0 as a → 0⁺ (for n > 0)
        elif not _grad_enabled:
            d_exponent = math.nan  # no graph is recorded inside no_grad(), so this is never used
        else:
            raise ValueError(
                f"{a!r} ** Value({n!r}): the gradient with respect to the exponent, aⁿ·ln a, "
                "needs a positive base. If the exponent is a constant, pass a plain number "
                f"(x ** {n!r}); otherwise use abs(x) ** n or exp(n * log(x)) with x > 0."
            )
        return _result(out, "**", (self, exponent), (_power_derivative(a, n), d_exponent))

    # number ⊕ Value: the number becomes the Constant on the left, so the order is kept.

    def __radd__(self, other):
        return _with_constant(Value.__add__, other, self)

    def __rsub__(self, other):
        return _with_constant(Value.__sub__, other, self)

    def __rmul__(self, other):
        return _with_constant(Value.__mul__, other, self)

    def __rtruediv__(self, other):
        return _with_constant(Value.__truediv__, other, self)

    def __rpow__(self, other):
        return _with_constant(Value._pow_value, other, self)

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
        """ln x;  ∂/∂x = 1/x.  Only defined for x > 0 (a nan passes through, as in PyTorch)."""
        x = self.data
        if x <= 0:
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
        """ReLU(x) = max(0, x);  ∂/∂x = 0 if x ≤ 0 else 1.  (A nan passes through, with ∂/∂x = 1,
        as in PyTorch.)"""
        x = self.data
        if x <= 0:
            return _result(0.0, "ReLU", (self,), (0.0,))
        return _result(x, "ReLU", (self,), (1.0,))

    def leaky_relu(self, negative_slope=0.01):
        """x if x > 0 else slope·x;  ∂/∂x = 1 if x > 0 else slope."""
        x, slope = self.data, _number_setting(negative_slope, "leaky_relu: negative_slope", "e.g. x.leaky_relu(0.1)")
        op = _shared_op("leaky_relu", slope)
        if x > 0:
            return _result(x, op, (self,), (1.0,))
        return _result(slope * x, op, (self,), (slope,))

    def softplus(self):
        """softplus(x) = ln(1 + eˣ), computed stably;  ∂/∂x = σ(x)."""
        x = self.data
        out = math.log1p(_safe_exp(-abs(x))) + max(x, 0.0)
        return _result(out, "softplus", (self,), (_sigmoid(x),))

    def clamp(self, min=None, max=None):
        """x limited to [min, max];  ∂/∂x = 1 for min ≤ x ≤ max (on a bound too, as in PyTorch),
        0 where x was outside and clamped. The bounds are fixed numbers: a Value given as a
        bound counts as its data, and no gradient flows to it. (A nan x stays nan, with ∂/∂x = 0, as in PyTorch.)"""
        min, max = _clamp_bounds(min, max)
        x, op = self.data, _shared_op("clamp", min, max)
        if min is not None and x < min:
            return _result(float(min), op, (self,), (0.0,))
        if max is not None and x > max:
            return _result(float(max), op, (self,), (0.0,))
        return _result(x, op, (self,), (0.0,) if math.isnan(x) else (1.0,))

    # ----- backpropagation -----

    def topological_order(self):
        """Every node this Value depends on, each after all of its parents (leaves first,
        ``self`` last, a node's parents in the order the op took them). A depth-first search
        with its own stack instead of recursion, so graphs of any depth work: a node goes
        into ``order`` once everything pushed above it (its parents, and theirs) has gone in."""
        order, visited = [], set()
        stack = [self]
        while stack:
            node = stack.pop()
            if node is _PARENTS_DONE:  # the node under this marker has all its parents placed
                order.append(stack.pop())
            elif node not in visited:
                visited.add(node)
                stack.append(node)
                stack.append(_PARENTS_DONE)
                for parent in reversed(node.parents):  # the first parent is popped, so placed, first
                    if parent not in visited:
                        stack.append(parent)
        return order

    def backward(self, gradient=1.0, retain_graph=None, create_graph=False):
        """Fill in ``grad`` = ∂L/∂node for every node of the graph, where L is ``self`` (usually
        the loss), by the chain rule: ∂L/∂parent += ∂node/∂parent · ∂L/∂node, visiting nodes from
        L back to the leaves. ``gradient`` seeds ``L.grad`` (1 by default; with g, every grad is
        g·∂L/∂node).

        As in PyTorch, leaves *accumulate* gradients across calls (call ``zero_grad()`` or set
        ``p.grad = 0`` between steps), while intermediate nodes are recomputed each call: for
        ``y = x*x*x`` at x = 3, two ``y.backward()`` calls give ``x.grad == 54`` (27 + 27).
        (micrograd accumulates into intermediates too and gives 72.)

        ``retain_graph`` is accepted for PyTorch code; the graph is always kept here, so
        ``backward()`` may be called again. ``create_graph=True`` (gradients of gradients) is
        not supported: a grad is a plain number, not a Value.
        """
        if create_graph:
            raise ValueError(
                "backward(create_graph=True) is not supported: grads here are plain numbers, not Values, so "
                "they have no graph to differentiate again. For a second derivative, write the first one as "
                "an expression of Values and call backward() on that."
            )
        if self.op == _MADE_IN_NO_GRAD and not self.parents:
            raise RuntimeError(
                "this Value was computed inside no_grad(), so no graph was recorded and backward() would "
                "give every parameter a gradient of 0. Compute the loss outside the no_grad() block "
                "(no_grad is for evaluating a model, not for training it)."
            )
        if isinstance(self.data, Value):  # a parameter whose data is a Value makes every result's data one
            refuse_data_that_is_a_value([node for node in self.topological_order() if not node.parents] + [self])
        seed = _number_setting(gradient, "backward: gradient", "the seed of the chain rule, 1 by default")
        order = _ops_in_order(self)  # every non-leaf node, each after its parents, grads reset to 0
        try:
            self.grad += seed
            for node in reversed(order):
                upstream = node.grad
                if upstream == 0.0 and math.isfinite(sum(node.local_grads)):
                    continue  # 0 · ∂node/∂parent = 0 for each parent: nothing to add (say, below a ReLU that is
                    # off), unless a local derivative is inf or nan: 0 · inf must stay nan, as in PyTorch
                for parent, local_grad in zip(node.parents, node.local_grads):
                    parent.grad += local_grad * upstream
        except TypeError:
            refuse_grads_of_none(self.topological_order())
            raise

    # ----- conversions and display -----

    def detach(self):
        """A new leaf with the same data and label, cut off from the graph."""
        return Value(self.data, self.label)

    def item(self):
        """The data as a Python float (like ``tensor.item()``)."""
        return float(self)

    def __float__(self):
        """The data, as ``float(tensor)`` gives in PyTorch. So ``math.tanh(x)`` computes a plain
        number that backprop knows nothing about: use ``x.tanh()`` for the op."""
        data = self.data
        if type(data) is not float:
            refuse_data_that_is_a_value([self])
            return float(data)  # an int or a numpy number set as data
        return data

    def __format__(self, spec):
        """``f"{loss:.4f}"`` formats the data; a plain ``f"{loss}"`` shows the repr."""
        return format(float(self), spec) if spec else repr(self)

    def __int__(self):
        """The data with its fraction dropped (toward 0), as ``int(tensor)`` gives in PyTorch."""
        return int(float(self))

    def __round__(self, ndigits=None):
        """``round(loss, 4)``: the data, rounded, as a plain number."""
        return round(self.data, ndigits)

    def __bool__(self):
        """Truth of the data, as for a PyTorch scalar tensor: ``Value(0.0)`` is false."""
        return self.data != 0

    def __repr__(self):
        """``Value(data=0.4000, grad=0.0000, label='w')``. A Value stored as data (by
        ``p.data = p - lr * p.grad``) shows as one, ``data=Value(…)``, not as its number."""
        label = f", label={self.label!r}" if self.label else ""
        grad = "None" if self.grad is None else _format_number(self.grad)  # None: PyTorch's p.grad = None
        data = repr(self.data) if isinstance(self.data, Value) else _format_number(self.data)
        return f"{type(self).__name__}(data={data}, grad={grad}{label})"

    # Comparisons look at data; == and hash stay identity-based so Values can live in sets.
    __hash__ = object.__hash__  # defining __eq__ would otherwise take it away

    def __eq__(self, other):
        """Whether ``other`` is this very node, as in micrograd. With a number that is always
        False, never what was meant (PyTorch's ``tensor == 2.0`` compares the numbers), so it
        warns and says to compare the data."""
        if isinstance(other, Value):
            return self is other
        if isinstance(other, numbers.Real):
            warnings.warn(
                f"comparing a Value with the number {other!r:.20} by == or != asks whether they are the same "
                "node (as in micrograd), so == is always False and != always True. Compare the numbers: "
                f"x.data == {other!r:.20}",
                stacklevel=2,
            )
            return False
        return NotImplemented

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

    def _backward(self):
        """micrograd's step for this one node, for lessons that backpropagate by hand
        (``L.grad = 1.0; L._backward(); d._backward(); …``): ∂L/∂parent += ∂self/∂parent ·
        ∂L/∂self for each parent, from the stored local derivatives."""
        for parent, local_grad in zip(self.parents, self.local_grads):
            parent.grad += local_grad * self.grad

    @classmethod
    def from_op(cls, data, op, parents, local_grads):
        """A node made by an op of your own: its value, the op's name, its inputs and the
        local derivative towards each, ∂out/∂parent. Backprop, diagrams and traces then treat
        it as any other op. For sin: ``Value.from_op(math.sin(x.data), "sin", (x,), (math.cos(x.data),))``.
        (micrograd makes ops with a ``_backward`` closure instead; here the numbers are stored.)"""
        parents, local_grads = tuple(parents), tuple(local_grads)
        if not all(isinstance(p, Value) for p in parents):
            raise TypeError("from_op: parents must be Values (make a number a Value first)")
        grads = [_as_float(g) for g in local_grads]
        if None in grads:
            raise TypeError("from_op: local_grads must be numbers, one ∂out/∂parent for each parent")
        if len(grads) != len(parents):
            raise ValueError(f"from_op: {len(parents)} parents need {len(parents)} local_grads, got {len(grads)}")
        if not isinstance(op, str):
            raise TypeError(f"from_op: op must be the op's name (a str), got {type(op).__name__}")
        data = _as_float(data)
        if data is None:
            raise TypeError("from_op: data must be a real number, the op's result")
        return _result(data, CustomOp(op), parents, tuple(grads))


def weighted_sum(weights, inputs, bias):
    """z = Σᵢ wᵢxᵢ + b as ONE node (a neuron's pre-activation), instead of a chain of n
    products and n sums: ∂z/∂wᵢ = xᵢ,  ∂z/∂xᵢ = wᵢ,  ∂z/∂b = 1.
    Parents are (w1 … wn, x1 … xn, b); numbers among them become Constants."""
    weights = [w if isinstance(w, Value) else _checked_constant(w, "weights") for w in weights]
    inputs = [x if isinstance(x, Value) else _checked_constant(x, "inputs") for x in inputs]
    bias = bias if isinstance(bias, Value) else _checked_constant(bias, "bias")
    if len(weights) != len(inputs):
        raise ValueError(f"weighted_sum: got {len(weights)} weights and {len(inputs)} inputs; they must pair up")
    return weighted_sum_of_values(weights, inputs, bias)


def weighted_sum_of_values(weights, inputs, bias, input_data=None):
    """``weighted_sum`` when weights and inputs are already equal-length lists of Values
    and bias is a Value (as in a Layer): the op itself, without the checks. A Layer, whose
    neurons all read the same inputs, passes their data once as ``input_data``."""
    w = [wi.data for wi in weights]
    x = [xi.data for xi in inputs] if input_data is None else input_data
    total = sum(map(operator.mul, w, x), bias.data)  # b + w1·x1 + … + wn·xn, in that order
    return _result(total, "Σwx+b", (*weights, *inputs, bias), (*x, *w, 1.0))


def maximum(*values):
    """m = max(v1, …, vn) as one node, of separate arguments (``maximum(a, b)``, as
    ``torch.maximum``) or of one list (``maximum([a, b, c])``);  ∂m/∂vᵢ = 1 for the largest
    vᵢ (the first, on a tie, as ``torch.max(dim=0)`` picks it: ``torch.maximum`` and ``amax``
    split a tie evenly instead; a nan, if there is one, as in PyTorch) and 0 for the others.
    Numbers among the values become Constants."""
    if len(values) == 1 and not isinstance(values[0], Value) and _as_float(values[0]) is None:
        values = values[0]  # one list of values
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise TypeError(f"maximum: values must be Values or numbers, got {type(values).__name__}")
    values = [v if isinstance(v, Value) else _checked_constant(v, "values", "maximum") for v in values]
    if not values:
        raise ValueError("maximum() needs at least one value")
    nans = [i for i, v in enumerate(values) if math.isnan(v.data)]
    largest = nans[0] if nans else max(range(len(values)), key=lambda i: values[i].data)
    local_grads = tuple(1.0 if i == largest else 0.0 for i in range(len(values)))
    return _result(values[largest].data, "max", tuple(values), local_grads)


class Op(str):
    """An op's name (a str such as "clamp", so ``node.op == "clamp"`` and printing work as
    usual) that also keeps the op's fixed settings: clamp's bounds, leaky_relu's slope, a
    power's exponent. Tools that replay a graph, such as ``micrograd_club.compile``, read
    them from ``node.op.settings``."""

    def __new__(cls, name, *settings):
        op = super().__new__(cls, name)
        op.settings = settings
        return op


class CustomOp(Op):
    """The name of an op made with ``Value.from_op``, so that tools which replay the engine's
    own ops by name (``compile``) know that this one is not the engine's, whatever it is called."""


@functools.lru_cache(maxsize=1024)
def _shared_op(name, *settings):
    """The Op for these settings, made once and shared by every node that uses it."""
    return Op(name, *settings)


class Constant(Value):
    """A plain number that took part in an op (the 2 in ``x * 2``): a leaf that is neither
    an input nor a parameter, so diagrams and traces can show it as such."""

    __slots__ = ()


# ----- helpers: the graph's bookkeeping and the ops' numbers -----

_PARENTS_DONE = object()  # a marker on the depth-first stacks of topological_order and _ops_in_order
_MADE_IN_NO_GRAD = Op("no_grad")  # the op of a result computed inside no_grad(): a leaf, with no graph to follow


def _ops_in_order(root):
    """backward's route: a topological order of the non-leaf nodes (leaves pass nothing
    back, so they need no place; the order may differ from ``topological_order()``'s, as
    parents are pushed in another order), each node's grad set to 0 as it is placed."""
    order, visited = [], set()
    stack = [root] if root._a is not None else []
    while stack:
        node = stack.pop()
        if node is _PARENTS_DONE:
            node = stack.pop()
            node.grad = 0.0
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append(node)
            stack.append(_PARENTS_DONE)
            # Push each parent that is an op (a leaf's _a is None) and not yet placed. node.parents would
            # build a tuple for every node; reading the slots makes this pass a quarter faster on a
            # micrograd-style graph (see the slot layout above Value.__slots__).
            a, b = node._a, node._b
            if b is _MANY:
                for parent in a:
                    if parent._a is not None and parent not in visited:
                        stack.append(parent)
            else:
                if a._a is not None and a not in visited:
                    stack.append(a)
                if b is not None and b._a is not None and b not in visited:
                    stack.append(b)
    return order


# A node's _b when its op has more than two inputs: its _a and _da then hold tuples. Python's one
# Ellipsis object, so a copy.deepcopy or pickle of a node still holds this very marker (of an
# object() it would hold a new object, and no longer give back its parents).
_MANY = ...
_new_node = object.__new__  # makes an empty node without running Value.__init__'s checks


def _result(data, op, parents, local_grads):
    """A new node with its inputs and local derivatives in its slots (see ``Value.__slots__``);
    inside ``no_grad()`` a bare leaf instead, marked as made there."""
    out = _new_node(Value)
    out.data, out.grad, out.label, out.op = data, 0.0, "", op
    if not _grad_enabled:
        out.op, parents = _MADE_IN_NO_GRAD, ()
    inputs = len(parents)
    if inputs == 2:
        (out._a, out._b), (out._da, out._db) = parents, local_grads
    elif inputs == 1:
        (out._a,), (out._da,), out._b = parents, local_grads, None
    elif inputs:
        out._a, out._da, out._b = parents, local_grads, _MANY
    else:
        out._a = out._b = None
    return out


def _with_constant(op, a, b):
    """``op(a, b)`` where one of a, b is a plain number: it becomes a Constant leaf first.
    Anything else goes to ``_not_a_real_number``."""
    if isinstance(a, Value):
        number = _as_float(b)
        return _not_a_real_number(b) if number is None else op(a, _constant(number))
    number = _as_float(a)
    return _not_a_real_number(a) if number is None else op(_constant(number), b)


def _constant(number):
    """A Constant leaf holding ``number`` (already a float)."""
    out = _new_node(Constant)
    out.data, out.grad, out.label = number, 0.0, ""
    out.op, out._a, out._b = "", None, None
    return out


def _clamp_bounds(low, high):
    """clamp's bounds as floats (or None), refusing what would make the range meaningless."""
    if low is None and high is None:
        raise ValueError("clamp() needs at least one bound: x.clamp(min=0.0), x.clamp(max=1.0) or x.clamp(0.0, 1.0)")
    bounds = []
    for name, bound in (("min", low), ("max", high)):
        number = None if bound is None else bound.data if isinstance(bound, Value) else _as_float(bound)
        if bound is not None and number is None:
            raise TypeError(f"clamp: {name} must be a number or None, got {type(bound).__name__} {bound!r:.40}")
        if number is not None and math.isnan(number):
            raise ValueError(f"clamp: {name} is nan, so the range has no meaning; give a number or None")
        bounds.append(number)
    if None not in bounds and bounds[0] > bounds[1]:
        raise ValueError(
            f"clamp: min={bounds[0]!r} is larger than max={bounds[1]!r}, so no number lies in the range. "
            "Did you swap them? (PyTorch would quietly give max everywhere.)"
        )
    return bounds


def _number_setting(x, what, example):
    """A setting given as a number (or a Value, whose data counts) as a float; else a TypeError
    naming it, rather than float()'s "could not convert string to float"."""
    number = float(x) if isinstance(x, Value) else _as_float(x)
    if number is None:
        raise TypeError(f"{what} must be a number, got {type(x).__name__} {x!r:.40} ({example})")
    return number


def _checked_constant(x, what, where="weighted_sum"):
    number = _as_float(x)
    if number is None:
        raise TypeError(f"{where}: {what} must be Values or numbers, got {type(x).__name__}")
    return _constant(number)


def _as_float(x):
    """x as a Python float if it is a real number (int, float, bool, numpy scalar or
    one-element array), else None."""
    if type(x) is float:
        return x
    if type(x) is int or isinstance(x, numbers.Real):  # int, bool, Fraction, numpy real scalars
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
        return _not_a_real_number(b)
    try:
        return op(a.data, other)
    except TypeError:  # a.data is not a float: a Value (refused by name) or a number set as data (p.data = 3)
        refuse_data_that_is_a_value([a, b] if isinstance(b, Value) else [a])
        return op(float(a.data), float(other))


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
    """a ** n, with errors that say what went wrong; a result too large for a float is
    ±inf, as ``a * a`` and PyTorch give (10.0 ** 400 = inf, (-10.0) ** 401 = -inf)."""
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
        odd_power_of_a_negative = a < 0 and n % 2 == 1
        return -math.inf if odd_power_of_a_negative else math.inf


def _power_derivative(a, n):
    """∂(aⁿ)/∂a = n·aⁿ⁻¹: 0 for n = 0, and ±inf at a pole (0 ** 0.5) or where aⁿ⁻¹ is too
    large for a float (1e-200 ** -1), as in PyTorch."""
    if n == 0:
        return 0.0
    if a == 0 and n < 1:
        return math.copysign(math.inf, n)
    return n * _power(a, n - 1)


def _format_number(x, precision=4):
    """``precision`` decimals for everyday numbers, scientific notation for tiny and huge ones
    (and nan, inf as Python writes them): how a Value's repr, and ``viz.notation.number``,
    write numbers. A zero is 0.0000 whatever its sign: −0.0 comes from products such as
    0 · (−1), and a loss of "−0.0000" (BCE's −(1·ln 1) on a perfect prediction) looks negative."""
    if x == 0:
        return f"{0.0:.{precision}f}"
    if 10.0**-precision <= abs(x) < 1e6:
        return f"{x:.{precision}f}"
    return f"{x:.{precision}e}"


# ----- clear errors for common slips: what was wrong, and what to write instead -----


def _not_a_real_number(x):
    """What an op of a Value with ``x``, which is not a real number, gives: NotImplemented, so
    Python tries ``x``'s own reflected op and else raises its usual TypeError (numpy arrays of
    Values work element-wise this way); but for a number that is not real, a Decimal (which
    Python keeps apart from floats on purpose) or a complex, a TypeError that says what to do."""
    if isinstance(x, numbers.Number) and not isinstance(x, numbers.Real):
        if isinstance(x, numbers.Complex):
            fix = "A Value holds one real number: use x.real or abs(x)"
        else:
            fix = "Convert it first: float(x)"  # a Decimal
        raise TypeError(
            f"a Value computes with real numbers (int, float, Fraction, numpy), "
            f"got {type(x).__name__}: {x!r:.40}. {fix}"
        )
    return NotImplemented


def refuse_data_that_is_a_value(nodes):
    """A TypeError naming the first of these nodes whose data is a Value, if one is: an update
    such as ``p.data = p - lr * p.grad`` (or ``p.data -= lr * p``, without .grad) stores a
    Value, graph and all, where a number belongs. Without this, every result computed from p
    has a Value as its data and grads become Values too, until an op fails with a message
    about floats that says nothing of p."""
    for node in nodes:
        if isinstance(node.data, Value):
            name = repr(node.label) if node.label else "a Value"
            raise TypeError(
                f"the data of {name} is a Value, not a number: an update such as p.data = p - lr * p.grad "
                "or p.data -= lr * p (without .grad) stores a Value, graph and all, in data. Update the "
                "number: p.data -= lr * p.grad (or, for a model's Parameters as in PyTorch, "
                "with no_grad(): p -= lr * p.grad)"
            )


def refuse_grads_of_none(nodes):
    """A TypeError saying which of these nodes' grads are None, if any are: PyTorch's way to
    zero a gradient (``p.grad = None``, as Karpathy's later lectures write it), which a grad
    here, always a number that backward() adds to, cannot hold."""
    nodes = [node for node in nodes if node.grad is None]
    if nodes:
        names = ", ".join(repr(node.label) if node.label else repr(node) for node in nodes[:3])
        more = f" and {len(nodes) - 3} more" if len(nodes) > 3 else ""
        raise TypeError(
            f"backward() adds to each grad, but the grad of {names}{more} is None (PyTorch's p.grad = None?). "
            "Here a grad is always a number: zero the grads with model.zero_grad(), optimizer.zero_grad() "
            "or p.grad = 0.0, then call backward() again"
        ) from None


# ----- @no_grad and @enable_grad on a generator function -----


def _generator_in_mode(block, func):
    """``func``, a generator function, as a generator that runs each step of ``func``'s (a send, a
    throw, a close) inside ``block`` (a no_grad or enable_grad), and passes what goes in and comes
    out unchanged: the decorator of no_grad.__call__ for a generator function."""

    @functools.wraps(func)
    def generator_in_this_mode(*args, **kwargs):
        generator = func(*args, **kwargs)
        resume, sent = generator.send, None  # the first step: send(None) starts it
        while True:
            with block:
                try:
                    value = resume(sent)
                except StopIteration as finished:
                    return finished.value
            try:
                sent, resume = (yield value), generator.send
            except GeneratorExit:  # the caller closed us: close func's generator in this mode too
                with block:
                    generator.close()
                raise
            except BaseException as error:  # the caller threw an exception in: pass it on to func's
                sent, resume = error, generator.throw

    return generator_in_this_mode
