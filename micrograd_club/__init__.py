"""A scalar autograd engine for seeing how neural networks learn.

Every number is a ``Value`` that remembers how it was made, so ``backward()`` can fill in
∂L/∂w for every w by the chain rule, as the lesson notes do by hand (section 4.7):

    >>> from micrograd_club import Value
    >>> x, w, b = Value(1.0, "x"), Value(0.4, "w"), Value(0.1, "b")
    >>> h = (w * x + b).sigmoid()
    >>> h.backward()
    >>> round(w.grad, 4)  # ∂h/∂w = σ'(z)·x
    0.235

Where to go next, in the order a lesson meets them (``help()`` on each says more):
``engine`` (Value, no_grad), ``nn`` (Neuron, Layer, MLP), ``losses`` (mse, cross_entropy,
hinge, …), ``optim`` (SGD, Adam and learning-rate schedulers), ``data`` (toy datasets),
``train`` (``fit``, a training loop), ``viz`` (``draw_graph`` and ``explain`` for the
backward pass, ``viz.plots`` for curves), ``gradcheck`` (backward() against finite
differences), ``compile`` (a fast tape for whole batches), ``expression`` (a formula typed
as text, as a graph of Values). ``cli`` is the ``micrograd-club`` command.
"""

from micrograd_club.engine import Value, enable_grad, is_grad_enabled, no_grad

__version__ = "0.1.0"
__all__ = ["Value", "no_grad", "enable_grad", "is_grad_enabled", "__version__"]
