"""micrograd_club.compile: the tape replays the scalar engine's numbers and gradients over
a batch, refuses graphs that depend on the data, and writes gradients into the Parameters."""

import gc
import itertools
import math
import re
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_club import Value, losses
from micrograd_club import compile as compile_module
from micrograd_club.compile import REDUCTIONS, CompileError, DataDependentGraphError, TapeResult, compile
from micrograd_club.engine import _result, maximum
from micrograd_club.nn import MLP
from strategies import (DOCUMENTED_ERRORS, EDGE_BINARY_OPS, EDGE_UNARY_OPS, EDGES, FEW_EDGES, VALUE_OPS, as_value,
                        evaluate, expressions, reals, same_float)

ACTIVATIONS = ["relu", "sigmoid", "tanh", "leaky_relu", "linear"]
# loss name -> (output layer size, output activation, targets for a batch from a random generator)
LOSSES = {
    "mse": (1, None, lambda rng, n: rng.normal(size=n)),
    "sse": (1, None, lambda rng, n: rng.normal(size=n)),
    "mae": (1, None, lambda rng, n: rng.normal(size=n)),
    "huber": (1, None, lambda rng, n: rng.normal(scale=2.0, size=n)),
    "hinge": (1, None, lambda rng, n: rng.choice([-1.0, 1.0], size=n)),
    "binary_cross_entropy": (1, "sigmoid", lambda rng, n: rng.integers(0, 2, size=n).astype(float)),
    "binary_cross_entropy_with_logits": (1, None, lambda rng, n: rng.integers(0, 2, size=n).astype(float)),
    "cross_entropy": (3, None, lambda rng, n: np.eye(3)[rng.integers(0, 3, size=n)]),
}


def scalar_batch(model, loss_name, X, y, l2=0.0):
    """The batch loss as the scalar engine computes it (what fit's scalar path does)."""
    loss_fn = getattr(losses, loss_name)
    predictions = [model(list(row)) for row in X]
    targets = [list(t) for t in y] if loss_name == "cross_entropy" else list(y)
    loss = loss_fn(predictions, targets)
    if l2:
        loss = loss + l2 * losses.l2(model.parameters())
    return loss


def example_loss(model, loss_name, l2=0.0):
    loss_fn, params = getattr(losses, loss_name), model.parameters()

    def one(x, target):
        out = loss_fn([model(x)], [target])
        return out + l2 * losses.l2(params) if l2 else out

    return one


def grads_of(model):
    return [p.grad for p in model.parameters()]


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss_name", sorted(LOSSES))
def test_compiled_and_scalar_paths_agree(loss_name, activation, fused):
    outputs, output_activation, targets = LOSSES[loss_name]
    rng = np.random.default_rng(abs(hash((loss_name, activation, fused))) % 2**32)
    model = MLP(3, [5, 4, outputs], activation=activation, output_activation=output_activation, seed=7, fused=fused)
    reduction = "sum" if loss_name == "sse" else "mean"
    l2 = 1e-3
    tape = compile(example_loss(model, loss_name, l2), [0.1, 0.2, 0.3], targets(rng, 1)[0], reduction=reduction)
    for _ in range(3):  # random batches, the same tape
        rows = int(rng.integers(1, 12))
        X, y = rng.normal(scale=1.5, size=(rows, 3)), targets(rng, rows)
        model.zero_grad()
        expected = scalar_batch(model, loss_name, X, y, l2)
        expected.backward()
        want = grads_of(model)
        model.zero_grad()
        got = tape(X, y)
        l2_part = l2 * sum(p.data**2 for p in model.parameters())
        if reduction == "sum":  # the l2 term is in every row's loss, so a sum counts it once per row
            got_data, want_data = got.data - (rows - 1) * l2_part, expected.data
        else:
            got_data, want_data = got.data, expected.data
        assert got_data == pytest.approx(want_data, rel=1e-12, abs=1e-12)
        got.backward()
        if reduction == "sum":
            for p in model.parameters():
                p.grad -= (rows - 1) * 2 * l2 * p.data
        assert grads_of(model) == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_the_tape_writes_into_the_same_parameters_and_accumulates():
    model = MLP(2, [3, 1], seed=0)
    tape = compile(lambda x, y: (model(x) - y) ** 2, [0.0, 0.0], 0.0)
    assert set(tape.parameters) == set(model.parameters())  # the very same objects
    X, y = np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([0.5, -1.0])
    result = tape(X, y)
    assert isinstance(result, TapeResult) and result.values.shape == (2,)
    assert result.data == pytest.approx(np.mean(result.values))
    result.backward()
    once = grads_of(model)
    result.backward()  # like Value.backward: leaves accumulate
    assert grads_of(model) == pytest.approx([2 * g for g in once])
    model.zero_grad()
    tape(X, y).backward(gradient=0.5)
    assert grads_of(model) == pytest.approx([0.5 * g for g in once])


