"""Trace a function of Values once; replay it with numpy over a whole batch.

    from micrograd_club.compile import compile

    step = compile(lambda x, y: hinge([model(x)], [y]), X[0], y[0])
    loss = step(X, y)          # every row of X at once; loss.data is the mean over the rows
    optimizer.zero_grad()
    loss.backward()            # into the same Parameters, so optimizers work unchanged
    optimizer.step()

How it works:

1. Trace. ``fn`` runs once on the example as ordinary Values. Its graph, in topological
   order, is the *tape*: one slot per node, each with its op code and its parents' slot
   numbers. Leaves that are the function's inputs get their numbers from the batch; leaves
   that outlive the call (a model's Parameters) are read from ``.data`` at every call and
   receive ``.grad``; every other leaf (a Constant such as the 1 in ``1 - y*s``) is a number
   fixed at trace time.
2. Replay. Every slot that depends on the inputs becomes a numpy array with one entry per
   row of the batch; the others stay plain numbers. Each op of the engine has its forward
   formula and its local derivatives written here for arrays, so the tape becomes one
   straight-line Python function (see ``tape.source``): the forward pass, then the same
   chain rule as ``Value.backward`` -- for a whole batch at once. Ops that branch on the
   data (ReLU, abs, clamp, max, leaky ReLU) branch element by element. A layer of Σwx+b
   nodes that share their inputs becomes one matrix product, and an activation applied to
   each of them one array op.
3. Check. Replaying is only right if ``fn`` builds the same graph for every input. On the
   first call, and on every call with ``check=True``, a sample of the batch's rows is traced
   again as Values and compared with the tape (ops, wiring, constants and results); a
   function whose graph depends on the data, such as a Python ``if`` on ``.data``, is refused
   with a DataDependentGraphError instead of being replayed wrongly.

Numbers used inside ``fn`` are fixed when it is traced (the parameters are not: they are
read at every call). Where the scalar engine raises (log of 0, division by 0) the tape
gives inf or nan, as numpy does. Only parameters receive gradients, not inputs or constants.
"""

import builtins
import math
import numbers

import numpy as np

from micrograd_club._inputs import whole_number
from micrograd_club.engine import Constant, CustomOp, Value, enable_grad, refuse_grads_of_none
from micrograd_club.engine import _power, _power_derivative
from micrograd_club.engine import _safe_exp as _s_exp  # the engine's own formulas, for single numbers
from micrograd_club.engine import _sigmoid as _s_sigmoid

__all__ = ["compile", "Tape", "TapeResult", "CompileError", "DataDependentGraphError"]

REDUCTIONS = ("mean", "sum")


class CompileError(ValueError):
    """The function or its arguments cannot be turned into a tape."""


class DataDependentGraphError(CompileError):
    """The function builds a different graph for some input than for the example."""


def compile(fn, *example_args, check=False, reduction="mean", sample_size=8):
    """Trace ``fn(*example_args)`` into a Tape that replays it over batches.

    ``fn`` takes one example -- each argument a number or a (nested) list of numbers, given
    to it as Values -- and returns its loss as a Value, or a pair ``(loss, outputs)`` where
    ``outputs`` is a Value or a list of Values to report per row (a model's prediction,
    say). ``tape(*batch_args)`` takes arrays with one row per example (shape
    ``(rows, *example_shape)``) and returns a TapeResult whose ``data`` is the loss reduced
    over the rows (``reduction`` "mean" or "sum"), with ``backward()`` as for a Value.

    ``check=True`` re-traces ``sample_size`` rows on every call, not only on the first one;
    ``tape(*batch_args, check="all")`` re-traces every row of that batch (one scalar forward
    pass per row), which ``train.fit`` does once for the whole data set.
    """
    return Tape(fn, example_args, check=check, reduction=reduction, sample_size=sample_size)


class TapeResult:
    """The replayed loss of a batch: ``data`` (the reduced loss, a float), ``values`` (each
    row's loss), ``outputs`` (each row's extra outputs, if ``fn`` returned any), and
    ``backward()``, which adds ∂data/∂p to every parameter's ``grad`` (as Value.backward
    does for leaves)."""

    def __init__(self, tape, data, values, outputs, backward):
        self.data = data
        self.values = values
        self.outputs = outputs
        self._tape = tape
        self._backward = backward  # goes on with the paused replay: the backward pass
        self._unit_grads = None

    def backward(self, gradient=1.0):
        """Add ``gradient`` · ∂data/∂p to every parameter p's ``grad``, as ``Value.backward``
        does for the leaves (inputs and constants get none)."""
        if self._unit_grads is None:
            self._unit_grads = self._backward()  # ∂data/∂p for every parameter, computed once
        gradient = float(gradient)
        try:
            for p, g in zip(self._tape.parameters, self._unit_grads):
                p.grad += gradient * g
        except TypeError:
            refuse_grads_of_none(self._tape.parameters)
            raise

    def item(self):
        """The reduced loss as a Python float, as ``Value.item()``."""
        return self.data

    def __float__(self):
        return self.data

    def __repr__(self):
        return f"TapeResult(data={self.data:.4f}, rows={len(self.values)})"


