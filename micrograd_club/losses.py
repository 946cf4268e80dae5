"""Loss functions: one number that says how wrong the predictions are, built from Values so
``loss.backward()`` tells every parameter which way to move.

Notation follows the lesson notes: y is the actual value (target), ŷ the prediction, n the
number of observations. Every loss takes single Values/numbers or equal-length lists, tuples
or 1-d numpy arrays of them, checks them, and returns one ``Value``.
"""

import math
import numbers
import warnings

from micrograd_club._inputs import as_sequence as _sequence
from micrograd_club._inputs import as_value as _scalar
from micrograd_club._inputs import is_sequence as _is_sequence
from micrograd_club.engine import Value
from micrograd_club.nn import log_softmax

__all__ = [
    "mse",
    "sse",
    "mae",
    "huber",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge",
    "l2",
]

# ln(e⁻¹⁰⁰) = −100: clamping p here before the log caps −ln p at 100, as PyTorch's BCE does.
SMALLEST_PROBABILITY = math.exp(-100)


# ----- regression -----


def mse(predictions, targets):
    """Mean squared error, MSE = (1/n) Σ (yᵢ − ŷᵢ)²: squaring makes every error positive and
    punishes big misses more than small ones."""
    y_hat, y = _paired(predictions, targets, "mse")
    return _mean([(yi - yi_hat) ** 2 for yi_hat, yi in zip(y_hat, y)])


def sse(predictions, targets):
    """Sum of squared errors with a half in front, E = ½ Σ (yᵢ − ŷᵢ)²: the ½ cancels the 2
    from differentiating the square, so ∂E/∂ŷᵢ = ŷᵢ − yᵢ."""
    y_hat, y = _paired(predictions, targets, "sse")
    return 0.5 * _total([(yi - yi_hat) ** 2 for yi_hat, yi in zip(y_hat, y)])


def mae(predictions, targets):
    """Mean absolute error, MAE = (1/n) Σ |yᵢ − ŷᵢ|: every unit of error costs the same, so a
    few outliers pull the model less than with MSE."""
    y_hat, y = _paired(predictions, targets, "mae")
    return _mean([abs(yi - yi_hat) for yi_hat, yi in zip(y_hat, y)])


def huber(predictions, targets, delta=1.0):
    """Huber loss, the mean of ½a² for |a| ≤ δ and δ(|a| − ½δ) otherwise, with a = y − ŷ:
    quadratic like MSE for small errors, linear like MAE for large ones (robust to outliers).

    Written without an ``if`` on the data, so the graph has the same shape for every input:
    with q = min(|a|, δ) (a clamp), ½q² + δ·ReLU(|a| − δ) equals both branches, and its
    derivative with respect to |a| is exactly |a| or δ (no difference of two rounded numbers)."""
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real):
        raise TypeError(f"huber: delta must be a number, got {type(delta).__name__}: {delta!r:.40}")
    if not 0 < delta < math.inf:
        raise ValueError(f"huber: delta must be a finite number > 0, got {delta!r}")
    y_hat, y = _paired(predictions, targets, "huber")
    losses = []
    for yi_hat, yi in zip(y_hat, y):
        size = abs(yi - yi_hat)
        q = size.clamp(max=delta)
        losses.append(0.5 * q**2 + delta * (size - delta).relu())
    return _mean(losses)


# ----- classification -----


