"""A yardstick for the speed issue's first target, not part of micrograd_club.

The issue sets "12x micrograd" for the micrograd-style graph because "a careful pure-Python
engine (__slots__, parents and local grads as tuples, no closures, iterative sort) measured
about 13.7x". This is that engine and nothing more: no labels, op names, input checks,
constants, no_grad or error messages, and micrograd's MLP on top of it (same parameter order,
so the benchmark loads the same weights). ``run.py`` times it beside micrograd_club, so every
run shows what the target's own recipe reaches on the machine at hand.

``InlineValue`` is the same engine with one change to the data model: a node keeps its one or
two inputs and their local derivatives in slots (a, ∂out/∂a, b, ∂out/∂b) instead of two tuples.
A tuple of Values is an object Python's cyclic garbage collector tracks, so each node is one
tracked object instead of two, and a step's graph triggers about half as many collections. Its
backward is as careful as pure Python allows: the ordering pass skips leaves and pushes a marker
rather than a pair per node, and the loop reads the slots, per arity.
``run.py`` times it too, to show what the target would take.

The same ``InlineValue`` with ``MLP(..., fused=True)`` is the yardstick for the second target
(fused neurons, "90x micrograd"): each neuron's Σwᵢxᵢ + b is one node, whose inputs and local
derivatives are two tuples (b is then ``MANY``), built and backpropagated as micrograd_club's
fused node is, without anything else. It shows what a bare pure-Python fused engine reaches on
the machine at hand, with the garbage collector on.
"""

import operator
import random

MANY = ...  # an InlineValue's b when its op has more than two inputs: a and local_a are then tuples


class Value:
    __slots__ = ("data", "grad", "parents", "local_grads")

    def __init__(self, data, parents=(), local_grads=()):
        self.data = data
        self.grad = 0.0
        self.parents = parents
        self.local_grads = local_grads

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    __radd__ = __add__
    __rmul__ = __mul__

    def relu(self):
        x = self.data
        return Value(x if x > 0 else 0.0, (self,), (1.0 if x > 0 else 0.0,))

    def backward(self):
        order, visited, stack = [], set(), [(self, False)]
        while stack:  # iterative depth-first search: a node goes in after its parents
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((parent, False) for parent in node.parents)
        self.grad = 1.0
        for node in reversed(order):
            for parent, local_grad in zip(node.parents, node.local_grads):
                parent.grad += local_grad * node.grad


class InlineValue:
    __slots__ = ("data", "grad", "a", "local_a", "b", "local_b")

    def __init__(self, data, a=None, local_a=0.0, b=None, local_b=0.0):
        self.data = data
        self.grad = 0.0
        self.a, self.local_a = a, local_a
        self.b, self.local_b = b, local_b

    def __add__(self, other):
        other = other if isinstance(other, InlineValue) else InlineValue(other)
        return InlineValue(self.data + other.data, self, 1.0, other, 1.0)

    def __mul__(self, other):
        other = other if isinstance(other, InlineValue) else InlineValue(other)
        return InlineValue(self.data * other.data, self, other.data, other, self.data)

    __radd__ = __add__
    __rmul__ = __mul__

    def relu(self):
        x = self.data
        return InlineValue(x if x > 0 else 0.0, self, 1.0 if x > 0 else 0.0)

    @staticmethod
    def weighted_sum(w, x, b):
        """Σwᵢxᵢ + b as one node: ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1."""
        w_data = [wi.data for wi in w]
        x_data = [xi.data for xi in x]
        total = sum(map(operator.mul, w_data, x_data), b.data)
        return InlineValue(total, (*w, *x, b), (*x_data, *w_data, 1.0), MANY)

    def backward(self):
        order, visited, stack = [], set(), [self]
        while stack:  # iterative depth-first search over the op nodes (leaves pass nothing back)
            node = stack.pop()
            if node is None:  # the marker pushed below: the node under it has its parents placed
                order.append(stack.pop())
            elif node not in visited:
                visited.add(node)
                stack += (node, None)
                a, b = node.a, node.b
                for parent in a if b is MANY else (a, b):
                    if parent is not None and parent.a is not None and parent not in visited:
                        stack.append(parent)
        self.grad = 1.0
        for node in reversed(order):
            grad = node.grad
            if node.b is MANY:
                for parent, local_grad in zip(node.a, node.local_a):
                    parent.grad += local_grad * grad
            else:
                node.a.grad += node.local_a * grad
                if node.b is not None:
                    node.b.grad += node.local_b * grad


class Neuron:
    def __init__(self, nin, nonlin=True, value=Value, fused=False):
        self.w = [value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = value(0.0)
        self.nonlin = nonlin
        self.fused = fused

    def __call__(self, x):
        if self.fused:
            act = self.b.weighted_sum(self.w, x, self.b)
        else:
            act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, nin, nout, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, nin, nouts, value=Value, fused=False):
        sizes = [nin] + nouts
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1, value=value, fused=fused)
            for i in range(len(nouts))
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]
