"""The chain-rule trace: the notes' order and wording, sums for shared nodes, and the same
numbers as backward()."""

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backprop_by_hand
from micrograd_club import Value
from micrograd_club.engine import maximum
from micrograd_club.expression import parse_expression
from micrograd_club.losses import binary_cross_entropy, sse
from micrograd_club.nn import MLP
from micrograd_club.viz import draw_graph, explain, trace_backward
from micrograd_club.viz import trace as trace_module
from micrograd_club.viz.trace import EXPLAIN_LINES, KEY_ENTRIES, accumulation_note
from micrograd_club.viz.notation import local_formula, node_names, number, partial
from strategies import VALUE_OPS, as_value, evaluate, expressions, reals


def test_section_4_7_trace_follows_the_notes_chain_in_order():
    net = backprop_by_hand.build_network()
    trace = trace_backward(net["L"])
    names = [step.name for step in trace]
    # 4.7.3 prints ∂L/∂y, ∂L/∂w2, ∂L/∂b2, ∂L/∂h, σ'(z1), ∂L/∂w1, ∂L/∂b1 in this order.
    notes_chain = ["y", "w2", "b2", "h", "z1", "w1", "b1"]
    assert [n for n in names if n in notes_chain] == notes_chain
    assert names == ["L", "t", "y", "w2", "b2", "h", "z1", "w1", "x", "b1"]
    lines = {step.name: step.text for step in trace}
    assert lines["y"] == "∂L/∂y = -0.1133"
    assert lines["w2"] == "∂L/∂w2 = ∂L/∂y · ∂y/∂w2 = (-0.1133) × (0.6225) = -0.0705"
    assert lines["b2"] == "∂L/∂b2 = ∂L/∂y · ∂y/∂b2 = (-0.1133) × (1.0000) = -0.1133"
    assert lines["h"] == "∂L/∂h = ∂L/∂y · ∂y/∂h = (-0.1133) × (0.3000) = -0.0340"
    assert lines["z1"] == "∂L/∂z1 = ∂L/∂h · σ'(z1) = (-0.0340) × (0.2350) = -0.0080"
    assert lines["w1"] == "∂L/∂w1 = ∂L/∂z1 · ∂z1/∂w1 = (-0.0080) × (1.0000) = -0.0080"
    assert lines["b1"] == "∂L/∂b1 = ∂L/∂z1 · ∂z1/∂b1 = (-0.0080) × (1.0000) = -0.0080"


def test_trace_matches_backward_and_leaves_the_graph_alone():
    net = backprop_by_hand.build_network()
    trace = trace_backward(net["L"], every_node=True)
    assert all(node.grad == 0.0 for node in net["L"].topological_order())  # nothing written
    net["L"].backward()
    for step in trace:
        assert step.grad == pytest.approx(step.node.grad, rel=1e-15, abs=1e-18)
        if step.terms:
            assert sum(t.contribution for t in step.terms) == pytest.approx(step.grad, rel=1e-12, abs=1e-18)


def test_shared_node_sums_its_contributions():
    a = Value(3.0, "a")
    c = a + a
    c.label = "c"
    step = trace_backward(c)[-1]
    assert step.name == "a" and len(step.terms) == 2
    assert step.text == "∂c/∂a = 1 + 1 = (1.0000) + (1.0000) = 2.0000"  # one term per edge of a + a

    x = Value(0.7, "x")
    h = x.tanh()
    h.label = "h"
    y = h * h + h
    y.label = "y"
    line = next(s for s in trace_backward(y, every_node=True) if s.name == "h").text
    assert line.startswith("∂y/∂h = 1 + ∂y/∂(h·h) · ∂(h·h)/∂h + ∂y/∂(h·h) · ∂(h·h)/∂h = ")