def binary_cross_entropy(probabilities, targets):
    """Binary cross-entropy (log loss), the mean of −[y ln p + (1 − y) ln(1 − p)]: tiny when
    the probability p of class 1 agrees with the label y, huge when it is confidently wrong.

    p and 1 − p are clamped to at least e⁻¹⁰⁰ before the log (so ln ≥ −100, as in PyTorch):
    p = 0 or 1 gives a finite loss of at most 100 per example, and a gradient of 0 through a
    clamped log (PyTorch reports ±1e12 there, from its own formula (p − y)/max(p(1 − p), 1e-12));
    for 0 < p < e⁻¹⁰⁰ only the ln(1 − p) term has a gradient. From e⁻¹⁰⁰ up to about 1e-12
    (and as close to 1) the gradient is the exact −y/p + (1 − y)/(1 − p), up to about 2.7e43,
    where PyTorch's formula caps it near 1e12. ln(1 − p) is taken of 1 − p, so
    for a tiny p with y = 0 the loss (about p) is right to 1e-16 but not to its last digit
    (PyTorch uses log1p). Training from raw scores with ``binary_cross_entropy_with_logits``
    avoids all of this. The probabilities come first, as in PyTorch (the notes write L(y, p)):
    labels passed first, which makes every "probability" 0 or 1, give a warning."""
    p, y = _paired(probabilities, targets, "binary_cross_entropy", "probabilities", "targets")
    _check_unit_interval(
        p, "binary_cross_entropy", "probabilities",
        "pass probabilities (e.g. sigmoid outputs), or raw scores to binary_cross_entropy_with_logits",
    )
    _check_unit_interval(y, "binary_cross_entropy", "targets", "binary labels are 0 or 1")
    _warn_if_labels_and_probabilities_are_swapped(p, y)
    losses = []
    for pi, yi in zip(p, y):
        log_p = pi.clamp(SMALLEST_PROBABILITY, 1.0).log()
        log_not_p = (1 - pi).clamp(SMALLEST_PROBABILITY, 1.0).log()
        losses.append(-(yi * log_p + (1 - yi) * log_not_p))
    return _mean(losses)


def binary_cross_entropy_with_logits(logits, targets):
    """Binary cross-entropy on raw scores z, with p = σ(z): the mean of
    (1 − y)·softplus(z) + y·softplus(−z), which equals −[y ln σ(z) + (1 − y) ln(1 − σ(z))]
    (as −ln σ(z) = softplus(−z)) but never takes the log of 0, and never subtracts two large
    numbers (softplus(z) − z·y would give 0 for z = 40, y = 1 instead of 4.2e-18). Targets are
    data, but if one is a Value its gradient −z comes out as softplus(−z) − softplus(z): right
    to about 1e-16, not to the last digit for a tiny z."""
    z, y = _paired(logits, targets, "binary_cross_entropy_with_logits", "logits", "targets")
    _check_unit_interval(y, "binary_cross_entropy_with_logits", "targets", "binary labels are 0 or 1")
    return _mean([(1 - yi) * zi.softplus() + yi * (-zi).softplus() for zi, yi in zip(z, y)])


def cross_entropy(logits, target):
    """Categorical cross-entropy, the notes' L = −Σᵢ yᵢ ln pᵢ with p = softmax(z), from raw
    class scores z: minus the log-probability the model gives the right class, taken from
    log_softmax so huge logits stay finite.

    ``target`` is a class index k (then L = −ln pₖ) or a one-hot/probability list y
    of floats with one entry per class (whole numbers are class indices, as in PyTorch). For
    a batch, pass a list of logit lists and a list of targets; the result is the mean over
    the batch. Logits that are probabilities already (each between 0 and 1, adding up to 1,
    as a softmax output or the notes' pᵢ are) give a warning: softmax would squash them twice."""
    if _is_batch(logits):
        rows = _rows(logits, "logits")
        targets = _rows(target, "target")
        if len(rows) != len(targets):
            raise ValueError(
                f"cross_entropy: got {len(rows)} logit lists and {len(targets)} targets; "
                "pass one target per example"
            )
        for i, row in enumerate(rows):
            if _is_sequence(row) and _is_sequence(rows[0]) and len(row) != len(rows[0]):
                raise ValueError(
                    f"cross_entropy: logits[{i}] has {len(row)} class scores but logits[0] has {len(rows[0])}; "
                    "every example needs one score per class, the same classes for all"
                )
        loss = _mean([
            _cross_entropy_one(row, t, f"logits[{i}]", f"target[{i}]")
            for i, (row, t) in enumerate(zip(rows, targets))
        ])
        _warn_if_probabilities(rows)
        return loss
    if _is_sequence(target) and len(target) and all(_is_whole(x) for x in target):
        raise ValueError(  # PyTorch too reads whole numbers as class indices, never as probabilities
            f"cross_entropy: target = {[int(x) for x in target]!r:.40} are whole numbers, so class indices, but logits "
            f"holds one example's class scores. For a batch, pass one list of class scores per example "
            "(from a model with one output per class, e.g. MLP(2, [16, 3])); for one score per example use "
            "binary_cross_entropy_with_logits; one example's one-hot target is written with floats, [0.0, 1.0]"
        )
    loss = _cross_entropy_one(logits, target, "logits", "target")
    _warn_if_probabilities([logits])
    return loss


