"""parse_expression builds the same graph as writing the Values by hand, and refuses
everything outside its whitelist -- quickly, and without running any of it."""

import ast
import builtins
import math
import os
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_club import Value
from micrograd_club.expression import FUNCTIONS, ExpressionError, parse_assignments, parse_expression

# (expression, the same computation written with Values)
SAME_AS_BY_HAND = [
    ("tanh(w*x + b)", lambda x, w, b: (w * x + b).tanh()),
    ("sigmoid(w*x + b)", lambda x, w, b: (w * x + b).sigmoid()),
    ("σ(w*x + b)", lambda x, w, b: (w * x + b).sigmoid()),
    ("exp(x) / (1 + exp(x))", lambda x, w, b: x.exp() / (1 + x.exp())),
    ("log(x) + sqrt(w) - abs(b)", lambda x, w, b: x.log() + w.sqrt() - abs(b)),
    ("relu(x - 2) + leaky_relu(b - 1, 0.2) + leaky_relu(b)",
     lambda x, w, b: (x - 2).relu() + (b - 1).leaky_relu(0.2) + b.leaky_relu()),
    ("softplus(w) * x**2 + 3*x*w - w/b", lambda x, w, b: w.softplus() * x**2 + 3 * x * w - w / b),
    ("-x**3 + +w - -b", lambda x, w, b: -(x**3) + w - (-b)),
    ("2**x + x**w", lambda x, w, b: 2**x + x**w),
    ("0.5*(w*x + b - 1)**2", lambda x, w, b: 0.5 * (w * x + b - 1) ** 2),
    ("x ** (1/2)", lambda x, w, b: x**0.5),
]
VARIABLES = {"x": 1.0, "y": 2.0, "z": 3.0}


def leaves(x, w, b):
    return Value(x, label="x"), Value(w, label="w"), Value(b, label="b")


def assert_same_graph_numbers(text, by_hand, x, w, b):
    inputs = dict(zip("xwb", leaves(x, w, b)))
    parsed = parse_expression(text, inputs)
    parsed.backward()
    expected_inputs = leaves(x, w, b)
    expected = by_hand(*expected_inputs)
    expected.backward()
    assert parsed.data == pytest.approx(expected.data, rel=1e-12)
    for value, reference in zip(inputs.values(), expected_inputs):
        assert value.grad == pytest.approx(reference.grad, rel=1e-12, abs=1e-15), (text, value.label)


@pytest.mark.parametrize("text, by_hand", SAME_AS_BY_HAND, ids=[text for text, _ in SAME_AS_BY_HAND])
def test_value_and_gradients_match_values_built_by_hand(text, by_hand):
    assert_same_graph_numbers(text, by_hand, 1.5, 0.4, 0.1)


@settings(max_examples=40)
@given(
    x=st.floats(0.1, 5.0),
    w=st.floats(0.1, 5.0),
    b=st.floats(0.1, 5.0),
    case=st.sampled_from(SAME_AS_BY_HAND),
)
def test_matches_by_hand_for_any_positive_inputs(x, w, b, case):
    assert_same_graph_numbers(case[0], case[1], x, w, b)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_is_the_engine_method(name):
    method = "sigmoid" if name == "σ" else name
    x = Value(0.7, label="x")
    parsed = parse_expression(f"{name}(x)", {"x": x})
    parsed.backward()
    reference = Value(0.7)
    expected = getattr(reference, method)()
    expected.backward()
    assert (parsed.data, x.grad) == pytest.approx((expected.data, reference.grad))


def test_variables_become_labelled_leaves_and_the_result_is_labelled_with_the_text():
    result = parse_expression("w*x + b", {"x": 1, "w": 0.4, "b": 0.1})
    assert result.label == "w*x + b"
    leaf_labels = sorted(node.label for node in result.topological_order() if not node.parents)
    assert leaf_labels == ["b", "w", "x"]
    assert result.data == pytest.approx(0.5)


def test_a_long_expression_is_labelled_f():
    text = "x + x + x + x + x + x + x + x + x + x"
    assert len(text) > 30
    assert parse_expression(text, {"x": 1}).label == "f"


def test_a_bare_variable_keeps_its_own_label_and_a_value_is_used_as_it_is():
    x = Value(2.0, label="x")
    assert parse_expression("+x", {"x": x}) is x
    assert x.label == "x"


