"""numerical_grad against derivatives worked out by hand, and gradcheck: it passes for the
engine's ops, fails (readably) for a wrong derivative, and never crashes on inf or nan."""

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from micrograd_club import Value
from micrograd_club.nn import softmax
from micrograd_club.gradcheck import GradcheckReport, GradcheckRow, gradcheck, numerical_grad
from strategies import positives, reals

# ----- numerical_grad against hand-derived gradients -----

# name -> (f, gradient written out by hand, inputs)
KNOWN = {
    "square": (lambda x: x * x, lambda x: [2 * x], [3.0]),
    "cube": (lambda x: x**3, lambda x: [3 * x**2], [-1.5]),
    "product": (lambda x, y: x * y, lambda x, y: [y, x], [2.0, -4.0]),
    "quotient": (lambda x, y: x / y, lambda x, y: [1 / y, -x / y**2], [1.0, 3.0]),
    "exp_times": (lambda x, y: x.exp() * y, lambda x, y: [math.exp(x) * y, math.exp(x)], [0.5, 2.0]),
    "tanh": (lambda x: x.tanh(), lambda x: [1 - math.tanh(x) ** 2], [0.3]),
    "log_of_square": (lambda x: (x * x).log(), lambda x: [2 / x], [1.7]),
    "neuron": (
        lambda w, x, b: (w * x + b).tanh(),
        lambda w, x, b: [x * (1 - math.tanh(w * x + b) ** 2), w * (1 - math.tanh(w * x + b) ** 2),
                         1 - math.tanh(w * x + b) ** 2],
        [0.4, -1.2, 0.1],
    ),
    "float_result": (lambda x: x.data**2 + 1.0, lambda x: [2 * x], [5.0]),
}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_numerical_grad_matches_hand_derived_gradient(name):
    f, gradient, xs = KNOWN[name]
    assert numerical_grad(f, xs) == pytest.approx(gradient(*xs), rel=1e-6, abs=1e-8)


def test_numerical_grad_returns_plain_floats_and_accepts_values_without_changing_them():
    x, y = Value(2.0), Value(3.0)
    grad = numerical_grad(lambda a, b: a * b, [x, y])
    assert all(type(g) is float for g in grad)
    assert grad == pytest.approx([3.0, 2.0])
    assert (x.data, x.grad, y.data, y.grad) == (2.0, 0.0, 3.0, 0.0)


def test_numerical_grad_error_shrinks_with_eps_squared():
    f = lambda x: x.exp()
    coarse = abs(numerical_grad(f, [1.0], eps=1e-2)[0] - math.e)
    fine = abs(numerical_grad(f, [1.0], eps=1e-3)[0] - math.e)
    assert coarse == pytest.approx(math.e * 1e-4 / 6, rel=0.01)  # f'''·ε²/6
    assert fine < coarse / 50


def test_numerical_grad_explains_a_nudge_outside_the_domain():
    with pytest.raises(ValueError, match=r"inputs\[0\] − ε = .*smaller eps") as info:
        numerical_grad(lambda x: x.log(), [1e-7])
    assert "log of a non-positive number" in str(info.value)


# ----- gradcheck passes for the engine's ops -----

OPS = {
    "tanh": (lambda x: x.tanh(), [reals()]),
    "sigmoid": (lambda x: x.sigmoid(), [reals()]),
    "exp": (lambda x: x.exp(), [reals()]),
    "log": (lambda x: x.log(), [positives()]),
    "division": (lambda a, b: a / b, [reals(), positives()]),
    "pow_const": (lambda x: x**3, [reals()]),
    "pow_value": (lambda a, b: a**b, [positives(), reals(-2, 2)]),
    "neuron": (lambda w1, w2, b, x1, x2: (w1 * x1 + w2 * x2 + b).tanh(), [reals(-2, 2)] * 5),
}


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=30)
@given(data=st.data())
def test_gradcheck_passes_for_correct_ops(name, data):
    f, strategies = OPS[name]
    xs = [data.draw(s) for s in strategies]
    report = gradcheck(f, xs)
    assert report.ok, str(report)
    assert bool(report) and len(report) == len(xs)
    assert all(row.ok and row.note == "" for row in report)