def test_a_power_with_a_variable_exponent_is_named_x_to_the_y():
    """x**y had no name of its own: it was v1, with no "where v1 = …" to say what v1 is (nor in
    micrograd-club graph's output), though its edges' formulas wrote it x^y."""
    x, y = Value(2.0, "x"), Value(3.0, "y")
    trace = trace_backward(x**y + x, every_node=True)
    assert [step.name for step in trace] == ["L", "x^y", "x", "y"]
    assert trace[2].text == "∂L/∂x = 1 + ∂L/∂(x^y) · ∂(x^y)/∂x = (1.0000) + (1.0000) × (12.0000) = 13.0000"
    assert trace[0].text == "∂L/∂L = 1 (the start of the backward pass; L = x^y + x)" and "where" not in str(trace)
    assert [step.name for step in trace_backward(2 ** (x * y), every_node=True)] == ["L", "x·y", "2", "x", "y"]
    assert trace_backward((x + 1) ** y)[0].text.endswith("L = (x + 1)^y)")


@pytest.mark.parametrize("text, values, line", [
    ("x*x", {"x": 3.0}, "∂f/∂x = x + x = (3.0000) + (3.0000) = 6.0000"),
    ("x*tanh(x)", {"x": 0.5}, "∂f/∂x = tanh(x) + ∂f/∂(tanh(x)) · tanh'(x) = "),
])
def test_no_line_writes_the_whole_gradient_as_one_of_its_terms(text, values, line):
    f = parse_expression(text, values)
    f.label = ""  # the root is then called f
    trace = trace_backward(f, every_node=text == "x*tanh(x)", root_name="f")
    x_line = next(step.text for step in trace if step.name == "x")
    assert x_line.startswith(line)
    lhs, chain = x_line.split(" = ")[:2]
    assert lhs not in chain.split(" + ")


def test_a_route_from_the_root_through_unnamed_nodes_is_written_as_its_number_beside_other_terms():
    x, w = Value(2.0, "x"), Value(0.4, "w")
    h = x * 2
    h.label = "h"
    f = x * w + h  # x reaches f through the unnamed x·w, and through h
    line = next(step.text for step in trace_backward(f, root_name="f") if step.name == "x")
    assert line == "∂f/∂x = 0.4 + ∂f/∂h · ∂h/∂x = (0.4000) + (1.0000) × (2.0000) = 2.4000"


def test_names_are_never_shared_so_each_line_is_about_one_node():
    from micrograd_club.nn import Neuron

    first, second = Neuron(2, seed=0), Neuron(2, seed=1)  # each has its own w1
    x = [Value(1.0, "x1"), Value(2.0, "x2")]
    weights = [step.name for step in trace_backward(first(x) + second(x)) if step.name.startswith("w1")]
    assert sorted(weights) == ["w1", "w1#2"]
    L = Value(1.0, "L")  # a label that is also the root's default name
    total = L + 0.1 * Value(2.0, "w") ** 2
    names = [step.name for step in trace_backward(total)]
    assert names.count("L") == 1 and "L#2" in names


def test_an_mlp_s_parameters_are_named_by_their_neuron():
    model = MLP(2, [2, 1], activation="tanh", seed=0)
    names = {step.name for step in trace_backward(model([Value(1.0, "x1"), Value(2.0, "x2")]))}
    assert {"n1.1.w1", "n1.1.w2", "n1.1.b", "n1.2.w1", "n1.2.b", "n2.1.w1", "n2.1.w2", "n2.1.b"} <= names
    assert not any("#" in name for name in names)


def test_table_form_for_notebooks():
    rows = trace_backward(backprop_by_hand.build_network()["L"]).as_dicts()
    h = next(row for row in rows if row["node"] == "h")
    assert h["role"] == "computed" and h["grad"] == pytest.approx(-0.03397866019183308)
    assert h["terms"] == [
        {"via": "y", "upstream": pytest.approx(-0.11326220063944359), "local": 0.3,
         "local_name": "∂y/∂h", "contribution": pytest.approx(-0.03397866019183308)}
    ]
    assert [row["step"] for row in rows] == list(range(len(rows)))
    assert rows[0]["text"] == "∂L/∂L = 1 (the start of the backward pass)"


