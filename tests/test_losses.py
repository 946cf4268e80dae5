"""Loss functions: values against the formulas in the notes (numpy/math), gradients against
central differences, PyTorch float64 where it is installed, stability, and every error."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from micrograd_club import Value
from micrograd_club.gradcheck import numerical_grad
from micrograd_club.viz import trace_backward
from micrograd_club.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge,
    huber,
    l2,
    mae,
    mse,
    sse,
)
from strategies import (
    class_batches,
    class_examples,
    logit_target_pairs,
    paired_lists,
    positives,
    probability_target_pairs,
    real_lists,
    score_label_pairs,
)

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="needs torch")

SETTINGS = settings(max_examples=30)


def value_and_grads(loss, predictions, targets):
    """The loss of fresh Value predictions, and ∂loss/∂ŷᵢ for each of them."""
    xs = [Value(x) for x in predictions]
    out = loss(xs, targets)
    out.backward()
    return out.data, [x.grad for x in xs]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def huber_formula(delta):
    """The notes' piecewise Huber loss, averaged."""

    def formula(y_hat, y):
        a = y - y_hat
        return np.mean(np.where(np.abs(a) <= delta, 0.5 * a**2, delta * (np.abs(a) - 0.5 * delta)))

    return formula


def log_softmax_formula(z):
    z = np.asarray(z, dtype=float)
    return z - np.log(np.sum(np.exp(z)))


def cross_entropy_formula(z, target):
    """−Σ tᵢ ln softmax(z)ᵢ, with a class index k meaning the one-hot t = eₖ."""
    t = np.eye(len(z))[target] if isinstance(target, int) else np.asarray(target, dtype=float)
    return -np.sum(t * log_softmax_formula(z))


def kinks(name, predictions, targets):
    """Distances to the points where a loss is not differentiable (central differences and
    PyTorch's choice of subgradient can disagree there)."""
    y_hat, y = np.asarray(predictions, dtype=float), np.asarray(targets, dtype=float)
    if name == "mae":
        a = np.abs(y - y_hat)
        return a[a > 0]  # at exactly 0 both sides agree on a gradient of 0
    if name == "hinge":
        return np.abs(1 - y * y_hat)
    return np.array([])


# name -> (loss, the formula from the notes on numpy arrays (ŷ, y), strategy of (ŷ, y))
ELEMENTWISE = {
    "mse": (mse, lambda y_hat, y: np.mean((y - y_hat) ** 2), paired_lists()),
    "sse": (sse, lambda y_hat, y: 0.5 * np.sum((y - y_hat) ** 2), paired_lists()),
    "mae": (mae, lambda y_hat, y: np.mean(np.abs(y - y_hat)), paired_lists()),
    "huber": (huber, huber_formula(1.0), paired_lists()),
    "binary_cross_entropy": (
        binary_cross_entropy,
        lambda p, y: np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))),
        probability_target_pairs(),
    ),
    "binary_cross_entropy_with_logits": (
        binary_cross_entropy_with_logits,
        lambda z, y: np.mean(-(y * np.log(sigmoid(z)) + (1 - y) * np.log(1 - sigmoid(z)))),
        logit_target_pairs(),
    ),
    "hinge": (hinge, lambda s, y: np.mean(np.maximum(0.0, 1 - y * s)), score_label_pairs()),
}


# ----- values and gradients of the element-wise losses -----


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@SETTINGS
@given(data=st.data())
def test_value_matches_formula(name, data):
    loss, formula, pairs = ELEMENTWISE[name]
    predictions, targets = data.draw(pairs)
    expected = formula(np.array(predictions), np.array(targets))
    assert loss(predictions, targets).data == pytest.approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@SETTINGS
@given(data=st.data())
def test_gradient_matches_central_differences(name, data):
    loss, _, pairs = ELEMENTWISE[name]
    predictions, targets = data.draw(pairs)
    assume(np.all(kinks(name, predictions, targets) > 1e-4))
    _, grads = value_and_grads(loss, predictions, targets)
    numerical = numerical_grad(lambda *xs: loss(list(xs), targets), predictions)
    assert grads == pytest.approx(numerical, rel=1e-5, abs=1e-6)


