"""Small toy datasets for lessons, plus the helpers that feed them to a model.

Every generator returns ``(X, y)``: ``X`` a float64 array of shape ``(n_samples, features)``
and ``y`` of shape ``(n_samples,)`` -- int64 class labels for classification, float64
targets for regression. Rows come in random order.

Two-class sets (moons, circles, XOR) are labelled 0 and 1, as ``binary_cross_entropy`` and
``binary_cross_entropy_with_logits`` take them; ``hinge`` wants −1 and +1, so pass it
``y * 2 - 1`` (as micrograd's demo does with scikit-learn's moons). ``cross_entropy`` takes
the class indices 0 … K − 1 of ``make_spiral`` and ``make_blobs`` as they are.

Randomness comes only from ``np.random.default_rng(seed)``: an int ``seed`` gives the same
arrays on every call, ``seed=None`` gives fresh ones, and numpy's global random state is
never touched (so ``np.random.seed`` elsewhere in a notebook is unaffected). ``random_state``
is accepted as scikit-learn's name for ``seed``. The functions that scikit-learn also has
(``make_moons``, ``make_circles``, ``make_blobs``, ``train_test_split``) take its arguments with
its meaning and draw from the same distributions, but not the same numbers: the same seed gives
other points than scikit-learn's, whose random stream is numpy's older ``RandomState``. Settings must
be finite numbers, small enough that the data is finite too (a noise of 1e308 overflows, so it
is refused), and a call makes at most ``MAX_SAMPLES`` samples.

Models take lists of numbers or Values, so ``to_values(X)`` turns an array into those, and
``batches`` walks a dataset in the chunks batch, stochastic and mini-batch gradient descent use.
"""

import math
import numbers

import numpy as np

from micrograd_club._inputs import as_switch, checked_seed, is_sequence, whole_number
from micrograd_club.engine import Value

__all__ = [
    "make_moons",
    "make_circles",
    "make_xor",
    "make_spiral",
    "make_blobs",
    "make_regression",
    "train_test_split",
    "batches",
    "to_values",
    "MAX_SAMPLES",
]

MAX_SAMPLES = 10_000_000  # per call: 160 MB of float64 for two features, far more than a scalar engine trains on


# ----- classification -----


def make_moons(n_samples=100, noise=0.1, seed=None, *, shuffle=True, random_state=None):
    """Two interleaving half circles ("moons"), labels 0 and 1, as scikit-learn's ``make_moons``.

    Class 0 is the upper arc ``(cos t, sin t)`` for t in [0, π]; class 1 is the lower arc
    ``(1 − cos t, 1 − sin t − 0.5)``, shifted so each moon reaches into the other's hollow.
    ``n_samples // 2`` points go to class 0 and the rest to class 1 (or ``n_samples`` is a pair
    of counts, class 0's and class 1's); Gaussian noise of standard deviation ``noise`` is
    added to both coordinates (``noise=None`` or 0: none). ``shuffle=False`` keeps class 0's
    rows first. Only the default differs from scikit-learn's: noise 0.1, where its is None.

    Why: no straight line separates the moons, so a lesson can show a linear model failing
    and a small MLP bending its decision boundary around them.
    """
    n_outer, n_inner = _two_class_counts(n_samples)
    noise = _noise_level(noise)
    rng = _rng(seed, random_state)
    t_outer = np.linspace(0.0, np.pi, n_outer)
    t_inner = np.linspace(0.0, np.pi, n_inner)
    outer = np.column_stack([np.cos(t_outer), np.sin(t_outer)])
    inner = np.column_stack([1.0 - np.cos(t_inner), 1.0 - np.sin(t_inner) - 0.5])
    X = np.vstack([outer, inner])
    y = np.repeat([0, 1], [n_outer, n_inner])
    return _noisy_shuffled(X, y, noise, rng, shuffle)