def test_a_constant_exponent_stays_a_number_so_negative_bases_work():
    x = Value(-1.0, label="x")
    squared = parse_expression("x**2", {"x": x})
    squared.backward()
    assert squared.op == "**2"
    assert len(squared.parents) == 1
    assert x.grad == -2.0


def test_a_negative_literal_is_one_constant():
    result = parse_expression("-2*x", {"x": 3})
    assert result.data == -6.0
    assert [parent.data for parent in result.parents if not parent.label] == [-2.0]
    assert not any(node.op == "neg" for node in result.topological_order())


# ----- hostile input -----

# (expression, what the error names, the 1-based column it points at)
REFUSED = [
    ("__import__('os').system('id')", "calling __import__()", 1),
    ("x.__class__", "attribute access (.__class__)", 2),
    ("x.__class__.__bases__[0].__subclasses__()", "attribute access (.__class__)", 2),
    ("(lambda: 1)()", "a lambda", 2),
    ("[x for x in y]", "a list comprehension", 1),
    ("(x for x in y)", "a generator expression", 1),
    ("x[0]", "indexing", 2),
    ("'abc'", "the string 'abc'", 1),
    ("b'abc'", "the bytes", 1),
    ("f'{x}'", "an f-string", 1),
    ("open('f')", "calling open()", 1),
    ("eval('1')", "calling eval()", 1),
    ("exec('import os')", "calling exec()", 1),
    ("globals()", "calling globals()", 1),
    ("x if y else z", "a conditional expression", 1),
    ("not x", "the operator not", 1),
    ("x < y", "the comparison <", 1),
    ("x and y", "a boolean operator", 1),
    ("(x := 1)", "an assignment expression (:=)", 2),
    ("exp(*x)", "unpacking with *", 5),
    ("leaky_relu(x, negative_slope=0.1)", "the keyword argument negative_slope=", 15),
    ("exp(**x)", "unpacking with **", 5),
    ("x // y", "the operator //", 3),
    ("x ^ 2", "the operator ^", 3),
    ("x @ y", "the operator @", 3),
    ("~x", "the operator ~", 1),
    ("[x, y]", "a list", 1),
    ("x, y", "a tuple", 1),
    ("{x: y}", "a dict", 1),
    ("True", "the boolean True", 1),
    ("None", "the constant None", 1),
    ("1j", "the complex number 1j", 1),
    ("1e999 * x", "the number 1e999", 1),
    ("exp(x)(1)", "calling the result of an expression", 7),
    ("exp", "using the function exp without calling it", 1),
    ("x(2)", "calling the variable x", 1),
    ("exp(x, 1)", "exp() with 2 arguments", 1),
    ("tanh()", "tanh() with 0 arguments", 1),
    ("leaky_relu(x, y)", "a leaky_relu slope that depends on variables", 15),
    ("  x.y", "attribute access (.y)", 4),
    ("σ(x).real", "attribute access (.real)", 5),
]


@pytest.fixture
def watched(monkeypatch):
    """``watched(function, *args)`` calls the function while recording, in
    ``watched.attempts``, every import, shell command, eval/exec and compile to code
    (compiling to a syntax tree, as ast.parse does, is allowed)."""
    attempts, watching = [], []
    real_import, real_compile = builtins.__import__, builtins.compile

    def record(kind, detail):
        if watching:
            attempts.append((kind, detail))

    def recording_import(name, *args, **kwargs):
        if name != "unicodedata":  # the parser's own import, to normalise names such as σ
            record("import", name)
        return real_import(name, *args, **kwargs)

    def recording_compile(source, filename, mode, flags=0, *args, **kwargs):
        if not flags & ast.PyCF_ONLY_AST:
            record("compile", source)
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", recording_import)
    monkeypatch.setattr(builtins, "compile", recording_compile)
    monkeypatch.setattr(builtins, "eval", lambda *args: record("eval", args))
    monkeypatch.setattr(builtins, "exec", lambda *args: record("exec", args))
    monkeypatch.setattr(os, "system", lambda *args: record("os.system", args))

    def call(function, *args):
        watching.append(True)
        try:
            return function(*args)
        finally:
            watching.clear()

    call.attempts = attempts
    return call