@SETTINGS
@given(pair=paired_lists(), delta=positives())
def test_huber_with_any_delta_matches_formula_and_central_differences(pair, delta):
    predictions, targets = pair
    value, grads = value_and_grads(lambda p, t: huber(p, t, delta=delta), predictions, targets)
    numerical = numerical_grad(lambda *xs: huber(list(xs), targets, delta), predictions)
    assert value == pytest.approx(huber_formula(delta)(np.array(predictions), np.array(targets)), rel=1e-9)
    assert grads == pytest.approx(numerical, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize(
    "loss, small, large",
    [
        (huber, ([0.1], [0.0]), ([10.0], [0.0])),
        (binary_cross_entropy, ([0.5], [1.0]), ([0.0], [1.0])),
        (hinge, ([2.0], [1]), ([-2.0], [1])),
    ],
)
def test_graph_shape_does_not_depend_on_the_data(loss, small, large):
    def ops(args):
        return [node.op for node in loss(*args).topological_order()]

    assert ops(small) == ops(large)


# ----- the notes' worked examples -----

NOTES_TARGETS = [3, 5, 2, 7, 4]  # Table 3.1
NOTES_PREDICTIONS = [2.8, 5.2, 2.5, 6.9, 3.9]


def test_notes_table_3_2_sum_of_squared_errors_is_0_35():
    assert 2 * sse(NOTES_PREDICTIONS, NOTES_TARGETS).data == pytest.approx(0.35, abs=1e-12)


def test_notes_table_3_2_mse_is_0_07():
    assert mse(NOTES_PREDICTIONS, NOTES_TARGETS).data == pytest.approx(0.07, abs=1e-12)


def test_sse_gradient_is_prediction_minus_target():
    """The ½ in E = ½Σ(y − ŷ)² cancels the 2: ∂E/∂ŷ = ŷ − y (section 4.4.3's L = ½(y − t)²)."""
    _, grads = value_and_grads(sse, NOTES_PREDICTIONS, NOTES_TARGETS)
    assert grads == pytest.approx([p - t for p, t in zip(NOTES_PREDICTIONS, NOTES_TARGETS)], abs=1e-12)


def test_mse_gradient_is_two_over_n_times_the_error():
    _, grads = value_and_grads(mse, NOTES_PREDICTIONS, NOTES_TARGETS)
    expected = [2 * (p - t) / 5 for p, t in zip(NOTES_PREDICTIONS, NOTES_TARGETS)]
    assert grads == pytest.approx(expected, abs=1e-12)


# ----- accepted input forms -----


@pytest.mark.parametrize(
    "wrap",
    [list, tuple, np.array, lambda xs: np.array([Value(x) for x in xs], dtype=object)],
    ids=["list", "tuple", "float array", "Value array"],
)
def test_lists_tuples_and_arrays_all_work(wrap):
    expected = np.mean((np.array(NOTES_TARGETS) - np.array(NOTES_PREDICTIONS)) ** 2)
    assert mse(wrap(NOTES_PREDICTIONS), wrap(NOTES_TARGETS)).data == pytest.approx(expected, abs=1e-12)


def test_a_single_prediction_and_target_is_a_batch_of_one():
    y_hat = Value(2.0)
    loss = mse(y_hat, 5)
    loss.backward()
    assert (loss.data, y_hat.grad) == (9.0, -6.0)
    assert mae(np.float64(2.0), np.int64(5)).data == 3.0


def test_value_targets_get_gradients_too():
    y_hat, y = [Value(1.0), Value(4.0)], [Value(3.0), Value(3.5)]
    mse(y_hat, y).backward()
    # ∂/∂yᵢ (1/n)Σ(y − ŷ)² = 2(yᵢ − ŷᵢ)/n
    assert [v.grad for v in y] == pytest.approx([2 * (3.0 - 1.0) / 2, 2 * (3.5 - 4.0) / 2])
    assert [v.grad for v in y_hat] == pytest.approx([-2.0, 0.5])


def test_l2_is_the_sum_of_squares_with_gradient_two_p():
    params = [Value(x) for x in (0.5, -2.0, 3.0)]
    penalty = l2(params)
    penalty.backward()
    assert penalty.data == pytest.approx(0.25 + 4.0 + 9.0)
    assert [p.grad for p in params] == pytest.approx([1.0, -4.0, 6.0])


def test_l2_of_no_parameters_is_zero():
    penalty = l2([])
    assert isinstance(penalty, Value) and penalty.data == 0.0


# ----- binary cross-entropy at the edges -----


def test_bce_at_probability_0_and_1_is_clamped_to_100_per_wrong_example():
    p, y = [0.0, 1.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0]
    # −max(ln p, −100) per example: confidently wrong costs 100, confidently right costs 0
    assert binary_cross_entropy(p, y).data == pytest.approx((100 + 100 + 0 + 0) / 4, rel=1e-12)
    _, grads = value_and_grads(binary_cross_entropy, p, y)
    assert all(math.isfinite(g) for g in grads)


def test_bce_with_logits_is_stable_at_plus_minus_1000():
    z, y = [1000.0, -1000.0, 1000.0, -1000.0], [0.0, 1.0, 1.0, 0.0]
    value, grads = value_and_grads(binary_cross_entropy_with_logits, z, y)
    assert value == pytest.approx((1000 + 1000 + 0 + 0) / 4)
    assert grads == pytest.approx([(1 - 0) / 4, (0 - 1) / 4, 0.0, 0.0])  # (σ(z) − y)/n


def test_bce_with_logits_keeps_the_tiny_loss_of_a_confident_right_answer():
    # z = 40, y = 1: the loss is softplus(−40) = 4.2e-18, not softplus(40) − 40 = 0 in floats
    tiny = math.log1p(math.exp(-40.0))
    for z, y in [(40.0, 1.0), (-40.0, 0.0)]:
        value, grads = value_and_grads(binary_cross_entropy_with_logits, [z], [y])
        assert value == pytest.approx(tiny, rel=1e-15, abs=0)
        assert grads[0] == pytest.approx(math.copysign(tiny, -z), rel=1e-9, abs=0)  # σ(z) − y = ∓σ(−40)


# ----- cross-entropy -----


@pytest.mark.filterwarnings("ignore:cross_entropy. the logits lie")  # random logits may add up to 1
@pytest.mark.parametrize("target", ["index", "probabilities"])
@SETTINGS
@given(data=st.data())
def test_cross_entropy_matches_formula_and_central_differences(target, data):
    logits, label = data.draw(class_examples(target=target))
    value, grads = value_and_grads(cross_entropy, logits, label)
    numerical = numerical_grad(lambda *z: cross_entropy(list(z), label), logits)
    assert value == pytest.approx(cross_entropy_formula(logits, label), rel=1e-9, abs=1e-12)
    assert grads == pytest.approx(numerical, rel=1e-5, abs=1e-6)


@pytest.mark.filterwarnings("ignore:cross_entropy. the logits lie")  # random logits may add up to 1
@pytest.mark.parametrize("target", ["index", "probabilities"])
@SETTINGS
@given(data=st.data())
def test_cross_entropy_of_a_batch_is_the_mean(target, data):
    rows, labels = data.draw(class_batches(target=target))
    expected = np.mean([cross_entropy_formula(z, t) for z, t in zip(rows, labels)])
    assert cross_entropy(rows, labels).data == pytest.approx(expected, rel=1e-9, abs=1e-12)
    from_arrays = cross_entropy(np.array(rows), np.array(labels))
    assert from_arrays.data == pytest.approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.filterwarnings("ignore:cross_entropy. the logits lie")  # random logits may add up to 1
@SETTINGS
@given(example=class_examples())
def test_cross_entropy_with_an_index_equals_one_hot(example):
    logits, k = example
    one_hot = [1.0 if i == k else 0.0 for i in range(len(logits))]
    assert cross_entropy(logits, k).data == pytest.approx(cross_entropy(logits, one_hot).data, abs=1e-12)


def test_cross_entropy_is_stable_at_plus_minus_1000():
    z = [Value(1000.0), Value(-1000.0)]
    loss = cross_entropy(z, 1)
    loss.backward()
    assert loss.data == pytest.approx(2000.0)
    assert [v.grad for v in z] == pytest.approx([1.0, -1.0])  # softmax(z) − one-hot

    rows = [[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0]]
    value, grads = value_and_grads(lambda zs, t: cross_entropy([zs[:3], zs[3:]], t), sum(rows, []), [0, 1])
    assert value == pytest.approx((0.0 + 2000.0) / 2)
    assert all(math.isfinite(g) for g in grads)


# ----- against PyTorch (float64) -----


def torch_loss(name, delta=1.0):
    return {
        "mse": F.mse_loss,
        "sse": lambda p, t: 0.5 * F.mse_loss(p, t, reduction="sum"),
        "mae": F.l1_loss,
        "huber": lambda p, t: F.huber_loss(p, t, delta=delta),
        "binary_cross_entropy": F.binary_cross_entropy,
        "binary_cross_entropy_with_logits": F.binary_cross_entropy_with_logits,
        "hinge": lambda s, y: torch.clamp(1 - y * s, min=0).mean(),
    }[name]


def torch_value_and_grads(loss, predictions, targets):
    x = torch.tensor(predictions, dtype=torch.float64, requires_grad=True)
    out = loss(x, torch.tensor(targets, dtype=torch.float64))
    out.backward()
    return out.item(), x.grad.tolist()


@needs_torch
@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@SETTINGS
@given(data=st.data())
def test_matches_torch(name, data):
    loss, _, pairs = ELEMENTWISE[name]
    predictions, targets = data.draw(pairs)
    assume(np.all(kinks(name, predictions, targets) > 1e-9))
    value, grads = value_and_grads(loss, predictions, targets)
    torch_value, torch_grads = torch_value_and_grads(torch_loss(name), predictions, targets)
    assert value == pytest.approx(torch_value, rel=1e-9, abs=1e-12)
    assert grads == pytest.approx(torch_grads, rel=1e-9, abs=1e-12)


@needs_torch
@SETTINGS
@given(pair=paired_lists(), delta=positives())
def test_huber_with_any_delta_matches_torch(pair, delta):
    predictions, targets = pair
    ours = value_and_grads(lambda p, t: huber(p, t, delta=delta), predictions, targets)
    theirs = torch_value_and_grads(torch_loss("huber", delta), predictions, targets)
    assert ours[0] == pytest.approx(theirs[0], rel=1e-9, abs=1e-12)
    assert ours[1] == pytest.approx(theirs[1], rel=1e-9, abs=1e-12)


@needs_torch
def test_bce_at_probability_0_and_1_matches_torch():
    p, y = [0.0, 1.0, 0.0, 1.0, 0.3], [1.0, 0.0, 0.0, 1.0, 0.6]
    expected = F.binary_cross_entropy(
        torch.tensor(p, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    )
    assert math.isfinite(expected.item())
    assert binary_cross_entropy(p, y).data == pytest.approx(expected.item(), rel=1e-12)


@pytest.mark.filterwarnings("ignore:cross_entropy. the logits lie")  # random logits may add up to 1
@needs_torch
@pytest.mark.parametrize("target", ["index", "probabilities"])
@settings(max_examples=15)
@given(data=st.data())
def test_cross_entropy_matches_torch(target, data):
    rows, labels = data.draw(class_batches(target=target))
    flat = sum(rows, [])
    n_classes = len(rows[0])

    def ours(zs, t):
        return cross_entropy([zs[i:i + n_classes] for i in range(0, len(zs), n_classes)], t)

    def theirs(zs, t):
        dtype = torch.long if target == "index" else torch.float64
        return F.cross_entropy(zs.reshape(len(rows), n_classes), torch.tensor(t, dtype=dtype))

    value, grads = value_and_grads(ours, flat, labels)
    x = torch.tensor(flat, dtype=torch.float64, requires_grad=True)
    out = theirs(x, labels)
    out.backward()
    assert value == pytest.approx(out.item(), rel=1e-9, abs=1e-12)
    assert grads == pytest.approx(x.grad.tolist(), rel=1e-9, abs=1e-12)


@needs_torch
def test_extreme_logits_match_torch():
    z, y = [1000.0, -1000.0, 1000.0, -1000.0], [0.0, 1.0, 1.0, 0.0]
    ours = value_and_grads(binary_cross_entropy_with_logits, z, y)
    theirs = torch_value_and_grads(F.binary_cross_entropy_with_logits, z, y)
    assert ours[0] == pytest.approx(theirs[0])
    assert ours[1] == pytest.approx(theirs[1])

    rows = [[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0]]
    x = torch.tensor(rows, dtype=torch.float64, requires_grad=True)
    out = F.cross_entropy(x, torch.tensor([1, 2]))
    out.backward()
    value, grads = value_and_grads(lambda zs, t: cross_entropy([zs[:3], zs[3:]], t), sum(rows, []), [1, 2])
    assert value == pytest.approx(out.item())
    assert grads == pytest.approx(x.grad.flatten().tolist())


# ----- errors -----

# loss -> (name, predictions argument, targets argument)
PAIRED = [
    (mse, "predictions", "targets"),
    (sse, "predictions", "targets"),
    (mae, "predictions", "targets"),
    (huber, "predictions", "targets"),
    (binary_cross_entropy, "probabilities", "targets"),
    (binary_cross_entropy_with_logits, "logits", "targets"),
    (hinge, "scores", "labels"),
]
PAIRED_IDS = [loss.__name__ for loss, _, _ in PAIRED]


@pytest.mark.parametrize("loss, first, second", PAIRED, ids=PAIRED_IDS)
def test_mismatched_lengths_name_both_counts(loss, first, second):
    message = f"{loss.__name__}: got 3 {first} and 2 {second}; they must have the same length"
    with pytest.raises(ValueError, match=f"^{message}$"):
        loss([0.5, 0.5, 0.5], [1, 1])


@pytest.mark.parametrize("loss, first, second", PAIRED, ids=PAIRED_IDS)
def test_empty_inputs_are_rejected(loss, first, second):
    with pytest.raises(ValueError, match=f"{loss.__name__}: got no {first}"):
        loss([], [])
    with pytest.raises(ValueError, match=f"{loss.__name__}: got no {second}"):
        loss([0.5], ())


@pytest.mark.parametrize("bad, type_name", [("0.5", "str"), (None, "NoneType"), ({0: 0.5}, "dict")])
@pytest.mark.parametrize("loss, first, second", PAIRED, ids=PAIRED_IDS)
def test_wrong_types_name_the_argument_and_the_type(loss, first, second, bad, type_name):
    with pytest.raises(TypeError, match=f"{loss.__name__}: {first} must be .* got {type_name}"):
        loss(bad, [1])
    with pytest.raises(TypeError, match=f"{loss.__name__}: {second} must be .* got {type_name}"):
        loss([0.5], bad)


@pytest.mark.parametrize("loss, first, second", PAIRED, ids=PAIRED_IDS)
def test_nested_lists_and_bad_elements_name_the_position(loss, first, second):
    with pytest.raises(TypeError, match=rf"{loss.__name__} takes one number per example, but {first}\[0\] is a list "
                                        r"of 3 \(a model with 3 outputs\?\)\. Give the model one output"):
        loss([[0.5, 0.2, 0.3], [0.5, 0.2, 0.3]], [1, 1])
    with pytest.raises(TypeError, match=rf"{first}\[1\] must be a Value or a number, got a list"):
        loss([0.5, [0.5]], [1, 1])
    with pytest.raises(TypeError, match=rf"{second}\[1\] must be a Value or a number, got str"):
        loss([0.5, 0.5], [1, "1"])
    with pytest.raises(TypeError, match=f"{first} must be .* got a 2-d array$"):
        loss(np.full((2, 2), 0.5), [1, 1])
    column = r"must be .* array of shape \(2, 1\), one column: pass it as one number per example, "
    with pytest.raises(TypeError, match=rf"{second} {column}{second}\.ravel\(\)$"):
        loss([0.5, 0.5], np.ones((2, 1)))  # targets kept as a column, as for PyTorch or scikit-learn
    with pytest.raises(TypeError, match=rf"{first} {column}{first}\.ravel\(\)$"):
        loss(np.full((2, 1), 0.5), [1, 1])  # it named y whichever argument was the column


@pytest.mark.parametrize("residual, delta", [(1e-200, 1.0), (1e-8, 1.0), (0.3, 1e5), (1e-15, 2.5), (7.0, 2.5)])
def test_huber_gradient_is_exactly_the_residual_or_delta(residual, delta):
    _, grads = value_and_grads(lambda p, t: huber(p, t, delta=delta), [residual], [0.0])
    assert grads[0] == min(residual, delta)  # ∂/∂ŷ of ½a² is ŷ − y; of δ(|a| − ½δ) it is δ


@pytest.mark.parametrize("delta", [0, -1.0, math.nan, math.inf])
def test_huber_delta_must_be_positive_and_finite(delta):
    with pytest.raises(ValueError, match="huber: delta must be a finite number > 0"):
        huber([1.0], [2.0], delta=delta)


def test_huber_delta_must_be_a_number():
    with pytest.raises(TypeError, match="huber: delta must be a number, got str"):
        huber([1.0], [2.0], delta="1")


@pytest.mark.parametrize("p", [1.5, -0.1, math.nan])
def test_bce_probabilities_outside_0_1_name_value_and_position(p):
    message = rf"binary_cross_entropy: probabilities\[2\] = {p} is outside \[0, 1\]"
    with pytest.raises(ValueError, match=message):
        binary_cross_entropy([0.2, 0.4, p], [0, 1, 1])
    with pytest.raises(ValueError, match="binary_cross_entropy_with_logits"):
        binary_cross_entropy([Value(p)], [1])


@pytest.mark.parametrize("loss", [binary_cross_entropy, binary_cross_entropy_with_logits])
@pytest.mark.parametrize("y", [2, -1.0])
def test_bce_targets_outside_0_1_name_value_and_position(loss, y):
    with pytest.raises(ValueError, match=rf"{loss.__name__}: targets\[1\] = {float(y)} is outside \[0, 1\]"):
        loss([0.5, 0.5], [1, y])


def test_hinge_labels_must_be_plus_minus_one():
    with pytest.raises(ValueError, match=r"labels\[1\] = 0.0, but labels must be -1 or \+1; .*y\*2 - 1"):
        hinge([0.5, 0.5], [1, 0])
    with pytest.raises(ValueError, match=r"labels\[0\] = 2.0, but labels must be -1 or \+1$"):
        hinge([0.5], [2])


@pytest.mark.parametrize(
    "target, error, message",
    [
        (3, ValueError, r"target = 3 is out of range; a class index must be in 0\.\.2 for 3 classes"),
        (-1, ValueError, r"target = -1 is out of range; .* 0\.\.2"),
        (True, TypeError, r"target must be a class index \(an int in 0\.\.2\).*got bool"),
        (1.0, TypeError, r"target must be a class index \(an int in 0\.\.2\).*got float"),
        ("1", TypeError, r"target must be a class index \(an int in 0\.\.2\).*got str"),
        ([0.5, 0.5], ValueError, "target has 2 probabilities but there are 3 classes"),
        ([0.5, 0.3, 0.1], ValueError, r"the probabilities in target sum to 0\.9\d*, not 1"),
        ([1.2, -0.2, 0.0], ValueError, r"target\[1\] = -0\.2; class probabilities must be >= 0"),
        ([1, [0], 0], TypeError, r"target\[1\] must be a Value or a number, got a list"),
    ],
)
def test_cross_entropy_bad_targets(target, error, message):
    with pytest.raises(error, match=f"cross_entropy: {message}"):
        cross_entropy([1.0, 2.0, 3.0], target)


def test_cross_entropy_refuses_one_score_per_example_with_class_indices():
    scores = [Value(0.3), Value(-1.2), Value(0.8)]  # [model(x) for x in X] with a one-output model
    with pytest.raises(ValueError, match=r"target = \[0, 1, 0\] are whole numbers, so class indices, but logits "
                                         r"holds one example's class scores.*binary_cross_entropy_with_logits"):
        cross_entropy(scores, [0, 1, 0])
    with pytest.raises(ValueError, match="whole numbers, so class indices"):
        cross_entropy(scores, np.array([0, 1, 0]))
    assert cross_entropy(scores, [0.0, 1.0, 0.0]).data == pytest.approx(cross_entropy(scores, 1).data)


def test_cross_entropy_takes_a_batch_of_whole_number_one_hot_rows():
    z = [[Value(1.0), Value(2.0), Value(0.5)], [Value(0.1), Value(0.2), Value(3.0)]]
    expected = cross_entropy(z, [1, 2]).data
    assert cross_entropy(z, [[0, 1, 0], [0, 0, 1]]).data == pytest.approx(expected, rel=1e-15)
    assert cross_entropy(z, np.eye(3, dtype=int)[[1, 2]]).data == pytest.approx(expected, rel=1e-15)


def test_cross_entropy_bad_logits_and_batches():
    with pytest.raises(TypeError, match="logits must be a list of class scores.*_with_logits"):
        cross_entropy(2.0, 0)
    with pytest.raises(ValueError, match="cross_entropy: got no logits"):
        cross_entropy([], 0)
    with pytest.raises(ValueError, match="cross_entropy: got no logits"):
        cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int))
    with pytest.raises(TypeError, match=r"cross_entropy: logits\[1\] must be a Value or a number, got None"):
        cross_entropy([1.0, None], 0)
    with pytest.raises(ValueError, match="cross_entropy: got 2 logit lists and 1 targets; pass one target"):
        cross_entropy([[1.0, 2.0], [3.0, 4.0]], [0])
    with pytest.raises(ValueError, match=r"cross_entropy: target\[1\] = 7 is out of range; .* 0\.\.1 "):
        cross_entropy([[1.0, 2.0], [3.0, 4.0]], [0, 7])
    with pytest.raises(TypeError, match=r"cross_entropy: logits\[1\] must be a list of class scores"):
        cross_entropy([[1.0, 2.0], 3.0], [0, 1])