def make_circles(n_samples=100, noise=0.05, factor=0.5, seed=None, *, shuffle=True, random_state=None):
    """A circle inside a circle: class 0 on the unit circle, class 1 on a circle of
    radius ``factor`` (0 < factor < 1), both centred on the origin, as scikit-learn's
    ``make_circles``.

    Points are evenly spaced around each circle (``n_samples // 2`` on the outer one, the
    rest on the inner one, or ``n_samples`` is a pair of counts, outer and inner) with
    Gaussian noise of standard deviation ``noise`` added (``noise=None`` or 0: none).
    ``shuffle=False`` keeps the outer circle's rows first. The defaults differ from
    scikit-learn's (noise None, factor 0.8): pass them to get its picture.

    Why: the classes are separated by distance from the centre, not by a line, which shows
    why hidden layers (or a feature like x² + y²) are needed.
    """
    n_outer, n_inner = _two_class_counts(n_samples)
    noise = _noise_level(noise)
    _check_real("factor", factor)
    if not 0 < factor < 1:
        raise ValueError(f"factor must be between 0 and 1 (the inner circle's radius), got {factor!r}")
    rng = _rng(seed, random_state)
    X = np.vstack([_circle(n_outer, 1.0), _circle(n_inner, float(factor))])
    y = np.repeat([0, 1], [n_outer, n_inner])
    return _noisy_shuffled(X, y, noise, rng, shuffle)


def make_xor(n_samples=100, noise=0.1, seed=None, *, random_state=None):
    """Four clusters centred at (1, 1), (−1, −1), (1, −1) and (−1, 1); the label is the
    XOR of the signs: 0 where x and y have the same sign, 1 where they differ.

    ``n_samples`` is split as evenly as possible over the four clusters, and over the two
    classes too: ``n_samples // 2`` points get label 0 and the rest label 1, as in
    ``make_moons`` (so even 2 samples hold one of each). Each point is its centre plus
    Gaussian noise of standard deviation ``noise``. Labels come from the centre, so with a
    large ``noise`` a few points may stray into another quadrant.

    Why: XOR is the classic problem a single neuron (a linear model) cannot solve but a
    network with one hidden layer can.
    """
    _check_sample_count(n_samples)
    _check_non_negative("noise", noise)
    rng = _rng(seed, random_state)
    # counter-clockwise from (1, −1), so the labels alternate and the clusters that get one
    # point more than the others (the first ones) are shared out between the classes
    corners = np.array([[1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0]])
    corner_labels = np.array([1, 0, 1, 0])
    corner_index = np.repeat(np.arange(4), _split_evenly(n_samples, 4))
    return _noisy_shuffled(corners[corner_index], corner_labels[corner_index], noise, rng)


def make_spiral(n_samples=300, classes=3, noise=0.2, seed=None, *, random_state=None):
    """CS231n's spiral: ``classes`` interleaved arms winding out from the origin, one arm
    per class, labels 0 … classes − 1.

    Arm j has radius r running from 0 to 1 and angle t from 4j to 4(j + 1) radians, plus
    Gaussian noise of standard deviation ``noise`` on the angle; the point is
    ``(r sin t, r cos t)``. ``n_samples`` is split as evenly as possible across the arms.

    Why: the arms wrap around each other, so only a fairly flexible network separates them;
    it is a good test of whether training, depth and learning rate are right.
    """
    _check_sample_count(n_samples)
    whole_number(classes, "classes")
    _check_non_negative("noise", noise)
    if n_samples < classes:
        raise ValueError(
            f"n_samples={n_samples} is fewer than classes={classes}: every class needs at least one point"
        )
    rng = _rng(seed, random_state)
    parts, labels = [], []
    for label, count in enumerate(_split_evenly(n_samples, classes)):
        radius = np.linspace(0.0, 1.0, count)
        angle = np.linspace(4.0 * label, 4.0 * (label + 1), count) + rng.normal(0.0, noise, count)
        with np.errstate(invalid="ignore"):  # sin(inf) is nan: _finite says why
            parts.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
        labels.append(np.full(count, label))
    return _finite(*_shuffled(np.vstack(parts), np.concatenate(labels), rng), noise=noise)


