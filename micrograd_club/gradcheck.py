"""Check backpropagation against finite differences, like ``torch.autograd.gradcheck``.

The derivative of f at x is the slope of f over a tiny step. The central difference

    ∂f/∂xᵢ ≈ (f(…, xᵢ + ε, …) − f(…, xᵢ − ε, …)) / 2ε

needs nothing but two calls to f, so it is a trustworthy (if slow and slightly noisy)
reference for the analytic gradient that ``backward()`` computes with the chain rule.
``gradcheck`` puts the two side by side, one row per input::

    print(gradcheck(lambda a, b: a * b + a.tanh(), [2.0, -3.0]))

    gradcheck passed: all 2 gradients match
    pass if |analytic − numerical| ≤ 1e-05 + 0.0001·|numerical|  (ε = 1e-06)
    #  input  value  analytic  numerical  abs error  ok
    0  a          2  -2.92935   -2.92935    8.2e-11  ✓
    1  b         -3         2          2    2.8e-10  ✓
"""

import inspect
import math
import numbers
from collections.abc import Sequence
from typing import NamedTuple

from micrograd_club._inputs import as_switch
from micrograd_club.engine import Value, enable_grad, no_grad
from micrograd_club.viz.notation import partial

__all__ = ["numerical_grad", "gradcheck", "GradcheckReport", "GradcheckRow", "GradcheckError"]


def numerical_grad(f, inputs, eps=1e-6):
    """The gradient of ``f`` at ``inputs`` by central differences, as a list of floats:

        ∂f/∂xᵢ ≈ (f(…, xᵢ + ε, …) − f(…, xᵢ − ε, …)) / 2ε     with ε = ``eps``

    ``f`` takes the inputs as separate arguments -- it is called with fresh ``Value``
    objects -- and returns one number (a Value or a float). ``inputs`` is a list of numbers
    or Values (their ``.data`` is used; they are not changed). The error of the estimate
    shrinks like ε², until rounding error (about 1e-16 / ε) takes over.
    """
    _check_callable(f)
    xs = _input_floats(inputs)
    _check_positive("eps", eps)
    return [_central_difference(f, xs, i, eps, read=_one_output)[0] for i in range(len(xs))]


def gradcheck(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-4, *, raise_exception=False):
    """Compare the gradient ``backward()`` computes with the numerical one.

    Builds one Value per input, calls ``f`` on them and runs ``backward()`` on the result
    (the analytic gradient), then estimates each ∂f/∂xᵢ by central differences, as
    ``numerical_grad`` does. Input i passes when both are finite and

        |analytic − numerical| ≤ atol + rtol · |numerical|

    which is ``torch.autograd.gradcheck``'s rule. ``f`` returns one number, or a list or
    tuple of them (as ``softmax`` does): then every output is checked against every input,
    as PyTorch checks each entry of the Jacobian, in rows labelled ``∂out[k]/∂x``.

    Returns a ``GradcheckReport``: one row per input (per output and input), ``.ok`` (and
    ``bool(report)``) true when every row passes, so ``assert gradcheck(f, inputs)`` works as
    with PyTorch's True or False; ``print(report)`` shows a table with ✓/✗ marks.
    ``raise_exception=True`` raises a ``GradcheckError`` (a RuntimeError, whose message is
    that table) when a row fails, as PyTorch does.

    Where PyTorch's differs: it raises by default (here the report is the lesson, so
    ``raise_exception`` is False unless you ask); its ``rtol`` is 1e-3 (1e-4 here: central
    differences in double precision are far closer than that); it checks only the inputs
    that require grad (here every input, number or Value).
    """
    raise_exception = as_switch(raise_exception, "raise_exception")
    _check_callable(f)
    inputs = _input_list(inputs)  # once: a generator would be used up by the first pass
    xs = _input_floats(inputs)
    _check_positive("eps", eps)
    _check_non_negative("atol", atol)
    _check_non_negative("rtol", rtol)
    labels = _input_labels(f, inputs)
    analytic, output_notes, several = _analytic_grad(f, xs, labels)  # analytic[k][i] = ∂out[k]/∂xᵢ
    numerical = _numerical_jacobian(f, xs, eps, len(analytic))
    rows = []
    for k, notes in enumerate(output_notes):
        names = [partial(f"out[{k}]", label) for label in labels] if several else labels
        for i, x in enumerate(xs):
            row = _compare(i, names[i], x, analytic[k][i], numerical[k][i], atol, rtol, notes)
            if _finite_failure(row):
                row = _note_a_kink(row, f, xs, eps, k)
            rows.append(row if row.ok else _note_a_lost_step(row, eps))
    report = GradcheckReport(rows, eps=eps, atol=atol, rtol=rtol)
    if raise_exception and not report.ok:
        raise GradcheckError(report)
    return report