def hinge(scores, labels):
    """Hinge loss (SVMs), the mean of max(0, 1 − y·f(x)) with labels y = ±1 and raw scores
    f(x): zero once a point is on the right side with a margin of at least 1."""
    s, y = _paired(scores, labels, "hinge", "scores", "labels")
    for i, yi in enumerate(y):
        if yi.data not in (-1.0, 1.0):
            hint = "; for 0/1 labels use y*2 - 1" if yi.data == 0.0 else ""
            raise ValueError(f"hinge: labels[{i}] = {yi.data!r}, but labels must be -1 or +1{hint}")
    return _mean([(1 - yi * si).relu() for si, yi in zip(s, y)])


# ----- regularisation -----


def l2(params):
    """L2 penalty Σ p² over the parameters: add λ·l2(params) to a loss to keep weights small.
    Its gradient is 2λp, so it is an optimizer's ``weight_decay=2λ`` (a weight_decay of d adds
    d·p to each gradient, the gradient of a penalty ½d·p²). An empty list gives Value(0.0)."""
    if _is_sequence(params) and len(params) == 0:
        return Value(0.0)
    values = [_scalar(p, "l2", f"params[{i}]") for i, p in enumerate(_sequence(params, "l2", "params"))]
    return _total([p**2 for p in values])


# ----- helpers -----


def _cross_entropy_one(logits, target, logits_name, target_name):
    """−Σ yᵢ log_softmax(z)ᵢ for one example, after checking ``target`` against the classes."""
    if not _is_sequence(logits):
        raise TypeError(
            f"cross_entropy: {logits_name} must be a list of class scores (one per class), got "
            f"{type(logits).__name__}; for one score per example use binary_cross_entropy_with_logits"
        )
    z = [_scalar(x, "cross_entropy", f"{logits_name}[{i}]")
         for i, x in enumerate(_sequence(logits, "cross_entropy", logits_name))]
    if len(z) < 2:  # softmax of one score is always 1: the loss would be 0 whatever the model does
        raise ValueError(
            f"cross_entropy: {logits_name} has one score, but classifying needs at least 2 classes; for one "
            "score per example (two classes) use binary_cross_entropy_with_logits"
        )
    if _is_whole(target):
        if not 0 <= target < len(z):
            raise ValueError(
                f"cross_entropy: {target_name} = {target} is out of range; a class index "
                f"must be in 0..{len(z) - 1} for {len(z)} classes"
            )
        return -log_softmax(z)[int(target)]
    if not _is_sequence(target):
        raise TypeError(
            f"cross_entropy: {target_name} must be a class index (an int in 0..{len(z) - 1}) or a "
            f"list of {len(z)} class probabilities, got {type(target).__name__}: {target!r:.40}"
        )
    y = [_scalar(x, "cross_entropy", f"{target_name}[{i}]") for i, x in enumerate(target)]
    _check_distribution(y, len(z), target_name)
    return -_total([yi * log_p for yi, log_p in zip(y, log_softmax(z))])


def _warn_if_labels_and_probabilities_are_swapped(p, y):
    """Warn when every probability is exactly 0 or 1 but a target lies between: labels passed
    first, as the notes write L(y, p), and probabilities second. A model's probabilities are
    hardly ever all exactly 0 or 1."""
    if all(pi.data in (0.0, 1.0) for pi in p) and any(0 < yi.data < 1 for yi in y):
        warnings.warn(
            "binary_cross_entropy: every probability is exactly 0 or 1, but some targets lie between, so the "
            "arguments look swapped: it takes (probabilities, targets), as PyTorch does, while the notes write "
            "L(y, p) with the label first. Write binary_cross_entropy(p, y)",
            UserWarning,
            stacklevel=3,
        )


