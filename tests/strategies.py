"""Hypothesis strategies shared by the test suite: every generator of numbers, inputs and
expressions lives here (and the fixed edge values beside them), so a test says *what* it
draws, not how."""

import math

from hypothesis import strategies as st

from micrograd_club import Value
from micrograd_club.engine import weighted_sum
from micrograd_club.nn import ACTIVATIONS

# Magnitudes where central differences (eps = 1e-6) are accurate to ~1e-6 relative.
MODERATE = 5.0


# Fixed points from the bottom to the top of float64 (subnormal, where b·b underflows, where
# eˣ overflows, …), with their negatives, ±inf and nan: for checking ops at the edges, where
# sampling rarely goes.
EDGES = [0.0, 5e-324, 1e-300, 1e-200, 1e-155, 1e-100, 1e-10, 0.5, 1.0, 3.0, 21.0, 40.0, 710.0, 1e10, 1e100, 1e155,
         1e200, 1e300]
EDGES = EDGES + [-x for x in EDGES[1:]] + [math.inf, -math.inf, math.nan]
FEW_EDGES = [0.0, 1e-300, 1e-170, 1e-10, 1.0, 3.0, 1e10, 1e170, 1e300]  # for pairs
FEW_EDGES = FEW_EDGES + [-x for x in FEW_EDGES[1:]] + [math.inf, -math.inf, math.nan]
# What the engine raises, with a message, where the math has no finite answer.
DOCUMENTED_ERRORS = (ValueError, ZeroDivisionError, OverflowError)
# Every elementary op of the engine, for the edge values above.
EDGE_POWERS = (2, 3, -1, -2, 0.5, -0.5, 0)
EDGE_UNARY_OPS = {
    "exp": Value.exp, "log": Value.log, "sqrt": Value.sqrt, "tanh": Value.tanh, "sigmoid": Value.sigmoid,
    "relu": Value.relu, "leaky_relu": lambda v: v.leaky_relu(0.1), "abs": abs, "neg": lambda v: -v,
    "clamp": lambda v: v.clamp(-1.0, 1.0), "softplus": Value.softplus,
    **{f"**{n}": (lambda v, n=n: v**n) for n in EDGE_POWERS},
}
EDGE_BINARY_OPS = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
}


def same_float(ours, theirs):
    """Equal to 1e-12 relative, or the same inf, or both nan."""
    if math.isnan(theirs) or math.isnan(ours):
        return math.isnan(theirs) and math.isnan(ours)
    if math.isinf(theirs) or math.isinf(ours):
        return ours == theirs
    return abs(ours - theirs) <= 1e-12 * abs(theirs) + 1e-300


def reals(low=-MODERATE, high=MODERATE):
    """Finite floats in [low, high]."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def positives(low=0.1, high=MODERATE):
    """Floats bounded away from zero, for log, sqrt, division and powers."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def away_from_zero(margin=0.05, high=MODERATE):
    """Floats with |x| ≥ margin: for relu/abs, whose derivative jumps at 0."""
    return st.one_of(reals(margin, high), reals(-high, -margin))


