"""Optimizers and learning-rate schedulers for lists of ``Value`` parameters, with the names,
defaults and arithmetic of PyTorch's ``torch.optim`` (tested step by step against it).

An optimizer only reads each parameter's ``grad`` and changes its ``data``; the loss and
``backward()`` are yours. One training loop, in the notes' words "compute the gradient, then
step against it", looks like this::

    optimizer = SGD(params, lr=0.1, momentum=0.9)
    for epoch in range(100):
        loss = compute_loss(params)
        optimizer.zero_grad()   # backward() adds to grad, so clear last step's gradient first
        loss.backward()         # grad = ∂L/∂θ for every parameter θ
        optimizer.step()        # θ ← θ − η·(something made from ∇L)

Notation (as in the notes): θ a parameter, η the learning rate ``lr``, ∇L = ``θ.grad``,
γ a momentum coefficient, λ the ``weight_decay``.

As in PyTorch, every optimizer also takes ``maximize=True`` (step *up* the gradient, to make
the loss larger) and ``step(closure)``, where ``closure()`` recomputes the loss and its
gradients before the update and ``step`` returns that loss.

Batch, stochastic and mini-batch gradient descent are all this same ``SGD`` optimizer: they
differ only in which examples the loss averages over before ``backward()``.

One difference from PyTorch: a Value's ``grad`` is always a number (0 after ``zero_grad()``),
never None, so a parameter the loss did not use still takes a step when momentum or weight
decay give it one; PyTorch skips parameters whose grad is None.
"""

from micrograd_club.optim import lr_scheduler
from micrograd_club.optim.lr_scheduler import ExponentialLR, LambdaLR, LRScheduler, StepLR
from micrograd_club.optim.optimizers import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop

__all__ = [
    "Optimizer",
    "SGD",
    "RMSprop",
    "Adagrad",
    "Adam",
    "AdamW",
    "LRScheduler",
    "StepLR",
    "ExponentialLR",
    "LambdaLR",
    "lr_scheduler",
]
