"""Turn a formula typed by a student, such as ``"tanh(w*x + b)"``, into a graph of Values
that ``backward()`` and the diagrams can use -- safely.

The text is read with ``ast.parse(text, mode="eval")`` and checked against a whitelist
before anything is computed: numbers, variables, ``+ - * / **``, unary ``-``/``+`` and
calls of the engine's functions (exp, log, sqrt, tanh, sigmoid or σ, relu, leaky_relu,
softplus, abs). Nothing is ever passed to ``eval``/``exec``/``compile``; every other
construct (attribute access, other calls, lambdas, strings, subscripts …) is refused with
an ExpressionError naming it and its column. Size limits are checked before parsing or
computing, so hostile input is refused at once.

    >>> inputs = {"x": 1.0, "w": 0.4, "b": 0.1}
    >>> f = parse_expression("tanh(w*x + b)", inputs)
    >>> round(f.data, 4)
    0.4621
"""

import ast
import io
import keyword
import math
import re
import tokenize
import unicodedata
from collections.abc import Mapping
from typing import NamedTuple

from micrograd_club._inputs import is_finite_number, is_scalar
from micrograd_club.engine import Constant, Value

__all__ = ["parse_expression", "parse_assignments", "ExpressionError", "FUNCTIONS"]

MAX_LENGTH = 1000  # characters
MAX_NODES = 200  # AST nodes
MAX_DEPTH = 50  # nesting levels
LONGEST_LABEL = 30  # longer expressions label their result "f"


def _leaky_relu(x, negative_slope=0.01):
    return x.leaky_relu(negative_slope)


# name -> (the engine's function, the numbers of arguments it takes)
FUNCTIONS = {
    "exp": (Value.exp, (1,)),
    "log": (Value.log, (1,)),
    "sqrt": (Value.sqrt, (1,)),
    "tanh": (Value.tanh, (1,)),
    "sigmoid": (Value.sigmoid, (1,)),
    "σ": (Value.sigmoid, (1,)),
    "relu": (Value.relu, (1,)),
    "leaky_relu": (_leaky_relu, (1, 2)),
    "softplus": (Value.softplus, (1,)),
    "abs": (Value.abs, (1,)),
}
ARITHMETIC = {
    ast.Add: Value.__add__,
    ast.Sub: Value.__sub__,
    ast.Mult: Value.__mul__,
    ast.Div: Value.__truediv__,
}
WHAT_IS_ALLOWED = (
    "use only numbers, variables, + - * / ** and the functions "
    "exp, log, sqrt, tanh, sigmoid (or σ), relu, leaky_relu, softplus, abs"
)
OPERATOR_SYMBOLS = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&", ast.Not: "not", ast.Invert: "~",
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
    ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
}
DESCRIPTIONS = {
    ast.Lambda: "a lambda",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.List: "a list [...]",
    ast.Tuple: "a tuple (a comma outside a function call)",
    ast.Set: "a set {...}",
    ast.Dict: "a dict {...}",
    ast.IfExp: "a conditional expression (... if ... else ...)",
    ast.BoolOp: "a boolean operator (and / or)",
    ast.NamedExpr: "an assignment expression (:=)",
    ast.Starred: "unpacking with *",
    ast.JoinedStr: "an f-string",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield from",
}
# Nodes that only say which operator or context a parent has; never counted or reported.
_MARKERS = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


class ExpressionError(ValueError):
    """The expression cannot be read, is not allowed, or cannot be computed; the message
    says what and where (1-based column), and how to fix it."""


class _Problem(NamedTuple):
    """One construct that is not allowed: where it is, what it is, and what to do instead."""

    line: int
    column: int  # 0-based character offset into the line
    what: str
    hint: str = WHAT_IS_ALLOWED


