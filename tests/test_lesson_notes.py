"""The numbers printed in ../shared/reference, reproduced by the engine (and where the
notes are wrong, the test says which numbers and why)."""

import math
import os

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
    "w2 step": -eta * dL_dw2, "b2 step": -eta * dL_db2, "w1 step": -eta * dL_dw1, "b1 step": -eta * dL_db1,
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
    # The notes' arithmetic slips: L, ∂L/∂w2 and ∂L/∂w1 (= ∂L/∂b1), and the steps and updates built on them.
    assert wrong == {"L", "∂L/∂w2", "∂L/∂w1", "∂L/∂b1", "w2 step", "w1 step", "b1 step",
                     "w1 after", "b1 after", "w2 after"}
    off_by_one_unit = {name for name, _, _, verdict in rows if verdict == "last digit"}
    assert off_by_one_unit == {"z2", "∂L/∂y", "∂L/∂b2", "b2 step", "b2 after"}
    text = backprop_by_hand.report(rows, found)
    assert "10 of 19 printed numbers are wrong" in text and "0.0064142" in text
    assert found["w2 step"] == pytest.approx(0.0070501, abs=5e-8)
    assert found["w1 step"] == pytest.approx(0.0007985, abs=5e-8)


def test_section_4_4_3_calls_half_the_squared_error_the_mse():
    """3.2.2's MSE is (1/n)Σ(y − ŷ)²: for the one output of 4.7 that is (y − t)² = 2L, not
    4.4.3's L = ½(y − t)², and its gradient is twice 4.7.3's ∂L/∂y = y − t."""
    found = backprop_by_hand.run_example()
    as_mse, as_mse_dy = backprop_by_hand.loss_as_mse(found)
    assert as_mse == pytest.approx(2 * found["L"], rel=1e-15) and round(as_mse, 7) == 0.0128283
    assert as_mse_dy == pytest.approx(2 * found["∂L/∂y"], rel=1e-15)
    text = backprop_by_hand.report(backprop_by_hand.compare_with_notes(found), found)
    assert "4.4.3 calls L = ½(y − t)² the mean squared error, but 3.2.2's MSE has no ½" in text
    assert "losses.mse(y, t) = (y − t)² = 0.0128283 = 2·L, with ∂/∂y = 2(y − t) = -0.2265244 = 2·∂L/∂y" in text


def test_only_z2_is_truncated_the_other_last_digits_are_computed_from_it():
    found = backprop_by_hand.run_example()
    z2 = found["z2"]
    assert round(z2, 7) == 0.3867378 and math.floor(z2 * 1e7) / 1e7 == 0.3867377  # the notes truncate z2
    assert round(found["∂L/∂y"], 7) == -0.1132622  # exact, rounded either way …
    assert round(0.3867377 - 0.5, 7) == -0.1132623  # … the notes' −0.1132623 is y − t from the truncated z2


def readme_section(title):
    """A section of the README as one line of prose (its line breaks are spaces)."""
    with open(os.path.join(os.path.dirname(__file__), os.pardir, "README.md"), encoding="utf-8") as f:
        text = f.read()
    section = text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
    return " ".join(section.split())


def test_the_readme_s_errata_are_the_engine_s_numbers():
    """The README's "The lesson notes, checked" gives the right values beside the notes' wrong
    ones: each must be the engine's, rounded as the README prints it."""
    text = readme_section("The lesson notes, checked")
    found = backprop_by_hand.run_example()
    rows = backprop_by_hand.compare_with_notes(found)
    notes = {name: printed.replace("-", "−") for name, printed, _, _ in rows}

    def shown(name, decimals=7):
        return f"{found[name]:.{decimals}f}".replace("-", "−")

    wrong = [name for name, _, _, result in rows if result == "WRONG"]
    last_digit = [name for name, _, _, result in rows if result == "last digit"]
    assert f"The engine finds {len(wrong)} of the {len(rows)} printed numbers wrong" in text
    assert f"the loss is ½({shown('∂L/∂y')})² = {shown('L')}, not {notes['L']};" in text
    assert f"∂L/∂w2 is {shown('∂L/∂w2')}, not {notes['∂L/∂w2']};" in text
    assert shown("∂L/∂b1") == shown("∂L/∂w1")
    assert f"∂L/∂w1 = ∂L/∂b1 is {shown('∂L/∂w1')}, not {notes['∂L/∂w1']};" in text
    assert f"the w2 step is {shown('w2 step')}, not {notes['w2 step']})" in text
    assert len(last_digit) == 5 and "Five more are one unit off in the last digit" in text
    assert f"z2 is truncated ({notes['z2']} for {shown('z2', 8)})" in text

    neuron = (Value(0.8) * 0.5 + Value(0.2) * 0.3 + 0.1).sigmoid()
    assert f"σ(0.56) ≈ 0.63 is truncated: it rounds to {neuron.data:.2f};" in text


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


def test_section_5_3_products_sum_and_threshold():
    w1, w2, b = Value(0.8), Value(0.2), Value(0.1)
    p1, p2 = w1 * 0.5, w2 * 0.3  # the notes: 0.8 × 0.5 = 0.4, 0.2 × 0.3 = 0.06
    assert p1.data == pytest.approx(0.4, abs=5e-13) and p2.data == pytest.approx(0.06, abs=5e-13)
    y = (p1 + p2 + b).sigmoid()
    assert y.data > 0.5  # "0.63 > 0.5, the neuron activates": true of the exact 0.6365 too
    assert round(y.data, 2) == 0.64


def test_the_article_s_error_function_needs_brackets_its_code_has():
    y_hat, y = [0.61774787476924897, 0.3], [1.0, 0.0]
    bracketed = -sum(t * math.log(p) + (1 - t) * math.log(1 - p) for p, t in zip(y_hat, y)) / 2
    as_typeset = -sum(t * math.log(p) for p, t in zip(y_hat, y)) / 2 + sum(
        (1 - t) * math.log(1 - p) for p, t in zip(y_hat, y))  # −(1/m)Σ y ln ŷ, then + Σ (1 − y) ln(1 − ŷ)
    loss = binary_cross_entropy(y_hat, y).data
    assert loss == pytest.approx(bracketed, rel=1e-14)
    assert loss != pytest.approx(as_typeset, rel=1e-3)


def test_section_5_6_the_output_layer_sums_the_hidden_values_not_the_inputs():
    net = MLP(2, [2, 1], activation="sigmoid", seed=0)
    # Figure 5.6: 2 inputs, 1 hidden layer of 2 neurons, h1 and h2, whose parameters are the
    # weights w11, w12, w21, w22 and the bias weights w31, w32
    hidden_layer = net.layers[0]
    assert len(net.layers) - 1 == 1 and len(hidden_layer.neurons) == 2
    assert [len(neuron.w) for neuron in hidden_layer.neurons] == [2, 2] and len(hidden_layer.parameters()) == 6
    x = [0.5, -1.0]
    hidden = [v.data for v in net.layers[0](x)]
    output = net.layers[1].neurons[0]
    weights = [w.data for w in output.w]
    y = net(x).data
    assert y == pytest.approx(sum(h * w for h, w in zip(hidden, weights)) + output.b.data, rel=1e-12)
    assert y != pytest.approx(sum(xj * w for xj, w in zip(x, weights)) + output.b.data, rel=1e-3)  # the notes' Σ xⱼwⱼₖ
