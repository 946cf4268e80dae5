"""The Value engine: every op's value and derivative, backward semantics, and errors."""

import copy
import gc
import math
import operator
import pickle
import sys
import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_club import Value, enable_grad, is_grad_enabled, no_grad
from micrograd_club.engine import Constant, Op, maximum, weighted_sum
from micrograd_club.gradcheck import numerical_grad
from micrograd_club.losses import binary_cross_entropy
from strategies import (DOCUMENTED_ERRORS, EDGE_BINARY_OPS, EDGE_POWERS, EDGE_UNARY_OPS, EDGES, FEW_EDGES, VALUE_OPS,
                        as_value, away_from_zero, evaluate, expressions, positives, reals, same_float)

# ----- every op against central differences -----

# name -> (function of Values, strategy for each input)
UNARY = {
    "neg": (lambda a: -a, reals()),
    "abs": (lambda a: abs(a), away_from_zero()),
    "exp": (lambda a: a.exp(), reals()),
    "log": (lambda a: a.log(), positives()),
    "sqrt": (lambda a: a.sqrt(), positives()),
    "tanh": (lambda a: a.tanh(), reals()),
    "sigmoid": (lambda a: a.sigmoid(), reals()),
    "relu": (lambda a: a.relu(), away_from_zero()),
    "leaky_relu": (lambda a: a.leaky_relu(0.1), away_from_zero()),
    "softplus": (lambda a: a.softplus(), reals()),
    "square": (lambda a: a**2, reals()),
    "cube": (lambda a: a**3, reals()),
    "reciprocal": (lambda a: a**-1, positives()),
    "sqrt_pow": (lambda a: a**0.5, positives()),
    "const_to_power": (lambda a: 2.0**a, reals()),
    "clamp": (lambda a: a.clamp(-1.0, 1.0), st.one_of(reals(-0.9, 0.9), reals(1.1, 3), reals(-3, -1.1))),
    "radd": (lambda a: 3.0 + a, reals()),
    "rsub": (lambda a: 3.0 - a, reals()),
    "rmul": (lambda a: 3.0 * a, reals()),
    "rdiv": (lambda a: 3.0 / a, positives()),
}
BINARY = {
    "add": (lambda a, b: a + b, reals(), reals()),
    "sub": (lambda a, b: a - b, reals(), reals()),
    "mul": (lambda a, b: a * b, reals(), reals()),
    "div": (lambda a, b: a / b, reals(), away_from_zero(0.2)),
    "pow_value": (lambda a, b: a**b, positives(), reals(-2, 2)),
}


def analytic_grad(f, xs):
    values = [Value(x) for x in xs]
    f(*values).backward()
    return [v.grad for v in values]


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(max_examples=40)
@given(data=st.data())
def test_unary_op_gradient_matches_central_differences(name, data):
    f, strategy = UNARY[name]
    x = data.draw(strategy)
    assert analytic_grad(f, [x]) == pytest.approx(numerical_grad(f, [x]), rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=40)
@given(data=st.data())
def test_binary_op_gradient_matches_central_differences(name, data):
    f, sa, sb = BINARY[name]
    xs = [data.draw(sa), data.draw(sb)]
    assert analytic_grad(f, xs) == pytest.approx(numerical_grad(f, xs), rel=1e-5, abs=1e-6)


@pytest.mark.parametrize(
    "f, x, expected",
    [
        (lambda a: a.exp(), 1.0, math.e),
        (lambda a: a.log(), math.e, 1.0),
        (lambda a: a.sqrt(), 9.0, 3.0),
        (lambda a: a.tanh(), 0.5, math.tanh(0.5)),
        (lambda a: a.sigmoid(), 2.5, 0.9241418199787566),  # the article's sigmoid(2.5)
        (lambda a: a.relu(), -3.0, 0.0),
        (lambda a: a.leaky_relu(), -3.0, -0.03),
        (lambda a: a.softplus(), 0.0, math.log(2)),
        (lambda a: abs(a), -2.5, 2.5),
        (lambda a: a**3, -2.0, -8.0),
        (lambda a: 2**a, 10, 1024.0),
        (lambda a: 1 / a, 4.0, 0.25),
    ],
)
def test_op_values(f, x, expected):
    assert f(Value(x)).data == pytest.approx(expected, rel=1e-15)


# ----- the graph records what made each node -----


def test_node_records_op_parents_and_local_grads():
    w, x = Value(0.4, "w"), Value(1.0, "x")
    z = w * x
    assert z.op == "*" and z.parents == (w, x) and z.local_grads == (1.0, 0.4)
    s = Value(0.5).sigmoid()
    assert s.op == "σ" and s.local_grads == (pytest.approx(s.data * (1 - s.data)),)
    assert (x**2).op == "**2" and (x**-1).op == "**-1" and (x**0.5).op == "**0.5"


def test_parents_and_local_grads_read_back_for_every_number_of_inputs():
    a, b, c = Value(2.0, "a"), Value(3.0, "b"), Value(5.0, "c")
    assert (a.parents, a.local_grads) == ((), ())  # a leaf
    assert ((-a).parents, (-a).local_grads) == ((a,), (-1.0,))
    assert ((a * b).parents, (a * b).local_grads) == ((a, b), (3.0, 2.0))
    top = maximum(a, c, b)  # an op of more than two inputs
    assert (top.parents, top.local_grads) == ((a, c, b), (0.0, 1.0, 0.0))
    made = Value.from_op(7.0, "seven", (), ())  # an op of no inputs is a leaf with an op name
    assert (made.op, made.parents, made.local_grads) == ("seven", (), ())
    with no_grad():
        assert ((a * b).parents, (a * b).local_grads) == ((), ())