class GradcheckError(RuntimeError):
    """A failed ``gradcheck(..., raise_exception=True)``, as PyTorch's GradcheckError (also a
    RuntimeError). The message is the report's table; ``.report`` holds its rows."""

    def __init__(self, report):
        super().__init__(str(report))
        self.report = report


def _note_a_lost_step(row, eps):
    """A failed row whose input is so large that x ± ε rounds (x + ε − (x − ε) is not 2ε)
    says so: the central difference there is rounding noise, not a check of the engine."""
    realised = (row.value + eps) - (row.value - eps)
    if abs(realised - 2 * eps) <= 0.01 * 2 * eps:
        return row
    suggestion = abs(row.value) * 1e-6
    note = (f"eps = {eps:g} is lost to rounding next to this input (the floats nearest {row.value:g} ± {eps:g} "
            f"are not {eps:g} away), so the numerical gradient is noise. Use an eps near |x|·1e-6, "
            f"e.g. eps={suggestion:.1g}")
    return row._replace(note=note)


def _finite_failure(row):
    return not row.ok and math.isfinite(row.analytic) and math.isfinite(row.numerical)


def _note_a_kink(row, f, xs, eps, output=0):
    """A failed row whose input sits on a corner of f (relu, abs, clamp or max exactly at its
    kink) says so: there the slope from the left and from the right differ, the central
    difference is their average, and backward() gives one side, as PyTorch does."""
    try:
        here, plus, minus = (_evaluate_nudged(f, xs, row.index, step)[output] for step in (0.0, eps, -eps))
        right = (plus - here) / eps
        left = (here - minus) / eps
    except ValueError:
        return row
    smooth = abs(right - left) <= 1e-3 + 1e-2 * max(abs(right), abs(left))  # a smooth f's differ by about f''·ε
    if smooth or not (math.isfinite(left) and math.isfinite(right)):
        return row
    note = (f"f has a corner at this input (slope {left:.4g} from the left, {right:.4g} from the right), "
            "so it has no derivative here; backward() takes one side, as PyTorch does. Check at a point "
            "off the corner")
    return row._replace(note=note)


class GradcheckRow(NamedTuple):
    """One input's comparison; ``note`` explains a failure ("" when nothing to add)."""

    index: int
    label: str
    value: float
    analytic: float
    numerical: float
    abs_error: float
    ok: bool
    note: str = ""


class GradcheckReport(Sequence):
    """The rows of a gradcheck, one per input, with a verdict.

    ``report.ok`` / ``bool(report)``: every row passed.  ``report[i]``: row i (a
    ``GradcheckRow``).  ``print(report)``: an aligned table.  ``report.as_dicts()``: the
    rows as plain dicts, e.g. for ``pandas.DataFrame(report.as_dicts())``.
    """

    COLUMNS = ("#", "input", "value", "analytic", "numerical", "abs error", "ok")

    def __init__(self, rows, eps, atol, rtol):
        self.rows = tuple(rows)
        self.eps, self.atol, self.rtol = eps, atol, rtol

    @property
    def ok(self):
        """True when every input's gradient passed."""
        return all(row.ok for row in self.rows)

    def __bool__(self):
        return self.ok

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        return self.rows[index]

    def as_dicts(self):
        """The rows as plain dicts, one per input, with the fields of ``GradcheckRow``."""
        return [row._asdict() for row in self.rows]

    def __str__(self):
        failed = sum(not row.ok for row in self.rows)
        if failed:
            verdict = f"gradcheck FAILED: {failed} of {len(self.rows)} gradients differ"
        else:
            verdict = f"gradcheck passed: all {len(self.rows)} gradients match"
        rule = (
            f"pass if |analytic − numerical| ≤ {self.atol:g} + {self.rtol:g}·|numerical|"
            f"  (ε = {self.eps:g})"
        )
        return "\n".join([verdict, rule, *_table(self.COLUMNS, [_cells(row) for row in self.rows])])

    def __repr__(self):
        return f"<GradcheckReport ok={self.ok}, {len(self.rows)} inputs>"

    def _repr_pretty_(self, printer, cycle):
        """Show the table when a report ends a notebook cell."""
        printer.text(str(self))