def probabilities(low=0.01, high=0.99):
    """Probabilities away from 0 and 1, where log p and log(1 − p) are finite."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def real_lists(min_size=1, max_size=6, low=-MODERATE, high=MODERATE):
    """Lists of finite floats."""
    return st.lists(reals(low, high), min_size=min_size, max_size=max_size)


def paired_lists(min_size=1, max_size=6, low=-MODERATE, high=MODERATE):
    """Two equal-length lists of floats (predictions, targets)."""
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(real_lists(n, n, low, high), real_lists(n, n, low, high))
    )


# ----- random expression graphs, evaluated by any backend (our Value, torch tensors) -----

# Unary ops defined for every real input, so any generated expression is valid.
UNARY_OPS = (
    "neg", "tanh", "sigmoid", "relu", "softplus", "abs", "square", "safe_log", "safe_sqrt", "exp_tanh",
)
# "wsum" is weighted_sum([a, b], [b, a], 1) = 1 + a·b + b·a, one Σwx+b node whose weights are not leaves
BINARY_OPS = ("add", "sub", "mul", "safe_div", "mix", "wsum")


def expressions(n_vars=3, max_leaves=8):
    """Expression trees over variables x0..x{n_vars-1}: ("var", i), ("const", c),
    ("unary", op, e) and ("binary", op, e1, e2). Variables are reused, so graphs share nodes."""
    leaves = st.one_of(
        st.tuples(st.just("var"), st.integers(0, n_vars - 1)),
        st.tuples(st.just("const"), reals(-2, 2)),
    )

    def extend(children):
        return st.one_of(
            st.tuples(st.just("unary"), st.sampled_from(UNARY_OPS), children),
            st.tuples(st.just("binary"), st.sampled_from(BINARY_OPS), children, children),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


def evaluate(expr, variables, fn):
    """Evaluate an expression tree with ``fn`` = a dict of op name -> function (one per
    backend), so the same tree builds a micrograd_club graph and a torch graph."""
    kind = expr[0]
    if kind == "var":
        return variables[expr[1]]
    if kind == "const":
        return expr[1]
    if kind == "unary":
        return fn[expr[1]](evaluate(expr[2], variables, fn))
    return fn[expr[1]](evaluate(expr[2], variables, fn), evaluate(expr[3], variables, fn))


def as_value(a):
    """``a`` if it is a Value, else a new leaf holding it (an expression may be a bare constant)."""
    return a if isinstance(a, Value) else Value(a)


# The ops of ``expressions()`` for micrograd_club's Values (the ``fn`` of ``evaluate``).
VALUE_OPS = {
    "neg": lambda a: -as_value(a),
    "tanh": lambda a: as_value(a).tanh(),
    "sigmoid": lambda a: as_value(a).sigmoid(),
    "relu": lambda a: as_value(a).relu(),
    "softplus": lambda a: as_value(a).softplus(),
    "abs": lambda a: abs(as_value(a)),
    "square": lambda a: as_value(a) ** 2,
    "safe_log": lambda a: (as_value(a) ** 2 + 1).log(),
    "safe_sqrt": lambda a: (as_value(a) ** 2 + 1).sqrt(),
    "exp_tanh": lambda a: as_value(a).tanh().exp(),
    "add": lambda a, b: as_value(a) + b,
    "sub": lambda a, b: as_value(a) - b,
    "mul": lambda a, b: as_value(a) * b,
    "safe_div": lambda a, b: as_value(a) / (as_value(b) ** 2 + 1),
    "mix": lambda a, b: (as_value(a) ** 2 + 1) ** as_value(b).tanh(),
    "wsum": lambda a, b: weighted_sum([a, b], [b, a], 1.0),
}


# ----- models (tests/test_nn.py) -----


def activation_names():
    """The name of each activation a Neuron takes ("relu", "tanh", …, "linear")."""
    return st.sampled_from(sorted(ACTIVATIONS))


# ----- loss functions (tests/test_losses.py) -----


def unit_floats():
    """Floats in [0, 1]: binary targets, hard (0, 1) or soft."""
    return st.floats(0.0, 1.0, allow_nan=False, allow_infinity=False)


def probability_target_pairs(min_size=1, max_size=6):
    """(probabilities, targets) of the same length: probabilities away from 0 and 1,
    targets in [0, 1]."""
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(
            st.lists(probabilities(), min_size=n, max_size=n),
            st.lists(unit_floats(), min_size=n, max_size=n),
        )
    )


def logit_target_pairs(min_size=1, max_size=6):
    """(logits, targets) of the same length: real scores and targets in [0, 1]."""
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(real_lists(n, n), st.lists(unit_floats(), min_size=n, max_size=n))
    )


def score_label_pairs(min_size=1, max_size=6):
    """(scores, labels) of the same length, labels ±1, for the hinge loss."""
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(
            real_lists(n, n), st.lists(st.sampled_from([-1, 1]), min_size=n, max_size=n)
        )
    )


def probability_vectors(n):
    """n non-negative floats summing to 1 (a soft or one-hot class target)."""
    weights = st.lists(unit_floats(), min_size=n, max_size=n).filter(lambda w: sum(w) > 0.1)
    return weights.map(lambda w: [x / sum(w) for x in w])


def class_examples(min_classes=2, max_classes=5, target="index"):
    """(logits, target) for one example: a class index (target="index") or a probability
    vector (target="probabilities") over the same number of classes."""

    def example(n):
        label = st.integers(0, n - 1) if target == "index" else probability_vectors(n)
        return st.tuples(real_lists(n, n), label)

    return st.integers(min_classes, max_classes).flatmap(example)


def class_batches(min_batch=1, max_batch=4, min_classes=2, max_classes=4, target="index"):
    """(logit rows, targets) for a batch with the same number of classes in every row."""

    def batch(sizes):
        n_examples, n_classes = sizes
        one = class_examples(n_classes, n_classes, target)
        return st.lists(one, min_size=n_examples, max_size=n_examples).map(
            lambda pairs: ([row for row, _ in pairs], [label for _, label in pairs])
        )

    return st.tuples(
        st.integers(min_batch, max_batch), st.integers(min_classes, max_classes)
    ).flatmap(batch)


# ----- datasets (tests/test_data.py) -----


def sample_counts(low=1, high=60):
    """Dataset sizes (numbers of samples)."""
    return st.integers(low, high)


def batch_sizes(high=70):
    """A batch size for ``data.batches``: None (the whole set) or a whole number ≥ 1."""
    return st.one_of(st.none(), st.integers(1, high))


def seeds():
    """Seeds for ``np.random.default_rng``."""
    return st.integers(0, 2**32 - 1)


def learning_rates(low=1e-4, high=1.0):
    """Learning rates η, from tiny to large."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def momentum_coefficients(high=0.99):
    """Momentum coefficients γ in [0, high] (γ < 1, or the velocity never decays)."""
    return st.floats(0.0, high, allow_nan=False, allow_infinity=False)