def test_a_unary_or_binary_node_is_one_object_for_the_garbage_collector():
    # Its inputs live in the node's own slots, not in a tuple (a tuple of Values is one more object for
    # Python's cyclic collector to track, which made a micrograd-style step about 1.5 times as slow).
    a, b = Value(2.0), Value(3.0)
    for node in (a * b, a + b, a.relu(), a**2):
        tracked = [r for r in gc.get_referents(node) if gc.is_tracked(r)]
        assert [r for r in tracked if not isinstance(r, (Value, type, Op))] == []
    assert (a**2).op is (b**2).op  # an op with settings, such as **2, is one object shared by its nodes


def test_local_grads_can_be_replaced_one_number_per_parent():
    a, b = Value(2.0), Value(3.0)
    y = a * b
    y.local_grads = (0.0, 1.5)  # a wrong derivative, as a lesson on gradcheck might plant
    y.backward()
    assert (a.grad, b.grad) == (0.0, 1.5)
    top = maximum(a, b, Value(1.0))
    top.local_grads = [0.5, 0.5, 0.0]
    assert top.local_grads == (0.5, 0.5, 0.0)
    root = a.sqrt()
    root.local_grads = (2,)
    assert root.local_grads == (2.0,) and root.parents == (a,)
    for node, numbers in ((root, (np.float32(0.1),)), (y, (1, np.float32(0.1))), (top, (1, 0, np.float32(0.1)))):
        node.local_grads = numbers  # stored as plain floats, for an op of any number of inputs
        assert [type(d) for d in node.local_grads] == [float] * len(numbers)
    for wrong in ((1.0,), (1.0, 2.0, 3.0), (1.0, "2")):
        with pytest.raises(ValueError, match="one number per parent.*this node has 2 parents"):
            y.local_grads = wrong
    for wrong in ((1.0,), 0.25):
        with pytest.raises(ValueError, match="has 0 parents"):
            a.local_grads = wrong
    with pytest.raises(AttributeError):
        y.parents = (b, a)  # the inputs are made by the op, not set


def test_local_grads_of_one_parent_are_a_tuple_of_one_number():
    x = Value(0.5)
    y = x.tanh()
    for wrong in (0.25, None):  # a number where a tuple of one belongs
        with pytest.raises(ValueError, match=r"this node has 1 parents, got .*as a tuple: \(d,\) for one parent"):
            y.local_grads = wrong
    y.local_grads = (0.25,)
    y.backward()
    assert y.local_grads == (0.25,) and x.grad == 0.25


def test_only_a_result_made_inside_no_grad_ignores_new_local_grads():
    x = Value(1.0)
    with no_grad():
        evaluated = x * 2.0
    evaluated.local_grads = (0.0, 1.0)  # as a lesson's function does when gradcheck evaluates it inside no_grad()
    assert evaluated.local_grads == ()
    copied = pickle.loads(pickle.dumps(evaluated))  # a copy is still a result made inside no_grad()
    copied.local_grads = (0.0, 1.0)
    assert copied.local_grads == ()
    named_alike = Value.from_op(3.0, "no_grad", (x,), (1.0,))  # an op of your own that happens to be called so
    named_alike.local_grads = (5.0,)
    named_alike.backward()
    assert named_alike.local_grads == (5.0,) and x.grad == 5.0


def test_a_plus_a_keeps_both_parents_and_gradient_is_two():
    a = Value(3.0)
    b = a + a
    assert b.parents == (a, a)
    b.backward()
    assert a.grad == 2.0


def test_number_on_the_left_keeps_operand_order():
    x = Value(2.0)
    y = 5 - x
    assert y.parents[0].data == 5.0 and y.parents[1] is x
    assert y.data == 3.0 and (5 / x).data == 2.5 and (2**x).data == 4.0


def test_numbers_in_ops_become_constants():
    x = Value(2.0, "x")
    y = x * 3
    assert type(y.parents[1]) is Constant and y.parents[1].data == 3.0
    assert type(x) is Value and type(y) is Value
    assert repr(y.parents[1]) == "Constant(data=3.0000, grad=0.0000)"


def test_micrograd_aliases_are_read_only():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    assert c._prev == {a, b} and c._op == "*"
    with pytest.raises(AttributeError):
        c._prev = set()
    with pytest.raises(AttributeError):
        c._op = "+"


def test_numpy_scalars_mix_with_values():
    x = Value(2.0)
    for scalar in (np.float64(3.0), np.int64(3), np.float32(3.0)):
        for y in (scalar * x, x * scalar, scalar + x, x - scalar):
            assert isinstance(y, Value)
    assert isinstance(-np.int64(1) * x, Value) and (-np.int64(1) * x).data == -2.0


# ----- backward -----


def test_backward_twice_accumulates_into_leaves_only():
    x = Value(3.0)
    y = x * x * x
    y.backward()
    assert x.grad == 27.0
    y.backward()
    assert x.grad == 54.0  # 27 + 27, as in PyTorch; intermediates are recomputed (micrograd: 72)
    assert y.parents[0].grad == 3.0  # the intermediate x*x holds ∂y/∂(x·x) = x, not a sum


def test_backward_on_a_leaf_and_with_a_seed_gradient():
    x = Value(2.0)
    x.backward()
    assert x.grad == 1.0
    y = Value(3.0)
    (y * y).backward(gradient=0.5)
    assert y.grad == 3.0


def test_backward_resets_intermediates_left_over_from_another_backward():
    x = Value(1.5)
    h = x * 2.0
    (h * 3.0).backward()
    assert h.grad == 3.0 and x.grad == 6.0
    (h + 1.0).backward()  # h is an intermediate again: its grad is recomputed, not added to
    assert h.grad == 1.0 and x.grad == 6.0 + 2.0