def make_blobs(
    n_samples=100,
    centers=3,
    cluster_std=1.0,
    n_features=2,
    center_box=(-5, 5),
    seed=None,
    *,
    shuffle=True,
    random_state=None,
    return_centers=False,
):
    """Round Gaussian clusters ("blobs"), one class per cluster, as scikit-learn's ``make_blobs``.

    ``centers`` is either the number of clusters, whose centres are then drawn uniformly
    from the box ``center_box`` = (low, high) in every coordinate, or an explicit array of
    centre coordinates with shape (clusters, features) -- in which case its column count
    sets the number of features and ``n_features`` is not used. ``n_samples`` is split as
    evenly as possible over the clusters, or is a list of counts, one per cluster
    (``centers=None`` then draws one centre per count; otherwise None means 3). Each point
    is its centre plus Gaussian noise of standard deviation ``cluster_std`` -- one number,
    or one per cluster -- in every coordinate. Label k means "from centre k".
    ``shuffle=False`` keeps the clusters' rows in order; ``return_centers=True`` returns
    the centres too, ``(X, y, centers)``.

    Unlike scikit-learn, ``centers`` comes second (``make_blobs(100, 2)`` is 2 clusters, where
    scikit-learn's second argument is ``n_features``: pass them by name) and ``center_box``
    is (−5, 5), not (−10, 10), so the default clusters lie closer together.

    Why: well-separated blobs are the easiest classification problem -- the place to first
    watch a loss fall and a softmax classifier learn -- and pushing them together by raising
    ``cluster_std`` shows what overlapping classes do to accuracy.
    """
    counts = _cluster_counts(n_samples)
    return_centers = as_switch(return_centers, "return_centers")
    rng = _rng(seed, random_state)
    if centers is None:
        centers = 3 if counts is None else len(counts)
    centre_array = _blob_centres(centers, n_features, center_box, rng)
    n_clusters, n_columns = centre_array.shape
    if counts is None:
        counts = _split_evenly(n_samples, n_clusters)
    elif len(counts) != n_clusters:
        raise ValueError(f"n_samples gives counts for {len(counts)} clusters but there are {n_clusters} centers: "
                         "give one count per centre")
    stds = _cluster_stds(cluster_std, n_clusters)
    if sum(counts) * n_columns > 2 * MAX_SAMPLES:
        raise ValueError(
            f"{sum(counts):,} samples of {n_columns:,} features are {sum(counts) * n_columns:,} "
            f"numbers, more than the {2 * MAX_SAMPLES:,} a dataset may hold; ask for fewer samples or features"
        )
    cluster_index = np.repeat(np.arange(n_clusters), counts)
    X, y = _noisy_shuffled(centre_array[cluster_index], cluster_index, stds[cluster_index, np.newaxis], rng,
                           shuffle, cluster_std=cluster_std)
    return (X, y, centre_array) if return_centers else (X, y)


# ----- regression -----


def make_regression(
    n_samples=50,
    slope=2.0,
    intercept=1.0,
    noise=0.5,
    outliers=0.0,
    outlier_scale=10.0,
    x_range=(0, 5),
    seed=None,
    *,
    random_state=None,
):
    """Points scattered around the line y = intercept + slope·x, for fitting a line.

    x is drawn uniformly from ``x_range`` = (low, high); y is the line plus Gaussian noise
    of standard deviation ``noise``. Then a fraction ``outliers`` (0 to 1) of the points
    (``outliers · n_samples``, rounded to the nearest whole number) is pushed off the line
    by 1 to 2 times ``outlier_scale`` -- upwards, or downwards if ``outlier_scale`` is
    negative -- so all outliers sit on one side and pull a fit the same way.
    ``X`` has shape (n_samples, 1).

    Why: with ``outliers=0`` the mean-squared-error (MSE) fit recovers the line; with a
    few outliers the MSE fit is dragged towards them (their squared errors dominate) while
    mean absolute error (MAE) and Huber loss stay close to the true line -- the notes'
    lesson on choosing a loss.

    scikit-learn's ``make_regression`` shares the name but not the arguments: it makes
    ``n_features`` columns and a random linear target, for regression with many inputs.
    """
    _check_sample_count(n_samples)
    _check_non_negative("noise", noise)
    for name, number in (("slope", slope), ("intercept", intercept), ("outlier_scale", outlier_scale)):
        _check_real(name, number)
    _check_real("outliers", outliers)
    if not 0 <= outliers <= 1:
        raise ValueError(f"outliers must be a fraction between 0 and 1, got {outliers!r}")
    low, high = _check_range("x_range", x_range)
    rng = _rng(seed, random_state)
    x = rng.uniform(low, high, n_samples)
    with np.errstate(over="ignore", invalid="ignore"):  # inf and nan: _finite says why
        y = intercept + slope * x + rng.normal(0.0, noise, n_samples)
        n_outliers = math.floor(outliers * n_samples + 0.5)
        outlier_rows = rng.choice(n_samples, size=n_outliers, replace=False)
        y[outlier_rows] += outlier_scale * rng.uniform(1.0, 2.0, len(outlier_rows))
    return _finite(x.reshape(-1, 1).astype(np.float64), y.astype(np.float64), slope=slope, intercept=intercept,
                   noise=noise, outlier_scale=outlier_scale, x_range=x_range)