class Tape:
    """A traced function, ready to replay over batches (made by ``compile``). After a call
    that checked rows, ``engine_errors`` maps each checked row where the scalar engine
    raises (log of 0, say) to that error; the tape gave inf or nan there."""

    def __init__(self, fn, example_args, *, check=False, reduction="mean", sample_size=8):
        if not callable(fn):
            raise TypeError(f"compile expects a function, got {type(fn).__name__}")
        if reduction not in REDUCTIONS:
            raise ValueError(f"reduction must be one of {', '.join(REDUCTIONS)}, got {reduction!r}")
        if check not in (False, True, "all"):
            raise ValueError(f"check must be False, True or 'all', got {check!r}")
        self.fn = fn
        self.reduction = reduction
        self.check = check
        self.sample_size = whole_number(sample_size, "sample_size")
        self.example_shapes = [_example_array(a, i).shape for i, a in enumerate(example_args)]
        first = _trace(fn, example_args)
        again = _trace(fn, example_args)  # leaves that are the same objects both times outlive a call: parameters
        persistent = _same_objects(first, again)
        self._reference = _signature(first, persistent)
        if _signature(again, persistent) != self._reference:
            raise DataDependentGraphError(
                "the function built two different graphs for the same example, so it cannot be replayed "
                "(does it use randomness, or state that changes between calls?)"
            )
        self._trace = first
        self._program = _Program(first, persistent)
        self.parameters = self._program.parameters
        self.source = self._program.source
        self._checked = False
        self.engine_errors = {}  # row -> the engine's error there, from the last check (the tape gave inf or nan)

    def __call__(self, *args, check=None):
        if check not in (None, False, True, "all"):
            raise ValueError(f"check must be None, False, True or 'all', got {check!r}")
        arrays, rows = self._batch_arrays(args)
        values, outputs, backward = self._program.run(arrays, rows, self.reduction)
        with np.errstate(all="ignore"):  # inf − inf is nan here, as in the engine, not a warning
            data = float(values.mean() if self.reduction == "mean" else values.sum())
        check = self.check if check is None else check
        if check or not self._checked:
            sample = range(rows) if check == "all" else _sample_rows(rows, self.sample_size)
            self._verify(arrays, sample, values, outputs)
            self._checked = True
        return TapeResult(self, data, values, outputs, backward)

    def __repr__(self):
        return (f"Tape({getattr(self.fn, '__name__', 'fn')}: {len(self._trace.order)} nodes, "
                f"{len(self.parameters)} parameters, reduction={self.reduction!r})")

    # ----- helpers -----

    def _batch_arrays(self, args):
        if len(args) != len(self.example_shapes):
            raise TypeError(f"this tape takes {len(self.example_shapes)} batch arguments, got {len(args)}")
        arrays, rows = [], None
        for i, (arg, shape) in enumerate(zip(args, self.example_shapes)):
            try:
                array = np.asarray(arg, dtype=float)
            except (TypeError, ValueError):
                raise TypeError(f"batch argument {i} must be an array of numbers, got {type(arg).__name__}") from None
            if array.shape[1:] != shape or array.ndim != len(shape) + 1:
                raise ValueError(
                    f"batch argument {i} must have shape (rows, {', '.join(map(str, shape))}) -- one example "
                    f"per row, each shaped like the example -- got {array.shape}".replace(", )", ")")
                )
            if rows is not None and len(array) != rows:
                raise ValueError(f"batch arguments have different numbers of rows: {rows} and {len(array)}")
            rows = len(array)
            if rows == 0:
                raise ValueError(f"the batch is empty (batch argument {i} has no rows): there is nothing to replay")
            arrays.append(array.reshape(rows, -1))
        if rows is None:
            rows = 1  # a function of parameters only
        return arrays, rows

    def _verify(self, arrays, sample, values, outputs):
        """Trace these rows of the batch (``arrays``, as ``_batch_arrays`` gives them) as Values
        and compare them with the tape (see the module docstring). Rows where the engine raises
        and the tape gives inf or nan are noted in ``engine_errors``."""
        self.engine_errors = {}
        batch = [a.reshape(len(a), *shape) for a, shape in zip(arrays, self.example_shapes)]  # each row as the example
        for row in sample:
            example = [a[row] for a in batch]
            try:
                trace = _trace(self.fn, example)
            except (ValueError, ArithmeticError) as error:
                if math.isfinite(values[row]):
                    raise
                # the engine raises (log of 0, say): the tape's inf is documented. Kept without its traceback,
                # whose frames hold this tape and the row's graph: a cycle that only a full collection would free.
                self.engine_errors[row] = error.with_traceback(None)
                continue
            signature = _signature(trace, _same_objects(self._trace, trace))
            if signature == self._reference:
                mismatch = None
            else:
                mismatch = _first_difference(self._reference, signature, self._trace, trace)
            if mismatch is not None:
                raise DataDependentGraphError(
                    f"the function builds a different graph for row {row} of the batch than for the example "
                    f"({mismatch}), so replaying the example's graph would compute something else. Its graph "
                    "depends on the data -- typically a Python `if` (or max/min/sorted) on .data. Write the branch "
                    "with graph ops instead (relu, abs, clamp, maximum, leaky_relu), or call the function on each "
                    "example with the scalar engine."
                )
            expected = [trace.loss.data] + [v.data for v in trace.outputs]
            got = [values[row]] + ([] if outputs is None else list(np.ravel(outputs[row])))
            for e, g in zip(expected, got):
                if not _close(e, g):
                    raise CompileError(
                        f"the tape computed {g!r} for row {row} where the function gives {e!r}; "
                        "please report this as a bug in micrograd_club.compile"
                    )


# ----- tracing -----


class _Trace:
    def __init__(self, inputs, loss, outputs, output_shape, order):
        self.inputs = inputs  # {id(input Value): (argument number, position in the flattened argument)}
        self.loss = loss
        self.outputs = outputs  # flat list of extra output Values
        self.output_shape = output_shape
        self.order = order