def test_a_node_with_zero_gradient_passes_nothing_back():
    w, x = Value(-2.0), Value(3.0)
    off = (w * x).relu()  # w·x < 0: the ReLU is off, so ∂off/∂(w·x) = 0
    on = (w + x).relu()
    (off + on).backward()
    assert (w.grad, x.grad) == (1.0, 1.0)  # only the ReLU that is on contributes
    assert off.parents[0].grad == 0.0


def test_zero_gradient_times_an_infinite_local_derivative_is_nan_as_in_pytorch():
    x = Value(0.0)
    y = x.sqrt() * 0.0  # ∂y/∂√x = 0, ∂√x/∂x = inf at 0: torch gives 0 · inf = nan
    y.backward()
    assert math.isnan(x.grad)


def test_million_node_chain_backward_has_no_recursion_limit():
    x = Value(1.0)
    y = x
    n = 1_000_000
    for _ in range(n // 2):  # two nodes per step: y*1.0 and +0.0
        y = y * 1.0 + 0.0
    assert sys.getrecursionlimit() < n
    y.backward()
    assert x.grad == 1.0


def test_topological_order_puts_parents_first():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    order = d.topological_order()
    assert order[-1] is d
    position = {id(v): i for i, v in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]
    assert len(order) == 4


def test_shared_subexpression_gets_summed_gradient():
    x = Value(0.7)
    h = x.tanh()
    y = h * h + h  # h feeds two ops
    y.backward()
    dh = 2 * h.data + 1
    assert h.grad == pytest.approx(dh) and x.grad == pytest.approx(dh * (1 - h.data**2))


# ----- no_grad, detach, conversions, display -----


def test_no_grad_records_no_graph_and_restores_state():
    w = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = w * 3.0 + 1.0
    assert is_grad_enabled()
    assert y.data == 7.0 and y.parents == () and y.op == "no_grad"

    @no_grad()
    def evaluate_model():
        return (w * w).tanh()

    assert evaluate_model().parents == ()


def test_backward_from_a_loss_made_inside_no_grad_says_so():
    w = Value(2.0)
    with no_grad():
        loss = (w * 3.0 - 1.0) ** 2
    with pytest.raises(RuntimeError, match=r"computed inside no_grad\(\).*outside the no_grad\(\) block"):
        loss.backward()
    assert w.grad == 0.0
    Value(1.0).backward()  # a leaf you made yourself is fine, as before


def test_in_place_ops_on_a_value_make_a_new_one_inside_no_grad_too():
    """Only a model's Parameter is updated in place (see test_nn). A plain Value's += used to
    change it inside no_grad() but not outside, so a model that sums into its bias,
    ``act = self.b; act += w * x``, added to self.b on every call made inside no_grad()."""
    b, w = Value(1.0), Value(2.0)
    with no_grad():
        act = b
        act += w * 3.0
        act -= 1.0
        act *= 2.0
        act /= 4.0
    assert b.data == 1.0 and act is not b and act.data == 3.0 and act.parents == ()


def test_in_place_ops_while_recording_build_a_new_node_as_in_micrograd():
    a = Value(2.0)
    total = a
    total += a * 3
    assert total is not a and total.op == "+" and a.data == 2.0
    total.backward()
    assert a.grad == 4.0


def test_a_grad_set_to_none_as_in_pytorch_gets_an_error_that_says_how_to_zero_it():
    """``p.grad = None`` is how PyTorch (and Karpathy's makemore lectures) zero a gradient;
    backward() used to fail with "unsupported operand type(s) for +=: 'NoneType' and 'float'"
    and printing p with "bad operand type for abs()"."""
    w, b = Value(2.0, "w"), Value(1.0, "b")
    w.grad = b.grad = None
    assert repr(w) == "Value(data=2.0000, grad=None, label='w')"
    loss = w * 3.0 + b
    with pytest.raises(TypeError, match=r"grad of 'w', 'b' is None.*zero_grad\(\).*p\.grad = 0\.0"):
        loss.backward()
    w.grad = b.grad = 0.0
    loss.backward()
    assert (w.grad, b.grad) == (3.0, 1.0)


def test_a_long_list_of_none_grads_is_cut_short():
    """A model has more parameters than a message can name: the first three are named."""
    params = [Value(float(i), f"w{i}") for i in range(5)]
    total = sum(params[1:], params[0])
    for p in params:
        p.grad = None
    with pytest.raises(TypeError, match=r"grad of 'w0', 'w1', 'w2' and 2 more is None"):
        total.backward()
    params[4].grad = 0.0
    with pytest.raises(TypeError, match=r"grad of 'w0', 'w1', 'w2' and 1 more is None"):
        total.backward()


def test_a_value_stored_as_data_is_named_instead_of_spreading_through_the_graph():
    """``p.data = p - lr * p.grad`` (or ``p.data -= lr * p``) stores a Value, graph and all,
    as data; every result then had a Value as its data, grads became Values, and only later
    did an op fail with "descriptor '__lt__' requires a 'float' object" or "__float__ returned
    non-float". backward(), float() and comparisons now say what happened."""
    w = Value(2.0, "w")
    w.grad = 0.5
    w.data = w - 0.1 * w.grad
    loss = w * 3.0
    with pytest.raises(TypeError, match=r"the data of 'w' is a Value, not a number.*p\.data -= lr \* p\.grad \(or, for "
                                        r"a model's Parameters as in PyTorch, with no_grad\(\): p -= lr \* p\.grad\)$"):
        loss.backward()
    with pytest.raises(TypeError, match="the data of 'w' is a Value"):
        math.tanh(w)
    with pytest.raises(TypeError, match="the data of 'w' is a Value"):
        assert w < 1.0
    with pytest.raises(TypeError, match="the data of 'w' is a Value"):
        assert Value(1.0) < w
    v = Value(1.0, "v")
    v.data = 1  # an int (a number set as data) on the left, so float's own < refuses it first
    with pytest.raises(TypeError, match="the data of 'w' is a Value"):
        assert v < w
    w.data = 3  # an int set as data still converts
    assert float(w) == 3.0 and type(float(w)) is float and math.tanh(w) == math.tanh(3.0)


def test_a_value_stored_as_data_shows_as_one_and_is_refused_by_item_and_format():
    """After ``p.data = p - lr * p.grad``, ``print(p)`` showed the number, as if all were
    well, and warned about comparing a Value with the number 0 (the repr's own check);
    ``p.item()`` returned the Value and ``f"{p:.3f}"`` formatted its number."""
    w = Value(2.0, "w")
    w.grad = 0.5
    w.data = w - 0.1 * w.grad
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert repr(w) == "Value(data=Value(data=1.9500, grad=0.0000), grad=0.5000, label='w')"
    with pytest.raises(TypeError, match="the data of 'w' is a Value"):
        w.item()
    with pytest.raises(TypeError, match="the data of 'w' is a Value"):
        f"{w:.3f}"
    w.data = 3  # an int set as data is still a number
    assert w.item() == 3.0 and type(w.item()) is float and f"{w:.2f}" == "3.00"


def test_no_grad_works_as_a_bare_decorator_and_in_recursion():
    @no_grad
    def countdown(x, n):
        assert not is_grad_enabled()
        return x if n == 0 else countdown(x * 2.0, n - 1)

    assert countdown(Value(1.0), 3).data == 8.0 and countdown(Value(1.0), 3).parents == ()
    assert is_grad_enabled()  # the outer call restores the flag, not the inner one's "off"

    @no_grad()
    def nested(n):
        return 0 if n == 0 else nested(n - 1)

    nested(2)
    assert is_grad_enabled()


def test_backward_takes_pytorch_s_keywords():
    x = Value(3.0)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()  # the graph is always kept
    assert x.grad == 12.0
    with pytest.raises(ValueError, match="create_graph=True.*second derivative"):
        y.backward(create_graph=True)


def test_no_grad_is_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            Value(1.0) / 0
    assert is_grad_enabled()


def test_one_no_grad_block_entered_inside_itself_restores_the_flag():
    """A block kept in a variable and entered again before it is left: each exit restores
    what its own enter found, so leaving the outer one turns recording back on (the flag used
    to stay off for the rest of the session)."""
    block = no_grad()
    with block:
        with block:
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()

    again = enable_grad()
    with no_grad():
        with again:
            with again:
                assert is_grad_enabled()
            assert is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_enable_grad_records_the_graph_inside_no_grad_and_restores_state():
    w = Value(2.0)
    with no_grad():
        with enable_grad():
            assert is_grad_enabled()
            y = w * w
        assert not is_grad_enabled()
        assert (w * w).parents == ()
    assert y.parents == (w, w) and is_grad_enabled()

    @enable_grad()
    def square(x):
        return x * x

    with no_grad():
        assert square(w).parents == (w, w)


def test_no_grad_on_a_generator_function_holds_while_its_body_runs():
    """The flag used to be off only while the generator object was made, so the body recorded a
    graph. As in PyTorch, each step of the body runs in the mode, the caller's mode is back at
    each yield, and what is sent in and returned passes through."""
    w = Value(2.0)

    @no_grad
    def squares():
        factor = yield w * w
        yield w * factor
        return "done"

    steps = squares()
    assert next(steps).parents == ()
    assert is_grad_enabled()  # the caller, between two steps
    assert (w * w).parents == (w, w)
    second = steps.send(3.0)
    assert second.data == 6.0 and second.parents == ()

    def the_rest():
        return (yield from steps)

    rest = the_rest()
    with pytest.raises(StopIteration) as finished:
        next(rest)
    assert finished.value.value == "done"
    assert is_grad_enabled()


def test_no_grad_on_a_generator_passes_on_a_throw_and_a_close_in_its_mode():
    seen = []

    @no_grad()
    def steps():
        try:
            while True:
                try:
                    yield
                except KeyError:
                    seen.append(("caught", is_grad_enabled()))
        finally:
            seen.append(("closed", is_grad_enabled()))

    generator = steps()
    next(generator)
    generator.throw(KeyError("x"))
    assert is_grad_enabled()
    generator.close()
    assert seen == [("caught", False), ("closed", False)] and is_grad_enabled()


def test_enable_grad_on_a_generator_records_the_graph_when_called_inside_no_grad():
    w = Value(2.0)

    @enable_grad
    def squares():
        while True:
            yield w * w

    with no_grad():
        generator = squares()
        assert next(generator).parents == (w, w)
        assert not is_grad_enabled()
    assert next(generator).parents == (w, w)


def test_truth_follows_data_like_a_scalar_tensor():
    assert not Value(0.0) and Value(-0.5) and bool(Value(True))


def test_value_of_a_value_suggests_detach():
    with pytest.raises(TypeError, match="detach"):
        Value(Value(2.0))


def test_detach_item_float():
    x = Value(1.5, "x")
    y = (x * 2).detach()
    assert y.parents == () and y.data == 3.0
    assert x.item() == 1.5 and float(x) == 1.5 and isinstance(x.item(), float)


def test_settings_and_the_seed_gradient_may_be_values():
    assert Value(-1.0).clamp(min=Value(0.0)).data == 0.0
    assert Value(-1.0).leaky_relu(Value(0.1)).data == -0.1
    x = Value(2.0)
    (x * x).backward(Value(0.5))
    assert x.grad == 2.0


@pytest.mark.parametrize("call, message", [
    (lambda x: x.backward("1"), "backward: gradient must be a number, got str '1'"),
    (lambda x: x.backward([1.0]), r"backward: gradient must be a number, got list \[1.0\]"),
    (lambda x: x.leaky_relu("0.1"), "leaky_relu: negative_slope must be a number, got str '0.1'"),
    (lambda x: x.leaky_relu(None), "leaky_relu: negative_slope must be a number, got NoneType"),
])
def test_a_seed_gradient_or_slope_that_is_not_a_number_is_a_type_error_naming_it(call, message):
    """float() made the str "1" a ValueError ("could not convert string to float") naming
    neither the argument nor the method."""
    x = Value(-2.0, "x")
    with pytest.raises(TypeError, match=message):
        call(x * x)
    assert x.grad == 0.0


def test_format_specs_format_the_data():
    loss = Value(0.123456, "L")
    assert f"{loss:.4f}" == "0.1235" and f"{loss:.2e}" == "1.23e-01"
    assert f"{loss}" == repr(loss)


def test_repr_is_readable():
    h = Value(0.6224593312018546, label="h")
    h.grad = -0.03397866
    assert repr(h) == "Value(data=0.6225, grad=-0.0340, label='h')"
    assert repr(Value(2)) == "Value(data=2.0000, grad=0.0000)"
    assert repr(Value(1e-7)) == "Value(data=1.0000e-07, grad=0.0000)"
    # the switch to scientific notation, at both ends: 1e-4 is still written out, 1e6 is not
    assert repr(Value(1e-4)) == "Value(data=0.0001, grad=0.0000)"
    assert repr(Value(999999.0)) == "Value(data=999999.0000, grad=0.0000)"
    assert repr(Value(1e6)) == "Value(data=1.0000e+06, grad=0.0000)"


def test_repr_writes_a_zero_of_either_sign_as_zero():
    """A perfect prediction's BCE is −(1·ln 1) = −0.0: a loss shown as "-0.0000" looks negative."""
    loss = binary_cross_entropy([Value(1.0)], [1.0])
    assert math.copysign(1.0, loss.data) == -1.0  # the float is −0.0; only how it is written changes
    assert repr(loss) == "Value(data=0.0000, grad=0.0000)"
    zero = Value(-0.0)
    zero.grad = -0.0
    assert repr(zero) == "Value(data=0.0000, grad=0.0000)"


def test_comparisons_use_data_but_equality_is_identity():
    a, b = Value(1.0), Value(2.0)
    assert a < b and a <= 1 and b > a and b >= 2.0 and 0.5 < a
    assert max([a, b]) is b
    c = Value(1.0)
    assert a != c and a == a and len({a, c}) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert a != c and a == a and a in {a: 1} and a in [c, a] and a != "1.0" and a != None  # noqa: E711


def test_comparing_a_value_with_a_number_by_equality_warns_that_it_is_always_false():
    """``if loss == 0`` or ``assert out == 4.0`` was quietly False (micrograd's identity, where
    PyTorch compares the numbers); it still is, for micrograd's sake, but now says so."""
    x = Value(2.0)
    with pytest.warns(UserWarning, match=r"number 2\.0 by == or != .*always False.*x\.data == 2\.0"):
        assert not x == 2.0
    with pytest.warns(UserWarning, match="always True"):
        assert x != 2
    with pytest.warns(UserWarning, match="always False"):
        assert not np.float64(2.0) == x
    with pytest.warns(UserWarning) as caught:
        assert not x == 2.0
    assert caught[0].filename == __file__  # the warning points at the line that compares, not at the engine


# ----- data types -----


@pytest.mark.parametrize("x", [3, 2.5, True, np.float64(1.5), np.int32(4), np.bool_(True), np.array([2.0])])
def test_accepts_real_numbers_and_stores_python_float(x):
    v = Value(x)
    assert type(v.data) is float


@pytest.mark.parametrize("x", ["1.0", 1 + 2j, [1.0], None, np.array([1.0, 2.0]), np.complex128(1)])
def test_rejects_non_real_data_naming_the_type(x):
    with pytest.raises(TypeError, match=type(x).__name__):
        Value(x)


def test_rejects_unsupported_operands():
    with pytest.raises(TypeError, match="str"):
        Value(1.0) + "2"
    with pytest.raises(TypeError):
        Value(1.0) * [1.0]
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)