def test_the_watcher_sees_imports_shell_commands_and_eval(watched):
    watched(lambda: (__import__("os").system("id"), eval("1"), compile("1", "<s>", "eval")))
    kinds = [kind for kind, _ in watched.attempts]
    assert kinds == ["import", "os.system", "eval", "compile"]


@pytest.mark.parametrize("text, what, column", REFUSED, ids=[text for text, _, _ in REFUSED])
def test_hostile_input_is_refused_with_what_and_where_and_nothing_runs(text, what, column, watched):
    with pytest.raises(ExpressionError) as refused:
        watched(parse_expression, text, VARIABLES)
    message = str(refused.value)
    assert message.startswith(what)
    assert f"not allowed at column {column};" in message
    assert watched.attempts == []


def test_a_valid_expression_runs_nothing_either(watched):
    assert watched(parse_expression, "tanh(w*x + b)", {"x": 1, "w": 0.4, "b": 0.1}).data == pytest.approx(0.46211715)
    assert watched.attempts == []


def test_the_refusal_says_what_is_allowed():
    allowed = r"use only numbers, variables, \+ - \* / \*\* and the functions exp, log"
    with pytest.raises(ExpressionError, match=allowed):
        parse_expression("x.__class__", VARIABLES)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_is_named_wherever_the_allowed_ones_are_listed(name):
    """The functions a formula may call are listed in three texts, beside the table that
    decides (FUNCTIONS): the refusal's hint, the module's docstring and graph's --help. A
    function added to the table must be added to each, or a student is never told of it."""
    from micrograd_club import cli, expression

    for where, text in [("WHAT_IS_ALLOWED", expression.WHAT_IS_ALLOWED), ("the module docstring", expression.__doc__),
                        ("graph --help", cli.GRAPH_EXAMPLES)]:
        assert re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text), f"{name} is not listed in {where}"


def test_positions_on_later_lines_name_the_line():
    with pytest.raises(ExpressionError, match="at line 2, column 7"):
        parse_expression("(x\n + .5).y", VARIABLES)


def test_a_starred_expression_is_a_syntax_error_with_its_column():
    with pytest.raises(ExpressionError, match="cannot read the expression: .* at column 1"):
        parse_expression("*x", VARIABLES)


@pytest.mark.parametrize("text, place", [("x*", "the end (column 3)"), ("  1 +", "the end (column 6)"),
                                         ("x +* y", "column 4")])
def test_a_syntax_error_says_where_even_at_the_end(text, place):
    # Python's words before "at" differ: "invalid syntax", or "unexpected EOF while parsing" on 3.9
    with pytest.raises(ExpressionError, match=rf"cannot read the expression: .+ at {re.escape(place)}$"):
        parse_expression(text, VARIABLES)


def test_unbalanced_brackets_say_where():
    # Python 3.10 and later say "'(' was never closed" at the bracket; 3.9 only notices the end
    where = r"'\(' was never closed at column 5" if sys.version_info >= (3, 10) else r"at the end \(column 13\)"
    with pytest.raises(ExpressionError, match=rf"cannot read the expression: .*{where}$"):
        parse_expression("tanh(w*x + b", {"w": 1, "x": 1, "b": 1})


@pytest.mark.parametrize("text", ["x 1e3", "x 0x1f"])
def test_a_whole_number_next_to_an_error_gets_no_multiplication_hint(text):
    """1e3 is a number, not 1 times e3: the "write 2*x" hint is only for a name written against a number."""
    with pytest.raises(ExpressionError, match="cannot read the expression") as error:
        parse_expression(text, VARIABLES)
    assert "to multiply" not in str(error.value)


@pytest.mark.parametrize("text, ending", [
    ("w*x − b", "invalid character '−' (U+2212) at column 5; type − as -"),
    ("0.5*x²", "invalid character '²' (U+00B2) at column 6; type ² as **2"),
    ("w₁*x + b", "invalid character '₁' (U+2081) at column 2; type ₁ as 1"),
    ("w×x", "invalid character '×' (U+00D7) at column 2; type × as *"),
    ("0.5·x³", "invalid character '·' (U+00B7) at column 4; type · as *, ³ as **3"),
])
def test_math_notation_as_the_diagrams_print_it_says_what_to_type(text, ending):
    with pytest.raises(ExpressionError, match="cannot read the expression: ") as error:
        parse_expression(text, VARIABLES)
    assert str(error.value).endswith(ending)