def test_l2_rejects_non_lists_and_non_numbers():
    with pytest.raises(TypeError, match="l2: params must be .* got str"):
        l2("weights")
    with pytest.raises(TypeError, match=r"l2: params\[1\] must be a Value or a number, got str"):
        l2([Value(1.0), "w"])


@SETTINGS
@given(xs=real_lists())
def test_l2_matches_formula_and_central_differences(xs):
    value, grads = value_and_grads(lambda p, _: l2(p), xs, None)
    assert value == pytest.approx(sum(x * x for x in xs), rel=1e-12)
    assert grads == pytest.approx(numerical_grad(lambda *p: l2(list(p)), xs), rel=1e-5, abs=1e-6)


def test_cross_entropy_refuses_examples_with_different_numbers_of_classes():
    with pytest.raises(ValueError, match=r"logits\[1\] has 3 class scores but logits\[0\] has 2"):
        cross_entropy([[1.0, 2.0], [0.5, 0.1, 0.3]], [0, 1])


def test_a_target_given_as_a_number_is_a_constant_so_traces_leave_it_out():
    prediction = Value(1.0, label="y_hat")
    loss = mse([prediction], [3.0])
    leaves = [node for node in loss.topological_order() if not node.parents]
    assert [type(node).__name__ for node in leaves if node is not prediction] == ["Constant"] * (len(leaves) - 1)
    assert [step.name for step in trace_backward(loss)] == ["L", "y_hat"]