@pytest.mark.parametrize("number, named_with_fix", [
    (Decimal("0.1"), r"Decimal: Decimal\('0.1'\)\. Convert it first: float\(x\)"),
    (2j, r"complex: 2j\. A Value holds one real number: use x\.real"),
    (np.complex128(1), r"complex.*: .*A Value holds one real number: use x\.real"),  # complex128 on the left
])
@pytest.mark.parametrize("op", [
    operator.add, operator.sub, operator.mul, operator.truediv, operator.pow, operator.lt, operator.ge,
])
def test_a_number_that_is_not_real_gets_an_error_that_names_it_and_the_fix(op, number, named_with_fix):
    """Python's own message ("unsupported operand type(s)") said neither why nor what to do."""
    for a, b in ((Value(2.0), number), (number, Value(2.0))):
        with pytest.raises(TypeError, match=rf"a Value computes with real numbers .* got {named_with_fix}"):
            op(a, b)


def test_an_operand_that_is_not_a_number_still_gets_its_own_reflected_op():
    class Vector:
        def __radd__(self, other):
            return "Vector.__radd__"

        def __rmul__(self, other):
            return "Vector.__rmul__"

    assert Value(1.0) + Vector() == "Vector.__radd__" and Value(1.0) * Vector() == "Vector.__rmul__"
    values = np.array([Value(1.0), Value(2.0)])
    assert [v.data for v in values * Value(3.0)] == [3.0, 6.0] == [v.data for v in Value(3.0) * values]
    assert (Value(1.0) + Fraction(1, 2)).data == 1.5