def test_report_rows_hold_the_numbers():
    report = gradcheck(lambda a, b: a * b, [2.0, Value(-3.0, label="w")])
    first, second = report
    assert isinstance(first, GradcheckRow) and report[1] is second
    assert (first.index, first.label, first.value, first.analytic) == (0, "a", 2.0, -3.0)
    assert first.numerical == pytest.approx(-3.0) and first.abs_error < 1e-8
    assert (second.index, second.label, second.analytic) == (1, "w", 2.0)  # a Value's label wins


def test_labels_fall_back_to_positions_for_star_args():
    report = gradcheck(lambda *xs: sum(xs), [1.0, 2.0, 3.0])
    assert [row.label for row in report] == ["x0", "x1", "x2"] and report.ok


# ----- gradcheck catches mistakes -----


def product_with_wrong_derivative(a, b):
    """a·b whose recorded ∂/∂a is 0 instead of b."""
    out = a * b
    out.local_grads = (0.0, a.data)
    return out


def product_with_swapped_derivatives(a, b):
    """a·b with ∂/∂a and ∂/∂b swapped (right only when a == b)."""
    out = a * b
    out.local_grads = (a.data, b.data)
    return out


def test_gradcheck_fails_for_a_wrong_derivative():
    report = gradcheck(product_with_wrong_derivative, [2.0, 3.0])
    assert not report.ok and not report
    bad, good = report
    assert not bad.ok and bad.analytic == 0.0 and bad.numerical == pytest.approx(3.0)
    assert good.ok and "local derivative" in bad.note


@settings(max_examples=30)
@given(a=reals(), b=reals())
def test_gradcheck_fails_for_swapped_derivatives_whenever_they_differ(a, b):
    assume(abs(a - b) > 0.01)
    report = gradcheck(product_with_swapped_derivatives, [a, b])
    assert not report.ok and [row.ok for row in report] == [False, False]


def test_swapped_derivatives_go_unnoticed_where_they_coincide():
    assert gradcheck(product_with_swapped_derivatives, [1.5, 1.5]).ok


def test_gradcheck_flags_a_broken_graph():
    report = gradcheck(lambda x, y: Value(x.data) * y, [1.5, 2.0])
    assert [row.ok for row in report] == [False, True]
    assert "broken graph" in report[0].note


def test_gradcheck_flags_a_function_that_returns_a_plain_number():
    report = gradcheck(lambda x: math.sin(x.data), [0.5])
    assert not report.ok and "plain number" in report[0].note
    assert gradcheck(lambda x: 4.0, [0.5]).ok  # a constant really has gradient 0


def doubled_with_derivative_off_by_a_thousandth(x):
    """2x whose recorded derivative is 2.002 instead of 2."""
    out = x * 2.0
    out.local_grads = (2.002, x.data)
    return out


def test_tolerances_decide_pass_or_fail():
    f = doubled_with_derivative_off_by_a_thousandth  # |analytic − numerical| ≈ 0.002
    assert not gradcheck(f, [1.0], atol=1e-5, rtol=1e-4).ok
    assert gradcheck(f, [1.0], atol=1e-5, rtol=1e-2).ok
    assert gradcheck(f, [1.0], atol=1e-2, rtol=0).ok


def test_rtol_scales_with_the_size_of_the_gradient():
    def thousandfold_off_by_5e_minus_5(x):
        out = x * 1000.0
        out.local_grads = (1000.05, x.data)  # relative error 5e-5, absolute error 0.05
        return out

    assert gradcheck(thousandfold_off_by_5e_minus_5, [1.0], atol=0, rtol=1e-4).ok
    assert not gradcheck(thousandfold_off_by_5e_minus_5, [1.0], atol=0, rtol=1e-5).ok


