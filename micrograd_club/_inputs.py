"""Turning what a user passes (Values, numbers, lists, numpy arrays) into Values, with
errors that name the function, the argument and the position that was wrong."""

import math
import numbers

from micrograd_club.engine import Constant, Value


def as_sequence(x, where, name):
    """x as a non-empty list: a single Value/number becomes a list of one."""
    if is_scalar(x):
        return [x]
    if not is_sequence(x):
        shape = f"a {x.ndim}-d array" if hasattr(x, "ndim") else type(x).__name__
        raise TypeError(
            f"{where}: {name} must be a Value, a number, or a list, tuple or 1-d array of them; "
            f"got {shape}{_column_hint(x, name)}"
        )
    items = list(x)
    if not items:
        raise ValueError(f"{where}: got no {name}; pass at least one")
    return items


def _column_hint(x, name):
    """For an array of shape (n, 1), a column as PyTorch and scikit-learn often keep targets:
    how to pass it, the argument called ``name``, as one number per example."""
    if getattr(x, "ndim", None) == 2 and x.shape[1] == 1:
        return f" of shape {x.shape}, one column: pass it as one number per example, {name}.ravel()"
    return ""


def as_value(x, where, name):
    """x as a Value (numbers become Constant leaves, so traces and diagrams show a target
    such as 3.0 as the constant it is), or a TypeError naming the argument."""
    if isinstance(x, Value):
        return x
    if is_scalar(x):
        return Constant(x)
    kind = "a list" if is_sequence(x) else type(x).__name__
    raise TypeError(f"{where}: {name} must be a Value or a number, got {kind}: {x!r:.40}")


def as_switch(value, name):
    """A setting that is on or off, as a bool: True, False, 1, 0 or a numpy bool. Anything
    else is refused: the string "False" would count as true and switch the setting on."""
    if isinstance(value, bool) or (isinstance(value, numbers.Integral) and value in (0, 1)):
        return bool(value)
    if getattr(value, "ndim", None) == 0 and getattr(getattr(value, "dtype", None), "kind", "") == "b":
        return bool(value)  # numpy's bool (named bool_ before numpy 2), as is_scalar recognises numpy numbers
    raise TypeError(f"{name} must be True or False, got {type(value).__name__}: {value!r:.40}")


def whole_number(n, name, minimum=1, maximum=None):
    """n as an int from ``minimum`` to ``maximum`` (no upper limit for None): a count such as
    n_samples, epochs, a layer size or a plot's resolution. A float such as 2.0 is refused
    (TypeError), as a number out of range is (ValueError), each with a message naming it."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):  # numpy ints are Integral too
        raise TypeError(f"{name} must be a whole number, got {type(n).__name__}: {n!r:.40}")
    if n < minimum or (maximum is not None and n > maximum):
        limits = f"at least {minimum:,}" if maximum is None else f"a whole number from {minimum:,} to {maximum:,}"
        raise ValueError(f"{name} must be {limits}, got {n!r}")
    return int(n)


def checked_seed(seed, or_also="", name="seed"):
    """``seed`` as an int, or None for fresh randomness on every call: the one check of every
    function that takes a seed. A negative seed is refused, as numpy's generators refuse it
    (Python's ``random.Random(-1)`` would quietly repeat ``random.Random(1)``). ``or_also`` names
    what the caller takes besides, such as "a numpy Generator", for the message; ``name`` is the
    argument's name in it (``random_state``, scikit-learn's name for a seed)."""
    accepted = f"None, a whole number >= 0 or {or_also}" if or_also else "None or a whole number >= 0"
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):  # numpy ints are Integral too
        raise TypeError(f"{name} must be {accepted}, got {type(seed).__name__}: {seed!r:.40}")
    if seed < 0:
        raise ValueError(f"{name} must be {accepted}, got {seed!r}")
    return int(seed)


def is_finite_number(x):
    """A real number (not a bool) that is a finite float: not nan or ±inf, nor an int too large
    for a float (10**400), which Python cannot even compare with inf."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return False
    try:
        return math.isfinite(x)
    except OverflowError:  # an int (or Fraction) too large for a float
        return False


def is_scalar(x):
    """A Value, a real number, or a numpy scalar / 0-d array of numbers."""
    if isinstance(x, (Value, numbers.Real)):
        return True
    kind = getattr(getattr(x, "dtype", None), "kind", "")
    return getattr(x, "ndim", None) == 0 and kind in ("b", "i", "u", "f")


def is_sequence(x):
    """A list, a tuple or a 1-d numpy array."""
    return isinstance(x, (list, tuple)) or getattr(x, "ndim", None) == 1