# ----- numerical edge cases -----


@pytest.mark.parametrize("x", [1000.0, -1000.0])
def test_extreme_inputs_do_not_overflow(x):
    for f in (Value.tanh, Value.sigmoid, Value.exp, Value.softplus):
        v = Value(x)
        y = f(v)
        y.backward()
        assert not math.isnan(y.data) and not math.isnan(v.grad)
    assert Value(1000.0).exp().data == math.inf and Value(-1000.0).exp().data == 0.0
    assert Value(x).sigmoid().data == (1.0 if x > 0 else 0.0)


def test_sigmoid_is_accurate_in_both_tails():
    assert Value(-40.0).sigmoid().data == pytest.approx(math.exp(-40) / (1 + math.exp(-40)), rel=1e-15)
    assert Value(40.0).sigmoid().data == 1 / (1 + math.exp(-40))


def test_log_of_zero_names_the_op_and_the_fix():
    with pytest.raises(ValueError, match=r"log\(0.0\).*\+ 1e-12"):
        Value(0.0).log()
    with pytest.raises(ValueError, match="log"):
        Value(-1.0).log()


def test_division_by_zero_names_the_op_and_the_fix():
    with pytest.raises(ZeroDivisionError, match="division by zero.*epsilon"):
        Value(1.0) / 0
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        1 / Value(0.0)
    with pytest.raises(ZeroDivisionError, match=r"0.0 \*\* -1"):
        Value(0.0) ** -1