# ----- non-finite gradients give failing rows, not crashes -----


def test_infinite_analytic_and_nan_numerical_fail_with_an_explanation():
    report = gradcheck(lambda x: (x * 1000).exp(), [1.0])  # e^1000 overflows to inf
    (row,) = report
    assert not row.ok and math.isinf(row.analytic) and math.isnan(row.numerical)
    assert "analytic gradient is inf" in row.note


def test_nan_analytic_gradient_fails_with_an_explanation():
    report = gradcheck(lambda x: abs(x) ** 0.5, [0.0])  # 0 · inf in the chain rule
    (row,) = report
    assert not row.ok and math.isnan(row.analytic) and row.numerical == 0.0
    assert "analytic gradient is nan" in row.note and "✗" in str(report)


def test_non_finite_numerical_gradient_fails_with_an_explanation():
    def f(x):
        out = x * 1.0
        out.data = math.inf if x.data > 1.0 else out.data  # blows up just right of x = 1
        return out

    (row,) = gradcheck(f, [1.0])
    assert not row.ok and row.analytic == 1.0 and math.isinf(row.numerical)
    assert "numerical gradient is inf" in row.note


# ----- the printed table and the dicts -----


def test_str_is_an_aligned_table_with_a_mark_per_row():
    report = gradcheck(product_with_wrong_derivative, [2.0, 3.0])
    lines = str(report).splitlines()
    assert lines[0] == "gradcheck FAILED: 1 of 2 gradients differ"
    assert "1e-05" in lines[1] and "0.0001" in lines[1]
    header, bad, good = lines[2:]
    assert header.split() == ["#", "input", "value", "analytic", "numerical", "abs", "error", "ok"]
    assert "✗" in bad and "✓" not in bad and "✓" in good and "✗" not in good
    for column in ("value", "analytic", "numerical", "error"):  # numbers right-aligned under headers
        end = header.index(column) + len(column)
        assert bad[end - 1] != " " and good[end - 1] != " " and bad[end] == " " and good[end] == " "
    assert bad.index("✗") == good.index("✓") == header.index("ok")


def test_str_of_a_passing_report():
    text = str(gradcheck(lambda x: x * x, [3.0]))
    assert text.startswith("gradcheck passed: all 1 gradients match") and "✗" not in text
    assert "✓" in text.splitlines()[-1]


def test_as_dicts_for_notebooks():
    dicts = gradcheck(product_with_wrong_derivative, [2.0, 3.0]).as_dicts()
    assert [set(d) for d in dicts] == [
        {"index", "label", "value", "analytic", "numerical", "abs_error", "ok", "note"}
    ] * 2
    assert [d["ok"] for d in dicts] == [False, True] and dicts[1]["label"] == "b"
    assert isinstance(dicts[0], dict)


def test_report_is_a_read_only_sequence_with_a_short_repr():
    report = gradcheck(lambda x, y: x + y, [1.0, 2.0])
    assert isinstance(report, GradcheckReport)
    assert list(reversed(report)) == [report[1], report[0]] and report[-1].index == 1
    assert repr(report) == "<GradcheckReport ok=True, 2 inputs>"
    with pytest.raises(TypeError):
        report[0] = None


# ----- bad input -----