@pytest.mark.parametrize("text, offset, message", [
    ("0.5·x³", 3, "invalid character '·' (U+00B7) at column 4; type · as *, ³ as **3"),
    ("x + 2²", 5, "invalid character '²' (U+00B2) at column 6; type ² as **2"),
    ("2x", 1, "invalid decimal literal at column 1; to multiply, write 2*x"),  # a name: as every Python says it
    ("5.·x", 2, "invalid character '·' (U+00B7) at column 3; type · as *"),  # a number may end in a point
    ("2α", 1, "invalid decimal literal at column 1"),  # a letter outside ASCII is a name too, not a bad character
])
def test_python_3_10s_invalid_literal_before_math_notation_names_the_character(monkeypatch, text, offset, message):
    """Python 3.10 reads a number followed by any character outside ASCII as a broken number,
    "invalid decimal literal" at the number's last digit (0.5·x³ at the 5), where 3.9 and 3.11
    on name the character and point at it; the message is the same whichever Python runs."""
    def as_python_3_10(text, mode):
        raise SyntaxError("invalid decimal literal", ("<unknown>", 1, offset, text))

    with monkeypatch.context() as patched, pytest.raises(ExpressionError) as error:  # pytest parses too, later
        patched.setattr(ast, "parse", as_python_3_10)
        parse_expression(text, VARIABLES)
    assert str(error.value) == f"cannot read the expression: {message}"


@pytest.mark.parametrize("text, message", [
    ("x + ··", "invalid character '·' (U+00B7) at column 5; type · as *"),  # the first ·, not the one after it
    ("1_ + x", "invalid decimal literal at column 2"),  # an ASCII character after a broken number: not renamed
    ("1_·x", "invalid decimal literal at column 2"),  # a number broken before the ·, on every Python
    ("0x·x", "invalid hexadecimal literal at column 2"),
])
def test_only_a_broken_number_before_a_character_outside_ascii_is_renamed_for_that_character(text, message):
    """Python 3.10's "invalid decimal literal" before 0.5·x is reported as the character after
    the number; other errors, and a number broken by itself (1_, 0x), keep Python's message:
    1_·x was told "invalid character '·'", and fixed to 1_*x, still could not be read."""
    with pytest.raises(ExpressionError) as error:
        parse_expression(text, VARIABLES)
    assert str(error.value).startswith(f"cannot read the expression: {message}")


def test_a_product_written_with_a_middle_dot_is_not_taken_for_a_name_to_set():
    """Python reads w1·x1 as one name (its middle dot may be part of a name), so the error was
    "unknown variable 'w1·x1' … (set more with --set w1·x1=1)": advice to define it."""
    with pytest.raises(ExpressionError) as error:
        parse_expression("x·y + z", VARIABLES)
    assert str(error.value) == "unknown variable 'x·y' at column 1; type · as *"


def test_a_10_megabyte_string_is_refused_at_once_without_parsing(monkeypatch):
    monkeypatch.setattr(ast, "parse", lambda *args, **kwargs: pytest.fail("the text was parsed"))
    with pytest.raises(ExpressionError, match="10,000,000 characters long; the limit is 1000"):
        parse_expression("x+" * 5_000_000, VARIABLES)


def test_a_tower_of_powers_overflows_to_inf_at_once():
    """Numbers become floats before any arithmetic, so 9**9**9 is a float overflow, never
    Python's exact 9**387420489 (hundreds of millions of digits, minutes of work)."""
    assert type(parse_expression("9", {}).data) is float
    assert parse_expression("9**9**9", {}).data == math.inf  # as torch gives, and as 1e300 * 1e300 does


@pytest.mark.parametrize(
    "text",
    ["-" * 60 + "x", "(" * 60 + "x" + ")" * 60, "exp(" * 60 + "x" + ")" * 60, "1+" * 300 + "1", "x**" * 60 + "x"],
    ids=["unary minus", "brackets", "calls", "long sum", "power tower"],
)
def test_deep_nesting_is_refused(text):
    assert len(text) <= 1000
    with pytest.raises(ExpressionError, match="nested more than 50 levels deep"):
        parse_expression(text, VARIABLES)


def test_nesting_the_parser_cannot_handle_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(ast, "parse", lambda *args, **kwargs: pytest.fail("the text was parsed"))
    with pytest.raises(ExpressionError, match="nested"):
        parse_expression("-" * 999 + "x", VARIABLES)