# ----- feeding data to a model -----


def train_test_split(X, y, test_size=None, shuffle=True, seed=None, stratify=None, *, train_size=None,
                     random_state=None):
    """Split ``X`` and ``y`` into a training part and a held-out test part; returns
    ``X_train, X_test, y_train, y_test``, as scikit-learn's ``train_test_split`` does.

    ``test_size`` is either a fraction in (0, 1) -- the test set gets ``ceil(test_size · n)``
    rows -- or a whole number of rows; None means 0.25, unless ``train_size`` is given (a
    fraction, ``floor(train_size · n)`` rows, or a count), and then the test set is the rest.
    Both parts must end up non-empty, and every row goes into one of them (scikit-learn
    lets a ``test_size`` and ``train_size`` that add up to less leave rows out). With
    ``shuffle=True`` rows are assigned at random (reproducibly for an int ``seed``); with
    ``shuffle=False`` the last rows become the test set.

    ``stratify=y`` (class labels, one per row) splits every class in the same proportion, as
    scikit-learn's ``stratify`` does: class c, with n_c of the n rows, gets n_c · n_test / n
    test rows, rounded down, and the rows that rounding leaves over go to the classes whose
    share was cut most (between equal cuts, at random). So even a small data set's test set
    has the classes in the data's proportions, not by luck. Every class needs at least 2
    rows, and ``shuffle=True``; a class whose share rounds to all or none of its rows (2 rows
    among 12, with 10 test rows) still goes wholly into one set, as in scikit-learn.

    Why: a model is judged on data it never trained on; the gap between training and test
    accuracy is how overfitting shows up.
    """
    X, y = _check_dataset(X, y)
    shuffle = as_switch(shuffle, "shuffle")
    n = len(X)
    if n < 2:
        what = "X is empty" if n == 0 else "X has 1 sample"
        raise ValueError(f"{what}: train_test_split needs at least 2 samples, one for each set")
    n_test = _test_count(test_size, train_size, n)
    rng = _rng(seed, random_state)
    if stratify is not None:
        train, test = _stratified_split(stratify, n, n_test, shuffle, rng)
    else:
        order = rng.permutation(n) if shuffle else np.arange(n)
        train, test = order[: n - n_test], order[n - n_test:]
    return X[train], X[test], y[train], y[test]


def batches(X, y, batch_size=None, shuffle=True, seed=None):
    """One pass (epoch) over the data in chunks: yields ``(X_batch, y_batch)`` pairs that
    together contain every sample exactly once.

    The three variants of gradient descent are one argument apart:

    - ``batch_size=None``: one batch holding the whole set -- batch gradient descent,
      θ ← θ − η · (1/n) Σᵢ ∇L(θ; xᵢ, yᵢ) over all n samples.
    - ``batch_size=1``: one sample at a time -- stochastic gradient descent (SGD),
      θ ← θ − η · ∇L(θ; xᵢ, yᵢ).
    - ``batch_size=m``: mini-batches of m samples (the last one may be smaller) --
      mini-batch gradient descent, θ ← θ − η · (1/m) Σ over the batch.

    With ``shuffle=True`` the samples are visited in random order; an int ``seed`` repeats
    the same order, so pass e.g. ``seed=epoch`` for a new but reproducible order each epoch.
    Arguments are checked when ``batches`` is called, before the first batch is requested.
    """
    X, y = _check_dataset(X, y)
    shuffle = as_switch(shuffle, "shuffle")
    if len(X) == 0:
        raise ValueError("X is empty: batches needs at least one sample")
    if batch_size is not None:
        whole_number(batch_size, "batch_size")
    order = _rng(seed).permutation(len(X)) if shuffle else np.arange(len(X))
    size = len(X) if batch_size is None else batch_size
    return _batch_generator(X, y, order, max(size, 1))