def test_explain_prints_the_chain(capsys):
    explain(backprop_by_hand.build_network()["L"])
    out = capsys.readouterr().out
    assert "∂L/∂z1 = ∂L/∂h · σ'(z1)" in out and out.count("\n") == 10


def test_unlabelled_graph_gets_derived_names():
    x = Value(-4.0)
    y = (x * 2 + 1).relu()
    names = [step.name for step in trace_backward(y, every_node=True)]
    assert names == ["L", "v1·2 + 1", "v1·2", "v1", "2", "1"]


def test_derived_names_bracket_only_what_precedence_needs_as_the_notes_write():
    a, b, c = Value(1.0, label="a"), Value(2.0, label="b"), Value(3.0, label="c")
    cases = [
        (a * b + c, "a·b + c"), (c + a * b, "c + a·b"), ((a + b) * c, "(a + b)·c"), (a * (b + c), "a·(b + c)"),
        (a - (b + c), "a − (b + c)"), ((a + b) - c, "a + b − c"), (a / (b * c), "a/(b·c)"), (a * b / c, "a·b/c"),
        (a * -b, "a·(−b)"), (-(a * b), "−(a·b)"), ((a + b) ** 2, "(a + b)²"), ((a * b) ** 2, "(a·b)²"),
        (a * 1e-05, "a·1e-05"), (a * -2.0, "a·(-2)"), (a.tanh() * b, "tanh(a)·b"),
    ]
    for node, name in cases:
        root = node * 1.0  # so that the node is not the root, which is named L
        assert node_names(root.topological_order())[node] == name


def test_a_compound_name_is_bracketed_whole_in_a_partial():
    x, w, b = Value(1.0, label="x"), Value(0.4, label="w"), Value(0.1, label="b")
    f = (w * x + b).tanh()
    f.label = "f"
    f.backward()
    text = str(trace_backward(f, every_node=True))
    assert "∂f/∂(w·x + b) = tanh'(w·x + b)" in text  # not ∂f/∂w·x + b, which reads as a sum
    assert "∂f/∂b = ∂f/∂(w·x + b) · ∂(w·x + b)/∂b" in text


def test_trace_rejects_non_values():
    with pytest.raises(TypeError, match="expects a Value"):
        trace_backward(3.0)


@settings(max_examples=60)
@given(expr=expressions(), xs=st.lists(reals(-3, 3), min_size=3, max_size=3))
def test_every_node_trace_equals_backward_on_random_graphs(expr, xs):
    variables = [Value(x, f"x{i}") for i, x in enumerate(xs)]
    out = as_value(evaluate(expr, variables, VALUE_OPS))
    trace = trace_backward(out, every_node=True)
    out.backward()
    assert len(trace) == len(out.topological_order())
    seen = set()
    for step in trace:
        assert step.grad == pytest.approx(step.node.grad, rel=1e-12, abs=1e-12)
        for term in step.terms:
            assert term.via in seen  # a node's line comes after every line it uses
        seen.add(step.node)


def test_names_with_operators_are_bracketed_wherever_they_are_used():
    difference = parse_expression("x-y", {"x": 1.0, "y": 2.0})  # labelled "x-y"
    square = difference**2
    names = node_names(square.topological_order())
    assert partial("L", names[difference]) == "∂L/∂(x-y)"
    assert local_formula(square, 0, names) == "2·(x-y)"  # not 2·x-y

    residual = Value(0.7, "y - t")
    scaled = residual * Value(2.0, "w")
    assert node_names((scaled * 3).topological_order())[scaled] == "(y - t)·w"

    power = parse_expression("(-2)**2*x", {"x": 1.0})
    assert "(-2)²" in node_names(power.topological_order()).values()  # not -2², which is −4

    t = Value(1.0, "x").tanh()
    assert node_names((t * Value(3.0, "w")).topological_order())[t] == "tanh(x)"
    assert partial("L", "tanh(x)") == "∂L/∂(tanh(x))" and partial("L", "(a + b)") == "∂L/∂(a + b)"


