"""The chain-rule trace: the notes' order and wording, sums for shared nodes, and the same
numbers as backward()."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backprop_by_hand
from micrograd_club import Value
from micrograd_club.viz import explain, trace_backward
from strategies import evaluate, expressions, reals
from test_engine import VALUE_OPS, _value


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
    assert step.text == "∂c/∂a = ∂c/∂a + ∂c/∂a = (1.0000) + (1.0000) = 2.0000"

    x = Value(0.7, "x")
    h = x.tanh()
    h.label = "h"
    y = h * h + h
    y.label = "y"
    line = next(s for s in trace_backward(y, every_node=True) if s.name == "h").text
    assert line.startswith("∂y/∂h = ∂y/∂h + ∂y/∂(h·h) · ∂(h·h)/∂h + ∂y/∂(h·h) · ∂(h·h)/∂h = ")


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
    assert names == ["L", "(v1·2) + 1", "v1·2", "v1", "2", "1"]


def test_a_compound_name_is_bracketed_whole_in_a_partial():
    x, w, b = Value(1.0, label="x"), Value(0.4, label="w"), Value(0.1, label="b")
    f = (w * x + b).tanh()
    f.label = "f"
    f.backward()
    text = str(trace_backward(f, every_node=True))
    assert "∂f/∂((w·x) + b) = tanh'((w·x) + b)" in text  # not ∂f/∂(w·x) + b, which reads as a sum
    assert "∂f/∂b = ∂f/∂((w·x) + b) · ∂((w·x) + b)/∂b" in text


def test_trace_rejects_non_values():
    with pytest.raises(TypeError, match="expects a Value"):
        trace_backward(3.0)


@settings(max_examples=60, deadline=None)
@given(expr=expressions(), xs=st.lists(reals(-3, 3), min_size=3, max_size=3))
def test_every_node_trace_equals_backward_on_random_graphs(expr, xs):
    variables = [Value(x, f"x{i}") for i, x in enumerate(xs)]
    out = _value(evaluate(expr, variables, VALUE_OPS))
    trace = trace_backward(out, every_node=True)
    out.backward()
    assert len(trace) == len(out.topological_order())
    seen = set()
    for step in trace:
        assert step.grad == pytest.approx(step.node.grad, rel=1e-12, abs=1e-12)
        for term in step.terms:
            assert term.via in seen  # a node's line comes after every line it uses
        seen.add(step.node)