@pytest.mark.parametrize(
    "f, inputs, kwargs, error, message",
    [
        (None, [1.0], {}, TypeError, "f must be a function of the inputs"),
        (3.0, [1.0], {}, TypeError, "f must be a function"),
        (lambda x: x, [], {}, ValueError, "inputs is empty"),
        (lambda x: x, 2.0, {}, TypeError, r"inputs must be a list of numbers, e\.g\. \[2\.0, -3\.0\]"),
        (lambda x: x, Value(2.0), {}, TypeError, "inputs must be a list of numbers"),
        (lambda x: x, ["a"], {}, TypeError, r"inputs\[0\] must be a number or a Value, got str"),
        (lambda x: [x, "y"], [1.0], {}, TypeError, r"output \[1\] of f must be a number .* got str: 'y'"),
        (lambda x: [], [1.0], {}, TypeError, "f returned an empty list: it must return a number or a list of them"),
        (lambda x: None, [1.0], {}, TypeError, "f must return a single number .* got NoneType"),
        (lambda x: x, [1.0], {"eps": 0}, ValueError, "eps must be a positive number, got 0"),
        (lambda x: x, [1.0], {"eps": -1e-6}, ValueError, "eps must be a positive number"),
        (lambda x: x, [1.0], {"atol": -1}, ValueError, "atol must be a number >= 0, got -1"),
        (lambda x: x, [1.0], {"rtol": float("nan")}, ValueError, "rtol must be a number >= 0, got nan"),
    ],
)
def test_gradcheck_rejects_bad_input_clearly(f, inputs, kwargs, error, message):
    with pytest.raises(error, match=message):
        gradcheck(f, inputs, **kwargs)


@pytest.mark.parametrize(
    "f, inputs, kwargs, error, message",
    [
        ("x**2", [1.0], {}, TypeError, "f must be a function"),
        (lambda x: x, (), {}, ValueError, "inputs is empty"),
        (lambda x: (x, x), [1.0], {}, TypeError, "got tuple"),
        (lambda x: x, [1.0], {"eps": math.inf}, ValueError, "eps must be a positive number"),
    ],
)
def test_numerical_grad_rejects_bad_input_clearly(f, inputs, kwargs, error, message):
    with pytest.raises(error, match=message):
        numerical_grad(f, inputs, **kwargs)


def test_a_failure_at_a_corner_of_f_says_so_rather_than_blaming_the_engine():
    report = gradcheck(lambda a, b: (a * b).relu(), [0.0, 2.0])
    assert not report.ok
    assert report[0].note.startswith("f has a corner at this input (slope 0 from the left, 2 from the right)")


def test_a_wrong_derivative_of_a_steep_smooth_f_is_not_called_a_corner():
    def exp_with_a_wrong_slope(x):
        e = math.exp(10 * x.data)
        return Value.from_op(e, "exp10", (x,), (e,))  # the slope is 10·e

    report = gradcheck(exp_with_a_wrong_slope, [0.3])
    assert not report.ok and "corner" not in report[0].note


def test_gradcheck_works_inside_no_grad():
    from micrograd_club import no_grad

    with no_grad():
        assert gradcheck(lambda a, b: (a * b).tanh(), [0.3, -0.7]).ok


def test_an_eps_lost_to_rounding_is_named_not_blamed_on_the_engine():
    report = gradcheck(lambda x: x * 3, [2e10])
    assert not report.ok and "eps = 1e-06 is lost to rounding" in report[0].note and "eps=2e+04" in report[0].note
    assert gradcheck(lambda x: x * 3, [2e10], eps=2e4).ok


def test_inputs_may_be_a_generator_and_a_huge_int_is_named():
    assert gradcheck(lambda a, b: a * b, (v for v in [2.0, 3.0])).ok
    with pytest.raises(ValueError, match=r"inputs\[0\] = 1000.* is too large for a float"):
        gradcheck(lambda x: x * x, [10**400])


# ----- torch.autograd.gradcheck's raise_exception -----


def test_raise_exception_raises_a_runtime_error_holding_the_report_when_a_gradient_differs():
    from micrograd_club.gradcheck import GradcheckError

    with pytest.raises(GradcheckError) as info:
        gradcheck(product_with_wrong_derivative, [2.0, 3.0], raise_exception=True)
    assert isinstance(info.value, RuntimeError)  # as PyTorch's GradcheckError is
    assert str(info.value) == str(info.value.report) and not info.value.report.ok
    assert str(info.value).startswith("gradcheck FAILED: 1 of 2 gradients differ")
    report = gradcheck(lambda a, b: a * b, [2.0, 3.0], raise_exception=True)
    assert report.ok  # a pass returns the report, which is truthy like PyTorch's True
    assert not gradcheck(product_with_wrong_derivative, [2.0, 3.0], raise_exception=False)
    with pytest.raises(TypeError, match="raise_exception must be True or False"):
        gradcheck(lambda x: x, [1.0], raise_exception="yes")