def parse_expression(text, variables):
    """The expression ``text`` as a Value graph, with ``variables`` mapping names to numbers
    (each becomes ``Value(number, label=name)``; a Value is used as it is). The result is
    labelled with the text if it has at most 30 characters, else "f".

    Raises ExpressionError (a ValueError) for anything outside the whitelist, unknown
    variables, input over the size limits, and math errors such as log(0) or a power too
    large for a float. (exp overflows to inf, as torch.exp does, rather than raising.)
    """
    if not isinstance(text, str):
        raise TypeError(f"the expression must be a str, got {type(text).__name__}")
    _check_length(text)
    values = _variable_values(variables)
    source = _Source(text)
    tree = _parse(source)
    _check_size(tree)
    _check_whitelist(tree, values, source)
    try:
        result = _evaluate(tree.body, values)
    except (OverflowError, ZeroDivisionError, ValueError) as error:
        raise ExpressionError(str(error)) from None
    if result.parents or isinstance(result, Constant):
        result.label = source.text if len(source.text) <= LONGEST_LABEL else "f"
    return result


def parse_assignments(items):
    """``["x=1", "w=0.4"]`` (as given to ``--set``) as ``{"x": 1.0, "w": 0.4}``, in order.
    Raises ExpressionError for an item without "=", an invalid or repeated name, a
    function's name, or a value that is not a finite number."""
    wrong = TypeError(f'parse_assignments expects a list of "NAME=NUMBER" strings such as ["x=1"], got {items!r:.60}')
    if isinstance(items, str) or not hasattr(items, "__iter__"):
        raise wrong
    items = list(items)
    if not all(isinstance(item, str) for item in items):
        raise wrong
    assignments = {}
    for item in items:
        name, separator, number = (part.strip() for part in item.partition("="))
        name = unicodedata.normalize("NFKC", name)  # as Python reads names in the expression: ｘ is x
        if not separator or not name:
            raise ExpressionError(f"--set expects NAME=NUMBER, like x=1, got {item!r}")
        _check_variable_name(name)
        if name in assignments:
            raise ExpressionError(f"{name} is set twice ({name}={assignments[name]:g} and {item.strip()}); set it once")
        assignments[name] = _finite_number(name, number)
    return assignments


# ----- reading the text -----


class _Source:
    """The text without surrounding whitespace (Python refuses leading spaces), and how to
    turn the parser's positions back into the line and column the user typed."""

    def __init__(self, text):
        self.text = text.strip()
        leading = text[: len(text) - len(text.lstrip())]
        self.line_shift = leading.count("\n")
        self.column_shift = len(leading) - leading.rfind("\n") - 1
        self.lines = self.text.split("\n")

    def where(self, line, column):
        """'column 3' or 'line 2, column 3' (1-based) for a 1-based line and 0-based column."""
        if line == 1:
            column += self.column_shift
        line += self.line_shift
        return f"column {column + 1}" if line == 1 else f"line {line}, column {column + 1}"

    def start(self, node):
        """(line, 0-based character column) where ``node`` begins."""
        return node.lineno, self._characters(node.lineno, node.col_offset)

    def after(self, node):
        """(line, column) of the first character after ``node`` and any closing brackets
        and spaces: where the ``.`` of an attribute, the ``(`` of a call or an operator is."""
        line = node.end_lineno
        text = self.lines[line - 1] if line <= len(self.lines) else ""
        column = self._characters(line, node.end_col_offset)
        while column < len(text) and text[column] in " \t)":
            column += 1
        return line, column

    def _characters(self, line, byte_offset):
        """The parser counts UTF-8 bytes (σ is two); people count characters."""
        text = self.lines[line - 1] if line <= len(self.lines) else ""
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _check_length(text):
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text):,} characters long; the limit is {MAX_LENGTH}. "
            "Split it into smaller expressions."
        )


