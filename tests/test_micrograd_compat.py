"""Karpathy's micrograd code runs unchanged with only the import swapped.

The first two tests are micrograd's own ``test/test_engine.py`` (MIT licence,
(c) Andrej Karpathy), verbatim except for the import line. The last runs the training
loop of micrograd's ``demo.ipynb`` twice, once on each library, and compares the losses.
"""

import random

import numpy as np
import pytest

from micrograd_club import Value  # was: from micrograd.engine import Value
from micrograd_club.data import make_moons

torch = pytest.importorskip("torch", reason="micrograd's own tests compare against PyTorch")


def test_sanity_check():

    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    xmg, ymg = x, y

    x = torch.Tensor([-4.0]).double()
    x.requires_grad = True
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    xpt, ypt = x, y

    # forward pass went well
    assert ymg.data == ypt.data.item()
    # backward pass went well
    assert xmg.grad == xpt.grad.item()


def test_more_ops():

    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    amg, bmg, gmg = a, b, g

    a = torch.Tensor([-4.0]).double()
    b = torch.Tensor([2.0]).double()
    a.requires_grad = True
    b.requires_grad = True
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    apt, bpt, gpt = a, b, g

    tol = 1e-6
    # forward pass went well
    assert abs(gmg.data - gpt.data.item()) < tol
    # backward pass went well
    assert abs(amg.grad - apt.grad.item()) < tol
    assert abs(bmg.grad - bpt.grad.item()) < tol


# The training loop of micrograd's demo.ipynb, verbatim apart from the import lines
# (and fewer steps, since micrograd itself takes about 2 s per step).
DEMO_NOTEBOOK = """
{imports}

np.random.seed(1337)
random.seed(1337)

model = MLP(2, [16, 16, 1]) # 2-layer neural network

# loss function
def loss(batch_size=None):

    # inline DataLoader :)
    if batch_size is None:
        Xb, yb = X, y
    else:
        ri = np.random.permutation(X.shape[0])[:batch_size]
        Xb, yb = X[ri], y[ri]
    inputs = [list(map(Value, xrow)) for xrow in Xb]

    # forward the model to get scores
    scores = list(map(model, inputs))

    # svm "max-margin" loss
    losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(yb, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    # L2 regularization
    alpha = 1e-4
    reg_loss = alpha * sum((p*p for p in model.parameters()))
    total_loss = data_loss + reg_loss

    # also get accuracy
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
    return total_loss, sum(accuracy) / len(accuracy)

# optimization
for k in range(STEPS):

    # forward
    total_loss, acc = loss()

    # backward
    model.zero_grad()
    total_loss.backward()

    # update (sgd)
    learning_rate = 1.0 - 0.9*k/100
    for p in model.parameters():
        p.data -= learning_rate * p.grad

    history.append((total_loss.data, acc))
"""


def run_demo(imports, X, y, steps):
    namespace = {"np": np, "random": random, "X": X, "y": y, "STEPS": steps, "history": []}
    exec(DEMO_NOTEBOOK.format(imports=imports), namespace)  # test-only: the notebook's own code
    return namespace["history"]


def test_demo_notebook_training_loop_gives_micrograd_losses():
    pytest.importorskip("micrograd", reason="micrograd==0.1.0 (the test extra) is the reference")
    X, y = make_moons(n_samples=100, noise=0.1, seed=0)
    y = y * 2 - 1  # make y be -1 or 1, as the notebook does
    steps = 3
    theirs = run_demo("from micrograd.engine import Value\nfrom micrograd.nn import Neuron, Layer, MLP", X, y, steps)
    ours = run_demo("from micrograd_club import Value\nfrom micrograd_club.nn import Neuron, Layer, MLP", X, y, steps)
    assert len(ours) == steps
    for (our_loss, our_acc), (their_loss, their_acc) in zip(ours, theirs):
        assert our_loss == pytest.approx(their_loss, rel=1e-9, abs=1e-12)
        assert our_acc == their_acc
    assert ours[-1][0] < ours[0][0]  # and it learns


def test_the_lecture_backpropagates_by_hand_with_underscore_backward():
    # Karpathy's "spelled-out intro" lecture: L = (a*b + c) * f, then each node's _backward() in turn
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    d = e + c
    L = d * f
    L.grad = 1.0
    for node in (L, d, e):
        node._backward()
    assert (a.grad, b.grad, c.grad, f.grad, d.grad, e.grad) == (6.0, -4.0, -2.0, 4.0, -2.0, -2.0)


@pytest.mark.parametrize("args", [(1.0, ()), (1.0, (), "exp")], ids=["children", "children and op"])
def test_micrograd_style_op_construction_points_to_from_op(args):
    with pytest.raises(TypeError, match=r"micrograd's Value\(data, _children, _op\).*Value\.from_op\("):
        Value(*args)
