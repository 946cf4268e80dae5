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
tracked object instead of two, and a step's graph triggers about half as many collections.
``run.py`` times it too, to show what the target would take.
"""

import random


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

    def backward(self):
        order, visited, stack = [], set(), [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((parent, False) for parent in (node.a, node.b) if parent is not None)
        self.grad = 1.0
        for node in reversed(order):
            if node.a is not None:
                node.a.grad += node.local_a * node.grad
            if node.b is not None:
                node.b.grad += node.local_b * node.grad


class Neuron:
    def __init__(self, nin, nonlin=True, value=Value):
        self.w = [value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
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
    def __init__(self, nin, nouts, value=Value):
        sizes = [nin] + nouts
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1, value=value) for i in range(len(nouts))
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]