def test_a_grad_set_to_none_gets_the_engine_s_error():
    model = MLP(2, [1], seed=0)
    tape = compile(lambda x, y: (model(x) - y) ** 2, [0.0, 0.0], 0.0)
    result = tape(np.array([[1.0, 2.0]]), np.array([0.5]))
    for p in model.parameters():
        p.grad = None  # PyTorch's way to zero a gradient
    with pytest.raises(TypeError, match=r"grad of 'n1\.1\.\w+', 'n1\.1\.\w+', 'n1\.1\.\w+' is None.*zero_grad\(\)"):
        result.backward()


def test_parameters_are_read_at_every_call():
    w = Value(2.0)
    tape = compile(lambda x: w * x, 1.0)
    assert tape(np.array([1.0, 3.0])).data == 4.0
    w.data = 10.0
    assert tape(np.array([1.0, 3.0])).data == 20.0


def test_extra_outputs_are_returned_per_row():
    model = MLP(2, [4, 3], seed=1)
    tape = compile(lambda x, t: (losses.cross_entropy(model(x), t), model(x)), [0.0, 0.0], [1.0, 0.0, 0.0])
    X = np.array([[0.5, -1.0], [2.0, 0.1]])
    result = tape(X, np.eye(3)[[0, 2]])
    assert result.outputs.shape == (2, 3)
    for row, out in zip(X, result.outputs):
        assert out == pytest.approx([v.data for v in model(list(row))], rel=1e-12)


@pytest.mark.parametrize(
    "f",
    [
        lambda x: x.relu() * 3.0,
        lambda x: abs(x) + x.leaky_relu(0.2),
        lambda x: x.clamp(-0.5, 0.25) * x,
        lambda x: maximum([x, 2 * x, x * x - 1]),
        lambda x: (x * x + 1).log() + x.tanh().exp() + x.sigmoid() + x.softplus() + (x * x + 0.5).sqrt(),
        lambda x: (x * x + 1) ** x.tanh() + 3.0 / (x * x + 1) - x**3 - (-x),
    ],
)
def test_ops_that_branch_on_the_data_are_replayed_row_by_row(f):
    xs = np.array([-2.0, -0.7, -0.25, 0.0, 0.3, 0.9, 1.8])
    a = Value(0.0)  # a parameter, so gradients flow to something lasting
    tape = compile(lambda x: f(x + a), 0.5, reduction="sum")
    result = tape(xs)
    result.backward()
    want_grad = 0.0
    for i, x in enumerate(xs):
        b = Value(0.0)
        out = f(Value(float(x)) + b)
        assert result.values[i] == pytest.approx(out.data, rel=1e-12, abs=1e-15)
        out.backward()
        want_grad += b.grad
    assert a.grad == pytest.approx(want_grad, rel=1e-12, abs=1e-12)


def test_a_graph_that_depends_on_the_data_is_refused():
    def branchy(x):
        return x * 2 if x.data > 0 else x * x  # a Python if on .data

    tape = compile(branchy, 1.0)
    with pytest.raises(DataDependentGraphError, match=r"different graph for row \d+.*Python `if`"):
        tape(np.array([1.0, 2.0, -3.0]))
    assert isinstance(DataDependentGraphError("x"), CompileError) and isinstance(CompileError("x"), ValueError)


def test_a_number_taken_from_the_data_is_refused():
    tape = compile(lambda x: x * (x > 0), 1.0)  # x > 0 is a bool: the graph gets a constant 1 or 0
    with pytest.raises(DataDependentGraphError, match="is the number 0.0 instead of 1.0"):
        tape(np.array([1.0, -1.0]))