def test_a_suffix_goes_after_brackets_so_it_belongs_to_the_whole_name():
    x, y = Value(1.0, "x"), Value(2.0, "y")
    for a, b, name in [(x * y, x * y, "(x·y)#2"), (x - y, x - y, "(x − y)#2")]:
        names = node_names((a * b).topological_order())
        assert names[b] == name


def test_a_line_from_the_root_names_only_nodes_that_have_lines():
    x = Value(1.0, "x")
    inner = (Value(0.1, "a") * Value(0.2, "b")).tanh()  # unnamed, so no line of its own
    line = next(step.text for step in trace_backward(x * inner) if step.name == "x")
    assert line == f"∂L/∂x = {inner.data:.4f}"


# ∂h/∂x for h = (x·2)·3 + x·4 is 2·3 + 4 = 10 (by hand), through unnamed nodes
def test_folded_local_derivative_multiplies_along_and_sums_over_routes():
    x = Value(1.5, "x")
    h = (x * 2.0) * 3.0 + x * 4.0
    h.label = "h"
    step = trace_backward(h * 5.0)[-1]
    assert step.name == "x" and [t.local for t in step.terms] == [10.0]
    assert step.text == "∂L/∂x = ∂L/∂h · ∂h/∂x = (5.0000) × (10.0000) = 50.0000"


def test_a_line_with_one_term_from_the_root_does_not_repeat_its_number():
    x, e = Value(0.5, "x"), Value(3.0, "e")
    assert trace_backward(x.tanh())[1].text == "∂L/∂x = tanh'(x) = 0.7864"  # not "= (0.7864) = 0.7864"
    lines = [step.text for step in trace_backward(0.5 * e**2, every_node=True)]
    assert lines[1:3] == ["∂L/∂(e²) = 0.5000", "∂L/∂0.5 = e² = 9.0000"]  # the formula 0.5 is the number itself
    assert lines[3] == "∂L/∂e = ∂L/∂(e²) · ∂(e²)/∂e = (0.5000) × (6.0000) = 3.0000"


def test_explain_says_how_to_see_the_chain_when_nothing_in_between_is_labelled(capsys):
    a, b = Value(2.0), Value(-3.0)
    explain((a * b + 1.0).tanh())
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("∂L/∂v1 = ") and "pass every_node=True" in out[-1]
    explain(backprop_by_hand.build_network()["L"])  # labelled steps: the chain is there, no hint
    assert "every_node" not in capsys.readouterr().out


def test_an_unlabelled_root_says_what_it_stands_for():
    """explain(x*x + y) called the result L, as the notes call the loss, but never said what L was."""
    x, y = Value(3.0, "x"), Value(2.0, "y")
    assert trace_backward(x * x + y)[0].text == "∂L/∂L = 1 (the start of the backward pass; L = x·x + y)"
    assert trace_backward(x * x + y, root_name="f")[0].text == "∂f/∂f = 1 (the start of the backward pass; f = x·x + y)"
    area = x * y
    area.label = "area"  # named by the student, who knows what it is
    assert trace_backward(area)[0].text == "∂area/∂area = 1 (the start of the backward pass)"
    assert trace_backward(Value(2.0))[0].text == "∂L/∂L = 1 (the start of the backward pass)"  # a leaf: nothing to say


def test_an_unlabelled_root_s_formula_uses_the_shorthands_it_explains():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    trace = trace_backward((a * b + 1.0).tanh() * (a + b * b + 2.0).exp())
    assert trace[0].text == "∂L/∂L = 1 (the start of the backward pass; L = tanh(a·b + 1)·v1)"
    assert str(trace).splitlines()[-1] == "where v1 = exp(a + b·b + 2)"  # a name too long to write is explained