def test_more_than_200_parts_are_refused():
    def balanced(leaves):  # a sum of 128 x's, 8 levels deep: 255 parts
        return "x" if leaves == 1 else f"({balanced(leaves // 2)}+{balanced(leaves // 2)})"

    text = balanced(128)
    assert len(text) <= 1000
    with pytest.raises(ExpressionError, match="more than 200 parts"):
        parse_expression(text, VARIABLES)
    assert parse_expression(balanced(64), VARIABLES).data == 64.0


@pytest.mark.parametrize(
    "text, message",
    [
        ("log(x - 1)", "log of a non-positive number"),
        ("x / (y - 2)", "division by zero"),
        ("sqrt(-x)", "sqrt of a negative number"),
        ("(-x) ** 0.5", "negative base to a fractional power"),
        ("1" * 400, "the number 1111"),
    ],
)
def test_math_errors_become_expression_errors_with_the_engines_message(text, message):
    with pytest.raises(ExpressionError, match=message) as error:
        parse_expression(text, VARIABLES)
    assert isinstance(error.value, ValueError)


def test_unknown_variables_list_the_defined_ones_and_how_to_set_them():
    with pytest.raises(ExpressionError) as error:
        parse_expression("x + q", VARIABLES)
    assert str(error.value) == "unknown variable 'q' at column 5; defined: x, y, z (set more with --set q=1)"
    with pytest.raises(ExpressionError, match="no variables are defined; set it with --set q=1"):
        parse_expression("q", {})


def test_a_refused_construct_is_reported_before_an_unknown_variable():
    with pytest.raises(ExpressionError, match="calling open"):
        parse_expression("q + open('f')", VARIABLES)


@pytest.mark.parametrize(
    "variables, message",
    [
        ({"1x": 1}, "not a valid variable name"),
        ({"lambda": 1}, "not a valid variable name"),
        ({"exp": 1}, "exp is the name of a function"),
        ({"x": "1"}, "variable x must be a number"),
        ({"x": math.nan}, "finite number"),
    ],
)
def test_bad_variables_are_refused(variables, message):
    with pytest.raises(ExpressionError, match=message):
        parse_expression("1", variables)


@pytest.mark.parametrize("variables, items", [
    ({"x": 10**400}, None),
    ({"x": 10**5000}, None),  # more digits than Python writes out: this was its bare ValueError
    (None, ["x=" + "9" * 5000]),
], ids=["an int over 1.8e308", "an int of 5000 digits", "--set with 5000 digits"])
def test_a_number_too_large_for_a_float_is_named_in_a_short_message(variables, items):
    """The message echoed the number twice (800 and 10,000 characters) and called 10**400 "not a
    number"; for 10**5000 Python's limit on writing ints escaped as "Exceeds the limit (4300
    digits) for integer string conversion", naming no variable."""
    with pytest.raises(ExpressionError, match="^x(=9{40}…: the value must be a finite number| is too large for a float)"
                       ) as caught:
        parse_expression("x", variables) if items is None else parse_assignments(items)
    assert len(str(caught.value)) < 100


def test_a_set_value_of_40_characters_is_shown_whole_and_a_longer_one_cut():
    with pytest.raises(ExpressionError, match=f"^x={'9' * 39}a: '{'9' * 39}… is not a number"):
        parse_assignments(["x=" + "9" * 39 + "a"])
    with pytest.raises(ExpressionError, match=f"^x={'9' * 40}…: "):
        parse_assignments(["x=" + "9" * 40 + "a"])


def test_a_0_d_numpy_array_is_a_number_as_for_value():
    np = pytest.importorskip("numpy")
    assert parse_expression("x * 2", {"x": np.array(1.5)}).data == 3.0 == (Value(np.array(1.5)) * 2).data


def test_a_non_string_expression_is_a_type_error():
    with pytest.raises(TypeError, match="must be a str"):
        parse_expression(b"x", VARIABLES)


# ----- --set NAME=NUMBER -----


def test_assigned_names_are_read_as_python_reads_the_expression():
    assignments = parse_assignments(["ｘ=2"])  # a full-width x: Python folds it to x in the expression
    assert assignments == {"x": 2.0}
    assert parse_expression("ｘ*3", assignments).data == 6.0