def test_check_true_re_traces_every_call():
    tape = compile(lambda x: x * 2 if x.data > 0 else x * x, 1.0)
    tape(np.array([1.0, 2.0]))  # the first call checks, and these rows agree
    tape(np.array([-1.0]))  # later calls trust the tape unless asked
    with pytest.raises(DataDependentGraphError):
        tape(np.array([1.0, -1.0]), check=True)
    always = compile(lambda x: x * 2 if x.data > 0 else x * x, 1.0, check=True)
    always(np.array([1.0, 2.0]))
    with pytest.raises(DataDependentGraphError):
        always(np.array([3.0, -1.0]))


def test_inputs_the_function_does_not_use_are_skipped():
    tape = compile(lambda x: x[2] * 10.0 - x[0], [1.0, 2.0, 3.0])
    assert list(tape(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).values) == [29.0, 56.0]


def test_a_function_of_parameters_alone():
    model = MLP(2, [2, 1], seed=3)
    tape = compile(lambda: 0.01 * losses.l2(model.parameters()))
    result = tape()
    assert result.data == pytest.approx(0.01 * sum(p.data**2 for p in model.parameters()), rel=1e-12)
    result.backward()
    assert grads_of(model) == pytest.approx([0.02 * p.data for p in model.parameters()], rel=1e-12)


def test_errors_say_what_is_wrong():
    with pytest.raises(CompileError, match="must return its loss as a Value"):
        compile(lambda x: [x], 1.0)
    with pytest.raises(CompileError, match="example argument 0 must be a number"):
        compile(lambda x: x, "text")
    with pytest.raises(CompileError, match="the op 'mystery' cannot be compiled"):
        compile(lambda x: _result(x.data, "mystery", (x,), (1.0,)), 1.0)
    tape = compile(lambda x, y: x[0] * y, [1.0, 2.0], 1.0)
    with pytest.raises(ValueError, match=r"shape \(rows, 2\)"):
        tape(np.ones((3, 3)), np.ones(3))
    with pytest.raises(ValueError, match="different numbers of rows"):
        tape(np.ones((3, 2)), np.ones(4))
    with pytest.raises(TypeError, match="takes 2 batch arguments"):
        tape(np.ones((3, 2)))
    with pytest.raises(TypeError, match="sample_size must be a whole number, got float: 2.5"):
        compile(lambda x: x * 2, 1.0, sample_size=2.5)  # int() made it 2 without a word
    with pytest.raises(ValueError, match="sample_size must be at least 1, got 0"):
        compile(lambda x: x * 2, 1.0, sample_size=0)  # it checked two rows all the same


def test_overflow_gives_inf_as_the_engine_does():
    tape = compile(lambda x: x.exp(), 1.0)
    assert math.isinf(tape(np.array([1000.0])).data)


def test_division_by_a_tiny_number_matches_the_engine():
    b = Value(1e-200)  # b·b underflows to 0: ∂(x/b)/∂b = −x/b² must be computed as −(x/b)/b
    tape = compile(lambda x: x / b, 1.0, reduction="sum")
    numerators = np.array([1e-300, 3e-300])
    tape(numerators).backward()
    want = 0.0
    for x in numerators:
        lone = Value(1e-200)
        (Value(float(x)) / lone).backward()
        want += lone.grad
    assert want == pytest.approx(-4e100) and b.grad == pytest.approx(want, rel=1e-12)


def test_the_source_is_python_one_line_per_op():
    model = MLP(2, [4, 1], seed=0)
    tape = compile(lambda x: model(x), [0.0, 0.0])
    assert tape.source.startswith("def replay(") and "@" in tape.source  # each layer is one matrix product
    assert "Tape(" in repr(tape)


def test_a_dropped_tape_is_freed_by_reference_counting_alone():
    """A notebook trains again and again: each old tape's generated code must go with the tape,
    not wait for a full garbage collection (which, with many objects alive, comes rarely)."""
    model = MLP(2, [4, 1], seed=0)
    tape = compile(lambda x, t: losses.mse([model(x)], [t]), [0.5, -0.5], 1.0)
    tape([[0.5, -0.5], [1.0, 2.0]], [1.0, 0.0]).backward()
    replay = weakref.ref(tape._program._replay)
    gc.collect()
    gc.disable()  # so only reference counting can free it
    try:
        del tape
        assert replay() is None
    finally:
        gc.enable()


