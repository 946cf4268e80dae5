"""Toy datasets: reproducible, the documented shapes and geometry, and batches / splits
that use every sample exactly once."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from micrograd_club import Value
from micrograd_club.data import (
    MAX_SAMPLES,
    batches,
    make_blobs,
    make_circles,
    make_moons,
    make_regression,
    make_spiral,
    make_xor,
    to_values,
    train_test_split,
)
from strategies import batch_sizes, sample_counts, seeds

# name -> (generator, n_features, is_classification)
GENERATORS = {
    "moons": (make_moons, 2, True),
    "circles": (make_circles, 2, True),
    "xor": (make_xor, 2, True),
    "spiral": (make_spiral, 2, True),
    "blobs": (make_blobs, 2, True),
    "regression": (make_regression, 1, False),
}


def indexed_dataset(n):
    """X whose row i is (i, −i) and y = i, so every row can be traced after shuffling."""
    index = np.arange(n)
    return np.column_stack([index, -index]).astype(np.float64), index


# ----- reproducibility -----


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_same_seed_gives_identical_arrays(name):
    make = GENERATORS[name][0]
    X1, y1 = make(n_samples=30, seed=7)
    X2, y2 = make(n_samples=30, seed=7)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_different_seeds_and_no_seed_give_different_arrays(name):
    make = GENERATORS[name][0]
    assert not np.array_equal(make(n_samples=30, seed=1)[0], make(n_samples=30, seed=2)[0])
    assert not np.array_equal(make(n_samples=30)[0], make(n_samples=30)[0])


def test_numpy_global_random_state_is_untouched():
    np.random.seed(123)
    before = np.random.get_state()
    for make, _, _ in GENERATORS.values():
        make(n_samples=20)
        make(n_samples=20, seed=3)
    X, y = make_moons(n_samples=20, seed=0)
    train_test_split(X, y)
    list(batches(X, y, batch_size=3))
    after = np.random.get_state()
    assert before[0] == after[0] and before[2:] == after[2:]
    np.testing.assert_array_equal(before[1], after[1])


# ----- shapes, dtypes, labels -----


@pytest.mark.parametrize("name", sorted(GENERATORS))
@pytest.mark.parametrize("n", [1, 7, 50])
def test_shapes_and_dtypes(name, n):
    make, n_features, is_classification = GENERATORS[name]
    if name == "spiral":
        n = max(n, 3)  # one point per arm at least
    X, y = make(n_samples=n, seed=0)
    assert X.shape == (n, n_features) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == (np.int64 if is_classification else np.float64)
    assert np.all(np.isfinite(X)) and np.all(np.isfinite(y))


@pytest.mark.parametrize("make", [make_moons, make_circles, make_xor])
@given(n=sample_counts())
@settings(max_examples=25)
def test_two_class_sets_are_balanced(make, n):
    """n // 2 points of class 0 and the rest of class 1, for any n (XOR's four clusters
    too: 2 samples are one of each class, 6 are three of each)."""
    _, y = make(n_samples=n, seed=0)
    assert set(y.tolist()) <= {0, 1}
    assert np.bincount(y, minlength=2).tolist() == [n // 2, n - n // 2]


@given(n=sample_counts(3, 90), classes=st.integers(1, 6))
@settings(max_examples=25)
def test_spiral_gives_each_class_its_share(n, classes):
    assume(n >= classes)
    _, y = make_spiral(n_samples=n, classes=classes, seed=0)
    counts = np.bincount(y, minlength=classes)
    assert len(counts) == classes and counts.sum() == n
    assert counts.max() - counts.min() <= 1


def test_rows_are_shuffled_not_grouped_by_class():
    _, y = make_moons(n_samples=100, seed=0)
    assert not np.array_equal(y, np.sort(y))


# ----- geometry -----


def test_moons_without_noise_lie_on_unit_half_circles():
    X, y = make_moons(n_samples=101, noise=0.0, seed=0)
    outer, inner = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0, atol=1e-12)
    assert np.all(outer[:, 1] >= -1e-12) and np.all(inner[:, 1] <= 0.5 + 1e-12)


def test_moons_noise_spreads_points_off_the_circles():
    X, y = make_moons(n_samples=400, noise=0.1, seed=0)
    radius = np.hypot(X[y == 0, 0], X[y == 0, 1])
    assert 0.05 < np.std(radius) < 0.2 and abs(np.mean(radius) - 1.0) < 0.05


@pytest.mark.parametrize("factor", [0.1, 0.5, 0.9])
def test_circles_inner_radius_is_factor(factor):
    X, y = make_circles(n_samples=60, noise=0.0, factor=factor, seed=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0, atol=1e-12)
    np.testing.assert_allclose(radius[y == 1], factor, atol=1e-12)


def test_circles_with_noise_keep_mean_radii():
    X, y = make_circles(n_samples=1000, noise=0.05, factor=0.3, seed=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert abs(radius[y == 1].mean() - 0.3) < 0.02 and abs(radius[y == 0].mean() - 1.0) < 0.02


def test_xor_label_is_sign_disagreement():
    X, y = make_xor(n_samples=200, noise=0.1, seed=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))


def test_xor_without_noise_sits_on_four_corners_evenly():
    X, _ = make_xor(n_samples=10, noise=0.0, seed=0)
    corners, counts = np.unique(X, axis=0, return_counts=True)
    assert corners.tolist() == [[-1, -1], [-1, 1], [1, -1], [1, 1]]
    assert sorted(counts.tolist()) == [2, 2, 3, 3]


def test_spiral_arms_are_rotations_of_each_other():
    """Without noise, arm 0 is (r sin t, r cos t) with r from 0 to 1 and t from 0 to 4,
    and arm j is arm 0 turned by 4j radians."""
    X, y = make_spiral(n_samples=60, classes=3, noise=0.0, seed=0)
    arms = [X[y == j] for j in range(3)]
    for j, arm in enumerate(arms):
        radius = np.hypot(arm[:, 0], arm[:, 1])
        order = np.argsort(radius)
        np.testing.assert_allclose(radius[order], np.linspace(0, 1, 20), atol=1e-12)
        arms[j] = arm[order]
    r, t = np.linspace(0, 1, 20), np.linspace(0, 4, 20)
    np.testing.assert_allclose(arms[0], np.column_stack([r * np.sin(t), r * np.cos(t)]), atol=1e-12)
    for j in (1, 2):
        turn = 4.0 * j  # (r sin t, r cos t) turned by +θ in t
        rotation = np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]])
        np.testing.assert_allclose(arms[0] @ rotation, arms[j], atol=1e-12)


def test_blobs_with_explicit_centres_and_zero_spread_sit_on_the_centres():
    centres = np.array([[0.0, 0.0, 0.0], [10.0, -10.0, 5.0]])
    X, y = make_blobs(n_samples=9, centers=centres, cluster_std=0.0, seed=0)
    assert X.shape == (9, 3)
    np.testing.assert_array_equal(X, centres[y])
    assert np.bincount(y).tolist() == [5, 4]


def test_blobs_cluster_means_are_near_their_centres():
    X, y = make_blobs(n_samples=3000, centers=3, cluster_std=0.5, n_features=4, center_box=(-2, 2), seed=1)
    assert X.shape == (3000, 4) and set(y.tolist()) == {0, 1, 2}
    means = np.array([X[y == k].mean(axis=0) for k in range(3)])
    assert np.all(np.abs(means) <= 2.05)  # centres are drawn inside center_box
    for k in range(3):
        assert 0.45 < X[y == k].std(axis=0).mean() < 0.55


def test_regression_without_noise_lies_on_the_line():
    X, y = make_regression(n_samples=40, slope=-1.5, intercept=3.0, noise=0.0, x_range=(-2, 2), seed=0)
    np.testing.assert_allclose(y, 3.0 - 1.5 * X[:, 0], rtol=0, atol=1e-12)
    assert X.min() >= -2 and X.max() <= 2


@pytest.mark.parametrize("outliers, scale", [(0.2, 10.0), (0.1, -4.0), (0.139, 5.0), (1.0, 3.0)])
def test_regression_outliers_are_the_stated_fraction_on_one_side(outliers, scale):
    X, y = make_regression(n_samples=50, noise=0.0, outliers=outliers, outlier_scale=scale, seed=0)
    residual = y - (1.0 + 2.0 * X[:, 0])
    off = np.abs(residual) > 1e-9
    assert off.sum() == round(outliers * 50)
    assert np.all(np.abs(residual[off]) >= abs(scale)) and np.all(np.sign(residual[off]) == np.sign(scale))


def test_regression_outliers_pull_the_least_squares_fit():
    X, y = make_regression(n_samples=100, noise=0.3, seed=0)
    _, y_out = make_regression(n_samples=100, noise=0.3, outliers=0.1, seed=0)
    fit = np.polyfit(X[:, 0], y, 1)
    fit_out = np.polyfit(X[:, 0], y_out, 1)
    assert fit == pytest.approx([2.0, 1.0], abs=0.3)
    # 10% of points pushed up by 10 to 20 raise the fitted line by about 1.5 in the middle
    assert np.polyval(fit_out, 2.5) - np.polyval(fit, 2.5) > 1.0


# ----- train_test_split -----


@given(n=sample_counts(2, 60), fraction=st.floats(0.05, 0.95), shuffle=st.booleans(), seed=seeds())
@settings(max_examples=60)
def test_split_is_a_partition(n, fraction, shuffle, seed):
    n_test = math.ceil(fraction * n)
    assume(n_test <= n - 1)
    X, y = indexed_dataset(n)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=fraction, shuffle=shuffle, seed=seed)
    assert len(X_test) == len(y_test) == n_test and len(X_train) == len(y_train) == n - n_test
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(n))
    np.testing.assert_array_equal(X_train[:, 0], y_train)  # rows stay paired with labels
    np.testing.assert_array_equal(X_test[:, 0], y_test)
    if not shuffle:
        assert y_train.tolist() == list(range(n - n_test))


def test_split_with_an_int_count_and_a_seed_is_reproducible():
    X, y = indexed_dataset(20)
    first = train_test_split(X, y, test_size=6, seed=4)
    second = train_test_split(X, y, test_size=6, seed=4)
    assert len(first[1]) == 6
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert first[3].tolist() != list(range(14, 20))


@given(counts=st.lists(st.integers(2, 12), min_size=1, max_size=4), fraction=st.floats(0.05, 0.95), seed=seeds())
@settings(max_examples=60)
def test_stratified_split_gives_every_class_its_share_of_the_test_set(counts, fraction, seed):
    n, n_test = sum(counts), math.ceil(fraction * sum(counts))
    assume(len(counts) <= n_test <= n - len(counts))
    X, _ = indexed_dataset(n)  # row i is (i, −i): which rows went where can be read off X
    labels = np.repeat(np.arange(len(counts)), counts)
    X_train, X_test, y_train, y_test = train_test_split(X, labels, test_size=fraction, seed=seed, stratify=labels)
    rows_train, rows_test = X_train[:, 0].astype(int), X_test[:, 0].astype(int)
    assert sorted(np.concatenate([rows_train, rows_test]).tolist()) == list(range(n))
    np.testing.assert_array_equal(y_train, labels[rows_train])
    np.testing.assert_array_equal(y_test, labels[rows_test])
    share = np.array(counts) * n_test / n  # class c's exact share of the test rows
    assert len(y_test) == n_test and np.all(np.abs(np.bincount(y_test, minlength=len(counts)) - share) < 1)
    again = train_test_split(X, labels, test_size=fraction, seed=seed, stratify=labels)
    np.testing.assert_array_equal(again[1], X_test)


def test_stratified_split_shuffles_the_rows_and_breaks_ties_at_random():
    """Each set comes in random order, not class by class (a batch of the first rows would
    hold one class); and when the classes' shares are cut equally by rounding, which class
    gets the row left over is drawn, not always the first."""
    X, _ = indexed_dataset(20)
    labels = np.repeat([0, 1], 10)
    splits = [train_test_split(X, labels, test_size=0.5, seed=seed, stratify=labels) for seed in range(10)]
    assert any(np.any(np.diff(y_train) < 0) for _, _, y_train, _ in splits)
    assert any(np.any(np.diff(y_test) < 0) for _, _, _, y_test in splits)
    X, _ = indexed_dataset(9)
    labels = np.repeat([0, 1, 2], 3)  # 4 test rows: each class's share is 4/3, so one row is left over
    with_the_extra_row = {
        int(np.argmax(np.bincount(train_test_split(X, labels, test_size=4, seed=seed, stratify=labels)[3])))
        for seed in range(30)
    }
    assert with_the_extra_row == {0, 1, 2}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"stratify": [0] * 9 + [1]}, "stratify: class 1 has only 1 row, too few to split"),
        ({"stratify": [0, 1] * 5, "shuffle": False}, "stratify needs shuffle=True"),
        ({"stratify": [0, 1] * 4}, r"one class label per row of X \(10\), such as y; got an array of shape \(8,\)"),
        ({"stratify": [[0, 1]] * 10}, r"one class label per row .* shape \(10, 2\)"),
        ({"stratify": [0, 1, 2] * 3 + [0], "test_size": 2}, "the test set would get 2 rows, fewer than the 3 classes"),
        ({"stratify": [0, 1, 2] * 3 + [0], "test_size": 8}, "the training set would get 2 rows, fewer than the 3"),
    ],
)
def test_bad_stratify_arguments_raise_helpful_errors(kwargs, message):
    X, y = indexed_dataset(10)
    with pytest.raises(ValueError, match=message):
        train_test_split(X, y, **kwargs)


# ----- batches -----


@pytest.mark.parametrize("batch_size", [None, 1, 7])
@pytest.mark.parametrize("shuffle", [False, True])
@given(n=sample_counts(), seed=seeds())
@settings(max_examples=20)
def test_batches_cover_every_sample_once(batch_size, shuffle, n, seed):
    check_one_pass(n, batch_size, shuffle, seed)


@given(n=sample_counts(), batch_size=batch_sizes(), shuffle=st.booleans(), seed=seeds())
@settings(max_examples=60)
def test_batches_cover_every_sample_once_for_any_size(n, batch_size, shuffle, seed):
    check_one_pass(n, batch_size, shuffle, seed)


def check_one_pass(n, batch_size, shuffle, seed):
    X, y = indexed_dataset(n)
    pairs = list(batches(X, y, batch_size=batch_size, shuffle=shuffle, seed=seed))
    size = n if batch_size is None else batch_size
    assert len(pairs) == math.ceil(n / size)
    assert all(len(xb) == len(yb) == size for xb, yb in pairs[:-1])
    assert 1 <= len(pairs[-1][1]) <= size
    seen = np.concatenate([yb for _, yb in pairs])
    assert sorted(seen.tolist()) == list(range(n))
    for xb, yb in pairs:
        np.testing.assert_array_equal(xb[:, 0], yb)
    if not shuffle:
        assert seen.tolist() == list(range(n))


def test_batches_shuffle_is_reproducible_and_actually_shuffles():
    X, y = indexed_dataset(50)
    order = [yb.tolist() for _, yb in batches(X, y, batch_size=5, seed=9)]
    assert order == [yb.tolist() for _, yb in batches(X, y, batch_size=5, seed=9)]
    assert sum(order, []) != list(range(50))


def test_batches_is_a_lazy_generator_that_checks_arguments_immediately():
    X, y = indexed_dataset(5)
    pairs = batches(X, y, batch_size=2, shuffle=False)
    assert iter(pairs) is pairs
    assert next(pairs)[1].tolist() == [0, 1]
    with pytest.raises(ValueError, match="batch_size"):
        batches(X, y, batch_size=0)  # no next(): the call itself raises


# ----- to_values -----


def test_to_values_turns_a_matrix_into_lists_of_values():
    rows = to_values(np.array([[1.0, 2.0], [3.0, 4.5]]))
    assert all(isinstance(v, Value) for row in rows for v in row)
    assert [[v.data for v in row] for row in rows] == [[1.0, 2.0], [3.0, 4.5]]
    assert isinstance(rows[0][0].data, float)


def test_to_values_turns_a_row_into_a_list_of_values():
    row = to_values(np.array([1, 2, 3]))
    assert [v.data for v in row] == [1.0, 2.0, 3.0] and all(isinstance(v, Value) for v in row)


def test_to_values_rejects_other_shapes():
    with pytest.raises(ValueError, match=r"shape \(2, 2, 2\)"):
        to_values(np.zeros((2, 2, 2)))


# ----- bad arguments -----

BAD_ARGUMENTS = [
    (make_moons, {"n_samples": 0}, ValueError, "n_samples must be at least 1, got 0"),
    (make_moons, {"n_samples": -5}, ValueError, "n_samples .* got -5"),
    (make_moons, {"n_samples": 10.0}, TypeError, "n_samples must be a whole number, got float"),
    (make_moons, {"n_samples": True}, TypeError, "n_samples must be a whole number, got bool"),
    (make_moons, {"noise": -0.1}, ValueError, r"noise must be >= 0, got -0\.1"),
    (make_moons, {"noise": float("nan")}, ValueError, "noise must be a finite number, got nan"),
    (make_moons, {"noise": float("inf")}, ValueError, "noise must be a finite number, got inf"),
    (make_moons, {"n_samples": MAX_SAMPLES + 1}, ValueError, "n_samples must be at most 10,000,000 .* got 10,000,001"),
    (make_moons, {"noise": "big"}, TypeError, "noise must be a number"),
    (make_moons, {"seed": 1.5}, TypeError, "seed must be None or a whole number >= 0, got float: 1.5"),
    (make_moons, {"seed": -1}, ValueError, "seed must be None or a whole number >= 0, got -1"),
    (make_circles, {"factor": 1.0}, ValueError, r"factor must be between 0 and 1.*1\.0"),
    (make_circles, {"factor": 0}, ValueError, "factor must be between 0 and 1.*got 0"),
    (make_circles, {"noise": -1}, ValueError, "noise must be >= 0, got -1"),
    (make_xor, {"n_samples": 0}, ValueError, "n_samples must be at least 1"),
    (make_xor, {"noise": -0.5}, ValueError, "noise"),
    (make_spiral, {"classes": 0}, ValueError, "classes must be at least 1, got 0"),
    (make_spiral, {"classes": 2.0}, TypeError, "classes must be a whole number"),
    (make_spiral, {"n_samples": 2, "classes": 3}, ValueError, "n_samples=2 is fewer than classes=3"),
    (make_blobs, {"centers": 0}, ValueError, "centers must be at least 1"),
    (make_blobs, {"centers": 2.5}, TypeError, "centers must be an int or an array"),
    (make_blobs, {"centers": [1.0, 2.0]}, ValueError, r"shape \(clusters, features\), got shape \(2,\)"),
    (make_blobs, {"n_features": 0}, ValueError, "n_features must be at least 1"),
    (make_blobs, {"cluster_std": -1.0}, ValueError, "cluster_std must be >= 0"),
    (make_blobs, {"center_box": (5, -5)}, ValueError, "center_box must be .* low < high"),
    (make_blobs, {"center_box": (-math.inf, 5)}, ValueError, "center_box must be a pair of finite numbers"),
    (make_blobs, {"center_box": (-1e308, 1e308)}, ValueError, "center_box is too wide: high - low must be a finite"),
    (make_blobs, {"centers": [[0.0, math.nan], [1.0, 1.0]]}, ValueError, "centers must be finite coordinates"),
    (make_blobs, {"centers": [["a", "b"]]}, TypeError, "centers must be an int or an array .* 'a'"),
    (make_blobs, {"centers": 10**9}, ValueError, "1,000,000,000 centres of 2 features are too many numbers"),
    (make_blobs, {"n_samples": MAX_SAMPLES, "n_features": 3},
     ValueError, "10,000,000 samples of 3 features are 30,000,000 numbers"),
    (make_spiral, {"n_samples": 10**12}, ValueError, "n_samples must be at most"),
    (make_regression, {"slope": math.nan}, ValueError, "slope must be a finite number, got nan"),
    (make_regression, {"intercept": -math.inf}, ValueError, "intercept must be a finite number, got -inf"),
    (make_regression, {"outlier_scale": math.inf}, ValueError, "outlier_scale must be a finite number"),
    (make_regression, {"x_range": (0, math.inf)}, ValueError, "x_range must be a pair of finite numbers"),
    (make_regression, {"outliers": 1.5},
     ValueError, r"outliers must be a fraction between 0 and 1, got 1\.5"),
    (make_regression, {"noise": -2}, ValueError, "noise must be >= 0"),
    (make_regression, {"x_range": (3, 3)}, ValueError, "x_range must be"),
    (make_regression, {"x_range": 5}, TypeError, "x_range must be a pair of numbers"),
    (make_regression, {"slope": "steep"}, TypeError, "slope must be a number"),
]


@pytest.mark.parametrize(
    "make, kwargs, error, message",
    BAD_ARGUMENTS,
    ids=[f"{make.__name__}-{'-'.join(kwargs)}-{i}" for i, (make, kwargs, _, _) in enumerate(BAD_ARGUMENTS)],
)
def test_bad_generator_arguments_raise_helpful_errors(make, kwargs, error, message):
    with pytest.raises(error, match=message):
        make(**kwargs)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"test_size": 0.0}, ValueError, r"must be a fraction in \(0, 1\) or an int count, got 0\.0"),
        ({"test_size": 1.0}, ValueError, r"test_size .* got 1\.0"),
        ({"test_size": -3}, ValueError, r"test_size as a row count must be between 1 and 9 .*got -3"),
        ({"test_size": 10}, ValueError, r"test_size as a row count must be between 1 and 9 .*got 10"),
        ({"test_size": 0}, ValueError, r"test_size as a row count .*got 0"),
        ({"test_size": 0.99}, ValueError, "test_size=0.99 puts 10 of 10 rows .* at least one row"),
        ({"test_size": True}, TypeError, "test_size must be a fraction or an int count"),
        ({"test_size": "half"}, TypeError, "test_size must be a fraction or an int count"),
        ({"seed": "x"}, TypeError, "seed must be None or a whole number >= 0, got str"),
        ({"shuffle": "no"}, TypeError, "shuffle must be True or False, got str: 'no'"),
    ],
)
def test_bad_split_arguments_raise_helpful_errors(kwargs, error, message):
    X, y = indexed_dataset(10)
    with pytest.raises(error, match=message):
        train_test_split(X, y, **kwargs)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"batch_size": 0}, ValueError, "batch_size must be at least 1, got 0"),
        ({"batch_size": -4}, ValueError, "batch_size must be at least 1, got -4"),
        ({"batch_size": 2.0}, TypeError, "batch_size must be a whole number, got float"),
        ({"seed": 0.5}, TypeError, "seed must be None or a whole number >= 0, got float"),
        ({"shuffle": "no"}, TypeError, "shuffle must be True or False, got str: 'no'"),
    ],
)
def test_bad_batch_arguments_raise_helpful_errors(kwargs, error, message):
    X, y = indexed_dataset(10)
    with pytest.raises(error, match=message):
        batches(X, y, **kwargs)


@pytest.mark.parametrize("use", [train_test_split, batches])
def test_x_and_y_of_different_lengths_are_rejected(use):
    X, y = indexed_dataset(10)
    message = r"X and y must have the same length, got len\(X\)=10 and len\(y\)=9"
    with pytest.raises(ValueError, match=message):
        use(X, y[:9])


@pytest.mark.parametrize(
    "make, kwargs, message",
    [
        (make_moons, {"noise": 1e308}, r"noise=1e\+308 is too large: the data came out as inf or nan"),
        (make_circles, {"noise": 1e308}, r"noise=1e\+308 is too large"),
        (make_xor, {"noise": 1e308}, r"noise=1e\+308 is too large"),
        (make_spiral, {"noise": 1e308}, r"noise=1e\+308 is too large"),
        (make_blobs, {"cluster_std": 1e308}, r"cluster_std=1e\+308 is too large"),
        (make_regression, {"noise": 1e308}, r"noise=1e\+308, .* made the data inf or nan"),
        (make_regression, {"slope": 1e308}, r"slope=1e\+308, .* made the data inf or nan"),
    ],
)
def test_settings_so_large_the_data_overflows_are_named(make, kwargs, message):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no numpy RuntimeWarning about overflow on the way
        with pytest.raises(ValueError, match=message):
            make(n_samples=1000, seed=0, **kwargs)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda X: train_test_split(X, [0, 1]), "X has rows of different lengths"),
        (lambda X: batches(X, [0, 1]), "X has rows of different lengths"),
        (to_values, "to_values: X has rows of different lengths"),
    ],
)
def test_rows_of_different_lengths_are_named(call, message):
    with pytest.raises(ValueError, match=f"{message}: they must all have the same length"):
        call([[1.0, 2.0], [3.0]])


def test_to_values_names_what_is_not_a_number():
    with pytest.raises(ValueError, match="to_values: X must hold only numbers .*'a'"):
        to_values([[1.0, "a"]])


@pytest.mark.parametrize(
    "call, name",
    [
        (to_values, "to_values: X"),
        (lambda X: train_test_split(X, [0, 1, 1]), "X"),
        (lambda X: batches(X, [0, 1, 1]), "X"),
    ],
)
def test_a_missing_value_is_refused_not_made_nan(call, name):
    # numpy turns None into nan when it makes floats, which would train on nan without a word
    with pytest.raises(TypeError, match=f"^{name} holds None, a missing value"):
        call([[1.0, 2.0], [None, 4.0], [5.0, 6.0]])


@pytest.mark.parametrize("split", [train_test_split, batches])
def test_no_y_at_all_is_not_called_a_missing_value(split):
    with pytest.raises(ValueError, match=r"X and y must be arrays with one entry per sample, got shapes \(2, 1\) and"):
        split([[1.0], [2.0]], None)  # y forgotten: there is no row to fill in or drop


def test_split_of_no_samples_says_x_is_empty():
    with pytest.raises(ValueError, match="X is empty"):
        train_test_split([], [])


@pytest.mark.parametrize("test_size", [0.25, 1])
def test_split_of_one_sample_says_so_whatever_the_test_size(test_size):
    # a count of 1 used to be told it "must be between 1 and 0"
    with pytest.raises(ValueError, match="X has 1 sample: train_test_split needs at least 2 samples, one for each"):
        train_test_split([[1.0, 2.0]], [0], test_size=test_size)


# noise is on the angle only: radius gives each point's index k on its arm, so the
# angle's residual from 4j + 4k/(count − 1) is the noise itself, std ≈ noise
def test_spiral_noise_perturbs_the_angle_with_the_stated_std():
    X, y = make_spiral(n_samples=3000, classes=3, noise=0.2, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    k = np.rint(r * 999)
    keep = k > 0
    expected = 4.0 * y + 4.0 * k / 999
    residual = np.angle(np.exp(1j * (np.arctan2(X[:, 0], X[:, 1]) - expected)))[keep]
    assert 0.18 < residual.std() < 0.22


def test_batches_of_an_empty_data_set_is_an_error_not_an_empty_loop():
    with pytest.raises(ValueError, match="X is empty: batches needs at least one sample"):
        batches([], [])


def test_shuffle_takes_true_false_1_and_0_but_not_a_string():
    X, y = np.zeros((8, 2)), np.zeros(8)
    assert len(list(batches(X, y, 4, shuffle=0))) == 2 and len(train_test_split(X, y, shuffle=1)) == 4
    with pytest.raises(TypeError, match="shuffle must be True or False, got str: 'no'"):
        train_test_split(X, y, shuffle="no")


def test_shuffle_takes_numpy_bools():
    X, y = np.zeros((8, 2)), np.zeros(8)
    assert len(train_test_split(X, y, shuffle=np.False_)) == 4
    assert len(list(batches(X, y, 4, shuffle=np.True_))) == 2


# ----- scikit-learn's forms, as code ported from its examples writes them -----
# (same meaning and distributions as scikit-learn's; the numbers differ, as its random stream is RandomState)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_random_state_is_sklearns_name_for_seed(name):
    make = GENERATORS[name][0]
    for a, b in zip(make(n_samples=30, random_state=4), make(n_samples=30, seed=4)):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match="pass seed or random_state .*, not both"):
        make(n_samples=30, seed=1, random_state=1)
    with pytest.raises(TypeError, match="random_state must be None or a whole number >= 0, got RandomState"):
        make(n_samples=30, random_state=np.random.RandomState(0))


def test_karpathys_moons_call_runs_as_written():
    X, y = make_moons(n_samples=100, noise=0.1, random_state=0)
    np.testing.assert_array_equal(X, make_moons(100, 0.1, seed=0)[0])
    assert X.shape == (100, 2) and np.bincount(y).tolist() == [50, 50]


@pytest.mark.parametrize("make", [make_moons, make_circles])
def test_noise_none_means_no_noise_and_a_pair_of_counts_sizes_each_class(make):
    np.testing.assert_array_equal(make(n_samples=11, noise=None, seed=2)[0], make(n_samples=11, noise=0, seed=2)[0])
    X, y = make(n_samples=(3, 8), noise=None, shuffle=False)
    assert y.tolist() == [0] * 3 + [1] * 8 and X.shape == (11, 2)
    np.testing.assert_array_equal(X[y == 1], make(n_samples=(5, 8), noise=None, shuffle=False)[0][5:])
    with pytest.raises(ValueError, match=r"n_samples must be a count or a pair of counts .*got \(1, 2, 3\)"):
        make(n_samples=(1, 2, 3))
    with pytest.raises(TypeError, match="n_samples.1. must be a whole number"):
        make(n_samples=(1, 2.5))


@pytest.mark.parametrize("make", [make_moons, make_circles, make_blobs])
def test_shuffle_false_keeps_the_classes_in_order(make):
    X, y = make(n_samples=30, shuffle=False, seed=0)
    assert y.tolist() == sorted(y.tolist()) and len(set(y.tolist())) >= 2
    shuffled = make(n_samples=30, seed=0)[1]
    assert sorted(shuffled.tolist()) == y.tolist() and shuffled.tolist() != y.tolist()
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        make(n_samples=30, shuffle="no")


def test_blobs_take_a_count_and_a_spread_per_cluster_and_return_the_centres():
    X, y, centres = make_blobs(n_samples=[300, 100], centers=None, cluster_std=[2.0, 0.0], random_state=0,
                               return_centers=True)
    assert centres.shape == (2, 2) and np.bincount(y).tolist() == [300, 100]
    np.testing.assert_array_equal(X[y == 1], np.repeat(centres[1:], 100, axis=0))  # a spread of 0
    assert 1.7 < X[y == 0].std(axis=0).mean() < 2.3
    assert len(set(make_blobs(n_samples=30, centers=None, seed=0)[1].tolist())) == 3  # None: 3, as in sklearn
    with pytest.raises(ValueError, match="n_samples gives counts for 2 clusters but there are 3 centers"):
        make_blobs(n_samples=[5, 5], centers=3)
    with pytest.raises(ValueError, match="cluster_std gives 3 standard deviations for 2 clusters"):
        make_blobs(n_samples=[5, 5], centers=None, cluster_std=[1, 1, 1])
    with pytest.raises(ValueError, match=r"cluster_std\[1\] must be >= 0"):
        make_blobs(centers=2, cluster_std=[1, -1])


@pytest.mark.parametrize(
    "kwargs, n_test",
    [({}, 3), ({"test_size": None}, 3), ({"train_size": 0.75}, 3), ({"train_size": 8}, 2),
     ({"train_size": 0.8, "test_size": 0.2}, 2)],
)
def test_split_takes_sklearns_train_size_and_test_size_none(kwargs, n_test):
    X, y = indexed_dataset(10)  # sklearn: test ceil(0.25 · 10) = 3; train floor(0.75 · 10) = 7, test the rest
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, **kwargs)
    assert len(X_test) == len(y_test) == n_test and len(X_train) == 10 - n_test
    with pytest.raises(ValueError, match=r"make 3 \+ 5 rows of the 10: .*give only one of them"):
        train_test_split(X, y, test_size=3, train_size=5)
    with pytest.raises(ValueError, match="train_size=0.05 puts 0 of 10 rows in the training set"):
        train_test_split(X, y, train_size=0.05)