@pytest.mark.parametrize("f, xs", [(lambda a, b: (a * b).tanh() + a.exp(), [0.3, -0.7]), (lambda x: x.relu(), [0.0])])
def test_gradcheck_agrees_with_torch_autograd_gradcheck(f, xs):
    """The same rule and defaults for eps and atol: with PyTorch's rtol both give the same verdict,
    also at relu's kink, where the central difference (0.5) is neither side's slope."""
    torch = pytest.importorskip("torch")
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    theirs = torch.autograd.gradcheck(f, tensors, raise_exception=False)
    assert bool(gradcheck(f, xs, rtol=1e-3)) == theirs


# ----- several outputs: every entry of the Jacobian, as torch.autograd.gradcheck checks them -----


def softmax_with_swapped_derivatives(a, b):
    """softmax([a, b]) whose outputs carry each other's derivatives: their sum's gradient is still
    right (0), so checking sum(outputs) cannot see it."""
    p0, p1 = softmax([a, b])
    q0 = Value.from_op(p0.data, "p0", (a, b), (-p0.data * p1.data, p0.data * p1.data))
    q1 = Value.from_op(p1.data, "p1", (a, b), (p0.data * p1.data, -p0.data * p1.data))
    return [q0, q1]


def test_several_outputs_are_each_checked_against_every_input():
    report = gradcheck(lambda a, b: softmax([a, b, a * b]), [0.3, -1.2])
    assert report.ok and len(report) == 6
    assert [row.label for row in report[:2]] == ["∂out[0]/∂a", "∂out[0]/∂b"] and report[5].label == "∂out[2]/∂b"
    p = [math.exp(z) for z in (0.3, -1.2, -0.36)]
    p = [x / sum(p) for x in p]
    assert report[0].analytic == pytest.approx(p[0] * (1 - p[0]) - p[0] * p[2] * -1.2)  # ∂p0/∂a, a also in a·b


def test_a_wrong_derivative_that_a_sum_of_the_outputs_hides_is_found():
    assert gradcheck(lambda a, b: sum(softmax_with_swapped_derivatives(a, b)), [0.3, -1.2]).ok
    report = gradcheck(softmax_with_swapped_derivatives, (0.3, -1.2), raise_exception=False)
    assert [row.ok for row in report] == [False] * 4 and "local_grads" in report[0].note


def test_several_outputs_note_a_kink_and_a_plain_number_per_output():
    report = gradcheck(lambda x, y: (x.relu(), x * y, 2.0 * y.data), [0.0, 3.0])
    assert [row.ok for row in report] == [False, True, True, True, True, False]
    assert report[0].note.startswith("f has a corner at this input (slope 0 from the left, 1 from the right)")
    assert "plain number" in report[5].note


@pytest.mark.parametrize("xs", [[0.3, -1.2], [0.0, 2.0]])
def test_several_outputs_agree_with_torch_autograd_gradcheck(xs):
    torch = pytest.importorskip("torch")
    f = lambda a, b: ((a * b).tanh(), a.exp() + b, (a * b).relu())
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    assert bool(gradcheck(f, xs, rtol=1e-3)) == torch.autograd.gradcheck(f, tensors, raise_exception=False)


def test_numerical_grad_takes_one_output_and_says_how_to_check_several():
    with pytest.raises(TypeError, match=r"got list.*gradcheck checks each of them.*lambda \*xs: f\(\*xs\)\[0\]"):
        numerical_grad(lambda a: [a, a * a], [1.0])