# ----- the two gradients -----


def _numerical_jacobian(f, xs, eps, n_outputs):
    """∂out[k]/∂xᵢ by central differences, as a list per output of f (of ``n_outputs``)."""
    columns = [_central_difference(f, xs, i, eps) for i in range(len(xs))]
    if any(len(column) != n_outputs for column in columns):
        raise ValueError(f"f returned {n_outputs} outputs at the inputs but another number of them within ±ε: "
                         "f must return as many outputs wherever it is evaluated")
    return [[column[k] for column in columns] for k in range(n_outputs)]


def _central_difference(f, xs, i, eps, read=None):
    """[(outₖ(xᵢ + ε) − outₖ(xᵢ − ε)) / 2ε for each output k of f]; ``read`` turns f's result
    into its list of outputs (``_output_floats`` unless given)."""
    plus = _evaluate_nudged(f, xs, i, eps, read)
    minus = _evaluate_nudged(f, xs, i, -eps, read)
    return [(p - m) / (2 * eps) for p, m in zip(plus, minus)]


def _evaluate_nudged(f, xs, i, step, read=None):
    """f's outputs as floats, with inputs[i] moved by ``step``."""
    nudged = list(xs)
    nudged[i] += step
    try:
        with no_grad():  # only the number is needed, not the graph
            return (read or _output_floats)(f(*[Value(x) for x in nudged]))
    except (ValueError, ArithmeticError) as error:
        sign = "+" if step > 0 else "−"
        raise ValueError(
            f"numerical gradient: f failed at inputs[{i}] {sign} ε = {nudged[i]!r} "
            f"({type(error).__name__}: {error}). Central differences need f defined within ±ε "
            "of every input: move the input away from the edge of f's domain or use a smaller eps."
        ) from error


def _analytic_grad(f, xs, labels):
    """∂out[k]/∂xᵢ from ``backward()``, a list per output of f; a note per output (why it
    fails when it was not a Value); and whether f returned several outputs."""
    leaves = [Value(x, label=label) for x, label in zip(xs, labels)]
    with enable_grad():  # the graph is needed even when gradcheck is called inside no_grad()
        out = f(*leaves)
    _output_floats(out)
    outputs = list(out) if isinstance(out, (list, tuple)) else [out]
    grads, notes = [], []
    for output in outputs:
        for leaf in leaves:
            leaf.grad = 0.0  # leaves accumulate: each output's backward() starts from 0
        if isinstance(output, Value):
            output.backward()
        grads.append([leaf.grad for leaf in leaves])
        notes.append("" if isinstance(output, Value) else "f returned a plain number, not a Value, so backward() "
                     "has no graph")
    return grads, notes, isinstance(out, (list, tuple))


def _compare(index, label, value, analytic, numerical, atol, rtol, output_note):
    abs_error = abs(analytic - numerical)
    finite = math.isfinite(analytic) and math.isfinite(numerical)
    ok = finite and abs_error <= atol + rtol * abs(numerical)
    note = "" if ok else _failure_note(analytic, numerical, output_note)
    return GradcheckRow(index, label, value, analytic, numerical, abs_error, ok, note)


def _failure_note(analytic, numerical, output_note):
    if not math.isfinite(analytic):
        return f"analytic gradient is {analytic}: a local derivative is infinite or nan here"
    if not math.isfinite(numerical):
        return f"numerical gradient is {numerical}: f is not finite within ±ε of this input"
    if output_note:
        return output_note
    if analytic == 0:
        return (
            "analytic gradient is 0 but f changes with this input: a wrong local derivative, "
            "or a broken graph (Value(x.data), math.f(x.data))?"
        )
    return "the derivative formulas (local_grads) on the path to this input disagree with f"