def test_a_tape_that_noted_an_engine_error_is_freed_by_reference_counting_alone():
    """engine_errors keeps the engine's error for a row, but not its traceback, whose frames
    would hold the tape (and that row's graph) in a reference cycle."""
    model = MLP(2, [4, 1], seed=0)
    tape = compile(lambda x: (model(x) * 0.0 + x[0]).log(), [1.0, 1.0])
    tape([[1.0, 1.0], [0.0, 1.0]], check="all")
    assert "log of a non-positive number" in str(tape.engine_errors[1])
    dropped = weakref.ref(tape)
    gc.collect()
    gc.disable()
    try:
        del tape
        assert dropped() is None
    finally:
        gc.enable()


def _tape_or_engine_mismatch(name, args, got, want):
    """None if the tape's numbers ``got`` are the engine's ``want``, or, where the engine raises
    (``want`` None), not all finite; else what differs, in words."""
    if want is None:  # the engine raises; the tape gives inf or nan, as numpy does
        ieee_zero = args[0] == -math.inf and name.startswith("**")  # IEEE's (−inf) ** −½ is +0, as numpy's
        return None if ieee_zero or not all(map(math.isfinite, got)) else f"{name}{args}: engine raises, tape {got}"
    return None if all(map(same_float, got, want)) else f"{name}{args}: tape {got}, engine {want}"


def _engine_numbers(fn, args):
    """fn(*args) and its gradient towards each argument by the scalar engine, or None where it raises."""
    values = [Value(a) for a in args]
    try:
        out = fn(*values)
        out.backward()
    except DOCUMENTED_ERRORS:
        return None
    return [out.data] + [v.grad for v in values]


@pytest.mark.parametrize("op", EDGE_UNARY_OPS)
def test_the_tape_matches_the_engine_from_tiny_to_huge_numbers(op):
    fn = EDGE_UNARY_OPS[op]
    shift = Value(0.0)  # a parameter, so the tape computes ∂fn/∂x into shift.grad
    tape = compile(lambda x: fn(x + shift), 1.0)
    tape(np.array([1.0]))  # the first call re-traces and checks a sample of the batch
    for x in EDGES:
        shift.grad = 0.0
        result = tape(np.array([x]))
        result.backward()
        assert _tape_or_engine_mismatch(op, [x], [result.data, shift.grad], _engine_numbers(fn, [x])) is None


@pytest.mark.parametrize("op, inputs", [(op, 1) for op in EDGE_UNARY_OPS] + [(op, 2) for op in EDGE_BINARY_OPS])
def test_an_op_of_parameters_alone_matches_the_engine_from_tiny_to_huge_numbers(op, inputs):
    """A node that does not depend on the batch (a penalty on a parameter, 1 / temperature) is
    computed with single numbers, not arrays: where the engine raises, it too gives inf or nan
    (Python's math.log(0) and 1.0 / 0.0 raised a bare "math domain error", "float division by zero")."""
    fn = EDGE_UNARY_OPS[op] if inputs == 1 else EDGE_BINARY_OPS[op]
    params = [Value(1.0) for _ in range(inputs)]
    tape = compile(lambda x: x * fn(*params), 1.0)
    tape(np.array([1.0]))  # the first call checks the trace
    mismatches = []
    for args in itertools.product(EDGES if inputs == 1 else FEW_EDGES, repeat=inputs):
        for p, a in zip(params, args):
            p.data, p.grad = a, 0.0
        result = tape(np.array([1.0]), check=False)
        result.backward()
        got = [result.data] + [p.grad for p in params]
        mismatches.append(_tape_or_engine_mismatch(op, args, got, _engine_numbers(fn, args)))
    assert [m for m in mismatches if m] == []


def _tape_numbers_from_the_batch(fn, args):
    """fn(*args) and ∂fn/∂(each argument), replayed over a batch of one row: every argument comes
    from the batch (plus a parameter at 0, which receives the gradient)."""
    shifts = [Value(0.0) for _ in args]
    tape = compile(lambda x: fn(*[xi + s for xi, s in zip(x, shifts)]), [1.0] * len(args))
    tape(np.ones((1, len(args))))  # the first call checks the trace
    result = tape(np.array([args]), check=False)
    result.backward()
    return [result.data] + [s.grad for s in shifts]