def test_division_by_a_tiny_number_gives_pytorchs_gradients():
    # b·b underflows to 0 for |b| < 1e-162; −a/b² is computed as −(a/b)/b, as torch does
    a, b = Value(1e-300), Value(1e-200)
    (a / b).backward()
    assert a.grad == pytest.approx(1e200) and b.grad == pytest.approx(-1e100)
    a, b = Value(2.0), Value(1e-170)
    (a / b).backward()
    assert a.grad == pytest.approx(1e170) and b.grad == -math.inf  # 2e340 overflows, as in torch


@pytest.mark.parametrize("a, n, slope", [
    (1e-200, -1, -math.inf), (-1e-200, -1, -math.inf), (1e-200, -1.5, -math.inf), (-1e-100, -3, -math.inf),
    (-1e-120, -2, math.inf),
])
def test_a_slope_too_steep_for_a_float_is_inf_as_in_pytorch(a, n, slope):
    x = Value(a)
    (x**n).backward()  # aⁿ fits in a float, n·aⁿ⁻¹ does not
    assert x.grad == slope


def test_maximum_with_a_nan_is_nan_in_any_order():
    for values in ([Value(1.0), Value(math.nan)], [Value(math.nan), Value(1.0)]):
        m = maximum(values)
        m.backward()
        assert math.isnan(m.data) and [v.grad for v in values if math.isnan(v.data)] == [1.0]


def test_power_errors():
    with pytest.raises(ValueError, match="negative base to a fractional power"):
        Value(-2.0) ** 0.5
    assert (Value(10.0) ** 400).data == math.inf and (Value(-10.0) ** 401).data == -math.inf  # as a * a overflows
    with pytest.raises(ValueError, match="positive base"):
        Value(-2.0) ** Value(2.0)
    with no_grad():  # no gradient wanted, so a negative base with a whole exponent is fine
        assert (Value(-2.0) ** Value(2.0)).data == 4.0
    with pytest.raises(ValueError, match="sqrt"):
        Value(-1.0).sqrt()


def test_pole_derivatives_are_infinite_like_pytorch():
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == math.inf
    y = Value(0.0)
    (y**0).backward()
    assert y.grad == 0.0


# ----- against PyTorch in double precision -----

def _torch_ops(torch):
    t = lambda a: a if isinstance(a, torch.Tensor) else torch.tensor(float(a), dtype=torch.float64)
    return {
        "neg": lambda a: -t(a),
        "tanh": lambda a: torch.tanh(t(a)),
        "sigmoid": lambda a: torch.sigmoid(t(a)),
        "relu": lambda a: torch.relu(t(a)),
        "softplus": lambda a: torch.nn.functional.softplus(t(a), threshold=40),  # see _torch_twins
        "abs": lambda a: torch.abs(t(a)),
        "square": lambda a: t(a) ** 2,
        "safe_log": lambda a: torch.log(t(a) ** 2 + 1),
        "safe_sqrt": lambda a: torch.sqrt(t(a) ** 2 + 1),
        "exp_tanh": lambda a: torch.exp(torch.tanh(t(a))),
        "add": lambda a, b: t(a) + t(b),
        "sub": lambda a, b: t(a) - t(b),
        "mul": lambda a, b: t(a) * t(b),
        "safe_div": lambda a, b: t(a) / (t(b) ** 2 + 1),
        "mix": lambda a, b: (t(a) ** 2 + 1) ** t(b).tanh(),
        "wsum": lambda a, b: 1.0 + t(a) * t(b) + t(b) * t(a),
    }


@settings(max_examples=150)
@given(expr=expressions(), xs=st.lists(reals(-3, 3), min_size=3, max_size=3))
def test_random_expressions_match_pytorch_float64(expr, xs):
    torch = pytest.importorskip("torch")
    ours = [Value(x) for x in xs]
    theirs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = as_value(evaluate(expr, ours, VALUE_OPS))
    ref = _torch_ops(torch)
    ref_out = evaluate(expr, theirs, ref)
    ref_out = ref_out if isinstance(ref_out, torch.Tensor) else torch.tensor(float(ref_out), dtype=torch.float64)
    assert out.data == pytest.approx(ref_out.item(), rel=1e-12, abs=1e-12)
    out.backward()
    if ref_out.requires_grad:
        ref_out.backward()
    for v, t in zip(ours, theirs):
        expected = 0.0 if t.grad is None else t.grad.item()
        assert v.grad == pytest.approx(expected, rel=1e-9, abs=1e-12)