def _example_array(arg, index):
    if isinstance(arg, Value):
        arg = arg.data
    try:
        array = np.asarray(arg, dtype=float)
    except (TypeError, ValueError):
        raise CompileError(
            f"example argument {index} must be a number or a (nested) list of numbers, got {type(arg).__name__}"
        ) from None
    return array


def _trace(fn, example_args):
    """Run ``fn`` on one example as Values (recording the graph even inside ``no_grad()``)."""
    inputs, values = {}, []
    for k, arg in enumerate(example_args):
        array = _example_array(arg, k)
        flat = [Value(float(x)) for x in array.ravel()]
        for j, v in enumerate(flat):
            inputs[id(v)] = (k, j)
        values.append(_nest(flat, array.shape))
    with enable_grad():
        result = fn(*values)
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], Value):
        loss, extra = result
        outputs = [extra] if isinstance(extra, Value) else list(np.ravel(np.asarray(extra, dtype=object)))
        output_shape = () if isinstance(extra, Value) else np.shape(np.asarray(extra, dtype=object))
        if not all(isinstance(v, Value) for v in outputs):
            raise CompileError("the function's extra outputs must be Values (or a list of Values)")
    elif isinstance(result, Value):
        loss, outputs, output_shape = result, [], None
    else:
        raise CompileError(
            f"the function must return its loss as a Value (or a pair (loss, outputs)), got {type(result).__name__}"
        )
    return _Trace(inputs, loss, outputs, output_shape, _topological_order([loss, *outputs]))