def test_cross_entropy_refuses_a_single_class_whose_loss_would_always_be_0():
    v = Value(3.0)
    with pytest.raises(ValueError, match="has one score, but classifying needs at least 2 classes"):
        cross_entropy([[v], [v]], [0, 0])


def test_binary_cross_entropy_with_labels_first_as_in_the_notes_warns():
    """The notes write L(y, p), label first; binary_cross_entropy([1, 0, 1], [0.9, 0.2, 0.6])
    gave 23.33 (probabilities 0 and 1 clamped to e⁻¹⁰⁰) without a word."""
    with pytest.warns(UserWarning, match=r"arguments look swapped.*Write binary_cross_entropy\(p, y\)$"):
        binary_cross_entropy([1, 0, 1], [0.9, 0.2, 0.6])
    with pytest.warns(UserWarning, match="arguments look swapped"):  # some of the probabilities 0 or 1 (saturated)
        binary_cross_entropy([1, 0, 1], [0.9, 0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert binary_cross_entropy([0.9, 0.2, 0.6], [1, 0, 1]).data == pytest.approx(0.2797765)
        binary_cross_entropy([1.0, 0.0], [1, 0])  # certain and right: 0 and 1 on both sides
        binary_cross_entropy([0.5, 1.0], [0.3, 1])  # soft targets for a model that is not certain everywhere


def test_cross_entropy_of_probabilities_warns_that_it_takes_raw_scores():
    """The notes' categorical cross-entropy −Σ yᵢ ln pᵢ takes probabilities; cross_entropy
    takes raw scores, so cross_entropy([0.7, 0.2, 0.1], 0) gave 0.7679, not −ln 0.7 = 0.3567,
    without a word, and so did a softmax output passed to it."""
    from micrograd_club.nn import softmax

    with pytest.warns(UserWarning, match=r"cross_entropy: the logits lie between 0 and 1 and add up to 1.*"
                                         r"the notes' loss −ln pₖ is -p\[k\]\.log\(\)$"):
        assert cross_entropy([0.7, 0.2, 0.1], 0).data == pytest.approx(0.7679495)
    with pytest.warns(UserWarning, match="add up to 1, as probabilities do"):
        cross_entropy([softmax([Value(2.0), Value(-1.0)]), softmax([Value(0.5), Value(0.0)])], [0, 1])


def test_the_warnings_about_the_arguments_point_at_the_line_that_calls_the_loss():
    """Python names the file and line of a warning: the caller's, where the slip is."""
    with pytest.warns(UserWarning) as caught:
        binary_cross_entropy([1, 0, 1], [0.9, 0.2, 0.6])
        cross_entropy([0.7, 0.2, 0.1], 0)
        cross_entropy([[0.7, 0.3], [0.4, 0.6]], [0, 1])
    assert [record.filename for record in caught] == [__file__] * 3


@pytest.mark.parametrize(
    "logits, target",
    [([2.0, 1.0, 0.1], 0), ([1.0, 0.0], 0), ([0.2, 0.3], 1), ([0.5, 0.495], 0), ([[0.5, 0.5], [3.0, -1.0]], [0, 1])],
)
def test_cross_entropy_of_raw_scores_does_not_warn(logits, target):
    """Scores outside (0, 1), scores that do not add up to 1, or one example of a batch whose
    scores happen to look like probabilities are taken as raw scores without a word."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cross_entropy(logits, target)


def test_a_prediction_wrapped_in_a_list_of_one_says_to_pass_the_number_itself():
    with pytest.raises(TypeError, match=r"mse takes one number per example, but predictions\[0\] is a list holding "
                                        r"one number: pass the number itself, model\(x\) rather than \[model\(x\)\]"):
        mse([[0.5], [0.7]], [1.0, 2.0])