# ----- against PyTorch at the edges of float64 -----

def _torch_twins(torch):
    """EDGE_UNARY_OPS and EDGE_BINARY_OPS as torch computes them."""
    unary = {
        "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
        "relu": torch.relu, "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, 0.1), "abs": torch.abs,
        "neg": torch.neg, "clamp": lambda t: t.clamp(-1.0, 1.0),
        # torch's softplus turns linear above 20 by default; ours only where ln(1 + eˣ) = x in floats
        "softplus": lambda t: torch.nn.functional.softplus(t, threshold=40),
        **{f"**{n}": (lambda t, n=n: t**n) for n in EDGE_POWERS},
    }
    return unary, EDGE_BINARY_OPS  # the binary ops are Python operators: the same code for both


def _against_torch(torch, ours_fn, theirs_fn, args):
    """Our value and gradients next to torch's. We may raise (log of 0, x/0, a power too large
    for a float) only where torch's value is inf or nan, or a gradient is nan (the exponent of
    a negative base)."""
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in args]
    theirs = theirs_fn(*tensors)
    theirs.backward()
    their_numbers = [theirs.item()] + [0.0 if t.grad is None else t.grad.item() for t in tensors]
    values = [Value(a) for a in args]
    try:
        out = ours_fn(*values)
        out.backward()
    except DOCUMENTED_ERRORS as error:
        value, *grads = their_numbers
        assert not math.isfinite(value) or any(map(math.isnan, grads)), (
            f"{args}: we raise {error!r}, torch gives {their_numbers}")
        return
    our_numbers = [out.data] + [v.grad for v in values]
    assert all(map(same_float, our_numbers, their_numbers)), f"{args}: ours {our_numbers}, torch {their_numbers}"


@pytest.mark.parametrize("op", EDGE_UNARY_OPS)
def test_each_op_matches_pytorch_from_tiny_to_huge_numbers(op):
    torch = pytest.importorskip("torch")
    theirs_fn = _torch_twins(torch)[0][op]
    for x in EDGES:
        _against_torch(torch, EDGE_UNARY_OPS[op], theirs_fn, [x])


@pytest.mark.parametrize("op", EDGE_BINARY_OPS)
def test_each_binary_op_matches_pytorch_from_tiny_to_huge_numbers(op):
    torch = pytest.importorskip("torch")
    for a in FEW_EDGES:
        for b in FEW_EDGES:
            _against_torch(torch, EDGE_BINARY_OPS[op], EDGE_BINARY_OPS[op], [a, b])


def test_an_op_of_your_own_backpropagates_like_the_built_in_ones():
    def sin(x):
        return Value.from_op(math.sin(x.data), "sin", (x,), (math.cos(x.data),))

    x = Value(0.7, "x")
    y = sin(x * x)
    y.backward()
    assert y.op == "sin" and y.parents[0].op == "*"
    assert x.grad == pytest.approx(numerical_grad(lambda v: sin(v * v), [0.7])[0], rel=1e-7)
    with no_grad():
        assert sin(x).parents == ()


@pytest.mark.parametrize("args, error, message", [
    ((1.0, "f", (1.0,), (1.0,)), TypeError, "parents must be Values"),
    ((1.0, "f", (Value(1.0),), ("one",)), TypeError, "local_grads must be numbers"),
    ((1.0, "f", (Value(1.0), Value(2.0)), (1.0,)), ValueError, "2 parents need 2 local_grads, got 1"),
    ((1.0, 3, (Value(1.0),), (1.0,)), TypeError, "op must be the op's name"),
    (("big", "f", (Value(1.0),), (1.0,)), TypeError, "data must be a real number"),
])
def test_from_op_checks_what_it_is_given(args, error, message):
    with pytest.raises(error, match=message):
        Value.from_op(*args)


# ----- by hand, at the kinks and at the edges (each number worked out, and checked with torch 2.13) -----


# expected by hand (2x + 1 at x = 2) and confirmed with torch 2.13: x.grad == 5
def test_backward_on_a_leaf_adds_to_the_grad_it_already_has():
    x = Value(2.0)
    (x * x).backward()  # ∂(x²)/∂x = 2x = 4
    x.backward()        # ∂x/∂x = 1, accumulated like any leaf
    assert x.grad == 5.0


# n·xⁿ⁻¹ at x = 0: 1 for n = 1, 0 for n = 2 (torch 2.13 gives the same)
@pytest.mark.parametrize("n, slope", [(1, 1.0), (2, 0.0), (3, 0.0)])
def test_power_rule_at_zero_for_whole_exponents(n, slope):
    x = Value(0.0)
    (x**n).backward()
    assert x.grad == slope
    x, e = Value(0.0), Value(float(n))
    (x**e).backward()
    assert x.grad == slope and e.grad == 0.0


# subgradients at the kinks, as documented and as torch 2.13 gives
@pytest.mark.parametrize("f, x, slope", [
    (lambda a: a.relu(), 0.0, 0.0),
    (lambda a: a.leaky_relu(0.1), 0.0, 0.1),
    (lambda a: abs(a), 0.0, 0.0),
    (lambda a: a.clamp(-1.0, 1.0), -1.0, 1.0),
    (lambda a: a.clamp(-1.0, 1.0), 1.0, 1.0),
])
def test_derivative_at_a_kink_follows_pytorch(f, x, slope):
    v = Value(x)
    f(v).backward()
    assert v.grad == slope


# docstring: "∂m/∂vᵢ = 1 for the largest vᵢ (the first, on a tie)"
def test_maximum_sends_the_gradient_to_the_first_of_tied_values():
    a, b, c = Value(2.0), Value(2.0), Value(1.0)
    maximum([a, b, c]).backward()
    assert (a.grad, b.grad, c.grad) == (1.0, 0.0, 0.0)