def _nest(flat, shape):
    """The flat list of Values shaped like the example: a Value, a list, a list of lists …"""
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return flat
    step = len(flat) // shape[0]
    return [_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def _topological_order(roots):
    """Value.topological_order for several roots at once."""
    order, visited, done = [], set(), object()
    for root in roots:
        stack = [root]
        while stack:
            node = stack.pop()
            if node is done:
                order.append(stack.pop())
            elif node not in visited:
                visited.add(node)
                stack.extend((node, done))
                stack.extend(node.parents)
    return order


def _signature(trace, lasting):
    """What must be equal for two traces to be the same program: each node's op and
    settings, its parents' positions, which input each input leaf is, that lasting leaves
    (``lasting``: their ids) are there, and every other leaf's value."""
    position = {id(node): i for i, node in enumerate(trace.order)}
    signature = []
    for node in trace.order:
        parents = node.parents  # a property that builds the tuple: read it once
        if parents:
            signature.append(("op", str(node.op), _settings(node.op), tuple([position[id(p)] for p in parents])))
        elif id(node) in trace.inputs:
            signature.append(("input", trace.inputs[id(node)]))
        elif id(node) in lasting:
            signature.append(("lasting leaf",))
        else:
            signature.append(("number", _bits(node.data)))
    signature.append(("result", position[id(trace.loss)], tuple(position[id(v)] for v in trace.outputs)))
    return signature


def _same_objects(reference, trace):
    """The ids of the nodes of ``trace`` that are the very objects at the same place in ``reference``."""
    return {id(b) for a, b in zip(reference.order, trace.order) if a is b}


def _first_difference(reference, other, reference_trace, other_trace):
    """None, or what differs first between two signatures, in words."""
    if len(reference) != len(other):
        return f"{len(other) - 1} nodes instead of {len(reference) - 1}"
    for i, (a, b) in enumerate(zip(reference, other)):
        if a == b:
            continue
        if a[0] == "result":
            return "the result is a different node"
        if a[0] == "number" and b[0] == "number":
            return f"node {i} is the number {other_trace.order[i].data!r} instead of {reference_trace.order[i].data!r}"
        if a[0] == "op" and b[0] == "op" and a[1:3] != b[1:3]:
            return f"node {i} is the op {b[1]!r} instead of {a[1]!r}"
        return f"node {i} is {_describe(other_trace.order[i])} instead of {_describe(reference_trace.order[i])}"
    return None


def _describe(node):
    if node.parents:
        return f"the op {node.op!r} of {len(node.parents)} inputs"
    return f"a {type(node).__name__} leaf of value {node.data!r}"


def _settings(op):
    return tuple(_bits(s) if isinstance(s, float) else s for s in getattr(op, "settings", ()))


def _bits(x):
    return x.hex() if isinstance(x, float) else x


def _sample_rows(rows, size):
    """The first and last rows and evenly spaced ones between: at most ``size`` rows."""
    if rows <= size:
        return list(range(rows))
    return sorted({int(round(i)) for i in np.linspace(0, rows - 1, max(size, 2))})


def _close(expected, got):
    if math.isnan(expected) or math.isnan(got):
        return math.isnan(expected) and math.isnan(got)
    if math.isinf(expected) or math.isinf(got):
        return expected == got
    return abs(expected - got) <= 1e-9 * max(1.0, abs(expected))


# ----- the ops, for numbers (s_) and for arrays (b_): value, and local derivatives -----
#
# Each entry: forward(a, settings) for one-input ops and the local derivative
# local(a, out, settings) = ∂out/∂a, both written with the engine's formulas.


def _b_sigmoid(a):
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _s_clamp(a, low, high):
    if low is not None and a < low:
        return float(low)
    if high is not None and a > high:
        return float(high)
    return a


def _b_clamp(a, low, high):
    out = a
    if high is not None:
        out = np.where(a > high, float(high), out)
    if low is not None:
        out = np.where(a < low, float(low), out)
    return out


def _s_clamp_local(a, low, high):
    clamped = (low is not None and a < low) or (high is not None and a > high)
    return 0.0 if clamped or math.isnan(a) else 1.0


def _b_clamp_local(a, low, high):
    inside = np.ones_like(a)
    if low is not None:
        inside = np.where(a < low, 0.0, inside)
    if high is not None:
        inside = np.where(a > high, 0.0, inside)
    return np.where(np.isnan(a), 0.0, inside)


def _b_power_local(a, n):
    n = np.asarray(n, dtype=float)
    safe = np.where((a == 0) & (n < 1), 1.0, a)
    out = np.where(n == 0, 0.0, n * safe ** (n - 1))
    return np.where((a == 0) & (n < 1) & (n != 0), np.copysign(np.inf, n), out)


def _s_power(a, n):
    """aⁿ by the engine's formula; where the engine raises (0 to a negative power, a negative
    base to a fractional one), numpy's inf or nan, never a complex number."""
    try:
        return _power(a, n)
    except (ValueError, ZeroDivisionError):
        return float(np.power(float(a), n))


def _s_power_local(a, n):
    """∂(aⁿ)/∂a = n·aⁿ⁻¹ by the engine's formula, with numpy's inf or nan where it raises."""
    try:
        return _power_derivative(a, n)
    except (ValueError, ZeroDivisionError):
        return float(_b_power_local(np.float64(a), n))


def _s_exponent_local(a, out):
    """∂(aⁿ)/∂n = aⁿ·ln a by the engine's formula: at a = 0 its limit 0 (nan where aⁿ is nan,
    or inf, where the engine raises); for a negative or nan base, where the engine raises (and
    PyTorch gives nan), nan."""
    if a > 0:
        return out * math.log(a)
    return 0.0 * out if a == 0 else math.nan


def _b_exponent_local(a, out):
    """``_s_exponent_local`` for arrays."""
    log_a = np.log(np.where(a > 0, a, 1.0))
    return np.where(a > 0, out * log_a, np.where(a == 0, 0.0 * out, np.nan))


def _s_log(a):
    """ln a by the engine's formula; where the engine raises (a ≤ 0), numpy's −inf or nan."""
    return math.log(a) if a > 0 else float(np.log(a))


def _s_sqrt(a):
    """√a by the engine's formula; where the engine raises (a < 0), numpy's nan."""
    return math.sqrt(a) if a >= 0 else float(np.sqrt(a))


def _s_divide(a, b):
    """a / b; where Python raises ZeroDivisionError (and the engine raises with a message), numpy's ±inf or nan."""
    return a / b if b else float(np.divide(a, b))


def _s_softplus(a):
    return math.log1p(_s_exp(-abs(a))) + max(a, 0.0)


def _b_softplus(a):
    return np.log1p(np.exp(-np.abs(a))) + np.maximum(a, 0.0)


# name: (scalar forward, array forward, scalar local, array local); locals get (a, out, *settings)
UNARY = {
    "neg": (lambda a: -a, np.negative, lambda a, out: -1.0, lambda a, out: -1.0),
    "abs": (abs, np.abs, lambda a, out: float((a > 0) - (a < 0)), lambda a, out: (a > 0).astype(float) - (a < 0)),
    "exp": (_s_exp, np.exp, lambda a, out: out, lambda a, out: out),
    "log": (_s_log, np.log, lambda a, out: _s_divide(1.0, a), lambda a, out: 1.0 / a),
    "sqrt": (_s_sqrt, np.sqrt, lambda a, out: 0.5 / out if out else math.inf,
             lambda a, out: np.where(out == 0, np.inf, 0.5 / np.where(out == 0, 1.0, out))),
    "tanh": (math.tanh, np.tanh, lambda a, out: 1.0 - out * out, lambda a, out: 1.0 - out * out),
    "σ": (_s_sigmoid, _b_sigmoid, lambda a, out: out * (1.0 - out), lambda a, out: out * (1.0 - out)),
    "ReLU": (lambda a: 0.0 if a <= 0 else a, lambda a: np.where(a <= 0, 0.0, a),  # a nan passes through
             lambda a, out: 0.0 if a <= 0 else 1.0, lambda a, out: np.where(a <= 0, 0.0, 1.0)),
    "leaky_relu": (lambda a, slope: a if a > 0 else slope * a, lambda a, slope: np.where(a > 0, a, slope * a),
                   lambda a, out, slope: 1.0 if a > 0 else slope, lambda a, out, slope: np.where(a > 0, 1.0, slope)),
    "softplus": (_s_softplus, _b_softplus, lambda a, out: _s_sigmoid(a), lambda a, out: _b_sigmoid(a)),
    "clamp": (_s_clamp, _b_clamp, lambda a, out, low, high: _s_clamp_local(a, low, high),
              lambda a, out, low, high: _b_clamp_local(a, low, high)),
    "**n": (_s_power, np.power, lambda a, out, n: _s_power_local(a, n), lambda a, out, n: _b_power_local(a, n)),
}
# a ∘ b written inline, with ∂/∂a and ∂/∂b (as source, in terms of a, b and the upstream U)
BINARY = {
    "+": ("{a} + {b}", "{U}", "{U}"),
    "-": ("{a} - {b}", "{U}", "-{U}"),
    "*": ("{a} * {b}", "{U} * {b}", "{U} * {a}"),
    "/": ("{a} / {b}", "{U} / {b}", "{U} * (-({a} / {b}) / {b})"),  # −a/b² as the engine computes it
}
# The binary ops that Python's floats cannot do everywhere numpy's arrays can, for a node of single
# numbers (one that does not depend on the batch): (forward, ∂/∂a, ∂/∂b), each a function of (a, b).
SCALAR_BINARY = {
    "/": (_s_divide, lambda a, b: _s_divide(1.0, b), lambda a, b: -_s_divide(_s_divide(a, b), b)),
}


def _op_key(node):
    op = str(node.op)
    if op.startswith("**") and len(node.parents) == 1:
        return "**n"
    return op


# ----- from a trace to a program -----


class _Program:
    """The tape of a trace and the Python source that replays it (forward, then backward)."""

    def __init__(self, trace, persistent):
        order = trace.order
        self.order = order
        self.slot = {id(node): i for i, node in enumerate(order)}
        self.inputs = trace.inputs
        self.widths = {}  # argument number -> how many values one example has
        for k, _ in trace.inputs.values():
            self.widths[k] = self.widths.get(k, 0) + 1
        self.loss_slot = self.slot[id(trace.loss)]
        self.output_slots = [self.slot[id(v)] for v in trace.outputs]
        self.output_shape = trace.output_shape
        self.parameters, self.constants = [], []
        self.leaf = {}  # slot -> ("param", k) | ("const", k) | ("input", (arg, position))
        self.batch = [False] * len(order)
        for i, node in enumerate(order):
            if not node.parents:
                if id(node) in trace.inputs:
                    self.leaf[i] = ("input", trace.inputs[id(node)])
                    self.batch[i] = True
                elif id(node) in persistent and not isinstance(node, Constant):
                    self.leaf[i] = ("param", len(self.parameters))
                    self.parameters.append(node)
                else:
                    self.leaf[i] = ("const", len(self.constants))
                    self.constants.append(node.data)
            else:
                key = _op_key(node)
                if isinstance(node.op, CustomOp):
                    raise CompileError(
                        f"the op {node.op!r} was made with Value.from_op, and compile replays only the engine's "
                        "own ops (it cannot know your op's formula); call the function with the scalar engine instead"
                    )
                if key not in UNARY and key not in BINARY and key not in ("**", "max", "Σwx+b"):
                    raise CompileError(
                        f"the op {node.op!r} cannot be compiled (compile knows the engine's ops: "
                        f"{', '.join(sorted(set(UNARY) | set(BINARY) | {'**', 'max', 'Σwx+b'}))}); "
                        "call the function with the scalar engine instead"
                    )
                if key in UNARY and len(node.parents) != 1 or key in BINARY and len(node.parents) != 2:
                    raise CompileError(f"the op {node.op!r} with {len(node.parents)} inputs cannot be compiled")
                self.batch[i] = any(self.batch[self.slot[id(p)]] for p in node.parents)
        self.parents = [[self.slot[id(p)] for p in node.parents] for node in order]
        self.needs_grad = self._ancestors(self.loss_slot)
        self._plan()
        self.source = self._generate()
        namespace = {"np": np, "math": math, "_functions": self.functions, "_index": self.index_arrays}
        exec(builtins.compile(self.source, "<micrograd_club.compile tape>", "exec"), namespace)
        # Taken out of its own globals, so the function and its namespace form no reference cycle: a dropped
        # tape's generated code (hundreds of KiB for a big model) is freed at once, not at the next full collection.
        self._replay = namespace.pop("replay")

    def run(self, arrays, rows, reduction):
        """The forward pass over a batch: (each row's loss, each row's outputs or None,
        backward), where backward() goes on with the backward pass and returns every
        parameter's gradient. (numpy's warnings are off: inf and nan are results here, as
        in the engine's exp.)"""
        data = [p.data for p in self.parameters]
        with np.errstate(all="ignore"):
            replay = self._replay(data, self.constants, arrays, rows, 1.0 / rows if reduction == "mean" else 1.0)
            values, outputs = next(replay)  # the generator pauses between forward and backward
        values = np.broadcast_to(np.asarray(values, dtype=float), (rows,))
        if self.output_slots:
            outputs = np.stack([np.broadcast_to(np.asarray(o, dtype=float), (rows,)) for o in outputs], axis=1)
            outputs = outputs.reshape((rows, *self.output_shape))
        else:
            outputs = None

        def backward():
            with np.errstate(all="ignore"):
                grads = replay.send(1.0)
            replay.close()
            return grads

        return values, outputs, backward

    def _ancestors(self, root):
        needed = [False] * len(self.order)
        needed[root] = True
        for i in range(root, -1, -1):
            if needed[i]:
                for p in self.parents[i]:
                    needed[p] = True
        return needed

    # ----- plan: which nodes run together as blocks -----

    def _plan(self):
        """Instructions in tape order: ("leaf", i), ("op", i), ("layer", block) for Σwx+b nodes
        sharing their inputs, ("map", block) for one activation over a whole block."""
        order, parents = self.order, self.parents
        self.blocks = []  # each: {"kind", "members", ...}
        self.block_of = {}  # slot -> (block number, column)
        self.instructions = []
        self.unmapped = set()  # (parent block, op, settings) of element-wise blocks found not to be there
        children = [[] for _ in order]
        for i, ps in enumerate(parents):
            for p in set(ps):
                children[p].append(i)
        arguments = sorted({where[0] for kind, where in self.leaf.values() if kind == "input"})
        for k in arguments:  # each argument's values are the columns of one (rows × values) array
            members = sorted((i for i, (kind, where) in self.leaf.items() if kind == "input" and where[0] == k),
                             key=lambda i: self.leaf[i][1][1])
            self._add_block({"kind": "input", "argument": k, "members": members})
        layers = {}
        for i, node in enumerate(order):
            if _op_key(node) == "Σwx+b" and self.batch[i]:
                n = len(parents[i]) // 2
                inputs = tuple(parents[i][n:2 * n])
                weights = parents[i][:n] + [parents[i][-1]]
                if all(self.batch[x] for x in inputs) and all(w in self.leaf and not self.batch[w] for w in weights):
                    layers.setdefault(inputs, []).append(i)
        first_of_layer = {members[0]: inputs for inputs, members in layers.items()}
        for i, node in enumerate(order):
            if i in self.block_of:
                continue
            if i in self.leaf:
                self.instructions.append(("leaf", i))
            elif i in first_of_layer:
                inputs = first_of_layer[i]
                block = self._add_block({"kind": "layer", "members": layers[inputs], "inputs": list(inputs)})
                self.instructions.append(("layer", block))
            else:
                block = self._map_block(i, children)
                self.instructions.append(("map", block) if block is not None else ("op", i))
        for block in self.blocks:  # decided once per layer, not once per edge into it (n² edges for n inputs)
            if block["kind"] == "layer":
                block["source"] = self._layer_input_block(block)
                block["read_as_block"] = set(block["inputs"]) if block["source"] is not None else set()
        # which block members are also read one by one (as a column)
        self.columns_read = set()
        for i, ps in enumerate(parents):
            for p in ps:
                if p in self.block_of and not self._reads_as_block(i, p):
                    self.columns_read.add(p)
        for r in [self.loss_slot, *self.output_slots]:
            if r in self.block_of:
                self.columns_read.add(r)

    def _add_block(self, block):
        number = len(self.blocks)
        self.blocks.append(block)
        for column, i in enumerate(block["members"]):
            self.block_of[i] = (number, column)
        return number

    def _map_block(self, i, children):
        """A block for node i's op applied to every column of its parent's block, if the
        graph has exactly that (as an MLP's activations do), else None."""
        key = _op_key(self.order[i])
        if key not in UNARY or self.parents[i][0] not in self.block_of:
            return None
        settings = _settings(self.order[i].op)
        parent_block, _ = self.block_of[self.parents[i][0]]
        # Only making this very block changes which columns have such a child, so once it is not
        # there, it is not there for the other columns' nodes either: they are not looked for again
        # (each looking through every column made an op on all columns but the last quadratic).
        if (parent_block, key, settings) in self.unmapped:
            return None
        members = []
        for column_member in self.blocks[parent_block]["members"]:
            same = [c for c in children[column_member] if c not in self.block_of and _op_key(self.order[c]) == key
                    and _settings(self.order[c].op) == settings and self.parents[c] == [column_member]]
            if len(same) != 1:
                self.unmapped.add((parent_block, key, settings))
                return None
            members.append(same[0])
        if min(members) != i:  # made where its first member is, in tape order; the others come later
            return None
        return self._add_block({"kind": "map", "members": members, "op": self.order[i].op, "parent": parent_block})

    def _reads_as_block(self, consumer, member):
        """True if ``consumer`` reads ``member`` through its whole block (not as one column)."""
        if consumer not in self.block_of:
            return False
        block = self.blocks[self.block_of[consumer][0]]
        if block["kind"] == "map":
            return True
        if block["kind"] == "layer":
            return member in block["read_as_block"]
        return False

    def _layer_input_block(self, block):
        """(block number, columns) if this layer's inputs are distinct columns of one block, else None."""
        first = block["inputs"][0]
        if first not in self.block_of or len(set(block["inputs"])) != len(block["inputs"]):
            return None
        number, _ = self.block_of[first]
        columns = [self.block_of[x][1] if self.block_of.get(x, (None,))[0] == number else None for x in block["inputs"]]
        if None in columns:
            return None
        return number, columns

    # ----- code generation -----

    def _generate(self):
        self.functions, self.index_arrays = [], []
        forward, backward = [], []
        emit = forward.append
        emit("def replay(data, constants, arguments, rows, seed):")
        leaves_needed = any(self.blocks[b]["kind"] == "layer" for b in range(len(self.blocks)))
        if leaves_needed:
            emit("    leaf_values = np.array(data + constants)")
        for number, block in enumerate(self.blocks):
            if block["kind"] == "input":  # the columns the function uses, in order
                k = block["argument"]
                used = [self.leaf[i][1][1] for i in block["members"]]
                emit(f"    B{number} = arguments[{k}]{self._columns(used, self.widths[k])}")
                self._emit_columns(emit, number)
        for instruction, x in self.instructions:
            if instruction == "leaf":
                kind, where = self.leaf[x]
                if kind == "param":
                    emit(f"    v{x} = data[{where}]")
                elif kind == "const":
                    emit(f"    v{x} = constants[{where}]")
            elif instruction == "op":
                self._forward_op(emit, x)
            elif instruction == "layer":
                self._forward_layer(emit, x)
            else:
                self._forward_map(emit, x)
        emit(f"    unit = yield {self._read(self.loss_slot)}, [{', '.join(self._read(i) for i in self.output_slots)}]")
        # backward: ∂(reduced loss)/∂node for every node the loss depends on, from the loss back
        self.grad_written = set()
        emit = backward.append
        for number, block in enumerate(self.blocks):
            if block["kind"] != "input" and any(self.needs_grad[m] for m in block["members"]):
                emit(f"    G{number} = np.zeros((rows, {len(block['members'])}))")
        # mean: ∂/∂(each row's loss) = 1/rows; sum: 1. A loss that is the same for every row: 1 or rows.
        seed = "np.full(rows, seed * unit)" if self.batch[self.loss_slot] else "unit * rows * seed"
        self._add_grad(emit, self.loss_slot, seed, from_batch=self.batch[self.loss_slot])
        for instruction, x in reversed(self.instructions):
            if instruction == "op" and self.needs_grad[x]:
                self._backward_op(emit, x)
            elif instruction == "layer" and self._block_needs_grad(x):
                self._backward_layer(emit, x)
            elif instruction == "map" and self._block_needs_grad(x):
                self._backward_map(emit, x)
        grads = []
        for i, (kind, where) in sorted(self.leaf.items(), key=lambda item: (item[1][0], item[1][1])):
            if kind == "param":
                grads.append(f"g{i}" if i in self.grad_written else "0.0")
        emit(f"    yield [{', '.join(grads)}]")
        return "\n".join(forward + backward) + "\n"

    def _block_needs_grad(self, number):
        return any(self.needs_grad[m] for m in self.blocks[number]["members"])

    def _emit_columns(self, emit, number):
        for column, i in enumerate(self.blocks[number]["members"]):
            if i in self.columns_read:
                emit(f"    v{i} = B{number}[:, {column}]")

    def _read(self, i):
        return f"v{i}"

    def _function(self, f):
        self.functions.append(f)
        return f"_functions[{len(self.functions) - 1}]"

    def _forward_op(self, emit, i):
        node, ps, key = self.order[i], self.parents[i], _op_key(self.order[i])
        args = [self._read(p) for p in ps]
        if key in SCALAR_BINARY and not self.batch[i]:
            emit(f"    v{i} = {self._function(SCALAR_BINARY[key][0])}({args[0]}, {args[1]})")
        elif key in BINARY:
            emit(f"    v{i} = {BINARY[key][0].format(a=args[0], b=args[1])}")
        elif key in UNARY:
            forward = UNARY[key][1 if self.batch[i] else 0]
            settings = ", ".join(_setting_source(s) for s in getattr(node.op, "settings", ()))
            if key == "**n":
                settings = _setting_source(node.op.settings[0])
            extra = f", {settings}" if settings else ""
            emit(f"    v{i} = {self._function(forward)}({args[0]}{extra})")
        elif key == "**":
            power = "np.power" if self.batch[i] else self._function(_s_power)
            emit(f"    v{i} = {power}({args[0]}, {args[1]})")
        elif key == "max":
            if self.batch[i]:
                columns = ", ".join(f"np.broadcast_to({a}, (rows,))" for a in args)
                emit(f"    S{i} = np.stack(({columns},), axis=1)")
                emit(f"    K{i} = S{i}.argmax(axis=1)")
                emit(f"    v{i} = S{i}[np.arange(rows), K{i}]")
            else:
                emit(f"    K{i} = int(np.argmax([{', '.join(args)}]))")  # the first largest; a nan wins
                emit(f"    v{i} = [{', '.join(args)}][K{i}]")
        else:  # Σwx+b, one node
            n = len(ps) // 2
            terms = " + ".join(f"{args[j]} * {args[n + j]}" for j in range(n))
            emit(f"    v{i} = {args[-1]} + {terms}")

    def _backward_op(self, emit, i):
        node, ps, key = self.order[i], self.parents[i], _op_key(self.order[i])
        U = f"g{i}" if i not in self.block_of else f"G{self.block_of[i][0]}[:, {self.block_of[i][1]}]"
        args = [self._read(p) for p in ps]
        batch = self.batch[i]
        if key in SCALAR_BINARY and not batch:
            for j, p in enumerate(ps):
                if self.needs_grad[p]:
                    self._add_grad(emit, p, f"{U} * {self._function(SCALAR_BINARY[key][1 + j])}({args[0]}, {args[1]})",
                                   batch)
        elif key in BINARY:
            for j, p in enumerate(ps):
                if self.needs_grad[p]:
                    self._add_grad(emit, p, BINARY[key][1 + j].format(U=U, a=args[0], b=args[1]), batch)
        elif key in UNARY:
            local = UNARY[key][3 if batch else 2]
            settings = getattr(node.op, "settings", ())
            extra = "".join(f", {_setting_source(s)}" for s in settings)
            if self.needs_grad[ps[0]]:
                self._add_grad(emit, ps[0], f"{U} * {self._function(local)}({args[0]}, v{i}{extra})", batch)
        elif key == "**":
            a, b = args
            power, exponent = (_b_power_local, _b_exponent_local) if batch else (_s_power_local, _s_exponent_local)
            if self.needs_grad[ps[0]]:
                self._add_grad(emit, ps[0], f"{U} * {self._function(power)}({a}, {b})", batch)
            if self.needs_grad[ps[1]]:
                self._add_grad(emit, ps[1], f"{U} * {self._function(exponent)}({a}, v{i})", batch)
        elif key == "max":
            for j, p in enumerate(ps):
                if self.needs_grad[p]:
                    self._add_grad(emit, p, f"{U} * (K{i} == {j})", batch)
        else:  # Σwx+b: ∂/∂wⱼ = xⱼ, ∂/∂xⱼ = wⱼ, ∂/∂b = 1
            n = len(ps) // 2
            for j, p in enumerate(ps):
                if self.needs_grad[p]:
                    local = args[n + j] if j < n else (args[j - n] if j < 2 * n else None)
                    self._add_grad(emit, p, U if local is None else f"{U} * {local}", batch)

    def _forward_layer(self, emit, number):
        block = self.blocks[number]
        n, members = len(block["inputs"]), block["members"]
        source = block["source"]
        if source is not None:
            emit(f"    X{number} = B{source[0]}{self._columns(source[1], len(self.blocks[source[0]]['members']))}")
        else:
            emit(f"    X{number} = np.stack(({', '.join(self._read(x) for x in block['inputs'])},), axis=1)")
        weights = np.array([[self._leaf_index(self.parents[m][j]) for j in range(n)] for m in members])
        bias = np.array([self._leaf_index(self.parents[m][-1]) for m in members])
        self.index_arrays.extend([weights, bias])
        w, b = len(self.index_arrays) - 2, len(self.index_arrays) - 1
        emit(f"    W{number} = leaf_values[_index[{w}]]")
        emit(f"    B{number} = X{number} @ W{number}.T + leaf_values[_index[{b}]]")
        self._emit_columns(emit, number)

    def _backward_layer(self, emit, number):
        block = self.blocks[number]
        n, members = len(block["inputs"]), block["members"]
        emit(f"    H{number} = G{number}.T @ X{number}")  # ∂/∂w = Σ over rows of upstream · x
        emit(f"    H{number}l = H{number}.ravel().tolist()")
        emit(f"    C{number} = G{number}.sum(axis=0).tolist()")
        for r, m in enumerate(members):
            if not self.needs_grad[m]:
                continue  # a neuron the loss does not depend on hands nothing back, as in the engine
            for j in range(n):
                self._add_grad(emit, self.parents[m][j], f"H{number}l[{r * n + j}]", False)
            self._add_grad(emit, self.parents[m][-1], f"C{number}[{r}]", False)
        if any(self.needs_grad[x] for x in block["inputs"]):
            emit(f"    D{number} = G{number} @ W{number}")  # ∂/∂x = Σ over neurons of upstream · w
            source = block["source"]
            if source is not None and self.blocks[source[0]]["kind"] != "input":
                emit(f"    G{source[0]}{self._columns(source[1], len(self.blocks[source[0]]['members']))} += D{number}")
            else:
                for j, x in enumerate(block["inputs"]):
                    if self.needs_grad[x]:
                        self._add_grad(emit, x, f"D{number}[:, {j}]", True)

    def _map_op(self, number):
        """(block, op key, source of the op's fixed settings as extra arguments) of an
        element-wise block: what both its forward and its backward call."""
        block = self.blocks[number]
        key, settings = _op_key(self.order[block["members"][0]]), getattr(block["op"], "settings", ())
        if key == "**n":
            settings = settings[:1]
        return block, key, "".join(f", {_setting_source(s)}" for s in settings)

    def _forward_map(self, emit, number):
        block, key, extra = self._map_op(number)
        emit(f"    B{number} = {self._function(UNARY[key][1])}(B{block['parent']}{extra})")
        self._emit_columns(emit, number)

    def _backward_map(self, emit, number):
        block, key, extra = self._map_op(number)
        parent = block["parent"]
        if self.blocks[parent]["kind"] == "input":
            for column, m in enumerate(block["members"]):
                x = self.parents[m][0]
                if self.needs_grad[x]:
                    local = f"{self._function(UNARY[key][3])}(v{x}, v{m}{extra})"
                    self._add_grad(emit, x, f"G{number}[:, {column}] * {local}", True)
            return
        local = self._function(UNARY[key][3])
        needed = [c for c, m in enumerate(block["members"]) if self.needs_grad[m]]
        if len(needed) == len(block["members"]):
            emit(f"    G{parent} += G{number} * {local}(B{parent}, B{number}{extra})")
            return
        # only the columns the loss depends on: elsewhere 0 · (an infinite local derivative) would be nan
        columns = self._columns(needed, len(block["members"]))
        emit(f"    G{parent}{columns} += G{number}{columns} * {local}(B{parent}{columns}, B{number}{columns}{extra})")

    def _columns(self, columns, width):
        """Source that picks these columns of a block: nothing when it is all of them, in order."""
        if columns == list(range(width)):
            return ""
        self.index_arrays.append(np.array(columns))
        return f"[:, _index[{len(self.index_arrays) - 1}]]"

    def _leaf_index(self, slot):
        kind, k = self.leaf[slot]
        return k if kind == "param" else len(self.parameters) + k

    def _add_grad(self, emit, p, expression, from_batch):
        """Add a contribution to ∂L/∂p: into p's column of its block, or into g<p>; a
        contribution from a row-by-row node to a single number is summed over the rows."""
        kind = self.leaf.get(p, ("op",))[0]
        if kind in ("const", "input") and p not in self.block_of:
            return  # no gradient is handed back for constants and inputs
        if p in self.block_of:
            number, column = self.block_of[p]
            if self.blocks[number]["kind"] == "input":
                return
            emit(f"    G{number}[:, {column}] += {expression}")
            return
        if from_batch and not self.batch[p]:
            expression = f"float(np.sum({expression}))"
        if p in self.grad_written:
            emit(f"    g{p} = g{p} + {expression}")
        else:
            emit(f"    g{p} = {expression}")
            self.grad_written.add(p)


def _setting_source(s):
    """A setting as source: numbers by their exact float value (inf and nan included)."""
    if s is None:
        return "None"
    if isinstance(s, numbers.Real):
        s = float(s)
        if math.isfinite(s):
            return repr(s)
        return f"float({str(s)!r})"
    raise CompileError(f"an op setting {s!r} cannot be compiled")
