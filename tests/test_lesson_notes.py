"""The numbers printed in ../shared/reference, reproduced by the engine (and where the
notes are wrong, the test says which numbers and why)."""

import math

import pytest

import backprop_by_hand
from micrograd_club import Value
from micrograd_club.losses import binary_cross_entropy, sse
from micrograd_club.nn import MLP
from micrograd_club.optim import SGD

# Section 4.7 by hand, straight from the formulas of sections 4.4-4.6 (no engine).
x, t, w1, b1, w2, b2, eta = 1.0, 0.5, 0.4, 0.1, 0.3, 0.2, 0.1
z1 = w1 * x + b1
h = 1 / (1 + math.exp(-z1))
y = w2 * h + b2
L = 0.5 * (y - t) ** 2
dL_dy = y - t
dL_dw2, dL_db2 = dL_dy * h, dL_dy
dL_dh = dL_dy * w2
dL_dw1 = dL_dh * h * (1 - h) * x
dL_db1 = dL_dh * h * (1 - h)
BY_HAND = {
    "z1": z1, "h": h, "z2": y, "L": L, "∂L/∂y": dL_dy, "∂L/∂w2": dL_dw2, "∂L/∂b2": dL_db2,
    "∂L/∂h": dL_dh, "σ'(z1)": h * (1 - h), "∂L/∂w1": dL_dw1, "∂L/∂b1": dL_db1,
    "w1 after": w1 - eta * dL_dw1, "b1 after": b1 - eta * dL_db1,
    "w2 after": w2 - eta * dL_dw2, "b2 after": b2 - eta * dL_db2,
}  # fmt: skip


def test_section_4_7_with_labelled_values_sse_and_sgd():
    found = backprop_by_hand.run_example()
    assert found.keys() == BY_HAND.keys()
    for name, expected in BY_HAND.items():
        assert found[name] == pytest.approx(expected, rel=1e-15, abs=1e-17), name
    assert found["L"] == pytest.approx(0.006414163046844788, rel=1e-15)


def test_section_4_7_with_an_mlp():
    net = MLP(1, [1, 1], activation="sigmoid")  # hidden σ, linear output, as in 4.4
    hidden, output = net.layers[0].neurons[0], net.layers[1].neurons[0]
    hidden.w[0].data, hidden.b.data, output.w[0].data, output.b.data = w1, b1, w2, b2
    loss = sse(net(x), t)
    loss.backward()
    SGD(net.parameters(), lr=eta).step()
    assert loss.data == pytest.approx(L, rel=1e-15)
    assert [p.data for p in net.parameters()] == pytest.approx(
        [BY_HAND["w1 after"], BY_HAND["b1 after"], BY_HAND["w2 after"], BY_HAND["b2 after"]], rel=1e-15
    )


def test_the_notes_errata_for_section_4_7():
    found = backprop_by_hand.run_example()
    rows = backprop_by_hand.compare_with_notes(found)
    wrong = {name for name, _, _, verdict in rows if verdict == "WRONG"}
    # The notes' arithmetic slips: L, ∂L/∂w2 and ∂L/∂w1 (= ∂L/∂b1), and the updates built on them.
    assert wrong == {"L", "∂L/∂w2", "∂L/∂w1", "∂L/∂b1", "w1 after", "b1 after", "w2 after"}
    truncated = {name for name, _, _, verdict in rows if verdict == "last digit"}
    assert truncated == {"z2", "∂L/∂y", "∂L/∂b2", "b2 after"}
    text = backprop_by_hand.report(rows, found)
    assert "7 of 15 printed numbers are wrong" in text and "0.0064142" in text


@pytest.mark.parametrize(
    "printed, exact, expected",
    [("0.63", 0.6364, "last digit"), ("0.64", 0.6364, "ok"), ("0.62", 0.6364, "WRONG"), ("-0.5", -0.5, "ok")],
)
def test_verdict_rules(printed, exact, expected):
    assert backprop_by_hand.verdict(printed, exact) == expected


def test_demo_prints_the_table(capsys, tmp_path):
    backprop_by_hand.main(tmp_path / "backprop_by_hand")
    out = capsys.readouterr().out
    assert "∂L/∂w2" in out and "-0.070506" in out and "✗ WRONG in the notes" in out


# ----- 000_4a7620ae3d76859b.txt: sigmoid, prediction, the error formula -----


def predict(W, x, b):
    return (Value(W) * x + b).sigmoid()


def test_article_sigmoid_and_predictions():
    # The article prints numpy's float64 to 17 significant digits.
    assert Value(2.5).sigmoid().data == pytest.approx(0.92414181997875655, rel=1e-15)
    assert predict(16, 0.38, 10).data == pytest.approx(0.999999896117, abs=5e-13)
    assert predict(1, 0.38, 0.1).data == pytest.approx(0.61774787476924897, rel=1e-15)


def test_article_sigmoid_prime_and_error_formula():
    z = Value(0.3)
    s = z.sigmoid()
    s.backward()
    sigma = 1 / (1 + math.exp(-0.3))
    assert z.grad == pytest.approx(sigma * (1 - sigma), rel=1e-15)  # sigmoid_prime
    output = 0.61774787476924897
    for target in (0, 1):
        expected = -target * math.log(output) - (1 - target) * math.log(1 - output)  # error_formula
        assert binary_cross_entropy(output, target).data == pytest.approx(expected, rel=1e-14)
