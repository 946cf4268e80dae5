"""micrograd_club: a scalar autograd engine for seeing how neural networks learn."""

from micrograd_club.engine import Value, enable_grad, is_grad_enabled, no_grad

__version__ = "0.1.0"
__all__ = ["Value", "no_grad", "enable_grad", "is_grad_enabled", "__version__"]