def _parse(source):
    """The syntax tree, after a quick look at the raw text for characters and nesting the
    parser itself would choke on (it recurses once per unary minus)."""
    if not source.text:
        raise ExpressionError("the expression is empty: type a formula, such as tanh(w*x + b)")
    _check_characters(source)
    _check_text_nesting(source.text)
    try:
        return ast.parse(source.text, mode="eval")
    except SyntaxError as error:
        line = min(error.lineno or 1, len(source.lines))
        message = error.msg
        if error.offset and "unexpected EOF" not in error.msg:
            message, column = _message_and_column(source.lines[line - 1], error)
            place = source.where(line, column)
        else:  # the text stops before the expression is complete: Python gives no column (3.9 says unexpected EOF)
            place = f"the end ({source.where(line, len(source.lines[line - 1]))})"
        hint = _multiplication_hint(source.lines[line - 1], error) or _notation_hint(source.text)
        raise ExpressionError(f"cannot read the expression: {message} at {place}{hint}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError(_too_deep()) from None


def _message_and_column(line, error):
    """The parser's message and 0-based column for ``error`` in ``line``. Python 3.10 calls a
    number followed by any character outside ASCII an invalid literal at the number (0.5·x,
    2²); 3.9 and 3.11 on name the character and point at it, and so does this on 3.10. A number
    broken before the character (1_·x, 0x·x) is the error on every Python, and keeps its message."""
    after = line[error.offset:error.offset + 1]
    number = re.search(r"[\w.]*\Z", line[:error.offset]).group()
    if ("literal" in error.msg and after and not after.isascii() and not after.isidentifier()
            and re.fullmatch(tokenize.Number, number)):
        return f"invalid character '{after}' (U+{ord(after):04X})", error.offset
    return error.msg, error.offset - 1


_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


def _check_characters(source):
    """Refuse a NUL, for which the parser of Python 3.9 and 3.10 raises a plain ValueError,
    and a surrogate, which the parser cannot read at all (a UnicodeEncodeError): Python keeps
    each byte of the command line that the terminal's encoding cannot decode as one, so a σ
    typed in a terminal set to ASCII arrives as two of them."""
    for line_number, line in enumerate(source.lines, start=1):
        found = _NOT_TEXT.search(line)
        if found is None:
            continue
        character, place = found.group(), source.where(line_number, found.start())
        if character == "\0":
            raise ExpressionError(f"cannot read the expression: a NUL character (\\x00) at {place}; remove it")
        if "\udc80" <= character <= "\udcff":
            raise ExpressionError(
                f"cannot read the expression: the byte 0x{ord(character) - 0xDC00:02x} at {place} is not a character "
                "in the terminal's encoding; retype it, or use only ASCII letters (sigmoid for σ)"
            )
        raise ExpressionError(f"cannot read the expression: {character!r} at {place} is half of a surrogate pair, "
                              "not a character; remove it")


_NUMBER_THEN_NAME = re.compile(r"(?<![\w.])(\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?)([A-Za-z_]\w*)")


def _multiplication_hint(line, error):
    """For "2x": "; to multiply, write 2*x". Python 3.10 and later read it as a broken number
    and say "invalid decimal literal" at the number; 3.9 reads the number 2 and the name x,
    and its error (invalid syntax, or unexpected EOF) points at the x."""
    offset = error.offset or 0
    for match in _NUMBER_THEN_NAME.finditer(line):
        number, name = match.groups()
        at_number = "decimal literal" in error.msg and match.start() < offset <= match.end()
        at_name = "literal" not in error.msg and offset - 1 == match.start(2) and not keyword.iskeyword(name)
        if at_number or at_name:
            return f"; to multiply, write {number}*{name}"
    return ""


# Math notation, as the diagrams and traces print it (L = 0.5·v1², w₁), that Python does not read as
# such: what to type instead.
NOTATION = {"·": "*", "×": "*", "÷": "/", "−": "-", "²": "**2", "³": "**3"}
NOTATION.update({chr(0x2080 + digit): str(digit) for digit in range(10)})  # subscripts: w₁ is w1


def _notation_hint(text):
    """For text written in math notation, "; type · as *, ² as **2": Python refuses ², − and w₁
    as invalid characters, and reads w1·x1 as one name (its dot counts as part of a name)."""
    found = [f"{symbol} as {typed}" for symbol, typed in NOTATION.items() if symbol in text]
    return f"; type {', '.join(found)}" if found else ""


def _check_text_nesting(text):
    """Refuse more than MAX_DEPTH open brackets at once, or a run of more than MAX_DEPTH
    signs (``- - - x``), before the parser sees the text."""
    depth = deepest = signs = longest_signs = 0
    for character in _code(text):
        if character in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif character in ")]}":
            depth -= 1
        if character in "+-~":
            signs += 1
            longest_signs = max(longest_signs, signs)
        elif not character.isspace():
            signs = 0
    if deepest > MAX_DEPTH or longest_signs > MAX_DEPTH:
        raise ExpressionError(_too_deep())


def _code(text):
    """The text with each string and comment replaced by 0, so brackets inside them are not
    counted (the text itself if it does not tokenize; the parser then says why)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    return " ".join("0" if token.type in (tokenize.STRING, tokenize.COMMENT) else token.string for token in tokens)


def _too_deep():
    return (
        f"the expression is nested more than {MAX_DEPTH} levels deep; the limit is {MAX_DEPTH}. Each bracket "
        "inside another counts as a level, and so does each operator of a chain such as a + b + c + … "
        "(Python reads it as ((a + b) + c) + …). Split it into smaller expressions."
    )


def _check_size(tree):
    """At most MAX_NODES nodes, nested at most MAX_DEPTH deep (counted without recursion)."""
    count, stack = 0, [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, _MARKERS):
            continue
        count += 1
        if count > MAX_NODES:
            raise ExpressionError(
                f"the expression has more than {MAX_NODES} parts (numbers, names, operators); "
                f"the limit is {MAX_NODES}. Split it into smaller expressions."
            )
        if depth > MAX_DEPTH:
            raise ExpressionError(_too_deep())
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


# ----- the whitelist -----


def _check_whitelist(tree, variables, source):
    """Raise ExpressionError for the leftmost construct that is not allowed, else for the
    first unknown variable. Nothing is computed here."""
    called = {id(node.func) for node in _preorder(tree.body) if isinstance(node, ast.Call)}
    problems, unknown = [], []
    for order, node in enumerate(_preorder(tree.body)):
        if id(node) in called and isinstance(node, ast.Name):
            continue  # a function's name: its Call is checked instead
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in variables:
            if node.id not in FUNCTIONS:
                unknown.append((*source.start(node), node.id))
                continue
        problem = _problem(node, variables, source)
        if problem is not None:
            problems.append((problem.line, problem.column, order, problem))
    if problems:
        _, _, _, first = min(problems)
        raise ExpressionError(f"{first.what} is not allowed at {source.where(first.line, first.column)}; {first.hint}")
    if unknown:
        line, column, name = min(unknown)
        raise ExpressionError(_unknown_variable(name, variables, source.where(line, column)))


def _preorder(root):
    """Every node below ``root``, parents first. The parts of an f-string are not visited:
    the f-string itself is refused, and its parts' positions are unreliable."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.JoinedStr):
            stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _problem(node, variables, source):
    """A _Problem if ``node`` is not allowed, else None."""
    if isinstance(node, _MARKERS) or not hasattr(node, "lineno"):
        return None  # markers, and parts (like a lambda's arguments) of nodes reported anyway
    if isinstance(node, ast.Constant):
        return _constant_problem(node, source)
    if isinstance(node, ast.Name):
        return _name_problem(node, variables, source)
    if isinstance(node, ast.BinOp):
        return _operator_problem(node, source)
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            return None
        return _Problem(*source.start(node), f"the operator {OPERATOR_SYMBOLS[type(node.op)]}")
    if isinstance(node, ast.Call):
        return _call_problem(node, variables, source)
    return _construct_problem(node, source)


def _constant_problem(node, source):
    value = node.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        kind = {bool: "the boolean", str: "the string", bytes: "the bytes", complex: "the complex number"}
        return _Problem(*source.start(node), f"{kind.get(type(value), 'the constant')} {value!r:.30}")
    if not is_finite_number(value):
        written = ast.get_source_segment(source.text, node) or str(value)
        return _Problem(*source.start(node), f"the number {written:.30}", "numbers must be below 1.8e308")
    return None


def _name_problem(node, variables, source):
    if isinstance(node.ctx, ast.Load) and node.id in FUNCTIONS and node.id not in variables:
        return _Problem(*source.start(node), f"using the function {node.id} without calling it",
                        f"write {node.id}(...) with its input in the brackets")
    return None  # a variable; Store names belong to a construct reported on its own


def _operator_problem(node, source):
    if isinstance(node.op, ast.Pow) or type(node.op) in ARITHMETIC:
        return None
    symbol = OPERATOR_SYMBOLS[type(node.op)]
    hint = "for a power write x**2" if symbol == "^" else WHAT_IS_ALLOWED
    return _Problem(*source.after(node.left), f"the operator {symbol}", hint)


def _call_problem(node, variables, source):
    if not isinstance(node.func, ast.Name):
        return _Problem(*source.after(node.func), "calling the result of an expression",  # 2(x + 1), as in algebra
                        "to multiply, put * before the bracket, e.g. 2*(x + 1)")
    name = node.func.id
    if name in variables:
        return _Problem(*source.start(node), f"calling the variable {name} like a function",
                        f"to multiply, write {name}*(...)")
    if name not in FUNCTIONS:
        return _Problem(*source.start(node), f"calling {name}()")
    counts = FUNCTIONS[name][1]
    if node.keywords:
        return None  # each keyword is reported on its own, which says more than a count
    if len(node.args) not in counts:
        return _Problem(*source.start(node), f"{name}() with {len(node.args)} arguments", _usage(name))
    if name == "leaky_relu" and len(node.args) == 2 and _uses_variables(node.args[1]):
        return _Problem(*source.start(node.args[1]), "a leaky_relu slope that depends on variables",
                        "the slope must be a number, e.g. leaky_relu(x, 0.1)")
    return None


def _usage(name):
    if name == "leaky_relu":
        return (
            "leaky_relu takes the input and, optionally, a slope for negative inputs: "
            "leaky_relu(x) or leaky_relu(x, 0.1)"
        )
    return f"{name} takes one input: {name}(x)"


def _construct_problem(node, source):
    """Everything else: attribute access, subscripts, comparisons, keywords, lambdas …"""
    if isinstance(node, ast.Attribute):
        return _Problem(*source.after(node.value), f"attribute access (.{node.attr})")
    if isinstance(node, ast.Subscript):
        return _Problem(*source.after(node.value), "indexing with [...]")
    if isinstance(node, ast.Compare):
        return _Problem(*source.start(node), f"the comparison {OPERATOR_SYMBOLS[type(node.ops[0])]}")
    if isinstance(node, ast.keyword):
        what = f"the keyword argument {node.arg}=" if node.arg else "unpacking with **"
        return _Problem(*source.start(node), what, "pass arguments by position, e.g. leaky_relu(x, 0.1)")
    return _Problem(*source.start(node), DESCRIPTIONS.get(type(node), type(node).__name__))


def _unknown_variable(name, variables, where):
    notation = _notation_hint(name)
    if notation:  # w1·x1: not a name to define, but a product
        return f"unknown variable {name!r} at {where}{notation}"
    if not variables:
        return f"unknown variable {name!r} at {where}: no variables are defined; set it with --set {name}=1"
    defined = ", ".join(variables)
    return f"unknown variable {name!r} at {where}; defined: {defined} (set more with --set {name}=1)"


def _uses_variables(node):
    """Whether ``node`` refers to any name that is not the name of a called function."""
    called = {id(child.func) for child in _preorder(node) if isinstance(child, ast.Call)}
    return any(isinstance(child, ast.Name) and id(child) not in called for child in _preorder(node))


# ----- variables -----


def _variable_values(variables):
    """{name: Value} from {name: number or Value}, with checked names, each read as Python
    reads it in the expression (NFKC: a full-width ｘ is x)."""
    if not isinstance(variables, Mapping):
        raise TypeError(f"variables must be a dict of name → number, such as {{'x': 1.0}}; got "
                        f"{type(variables).__name__} {variables!r:.40}")
    values, given_names = {}, {}
    for given_name, number in variables.items():
        _check_variable_name(given_name)
        name = unicodedata.normalize("NFKC", given_name)  # as Python reads names in the expression: ｘ is x
        if name in given_names:
            raise ExpressionError(
                f"variables {given_names[name]} and {given_name} are the same name, {name}, as Python reads "
                "names in the expression; give it once"
            )
        given_names[name] = given_name
        if isinstance(number, Value):
            values[name] = number
        elif is_scalar(number):  # a real number, or a numpy scalar or 0-d array, as Value() takes them
            values[name] = Value(_finite_number(name, number), label=name)
        else:
            raise ExpressionError(f"variable {name} must be a number, got {type(number).__name__} {number!r:.30}")
    return values


def _check_variable_name(name):
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ExpressionError(
            f"{name!r} is not a valid variable name: use letters, digits and _, starting with a letter (like w1)"
        )
    if name in FUNCTIONS:
        raise ExpressionError(f"{name} is the name of a function; choose another variable name")


def _finite_number(name, given):
    """``given`` (a number, or the text after "=" of --set) as a finite float. The messages
    show at most 40 characters of it: a number typed with thousands of digits would fill the
    screen, and Python refuses to write an int of more than 4300 digits at all."""
    try:
        number = float(given)
    except OverflowError:  # an int too large for a float
        raise ExpressionError(f"{name} is too large for a float (over 1.8e308): use a smaller number") from None
    except (TypeError, ValueError):
        raise ExpressionError(f"{name}={_shown(given)}: {_shown(repr(given))} is not a number (write it like 0.5, "
                              "-2 or 1e-3)") from None
    if not math.isfinite(number):
        raise ExpressionError(f"{name}={_shown(given)}: the value must be a finite number, not {number}")
    return number


def _shown(given, limit=40):
    """``given`` as text, cut to ``limit`` characters and "…" if it is longer."""
    text = str(given)
    return text if len(text) <= limit else text[:limit] + "…"


# ----- computing -----


def _evaluate(node, values):
    """The Value of a whitelisted node (recursion depth is at most MAX_DEPTH)."""
    if isinstance(node, ast.Constant):
        return Constant(node.value)
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        return _unary(node, values)
    if isinstance(node, ast.BinOp):
        return _binary(node, values)
    if isinstance(node, ast.Call):
        function = FUNCTIONS[node.func.id][0]
        extra = [_evaluate(argument, values).data for argument in node.args[1:]]
        return function(_evaluate(node.args[0], values), *extra)
    raise AssertionError(f"{type(node).__name__} passed the whitelist")


def _unary(node, values):
    if isinstance(node.op, ast.UAdd):
        return _evaluate(node.operand, values)
    if isinstance(node.operand, ast.Constant):
        return Constant(-node.operand.value)  # -2 is the number -2, not neg(2)
    return -_evaluate(node.operand, values)


def _binary(node, values):
    left, right = _evaluate(node.left, values), _evaluate(node.right, values)
    if isinstance(node.op, ast.Pow):
        # A constant exponent stays a plain number: x**2 has one input, and the power rule.
        return left ** (right if _uses_variables(node.right) else right.data)
    return ARITHMETIC[type(node.op)](left, right)