def to_values(X):
    """Turn a numpy array into Values a model can take: a matrix (one sample per row)
    becomes a list of lists, ``[[Value(x) for x in row] for row in X]``, and a single row
    or a label vector becomes ``[Value(x) for x in X]``."""
    array = _as_array(X, "to_values: X", dtype=np.float64)
    if array.ndim == 1:
        return [Value(x) for x in array.tolist()]
    if array.ndim == 2:
        return [[Value(x) for x in row] for row in array.tolist()]
    raise ValueError(f"to_values expects a row (1-D) or a matrix (2-D), got an array of shape {array.shape}")


# ----- helpers -----


def _rng(seed, random_state=None):
    """numpy's Generator for ``seed``, or for ``random_state``, scikit-learn's name for it."""
    if random_state is None:
        return np.random.default_rng(checked_seed(seed))
    if seed is not None:
        raise TypeError("pass seed or random_state (scikit-learn's name for it), not both")
    return np.random.default_rng(checked_seed(random_state, name="random_state"))


def _is_int(x):
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _check_sample_count(n_samples):
    whole_number(n_samples, "n_samples")
    if n_samples > MAX_SAMPLES:
        raise ValueError(
            f"n_samples must be at most {MAX_SAMPLES:,} (a dataset for a scalar engine), got {n_samples:,}; "
            "ask for fewer samples"
        )


def _two_class_counts(n_samples):
    """(class 0's count, class 1's): an int ``n_samples`` halved (class 1 gets the odd one),
    or a pair of counts, as scikit-learn's make_moons and make_circles take it."""
    if not isinstance(n_samples, (tuple, list)):
        _check_sample_count(n_samples)
        return n_samples // 2, n_samples - n_samples // 2
    if len(n_samples) != 2:
        raise ValueError(f"n_samples must be a count or a pair of counts (class 0's, class 1's), got {n_samples!r}")
    return _checked_counts(n_samples)


def _cluster_counts(n_samples):
    """None for a total ``n_samples`` (to be split evenly), or its list of per-cluster counts."""
    if not is_sequence(n_samples):
        _check_sample_count(n_samples)
        return None
    if not len(n_samples):
        raise ValueError("n_samples is an empty list: give a total, or one count per cluster")
    return _checked_counts(n_samples)


def _checked_counts(n_samples):
    """``n_samples`` given as counts, one per class or cluster: each a whole number ≥ 0, and
    together no more than ``_check_sample_count`` allows."""
    counts = [whole_number(n, f"n_samples[{i}]", minimum=0) for i, n in enumerate(n_samples)]
    _check_sample_count(sum(counts))
    return counts


def _cluster_stds(cluster_std, n_clusters):
    """One standard deviation per cluster, from one number or a list of them."""
    if not is_sequence(cluster_std):
        _check_non_negative("cluster_std", cluster_std)
        return np.full(n_clusters, float(cluster_std))
    if len(cluster_std) != n_clusters:
        raise ValueError(f"cluster_std gives {len(cluster_std)} standard deviations for {n_clusters} clusters: "
                         "give one number, or one per cluster")
    for i, std in enumerate(cluster_std):
        _check_non_negative(f"cluster_std[{i}]", std)
    return np.asarray(cluster_std, dtype=np.float64)


def _noise_level(noise):
    """``noise`` checked; None means no noise, as in scikit-learn."""
    if noise is None:
        return 0.0
    _check_non_negative("noise", noise)
    return noise