def _warn_if_probabilities(rows):
    """Warn when every example's logits lie strictly between 0 and 1 and add up to 1: they are
    probabilities already (a softmax output, or the notes' pᵢ typed in), which cross_entropy
    would squash a second time. Raw scores almost never add up to exactly 1. The message is
    the same for every call, so Python shows it once per line that calls the loss."""
    data = [[x.data if isinstance(x, Value) else float(x) for x in row] for row in rows]
    if all(all(0 < p < 1 for p in row) and abs(sum(row) - 1) <= 1e-9 for row in data):
        warnings.warn(
            "cross_entropy: the logits lie between 0 and 1 and add up to 1, as probabilities do, but cross_entropy "
            "takes raw class scores and applies softmax itself, so probabilities are squashed twice (the loss is "
            "not −ln pₖ). Pass the scores from before the softmax (a model without output_activation='softmax'); "
            "for probabilities p you already have, the notes' loss −ln pₖ is -p[k].log()",
            UserWarning,
            stacklevel=3,
        )


def _is_whole(x):
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _check_distribution(y, classes, name):
    if len(y) != classes:
        raise ValueError(
            f"cross_entropy: {name} has {len(y)} probabilities but there are {classes} classes; "
            "a probability target needs one entry per class"
        )
    for i, yi in enumerate(y):
        if not yi.data >= 0:
            raise ValueError(f"cross_entropy: {name}[{i}] = {yi.data!r}; class probabilities must be >= 0")
    total = sum(yi.data for yi in y)
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        raise ValueError(
            f"cross_entropy: the probabilities in {name} sum to {total!r}, not 1; "
            "use a one-hot list or a class index"
        )


def _check_unit_interval(values, where, name, hint):
    for i, v in enumerate(values):
        if not 0.0 <= v.data <= 1.0:
            raise ValueError(f"{where}: {name}[{i}] = {v.data!r} is outside [0, 1]; {hint}")


def _paired(predictions, targets, where, predictions_name="predictions", targets_name="targets"):
    """Both arguments as equal-length, non-empty lists of Values, or a helpful error."""
    first = _sequence(predictions, where, predictions_name)
    second = _sequence(targets, where, targets_name)
    if _is_sequence(first[0]) and len(first[0]) == 1:
        raise TypeError(
            f"{where} takes one number per example, but {predictions_name}[0] is a list holding one number: "
            f"pass the number itself, model(x) rather than [model(x)] (or p[0] for each p)"
        )
    if _is_sequence(first[0]):
        outputs = len(first[0])
        raise TypeError(
            f"{where} takes one number per example, but {predictions_name}[0] is a list of {outputs} "
            f"(a model with {outputs} outputs?). Give the model one output, e.g. MLP(2, [16, 1]), or for "
            f"{outputs} classes use cross_entropy"
        )
    if len(first) != len(second):
        raise ValueError(
            f"{where}: got {len(first)} {predictions_name} and {len(second)} {targets_name}; "
            "they must have the same length"
        )
    return (
        [_scalar(x, where, f"{predictions_name}[{i}]") for i, x in enumerate(first)],
        [_scalar(x, where, f"{targets_name}[{i}]") for i, x in enumerate(second)],
    )


def _rows(x, name):
    """The examples of a cross_entropy batch: a list, or the rows of a 2-d array."""
    if getattr(x, "ndim", None) != 2:
        return _sequence(x, "cross_entropy", name)
    if len(x) == 0:
        raise ValueError(f"cross_entropy: got no {name}; pass at least one")
    return list(x)


def _is_batch(logits):
    """A list of logit lists (or a 2-d array), as opposed to one example's logits."""
    if getattr(logits, "ndim", None) == 2:
        return True
    return isinstance(logits, (list, tuple)) and len(logits) > 0 and _is_sequence(logits[0])


def _total(terms):
    return sum(terms[1:], terms[0])


def _mean(terms):
    return _total(terms) / len(terms)