def _tape_numbers_of_parameters_alone(fn, args):
    """The same numbers, from a node of parameters alone: computed with single numbers, not arrays."""
    params = [Value(1.0) for _ in args]
    tape = compile(lambda x: x * fn(*params), 1.0)
    tape(np.array([1.0]))
    for p, a in zip(params, args):
        p.data = a
    result = tape(np.array([1.0]), check=False)
    result.backward()
    return [result.data] + [p.grad for p in params]


@pytest.mark.parametrize("op, inputs", [(op, 1) for op in EDGE_UNARY_OPS] + [(op, 2) for op in EDGE_BINARY_OPS])
def test_an_op_gives_the_same_numbers_from_the_batch_and_of_parameters_alone(op, inputs):
    """The tape writes each op twice, for arrays and for single numbers: both must give the
    engine's numbers, and the same inf or nan as each other where the engine raises (a slip in
    one copy, such as +inf for the slope of 0 ** −1, is caught there too)."""
    fn = EDGE_UNARY_OPS[op] if inputs == 1 else EDGE_BINARY_OPS[op]
    mismatches = []
    for args in itertools.product(EDGES if inputs == 1 else FEW_EDGES, repeat=inputs):
        from_batch = _tape_numbers_from_the_batch(fn, args)
        alone = _tape_numbers_of_parameters_alone(fn, args)
        mismatches.append(_tape_or_engine_mismatch(op, args, from_batch, _engine_numbers(fn, args)))
        if not all(map(same_float, from_batch, alone)):
            mismatches.append(f"{op}{args}: from the batch {from_batch}, of parameters alone {alone}")
    assert [m for m in mismatches if m] == []


@settings(max_examples=150)
@given(expr=expressions(), X=st.lists(st.lists(reals(-3, 3), min_size=2, max_size=2), min_size=1, max_size=4),
       shifts=st.lists(reals(-1, 1), min_size=3, max_size=3), reduction=st.sampled_from(REDUCTIONS))