def test_explain_orders_the_graph_once(capsys, monkeypatch):
    """The trace, the note on added-up grads and the hint each sorted the graph again."""
    calls = []
    original = Value.topological_order
    monkeypatch.setattr(Value, "topological_order", lambda self: calls.append(self) or original(self))
    loss = backprop_by_hand.build_network()["L"]
    loss.backward()
    explain(loss)
    assert calls == [loss] and capsys.readouterr().out.startswith("∂L/∂L = 1")


def test_the_key_of_a_long_chain_writes_out_only_the_latest_shorthands():
    """x ← 1.0001·x + 0.0001 repeated 100,000 times printed a key of 3 MB: every v written out."""
    y = Value(1.0, "x")
    for _ in range(110):
        y = 1.0001 * y + 0.0001
    trace = trace_backward(y)
    assert trace[0].text.endswith("L = 1.0001·v109 + 0.0001)") and len(trace.shorthands) == 109
    key = str(trace).splitlines()[-1]
    assert key.startswith("where v10 = 1.0001·v9 + 0.0001, v11 = ") and key.count(" = ") == 100
    assert key.endswith("v109 = 1.0001·v108 + 0.0001 (and 9 earlier shorthands that these are written with: "
                        "a trace's .shorthands has every one)")
    y = Value(1.0, "x")
    for _ in range(KEY_ENTRIES + 1):
        y = 1.0001 * y + 0.0001
    key = str(trace_backward(y)).splitlines()[-1]
    assert key.count(" = ") == KEY_ENTRIES and key.startswith("where v1 = ") and "earlier shorthands" not in key


def test_explain_prints_a_thousand_lines_at_most(capsys):
    """A loss over 100 moons with every_node=True printed 65,814 lines (10 MB) into the notebook."""
    y = Value(0.5, "x")
    for _ in range(1000):
        y = y.tanh()
    explain(y, every_node=True)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1000 + 2 and lines[0].startswith("∂L/∂L = 1") and lines[-1].startswith("where ")
    assert lines[1000].startswith("… (the first 1,000 of 1,001 lines: trace_backward(root) returns them all")
    assert lines[:1000] == str(trace_backward(y, every_node=True)).splitlines()[:1000]


def test_explain_cut_short_keys_only_the_shorthands_of_the_lines_it_prints(capsys):
    """The lines past EXPLAIN_LINES are not printed, so the key must not explain what only they use."""
    terms = [Value(0.001 * i, f"x{i}") for i in range(EXPLAIN_LINES)]
    chain = Value(0.5, "w")
    for _ in range(12):
        chain = chain.tanh()
    loss = sum(terms) + chain  # the sum's lines come first, the chain's after the first EXPLAIN_LINES
    loss.label = "L"
    explain(loss, every_node=True)
    out = capsys.readouterr().out.splitlines()
    lines, key = out[:EXPLAIN_LINES], next(line for line in out if line.startswith("where "))
    assert out[EXPLAIN_LINES].startswith("… (the first")
    defined = re.findall(r"\b(v\d+) = ", key)
    used = set(re.findall(r"\bv\d+\b", "\n".join(lines))) | set(re.findall(r"\bv\d+\b(?! = )", key))
    assert defined and set(defined) <= used