def test_variable_names_given_directly_are_read_as_python_reads_the_expression():
    assert parse_expression("x*3", {"ｘ": 2}).data == 6.0
    assert parse_expression("ｘ*3", {"ｘ": 2}).data == 6.0
    with pytest.raises(ExpressionError, match="variables x and ｘ are the same name, x"):
        parse_expression("x", {"x": 1, "ｘ": 2})


def test_assignments_are_floats_in_order():
    assert parse_assignments(["x=1", " w = 0.4", "b=-1e-3", "σ2=2"]) == {"x": 1.0, "w": 0.4, "b": -0.001, "σ2": 2.0}
    assert list(parse_assignments(["b=1", "a=2"])) == ["b", "a"]


@pytest.mark.parametrize(
    "items, message",
    [
        (["x"], "--set expects NAME=NUMBER, like x=1, got 'x'"),
        (["=1"], "expects NAME=NUMBER"),
        (["1x=2"], "'1x' is not a valid variable name"),
        (["class=1"], "'class' is not a valid variable name"),
        (["x=abc"], "x=abc: 'abc' is not a number"),
        (["x="], "'' is not a number"),
        (["x=nan"], "finite number"),
        (["x=inf"], "finite number"),
        (["x=1", "x=2"], r"x is set twice \(x=1 and x=2\)"),
        (["tanh=1"], "tanh is the name of a function"),
    ],
)
def test_bad_assignments_are_refused_clearly(items, message):
    with pytest.raises(ExpressionError, match=message):
        parse_assignments(items)


@pytest.mark.parametrize("items", ["x=1", 3, ["x=1", 2]], ids=["one string", "a number", "a number in the list"])
def test_assignments_must_be_a_list_of_strings(items):
    with pytest.raises(TypeError, match=r'parse_assignments expects a list of "NAME=NUMBER" strings such as \["x=1"\]'):
        parse_assignments(items)


def test_assignments_may_come_from_a_generator():
    assert parse_assignments(item for item in ["x=1", "w=2"]) == {"x": 1.0, "w": 2.0}


@pytest.mark.parametrize("text", ["", "  \n "])
def test_an_empty_expression_says_so(text):
    with pytest.raises(ExpressionError, match="the expression is empty: type a formula"):
        parse_expression(text, VARIABLES)


def test_a_long_chain_is_explained_as_nesting():
    with pytest.raises(ExpressionError, match=r"each operator of a chain such as a \+ b \+ c"):
        parse_expression("+".join(["x"] * 51), VARIABLES)
    assert parse_expression("+".join(["x"] * 50), VARIABLES).data == 50 * VARIABLES["x"]


def test_brackets_inside_a_comment_or_a_string_are_not_nesting():
    assert parse_expression("x  # " + "(" * 60, {"x": 2.0}).data == 2.0
    with pytest.raises(ExpressionError, match="the string") as error:
        parse_expression("'" + "(" * 60 + "'", {})
    assert "nested" not in str(error.value)


def test_a_whole_number_too_large_for_a_float_is_placed():
    too_large = str(2**1024 - 2**970)  # 1024 bits, above the largest float
    with pytest.raises(ExpressionError, match=r"the number 17976.* is not allowed at column 3; numbers must be below"):
        parse_expression(f"x*{too_large}", {"x": 1.0})


def test_variables_must_be_a_mapping():
    with pytest.raises(TypeError, match=r"variables must be a dict of name → number, such as \{'x': 1.0\}; got list"):
        parse_expression("x", [1])


@pytest.mark.parametrize("text, message", [
    ("x + \udccf\udc83(x)", "the byte 0xcf at column 5 is not a character in the terminal's encoding"),
    ("x\n*\udcff", "the byte 0xff at line 2, column 2 is not"),
    ("x\x00", r"a NUL character \(\\x00\) at column 2; remove it"),
    ("x*\ud800", r"'\\ud800' at column 3 is half of a surrogate pair"),
])
def test_a_character_the_parser_cannot_read_is_refused_with_its_place(text, message):
    """A byte of the command line that the terminal's encoding could not decode (a σ typed in
    an ASCII terminal) reaches Python as a surrogate, which ast.parse cannot encode: it raised
    UnicodeEncodeError. A NUL made Python 3.9 and 3.10's parser raise a plain ValueError."""
    with pytest.raises(ExpressionError, match=f"cannot read the expression: {message}"):
        parse_expression(text, VARIABLES)