# ln(1 + e¹⁰⁰⁰) = 1000 + ln(1 + e⁻¹⁰⁰⁰) = 1000.0 in floats
def test_softplus_of_a_huge_input_is_the_input():
    y = Value(1000.0).softplus()
    assert y.data == 1000.0


# micrograd-style manual backprop: L = 2c, c = a·b ⇒ ∂L/∂a = 2b = −6, ∂L/∂b = 2a = 4
def test_underscore_backward_steps_one_node_by_hand():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    L = c * 2.0
    L.grad = 1.0
    L._backward()
    c._backward()
    assert (c.grad, a.grad, b.grad) == (2.0, -6.0, 4.0)


def test_underscore_backward_adds_to_the_grad_of_a_value_used_twice():
    # the lecture's bug: with = instead of +=, b = a + a gives ∂b/∂a = 1, not 2
    a = Value(3.0)
    b = a + a
    b.grad = 1.0
    b._backward()
    assert a.grad == 2.0


def test_a_copy_of_a_result_made_inside_no_grad_still_refuses_backward():
    with no_grad():
        loss = Value(2.0) * 3.0
    for twin in (copy.copy(loss), copy.deepcopy(loss), pickle.loads(pickle.dumps(loss))):
        with pytest.raises(RuntimeError, match=r"computed inside no_grad\(\)"):
            twin.backward()


@pytest.mark.parametrize("twin_of", [copy.copy, copy.deepcopy, lambda value: pickle.loads(pickle.dumps(value))],
                         ids=["copy", "deepcopy", "pickle"])
def test_a_copy_of_a_graph_backpropagates_as_the_graph_does(twin_of):
    # Every kind of node: leaves, ops of one input, of two, and of more (a fused neuron's Σwx+b, a max).
    w, x = Value(0.5, "w"), Value(-2.0, "x")
    z = weighted_sum([w, 1.5], [x, x], 0.1)
    loss = z.tanh() * w + maximum(z, x, Value(-3.0))
    twin = twin_of(loss)

    def backpropagated(root):
        for node in root.topological_order():
            node.grad = 0.0  # a shallow copy shares the leaves, whose grads would add up
        root.backward()
        return [(str(node.op), node.data, node.local_grads, node.grad) for node in root.topological_order()]

    assert backpropagated(twin) == backpropagated(loss)


def test_a_no_grad_subclass_may_take_its_own_arguments():
    class quiet_no_grad(no_grad):
        def __init__(self, reason=""):
            self.reason = reason

    with quiet_no_grad(reason="evaluation") as block:
        assert not is_grad_enabled() and block.reason == "evaluation"

    @quiet_no_grad("decorated")
    def evaluate(n):
        assert not is_grad_enabled()
        return 0 if n == 0 else evaluate(n - 1)

    evaluate(2)
    assert is_grad_enabled()


@pytest.mark.parametrize("bounds, error, message", [
    ((2.0, 1.0), ValueError, r"min=2.0 is larger than max=1.0, so no number lies in the range. Did you swap them"),
    ((math.nan, 1.0), ValueError, "min is nan"),
    ((None, math.nan), ValueError, "max is nan"),
    ((None, None), ValueError, r"clamp\(\) needs at least one bound"),
    (("0", None), TypeError, "min must be a number or None, got str"),
])
def test_clamp_refuses_a_range_with_no_meaning(bounds, error, message):
    with pytest.raises(error, match=message):
        Value(0.0).clamp(*bounds)


def test_clamp_reads_a_value_bound_as_its_data_and_sends_it_no_gradient():
    x, low = Value(-1.0), Value(0.5)
    y = x.clamp(min=low, max=1)
    y.backward()
    assert y.data == 0.5 and x.grad == 0.0 and low.grad == 0.0
    assert y.op.settings == (0.5, 1.0)


def test_log_of_nan_passes_the_nan_through_as_pytorch_does():
    x = Value(math.nan)
    y = x.log()
    y.backward()
    assert math.isnan(y.data) and math.isnan(x.grad)
    with pytest.raises(ValueError, match="log of a non-positive number"):
        Value(0.0).log()


def test_maximum_takes_separate_arguments_as_torch_maximum_does_or_one_list():
    a, b = Value(1.0), Value(3.0)
    for m in (maximum(a, b), maximum([a, b]), maximum((a, b)), maximum(np.array([a, b]))):
        assert m.data == 3.0 and m.parents == (a, b)
    assert maximum(a).data == 1.0 and maximum(2.0, a).data == 2.0
    with pytest.raises(TypeError, match="maximum: values must be Values or numbers, got NoneType"):
        maximum(None)
    with pytest.raises(TypeError, match="maximum: values must be Values or numbers, got str"):
        maximum("ab")


def test_round_gives_the_data_rounded_as_a_plain_number():
    assert round(Value(0.123456), 4) == 0.1235 and round(Value(2.5)) == 2
    assert type(round(Value(2.7))) is int


def test_int_drops_the_fraction_as_in_pytorch():
    assert int(Value(2.7)) == 2 and int(Value(-2.7)) == -2 and type(int(Value(3.0))) is int
    with pytest.raises(OverflowError):
        int(Value(math.inf))
    p = Value(1.0)
    p.data = p * 2  # the slip that stores a Value as data is named, as float() names it
    with pytest.raises(TypeError, match="data"):
        int(p)


def test_comparisons_work_on_data_set_to_an_int():
    p = Value(1.0)
    p.data = 3  # a student's update, or a numpy int
    assert p > 2 and p <= 3 and 2 < p and not (p < Value(2.0)) and Value(4.0) > p
    p.data = np.int64(-1)
    assert p < 0 and 0 > p