def test_a_random_expression_replayed_over_a_batch_matches_the_engine_row_by_row(expr, X, shifts, reduction):
    """Each row's loss, and the gradient of their mean or sum, as the scalar engine computes them
    one row at a time. Two variables come from the batch (plus a parameter each), the third is a
    parameter alone, so nodes of the batch, of parameters alone and of both are all replayed."""
    params = [Value(s) for s in shifts]

    def f(x):  # × 1.0: an expression may be a bare number or one parameter, and the loss must be an op
        return as_value(evaluate(expr, [x[0] + params[0], x[1] + params[1], params[2]], VALUE_OPS)) * 1.0

    result = compile(f, [0.0, 0.0], reduction=reduction)(np.array(X))
    result.backward()
    got = [p.grad for p in params]
    want_values, want_grads = [], [0.0] * len(params)
    for row in X:
        for p in params:
            p.grad = 0.0
        loss = f([Value(x) for x in row])
        loss.backward()
        want_values.append(loss.data)
        want_grads = [total + p.grad / (len(X) if reduction == "mean" else 1) for total, p in zip(want_grads, params)]
    assert list(result.values) == pytest.approx(want_values, rel=1e-12, abs=1e-12)
    assert got == pytest.approx(want_grads, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("loss", [
    lambda h, out: h[0] * h[1] + out,  # the loss reads the hidden layer before its next layer, or after
    lambda h, out: out + h[0] * h[1],
    lambda h, out: out * h[2].exp(),
])
def test_a_hidden_layer_read_by_the_next_layer_and_by_the_loss_matches_the_engine(loss):
    """A layer's output block gets gradient from the next layer as one matrix product and from
    the loss column by column: both add up, in whichever order the tape meets them."""
    from micrograd_club.nn import Layer

    hidden, head = Layer(2, 3, activation="tanh", seed=1), Layer(3, 1, activation="linear", seed=2)
    params = hidden.parameters() + head.parameters()

    def f(x):
        h = hidden(x)
        return loss(h, head(h))

    X = np.array([[0.3, -1.2], [2.0, 0.7], [-0.4, 0.1]])
    result = compile(f, [0.1, 0.2], reduction="sum")(X)
    result.backward()
    grads = [p.grad for p in params]
    want_loss, want_grads = _scalar_sum_and_grads(f, X, params)
    assert result.data == pytest.approx(want_loss, rel=1e-12)
    assert grads == pytest.approx(want_grads, rel=1e-12)


def test_an_example_may_be_a_list_of_values():
    model = MLP(2, [3, 1], seed=0)
    tape = compile(lambda x: model(x), [Value(1.0), Value(2.0)])
    assert tape([[1.0, 2.0]]).data == pytest.approx(model([1.0, 2.0]).data, rel=1e-12)


def _scalar_sum_and_grads(f, X, params):
    """The loss summed over the rows of X and ∂/∂params, by the scalar engine."""
    for p in params:
        p.grad = 0.0
    loss = sum((f([Value(float(a)) for a in row]) for row in X), Value(0.0))
    loss.backward()
    grads = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return loss.data, grads


@pytest.mark.parametrize("f", [
    lambda h: h[1].tanh() + h[0].tanh() + h[0] * h[1],  # the activations in another order than the layer's
    lambda h: h[1].tanh() * h[0].tanh(),
    lambda h: h[0].tanh() * 0.5 + h[1].tanh(),
])
def test_an_activation_of_a_whole_layer_in_any_order_matches_the_engine(f):
    from micrograd_club.nn import Layer

    layer = Layer(2, 2, activation="linear", seed=3)
    params = layer.parameters()
    X = np.array([[0.3, -1.2], [2.0, 0.7], [-0.4, 0.1]])
    tape = compile(lambda x: f(layer(x)), [0.1, 0.2], reduction="sum")
    result = tape(X)
    result.backward()
    grads = [p.grad for p in params]
    want_loss, want_grads = _scalar_sum_and_grads(lambda x: f(layer(x)), X, params)
    assert result.data == pytest.approx(want_loss, rel=1e-12)
    assert grads == pytest.approx(want_grads, rel=1e-12)


def test_inputs_activated_out_of_order_are_each_read_once():
    w = Value(0.5)
    tape = compile(lambda x: x[0].tanh() * w + x[1].tanh(), [0.0, 0.0], reduction="sum")
    X = np.array([[1.0, 1.0], [0.5, -2.0]])
    tape(X).backward()
    assert w.grad == pytest.approx(math.tanh(1.0) + math.tanh(0.5), rel=1e-12)


@pytest.mark.parametrize("name, local", [("ReLU", 1.0), ("clamp", 1.0), ("**2", 1.0), ("tanh", 2.0)])
def test_an_op_of_your_own_is_refused_even_with_an_engine_op_s_name(name, local):
    def straight_through(x):  # the value of an engine op, but a derivative of its own
        return Value.from_op(max(x.data, 0.0), name, (x,), (local,)) * 3.0

    with pytest.raises(CompileError, match=rf"the op '{re.escape(name)}' was made with Value.from_op"):
        compile(straight_through, 1.0)


def test_a_power_of_a_parameter_alone_is_nan_or_inf_never_complex():
    w, big = Value(4.0), Value(2.0)
    root = compile(lambda x: x * w**0.5, 1.0)
    square = compile(lambda x: x * big**2, 1.0)
    power = compile(lambda x: x * big ** Value(2.0), 1.0)
    root(np.array([1.0]))
    w.data, big.data = -4.0, 1e200  # parameters change after the tape was made (the engine would raise)
    with np.errstate(all="raise"):  # numpy's warnings stay inside the tape
        result = root(np.array([1.0, 2.0]))
        assert np.isnan(result.values).all() and isinstance(result.data, float)
        assert list(square(np.array([1.0, -1.0]), check=False).values) == [math.inf, -math.inf]
        assert list(power(np.array([1.0]), check=False).values) == [math.inf]


@settings(max_examples=60)
@given(base=reals(), exponent=reals())
def test_the_slope_of_a_power_towards_its_exponent_is_the_engine_s_or_nan_where_it_raises(base, exponent):
    """∂(aⁿ)/∂n = aⁿ·ln a has no real value for a negative base: the engine raises, PyTorch gives
    nan, and so must the tape, with the base from the batch or a parameter (it gave 0)."""
    b, e = Value(2.0), Value(2.0)
    from_batch = compile(lambda x: x**e, 2.0)
    alone = compile(lambda x: x * b**e, 1.0)
    from_batch(np.array([2.0]))  # the first call checks the trace on a row where the engine does not raise
    alone(np.array([1.0]))
    b.data, e.data = base, exponent
    from_batch(np.array([base]), check=False).backward()
    slope_from_batch = e.grad
    e.grad = 0.0
    alone(np.array([1.0]), check=False).backward()
    want = _engine_numbers(lambda n: Value(base) ** n, [exponent])
    if want is None:
        assert math.isnan(slope_from_batch) and math.isnan(e.grad)
    else:
        assert same_float(slope_from_batch, want[1]) and same_float(e.grad, want[1])


def test_the_first_call_may_be_inside_no_grad():
    from micrograd_club.engine import no_grad

    model = MLP(2, [3, 1], seed=0)
    X = np.array([[0.5, -1.0], [1.0, 2.0]])
    with no_grad():
        tape = compile(lambda x: model(x), [0.0, 0.0])
        result = tape(X)
    assert list(result.values) == pytest.approx([model(list(row)).data for row in X], rel=1e-12)


def test_outputs_the_loss_does_not_use_give_no_gradient():
    from micrograd_club.nn import Layer

    layer = Layer(1, 2, activation="linear", seed=0)
    params = layer.parameters()
    for p, value in zip(params, [1.0, 0.5, 0.0, 0.0]):  # neuron 2 is 0 everywhere: its sqrt has slope inf
        p.data = value

    def f(x):
        s = [z.relu().sqrt() for z in layer([x])]
        return s[0], s  # the loss uses s[0]; both are reported

    compile(f, 1.0, reduction="sum")(np.array([1.0, 2.0])).backward()
    grads = [p.grad for p in params]
    assert grads[2:] == [0.0, 0.0]
    assert grads[:2] == pytest.approx([0.5 / math.sqrt(1.5) + 1.0 / math.sqrt(2.5),
                                       0.5 / math.sqrt(1.5) + 0.5 / math.sqrt(2.5)], rel=1e-12)


def test_an_output_the_loss_does_not_use_sends_no_nan_back_through_an_earlier_layer():
    """As above, with a hidden layer in front: the unused neuron's 0 · (slope inf) must not become
    a nan that the matrix product back to the hidden layer spreads to every earlier gradient."""
    from micrograd_club.nn import Layer

    hidden, layer = Layer(1, 2, activation="tanh", seed=4), Layer(2, 2, activation="linear", seed=0)
    params = hidden.parameters() + layer.parameters()
    for p, value in zip(params, [1.0, 0.0, 0.5, 0.1] + [1.0, 0.5, 0.2, 0.0, 0.0, 0.0]):  # neuron 2 is 0 everywhere
        p.data = value

    def f(x):
        s = [z.relu().sqrt() for z in layer(hidden([x]))]
        return s[0], s

    X = np.array([[1.0], [2.0]])
    compile(f, 1.0, reduction="sum")(X[:, 0]).backward()
    grads = [p.grad for p in params]
    _, want = _scalar_sum_and_grads(lambda x: f(x[0])[0], X, params)
    assert all(map(math.isfinite, want)) and grads == pytest.approx(want, rel=1e-12)


def test_a_row_where_the_engine_raises_gives_inf_whichever_rows_are_checked():
    tape = compile(lambda x: (x * x).log(), 1.0)
    values = tape(np.array([0.0, 1.0, 2.0]), check="all").values  # row 0 is checked: log(0) raises there
    assert values[0] == -math.inf and values[2] == pytest.approx(math.log(4.0))
    with pytest.raises(ValueError, match="log of a non-positive number"):  # where the tape is finite, it is raised
        compile(lambda x: (x * x).log().relu(), 1.0)(np.array([0.0]))


def test_an_empty_batch_is_named():
    with pytest.raises(ValueError, match=r"the batch is empty \(batch argument 0 has no rows\)"):
        compile(lambda x: x[0] * 2.0, [1.0, 2.0])(np.empty((0, 2)))


def test_max_of_parameters_alone_lets_a_nan_win_as_the_engine_does():
    p, q = Value(1.0), Value(2.0)
    tape = compile(lambda x: x * maximum([p, q]), 1.0, reduction="sum")
    tape(np.array([1.0]))
    q.data = math.nan  # the second one: "largest first" alone would keep p
    result = tape(np.array([1.0, 2.0]))
    result.backward()
    assert np.isnan(result.values).all() and (p.grad, q.grad) == (0.0, 3.0)
    assert maximum([Value(1.0), Value(math.nan)]).local_grads == (0.0, 1.0)  # the engine's pick


def test_check_all_re_traces_every_row():
    tape = compile(lambda x: x * 2 if x.data > 0 else x * x, 1.0, sample_size=2)
    X = np.array([1.0, 2.0, -3.0, 4.0])  # row 2 is not among the first and last
    tape(X)
    with pytest.raises(DataDependentGraphError, match="row 2"):
        tape(X, check="all")
    with pytest.raises(ValueError, match="check must be None, False, True or 'all'"):
        tape(X, check="every")


def test_checking_every_row_reads_the_batch_once_not_once_per_row():
    # The batch was converted to an array again for each checked row: checking every row of a batch
    # given as lists was quadratic (16,000 rows took 80 s, an array 0.5 s). Counted: conversions.
    class Batch:
        conversions = 0

        def __init__(self, rows):
            self.rows = np.asarray(rows, dtype=float)

        def __array__(self, dtype=None, copy=None):
            Batch.conversions += 1
            return self.rows if dtype is None else self.rows.astype(dtype)

    tape = compile(lambda x, t: (x[0] * x[1] - t) ** 2, [1.0, 2.0], 0.5)
    conversions = []
    for rows in (2, 40):
        X, y = Batch(np.arange(2.0 * rows).reshape(rows, 2)), Batch(np.ones(rows))
        Batch.conversions = 0
        result = tape(X, y, check="all")
        conversions.append(Batch.conversions)
        assert list(result.values) == [(a * b - 1.0) ** 2 for a, b in X.rows]
    assert conversions[0] == conversions[1]


def test_planning_a_layer_looks_at_its_inputs_once_however_wide_it_is(monkeypatch):
    # Whether a layer reads its inputs as one block was worked out again for every edge into it,
    # n² edges of n inputs each: compiling MLP(w, [w, 1]) grew as w³, not as its w² parameters.
    # Counted: how often a layer's inputs are looked at, for a narrow and a wide model.
    looks = []
    look = compile_module._Program._layer_input_block
    monkeypatch.setattr(compile_module._Program, "_layer_input_block", lambda self, block: looks.append(1) or look(
        self, block))
    counts = []
    for width in (2, 12):
        model = MLP(width, [width, 1], seed=0)
        looks.clear()
        tape = compile(lambda x, t: losses.mse([model(x)], [t]), [0.5] * width, 1.0)
        counts.append(len(looks))
        X = np.linspace(-1.0, 1.0, 3 * width).reshape(3, width)
        result = tape(X, np.ones(3))
        assert np.allclose(result.values, [(model(list(x)).data - 1.0) ** 2 for x in X], rtol=1e-12)
    assert counts[0] == counts[1]


def test_an_op_on_every_input_but_the_last_is_looked_for_once_not_once_per_input(monkeypatch):
    # Each exp(xᵢ) looked through every input for an exp of each, and failed at the last one:
    # quadratic in the inputs. Counted: how many nodes' ops are looked at, 4 times the inputs
    # should be about 4 times the looks (it was 16 times).
    looks = []
    op_key = compile_module._op_key
    monkeypatch.setattr(compile_module, "_op_key", lambda node: looks.append(1) or op_key(node))

    def f(x):
        terms = [xi.exp() for xi in x[:-1]] + [x[-1]]
        return sum(terms[1:], terms[0])

    counts = []
    for inputs in (10, 40):
        looks.clear()
        tape = compile(f, np.ones(inputs))
        counts.append(len(looks))
        X = np.linspace(-1.0, 1.0, 2 * inputs).reshape(2, inputs)
        assert np.allclose(tape(X).values, [sum(np.exp(x[:-1])) + x[-1] for x in X], rtol=1e-12)
    assert counts[1] <= 5 * counts[0]