def _check_real(name, value):
    """A finite real number: inf or nan in a generator's settings would only give inf or nan data."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}: {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")


def _check_non_negative(name, value):
    _check_real(name, value)
    if not value >= 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")


def _check_range(name, bounds):
    try:
        low, high = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair of numbers (low, high), got {bounds!r}") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"{name} must be a pair of finite numbers (low, high), got {bounds!r}")
    if not low < high:
        raise ValueError(f"{name} must be (low, high) with low < high, got {bounds!r}")
    if not math.isfinite(high - low):  # numpy cannot draw from a range wider than the largest float
        raise ValueError(f"{name} is too wide: high - low must be a finite number, got {bounds!r}")
    return low, high


def _check_dataset(X, y):
    X, y = _as_array(X, "X"), _as_array(y, "y")
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(
            f"X and y must be arrays with one entry per sample, got shapes {X.shape} and {y.shape}"
        )
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length, got len(X)={len(X)} and len(y)={len(y)}")
    return X, y


def _as_array(values, name, dtype=None):
    """np.asarray(values, dtype), with errors that name the argument: rows of different
    lengths (numpy says "inhomogeneous shape"), a None (which numpy would quietly make nan)
    or, with a dtype, an entry that is no number."""
    try:
        array = np.asarray(values)
    except ValueError as error:
        if "inhomogeneous" in str(error):
            raise ValueError(
                f"{name} has rows of different lengths: they must all have the same length (one number per "
                "feature), as in [[1, 2], [3, 4]]"
            ) from None
        raise
    if array.ndim and array.dtype == object and any(item is None for item in array.flat):  # not None itself
        raise TypeError(f"{name} holds None, a missing value? Fill it in or drop its row first")
    if dtype is None:
        return array
    try:
        return array.astype(dtype, copy=False)
    except (ValueError, TypeError) as error:
        raise type(error)(f"{name} must hold only numbers ({error})") from None


def _test_count(test_size, train_size, n):
    """How many of n rows go to the test set, from either size or both (as scikit-learn's)."""
    if train_size is None:
        return _set_size("test_size", 0.25 if test_size is None else test_size, n, "test", math.ceil)
    n_train = _set_size("train_size", train_size, n, "training", math.floor)
    if test_size is None:
        return n - n_train
    n_test = _set_size("test_size", test_size, n, "test", math.ceil)
    if n_test + n_train != n:
        raise ValueError(
            f"test_size={test_size!r} and train_size={train_size!r} make {n_test} + {n_train} rows of the {n}: "
            "here every row goes into one of the two sets, so give only one of them"
        )
    return n_test


def _set_size(name, size, n, part, rounding):
    """How many of n rows the ``part`` set gets for ``size``, a fraction (rounded by ``rounding``)
    or a count, leaving both sets at least one row."""
    if isinstance(size, bool) or not isinstance(size, numbers.Real):
        raise TypeError(f"{name} must be a fraction or an int count, got {type(size).__name__}")
    if _is_int(size):
        if not 1 <= size <= n - 1:
            raise ValueError(
                f"{name} as a row count must be between 1 and {n - 1} (n - 1, so both sets "
                f"get a row), got {size!r}"
            )
        return int(size)
    if not 0 < size < 1:
        raise ValueError(f"{name} must be a fraction in (0, 1) or an int count, got {size!r}")
    count = rounding(size * n)
    if not 1 <= count <= n - 1:
        raise ValueError(
            f"{name}={size!r} puts {count} of {n} rows in the {part} set; "
            "both the training and the test set need at least one row"
        )
    return count


def _stratified_split(labels, n, n_test, shuffle, rng):
    """Row indices (train, test), each in random order, with n_test test rows shared out
    over the classes of ``labels`` in proportion to their sizes (see train_test_split)."""
    if not shuffle:
        raise ValueError("stratify needs shuffle=True: a split that keeps the order cannot also balance the classes")
    labels = _as_array(labels, "stratify")
    if labels.ndim != 1 or len(labels) != n:
        raise ValueError(
            f"stratify must hold one class label per row of X ({n}), such as y; got an array of shape {labels.shape}"
        )
    classes, class_of_row, counts = np.unique(labels, return_inverse=True, return_counts=True)
    if counts.min() < 2:
        raise ValueError(
            f"stratify: class {classes[counts.argmin()].item()!r} has only 1 row, too few to split; "
            "every class needs at least 2 rows, as in scikit-learn"
        )
    for part, size in (("test", n_test), ("training", n - n_test)):
        if size < len(classes):
            raise ValueError(
                f"stratify: the {part} set would get {size} rows, fewer than the {len(classes)} classes; "
                "choose a test_size that leaves each set at least one row per class"
            )
    test_counts, left_over = np.divmod(counts * n_test, n)  # integers, so no rounding surprises
    short = n_test - int(test_counts.sum())
    most_cut_first = np.lexsort((rng.random(len(classes)), -left_over))  # a tie is broken at random, as in sklearn
    test_counts[most_cut_first[:short]] += 1
    train_rows, test_rows = [], []
    for c, count in enumerate(test_counts):
        rows = rng.permutation(np.flatnonzero(class_of_row == c))
        test_rows.append(rows[:count])
        train_rows.append(rows[count:])
    return rng.permutation(np.concatenate(train_rows)), rng.permutation(np.concatenate(test_rows))


def _split_evenly(total, parts):
    """Counts for ``parts`` groups summing to ``total``, differing by at most one."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _circle(count, radius):
    angle = np.linspace(0.0, 2.0 * np.pi, count, endpoint=False)
    return radius * np.column_stack([np.cos(angle), np.sin(angle)])


def _blob_centres(centers, n_features, center_box, rng):
    if _is_int(centers):
        whole_number(centers, "centers")
        whole_number(n_features, "n_features")
        if centers * n_features > 2 * MAX_SAMPLES:
            raise ValueError(
                f"{centers:,} centres of {n_features:,} features are too many numbers (at most {2 * MAX_SAMPLES:,}); "
                "ask for fewer centers or features"
            )
        low, high = _check_range("center_box", center_box)
        return rng.uniform(low, high, size=(centers, n_features))
    if isinstance(centers, (bool, numbers.Number, str)):
        raise TypeError(f"centers must be an int or an array of centre coordinates, got {centers!r}")
    try:
        centre_array = np.asarray(centers, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"centers must be an int or an array of centre coordinates: {error}") from None
    if centre_array.ndim != 2 or centre_array.shape[0] < 1 or centre_array.shape[1] < 1:
        raise ValueError(
            f"centers as an array must have shape (clusters, features), got shape {centre_array.shape}"
        )
    if not np.isfinite(centre_array).all():
        raise ValueError(f"centers must be finite coordinates, got {centers!r:.200}")
    return centre_array


def _noisy_shuffled(X, y, noise, rng, shuffle=True, **setting):
    """X plus Gaussian noise of standard deviation ``noise`` (a number, or a column of one per
    row), rows shuffled; ``setting`` (name=value) is what an overflow's error names, the noise
    by default."""
    noisy = X + rng.normal(0.0, noise, X.shape)
    return _finite(*_shuffled(noisy, y, rng, shuffle), **(setting or {"noise": noise}))


def _finite(X, y, **settings):
    """(X, y), or a ValueError naming the ``settings`` (name=value) when the data came out as
    inf or nan: a noise of 1e308 overflows, and a lesson would silently train on nonsense."""
    if np.isfinite(X).all() and np.isfinite(y).all():
        return X, y
    named = ", ".join(f"{name}={value!r}" for name, value in settings.items())
    if len(settings) == 1:
        raise ValueError(f"{named} is too large: the data came out as inf or nan (beyond ±1.8e308); use a smaller one")
    raise ValueError(
        f"{named}: numbers this large together made the data inf or nan (beyond ±1.8e308); use smaller ones"
    )


def _shuffled(X, y, rng, shuffle=True):
    order = rng.permutation(len(X)) if as_switch(shuffle, "shuffle") else np.arange(len(X))
    return X[order].astype(np.float64), y[order].astype(np.int64)


def _batch_generator(X, y, order, size):
    for start in range(0, len(order), size):
        rows = order[start: start + size]
        yield X[rows], y[rows]