def test_explain_names_itself_in_its_errors():
    with pytest.raises(TypeError, match="^explain expects a Value, got float"):
        explain(1.0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'every'"):
        explain(Value(1.0), every=True)


def test_a_negative_zero_is_written_as_zero():
    loss = binary_cross_entropy([Value(1.0)], [1.0])  # −(1 · ln 1) is −0.0
    assert math.copysign(1.0, loss.data) == -1.0
    assert number(loss.data) == "0.0000" and number(-0.0, precision=2) == "0.00"
    assert number(-1e-9) == "-1.0000e-09"  # a tiny negative number keeps its sign


def test_numbers_too_small_for_the_precision_are_written_in_scientific_notation():
    """0.005 at 2 decimals would read 0.01 (or 0.000 at 3 would hide it): too small for the
    precision asked for, it is written as 5.00e-03 instead, whatever the precision."""
    assert number(0.005, precision=2) == "5.00e-03"
    assert number(0.01, precision=2) == "0.01"
    assert number(0.00005, precision=6) == "0.000050"


def test_explain_and_the_diagram_say_when_grads_added_up_over_two_backward_calls(capsys):
    x, w = Value(1.0, label="x"), Value(0.4, label="w")
    z = w * x
    z.label = "z"
    L = z.tanh()
    L.backward()
    explain(L)
    assert "note:" not in capsys.readouterr().out
    assert "note:" not in draw_graph(L).source
    L.backward()  # no zero_grad(): w.grad is now twice this pass's ∂L/∂w
    explain(L)
    out = capsys.readouterr().out
    assert "note: w.grad is 1.7113, 2 × what this backward pass gives (0.8556): grads add up" in out
    assert "Call zero_grad()" in out
    assert "note: w.grad is 1.7113" in draw_graph(L).source
    L.grad = None  # PyTorch's way to clear the root's gradient: nothing to compare the leaves' grads with
    assert accumulation_note(L) is None
    L.grad = 1.0
    w.grad = x.grad = 0.0
    assert accumulation_note(L) is None


def test_the_note_about_added_up_grads_names_a_parameter_not_the_half_of_the_loss(capsys):
    # The ½ of L = ½(y − t)² comes first in the graph, and its grad doubles too: the note named
    # it ("0.5.grad is 0.0257"), a number no student asked about, instead of w1 or w2.
    L = backprop_by_hand.build_network()["L"]
    L.backward()
    L.backward()
    assert accumulation_note(L).startswith("note: w2.grad is -0.1410, 2 × what this backward pass gives (-0.0705)")
    x = Value(3.0, label="x")
    y = 0.5 * x * x  # an input and a constant: the input is named
    y.backward()
    y.backward()
    assert accumulation_note(y).startswith("note: x.grad is 6.0000, 2 ×")


def test_a_trace_says_what_its_shorthand_names_stand_for():
    w, x, b = Value(0.4, label="w"), Value(1.0, label="x"), Value(0.1, label="b")
    f = (w * x + b).tanh() * (w * x + b) + (w * x * x + b * b * b).exp()
    text = str(trace_backward(f, every_node=True))
    assert text.splitlines()[-1] == "where v1 = tanh(w·x + b)·((w·x)#2 + b), v2 = (w·x)#3·x + b·b·b"
    short = str(trace_backward((w * x + b).tanh()))
    assert "where" not in short and "v1" not in short


def test_printing_a_trace_scans_its_text_as_often_for_a_long_chain_as_for_a_short_one(monkeypatch):
    # Each shorthand name was searched for in each line: a trace of a few thousand nodes took
    # minutes to print. Counted, not timed: the regular-expression calls made while printing.
    scans = []

    class CountingRe:
        def __getattr__(self, name):
            def counted(*args, **kwargs):
                scans.append(name)
                return getattr(re, name)(*args, **kwargs)
            return counted

    def chain(links):  # tanh(x·1.5 + 0.1) is too long a name, so every link's result is v1, v2, …
        y = Value(0.5, label="x")
        for _ in range(links):
            y = (y * 1.5 + 0.1).tanh()
        return trace_backward(y, every_node=True)

    short, long = chain(3), chain(60)
    monkeypatch.setattr(trace_module, "re", CountingRe())
    scans_per_print = []
    for trace in (short, long):
        scans.clear()
        text = str(trace)
        scans_per_print.append(len(scans))
        assert text.splitlines()[-1].startswith("where v1 = tanh(x·1.5 + 0.1), v2 = tanh(v1·1.5 + 0.1)")
    assert scans_per_print[0] == scans_per_print[1]
    assert text.splitlines()[-1].endswith(", v59 = tanh(v58·1.5 + 0.1)")  # v60 is the root, L


def test_tracing_a_node_of_many_inputs_goes_through_them_as_often_for_many_as_for_few(counting_iterations):
    # Each input's edges were found by going through all k inputs again: k² for a max, a neuron's
    # Σwx+b or a loss over k examples (2,400 inputs took 1.5 s). Counted: passes over the inputs.
    CountingParents = counting_iterations(tuple)
    passes = []
    for k in (3, 30):
        values = [Value(float(i % 7), label=f"x{i}") for i in range(k)]
        top = maximum(values)
        top._a = CountingParents(top.parents)  # an op of many inputs keeps them as a tuple in its slot _a
        CountingParents.passes = 0
        trace = trace_backward(top, every_node=True)
        passes.append(CountingParents.passes)
        largest = min(k, 7) - 1  # the first of the largest, as maximum picks it
        assert [(step.name, step.grad) for step in trace[1:]] == [(f"x{i}", float(i == largest)) for i in range(k)]
    assert passes[0] == passes[1]


def test_a_powers_local_derivative_is_written_with_superscripts_as_its_name_is():
    x = Value(4.0, label="x")
    formulas = {}
    for n in (3, 0.5, -1, 1, 0):
        node = x**n
        formulas[n] = local_formula(node, 0, node_names(node.topological_order()))
    assert formulas == {3: "3·x²", 0.5: "0.5·x⁻⁰·⁵", -1: "-1·x⁻²", 1: None, 0: None}


def test_no_accumulation_note_for_a_gradient_seed_or_a_part_of_the_graph(capsys):
    q = Value(2.0, label="q")
    r = q * q
    r.backward(gradient=2.0)  # q.grad = 2 · ∂r/∂q: one pass, seeded with 2
    assert accumulation_note(r) is None
    x, w = Value(1.0, label="x"), Value(0.4, label="w")
    z = w * x
    z.label = "z"
    L = z.tanh()
    L.backward()
    explain(z)  # a part of the graph that backward() ran through once
    assert "note:" not in capsys.readouterr().out and "note:" not in draw_graph(z).source
    w.grad += 1.0  # gradient from elsewhere, not a whole number of passes
    assert accumulation_note(z).startswith("note: w.grad is 1.8556, not 0.8556, what a backward pass from here gives")


def test_a_trace_and_its_steps_have_short_reprs_for_the_repl():
    trace = trace_backward(backprop_by_hand.build_network()["L"])
    assert repr(trace) == "BackwardTrace(10 steps: L, t, y, w2, b2, h, z1, w1, …; print() it for the chain rule)"
    step = next(step for step in trace if step.name == "h")
    assert repr(step) == "TraceStep(∂L/∂h = ∂L/∂y · ∂y/∂h = (-0.1133) × (0.3000) = -0.0340)"
    assert repr(trace_backward(Value(2.0, "x") * 3)) == "BackwardTrace(2 steps: L, x; print() it for the chain rule)"
    assert repr(trace_backward(Value(2.0, "x"))) == "BackwardTrace(1 step: x; print() it for the chain rule)"


def test_names_print_without_control_characters(capsys):
    """A label, or the name of an op of your own, holding a terminal's escape sequence
    printed it: it could clear the screen or recolour what follows. Such characters are
    written out, as a repr writes them."""
    x = Value(2.0, "x\x1b[2J")
    y = Value.from_op(6.0, "sin\u202e", (x,), (3.0,))  # a right-to-left override
    explain(y.tanh(), every_node=True)
    out = capsys.readouterr().out
    assert r"∂L/∂x\x1b[2J = " in out and r"where v1 = sin\u202e(x\x1b[2J)" in out
    assert all(line.isprintable() for line in out.splitlines())


def test_a_shorthands_formula_prints_without_control_characters():
    """The "where v1 = …" line is written from the op's name too: an op of your own named like
    a power ("**" and more) carried its escape sequence into it."""
    x = Value(2.0, "a_long_input_name")  # long enough that the op's result is called v1
    y = Value.from_op(4.0, "**\x1b[2J", (x,), (4.0,))
    text = str(trace_backward(y.tanh(), every_node=True))
    assert r"where v1 = **\x1b[2J(a_long_input_name)" in text
    assert all(line.isprintable() for line in text.splitlines())


@pytest.mark.parametrize("op", ["**sq", "exp"])
def test_an_op_of_your_own_is_written_as_a_function_whatever_its_name(op):
    """An op made with Value.from_op is not the engine's op of the same name: its derivative is
    known only as the number it stores. A name starting with "**" stopped the trace with a
    ValueError (float("sq")), and one named "exp" was given exp's formula, exp'(x)."""
    x = Value(3.0, "x")
    y = Value.from_op(9.0, op, (x,), (6.0,))
    top = y.tanh()
    top.backward()
    _, step_y, step_x = trace_backward(top, every_node=True).as_dicts()
    assert step_y["node"] == f"{op}(x)"
    assert step_x["terms"][0]["local_name"] == f"∂({op}(x))/∂x" and step_x["terms"][0]["local"] == 6.0


def test_an_op_of_your_own_with_two_inputs_is_named_as_a_function_of_both():
    """With two inputs it had no name: v1 in every view, and no "where v1 = …" said what v1 was."""
    x, y = Value(0.7, "x"), Value(0.2, "y")
    product = Value.from_op(x.data * y.data, "mul", (x, y), (y.data, x.data))
    trace = trace_backward(product.tanh(), every_node=True)
    assert [step.name for step in trace] == ["L", "mul(x, y)", "x", "y"] and "where" not in str(trace)
    assert trace[2].text == "∂L/∂x = ∂L/∂(mul(x, y)) · ∂(mul(x, y))/∂x = (0.9807) × (0.2000) = 0.1961"


def test_the_key_explains_a_squared_shorthand_and_the_shorthands_inside_another():
    """An MLP's loss ½(y − t)² with its y unlabelled: the first line read "L = 0.5·v1²" and no
    "where" line followed (² counted as part of the name, v1²), and a fused-off MLP's key said
    "v2 = n2.1.b + n2.1.w1·σ(v1)" without saying what v1 is."""
    model = MLP(1, [1, 1], activation="sigmoid", seed=0)
    text = str(trace_backward(sse([model([Value(1.0, "x")])], [0.5])))
    assert "L = 0.5·v1²)" in text.splitlines()[0]
    assert text.splitlines()[-1] == "where v1 = 0.5 − (Σwx+b)#2"
    model = MLP(1, [1, 1], activation="sigmoid", seed=0, fused=False)
    text = str(trace_backward(sse([model([Value(1.0, "x")])], [0.5])))
    assert "L = 0.5·(0.5 − v2)²)" in text.splitlines()[0]
    assert text.splitlines()[-1] == "where v1 = n1.1.b + n1.1.w1·x, v2 = n2.1.b + n2.1.w1·σ(v1)"
    model = MLP(1, [1, 1, 1], activation="sigmoid", seed=0, fused=False)  # v3 uses v2, which uses v1
    text = str(trace_backward(sse([model([Value(1.0, "x")])], [0.5])))
    assert "L = 0.5·(0.5 − v3)²)" in text.splitlines()[0] and "v1" not in "".join(text.splitlines()[:-1])
    assert text.splitlines()[-1].startswith("where v1 = n1.1.b + n1.1.w1·x, v2 = ")
    x = Value(2.0, "x")
    assert "where" not in str(trace_backward((x * x * x * x).tanh() * x, every_node=False))  # no v1 in any line