# ----- checking what the caller passed -----


def _check_callable(f):
    if not callable(f):
        raise TypeError(f"f must be a function of the inputs, e.g. lambda x, y: x * y; got {f!r:.60}")


def _input_list(inputs):
    if isinstance(inputs, (Value, numbers.Number, str)) or not hasattr(inputs, "__iter__"):
        raise TypeError(f"inputs must be a list of numbers, e.g. [2.0, -3.0]; got {inputs!r:.60}")
    values = list(inputs)
    if not values:
        raise ValueError("inputs is empty: give at least one number to differentiate with respect to")
    return values


def _input_floats(inputs):
    return [_input_float(i, x) for i, x in enumerate(_input_list(inputs))]


def _input_float(i, x):
    if isinstance(x, Value):
        return x.data
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        try:
            return float(x)
        except OverflowError:
            raise ValueError(f"inputs[{i}] = {x!r:.40} is too large for a float (over 1.8e308)") from None
    raise TypeError(f"inputs[{i}] must be a number or a Value, got {type(x).__name__}: {x!r:.60}")


def _one_output(out):
    """[f's result as a float], or a TypeError: numerical_grad's f returns one number."""
    if isinstance(out, (Value, numbers.Real)):
        return _output_floats(out)
    raise TypeError(
        f"f must return a single number (a Value or a float), got {type(out).__name__}: {out!r:.60}. "
        "For a function with several outputs, gradcheck checks each of them; numerical_grad takes one "
        "at a time, e.g. lambda *xs: f(*xs)[0]."
    )


def _output_floats(out):
    """f's result as a list of floats: one number, or a list or tuple of them."""
    several = isinstance(out, (list, tuple))
    outputs = list(out) if several else [out]
    if several and not outputs:
        raise TypeError(f"f returned an empty {type(out).__name__}: it must return a number or a list of them")
    floats = []
    for k, output in enumerate(outputs):
        if isinstance(output, Value):
            floats.append(output.data)
        elif isinstance(output, numbers.Real):
            floats.append(float(output))
        else:
            what = f"output [{k}] of f must be a number" if several else "f must return a single number"
            raise TypeError(
                f"{what} (a Value or a float), or a list or tuple of them, got {type(output).__name__}: "
                f"{output!r:.60}"
            )
    return floats


def _check_positive(name, value):
    if not (isinstance(value, numbers.Real) and math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")


def _check_non_negative(name, value):
    if not (isinstance(value, numbers.Real) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")


def _input_labels(f, inputs):
    """A name per input: the Value's own label, else f's parameter name, else x0, x1, …"""
    names = _parameter_names(f)
    labels = []
    for i, x in enumerate(inputs):
        if isinstance(x, Value) and x.label:
            labels.append(x.label)
        elif i < len(names):
            labels.append(names[i])
        else:
            labels.append(f"x{i}")
    return labels


def _parameter_names(f):
    try:
        parameters = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):  # builtins and some C functions have no signature
        return []
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    names = []
    for parameter in parameters:
        if parameter.kind not in positional:
            break
        names.append(parameter.name)
    return names


# ----- the table -----


def _cells(row):
    mark = "✓" if row.ok else "✗"
    floats = (row.value, row.analytic, row.numerical)
    return [str(row.index), row.label, *(f"{x:.6g}" for x in floats), f"{row.abs_error:.1e}", mark, row.note]


def _table(header, body):
    """Lines of an aligned table: text columns left-aligned, numbers right-aligned; the
    last cell of a body row (the note) is left unpadded."""
    widths = [max(len(line[c]) for line in [header, *body]) for c in range(len(header))]
    left_aligned = {1, len(header) - 1}

    def line(cells):
        padded = [
            cell.ljust(width) if c in left_aligned else cell.rjust(width)
            for c, (cell, width) in enumerate(zip(cells, widths))
        ]
        return "  ".join(padded + list(cells[len(header):])).rstrip()

    return [line(list(header)), *(line(cells) for cells in body)]
