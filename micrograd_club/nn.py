"""Neurons, layers and MLPs built from Values (micrograd-compatible), plus softmax.

``random.seed(1337); MLP(2, [16, 16, 1])`` holds exactly the weights micrograd's would:
each weight is drawn with ``random.uniform(-1, 1)`` in the same order, and biases start at 0.

A parameter has two names. ``named_parameters()`` and ``state_dict()`` count from 0, as
PyTorch does: ``layers.0.neurons.1.w.0`` is layer 0, neuron 1, weight 0. Its ``label``, which
diagrams and traces show, counts from 1, as the notes do: the same weight is ``n1.2.w1``
(layer 1, neuron 2, weight 1), and that neuron's bias is ``n1.2.b``:

>>> model = MLP(2, [2, 1], seed=0)
>>> [(name, p.label) for name, p in model.named_parameters()][3:6]
[('layers.0.neurons.1.w.0', 'n1.2.w1'), ('layers.0.neurons.1.w.1', 'n1.2.w2'), ('layers.0.neurons.1.b', 'n1.2.b')]
"""

import collections
import json
import math
import operator
import os
import random
import re
import stat

from micrograd_club._inputs import (
    as_sequence,
    as_switch,
    as_value,
    checked_seed,
    is_finite_number,
    is_scalar,
    is_sequence,
    whole_number,
)
from micrograd_club._io import atomic_write_text, file_path, plural, printable
from micrograd_club.engine import Value, is_grad_enabled, maximum, weighted_sum, weighted_sum_of_values

__all__ = ["Parameter", "Module", "Neuron", "Layer", "MLP", "softmax", "log_softmax", "ACTIVATIONS"]

# activation name -> the name micrograd-style reprs use ("ReLUNeuron(2)")
ACTIVATIONS = {
    "relu": "ReLU",
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "leaky_relu": "LeakyReLU",
    "linear": "Linear",
}
INITS = ("uniform", "xavier", "he")
MODEL_FORMAT = "micrograd_club.model"
MODEL_VERSION = 1
MAX_MODEL_FILE_BYTES = 64 * 1024 * 1024
# per model: each parameter is a Python object of some 200 bytes, so 10 million take about 2 GB, far
# more than a scalar engine trains; a typo such as MLP(2, [1000000000]) would fill the memory
MAX_PARAMETERS = 10_000_000
NAMES_IN_REPR = 6  # a Module of your own lists its parameters' names in its repr up to this many


class Parameter(Value):
    """A Value that a model learns (a weight or a bias), as ``torch.nn.Parameter``: it
    behaves exactly like a Value, and diagrams colour it as a parameter. One difference, as in
    PyTorch: ``p -= lr * p.grad`` (and ``+=``, ``*=``, ``/=``) updates p in place inside
    ``no_grad()`` and raises outside it, where Python would quietly make ``p`` a new computed
    Value and leave the model's parameter as it was.

    Only a Parameter is changed in place: on a plain Value ``+=`` makes a new Value in and out
    of ``no_grad()``, as in micrograd. So a model that sums into a Value of its own
    (``act = self.b; act += w * x``) computes the same inside ``no_grad()`` (in ``evaluate``, say)
    as outside it, instead of adding to ``self.b`` on every call."""

    __slots__ = ()

    def __iadd__(self, other):
        return self._update_in_place(operator.add, other, "+=")

    def __isub__(self, other):
        return self._update_in_place(operator.sub, other, "-=")

    def __imul__(self, other):
        return self._update_in_place(operator.mul, other, "*=")

    def __itruediv__(self, other):
        return self._update_in_place(operator.truediv, other, "/=")

    def _update_in_place(self, op, other, symbol):
        """``self symbol other`` inside no_grad(): self, holding the number ``op(self, other)``
        gives. Outside no_grad() a RuntimeError, as PyTorch gives for a leaf that requires grad."""
        name = printable(self.label) if self.label else "p"
        if is_grad_enabled():
            raise RuntimeError(
                f"{name} {symbol} ...: outside no_grad() an in-place update of a parameter would leave it unchanged "
                "(Python would make a new computed Value instead; PyTorch refuses it too). Update it inside "
                "no_grad(): with no_grad(): p -= lr * p.grad, or change its number: p.data -= lr * p.grad. "
                f"To compute a new Value from it (a sum that starts at a bias), write out = out {symbol[0]} ..."
            )
        result = op(self, other)
        if not isinstance(result, Value):  # p += an array gives an array of Values, which one number cannot hold
            raise TypeError(
                f"{name} {symbol} ... updates one number in place, but the right-hand side gave "
                f"{type(result).__name__}: {result!r:.60}. Give it one number or Value"
            )
        self.data = result.data
        return self


IncompatibleKeys = collections.namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module:
    """Base class, as in micrograd and PyTorch: anything with parameters.

    Parameters are found by walking the attributes (Values, Modules, and lists of either),
    so a subclass only has to store them; micrograd-style subclasses that override
    ``parameters()`` keep working for ``zero_grad()``.
    """

    training = True  # see train(); a class default, so subclasses need not call Module.__init__

    def parameters(self):
        """Every parameter Value, in a stable order (micrograd's: each neuron's w, then b)."""
        return [p for _, p in self.named_parameters()]

    def named_parameters(self, prefix=""):
        """(name, Value) pairs with dotted names such as ``layers.0.neurons.3.w.1``
        (``prefix="model"`` gives ``model.layers.0…``, as in PyTorch)."""
        seen = set()
        for name, p in _walk_parameters(self, f"{prefix}." if prefix else ""):
            if p not in seen:
                seen.add(p)
                yield name, p

    def zero_grad(self, set_to_none=True):
        """Set every parameter's grad to 0 (gradients accumulate across backward calls).
        ``set_to_none`` is accepted for PyTorch code: a grad here is always a number, so it is 0.0."""
        for p in self.parameters():
            p.grad = 0.0

    def train(self, mode=True):
        """Set ``training`` (as in PyTorch) and return the model. No layer here behaves
        differently in training and evaluation, so this only lets PyTorch-style loops run."""
        self.training = bool(mode)
        return self

    def eval(self):
        """``train(False)``: evaluation mode, as in PyTorch (it changes nothing here)."""
        return self.train(False)

    def __repr__(self):
        """A Module of your own, by its class and parameters: ``<Line: 2 parameters (w, b)>``
        (Neuron, Layer and MLP show their architecture instead)."""
        names = [name for name, _ in self.named_parameters()]
        listed = f" ({', '.join(names)})" if 0 < len(names) <= NAMES_IN_REPR else ""
        return f"<{type(self).__name__}: {plural(len(names), 'parameter')}{listed}>"

    def state_dict(self):
        """{parameter name: value} as plain floats, like ``torch.nn.Module.state_dict``: each
        value goes through float(), so a numpy scalar set as ``p.data`` still saves as JSON."""
        return {name: float(p.data) for name, p in self.named_parameters()}

    def load_state_dict(self, state, strict=True):
        """Copy values from ``state`` (as made by ``state_dict()``) into the parameters.
        With ``strict`` the names must match exactly; a mismatch raises ValueError listing them.
        Returns ``(missing_keys, unexpected_keys)`` as PyTorch does, which says what
        ``strict=False`` left out."""
        strict = as_switch(strict, "strict")  # the str "False" would be true, and load strictly
        if not isinstance(state, dict):
            raise TypeError(f"load_state_dict expects a dict of name -> number, got {type(state).__name__}")
        not_names = [key for key in state if not isinstance(key, str)]
        if not_names:  # names are str: a key such as 0 matches no parameter (and could not be listed)
            raise TypeError(
                f"load_state_dict: the keys must be parameter names (str) such as "
                f"{next(iter(self.state_dict()), 'w.0')!r}, got {type(not_names[0]).__name__} "
                f"{not_names[0]!r:.40}; model.state_dict() shows the names"
            )
        params = dict(self.named_parameters())
        missing = [name for name in params if name not in state]
        unexpected = [name for name in state if name not in params]
        if strict and (missing or unexpected):
            raise ValueError(
                f"state does not fit this model ({len(params)} parameters, state has {len(state)}): "
                f"missing {_few(missing)}, unexpected {_few(unexpected)}. "
                "Build the model with the same architecture as the one that was saved."
            )
        for name, value in state.items():  # check everything before changing anything
            if name in params and not is_finite_number(value):
                raise ValueError(f"state[{name!r}] must be a finite number, got {value!r:.40}")
        for name, value in state.items():
            if name in params:
                params[name].data = float(value)
        return IncompatibleKeys(missing, unexpected)

    def save(self, path):
        """Write the parameters to ``path`` (a str or a pathlib.Path) as JSON, atomically: a crash
        never leaves half a file."""
        file_path(path)  # a bad path is reported before the parameters are checked
        state = self.state_dict()
        bad = [name for name, value in state.items() if not math.isfinite(value)]
        if bad:
            raise ValueError(
                f"cannot save: parameters {_few(bad)} are not finite (nan or inf), so training diverged. "
                "Lower the learning rate and train again."
            )
        document = {
            "format": MODEL_FORMAT,
            "version": MODEL_VERSION,
            "architecture": repr(self),
            "parameters": state,
        }
        atomic_write_text(path, json.dumps(document, indent=1) + "\n")

    def load(self, path, strict=True):
        """Read parameters saved by ``save()`` into this model and return it. With ``strict``
        the model must be built as the saved one was: the same parameter names and, for a
        Neuron, Layer or MLP, the same architecture (layer sizes and activations, as ``repr``
        shows them; a ReLU model must not take a tanh model's weights). ``strict=False``
        loads the parameters whose names match. Never unpickles or evaluates anything: the
        file is JSON, checked field by field. ``path`` is a str or a pathlib.Path (an int would
        be taken for an open file descriptor)."""
        path, strict = file_path(path), as_switch(strict, "strict")
        document = _read_model_file(path)
        saved = document.get("architecture")  # None in a file written by hand or by another program
        if strict and saved is not None and _describes_architecture(self) and saved != repr(self):
            raise ValueError(
                f"{path} was saved from {_summary(saved)}, but this model is {_summary(repr(self))}. Build the "
                "model as it was saved (the same layer sizes and activations) before loading, or pass "
                "strict=False to load the parameters whose names match"
            )
        try:
            self.load_state_dict(document["parameters"], strict=strict)
        except (TypeError, ValueError) as error:
            origin = f" (the file was saved from {_summary(saved)})" if saved is not None else ""
            raise ValueError(f"{path}: {error}{origin}") from None
        return self


def softmax(values):
    """softmax(z)ᵢ = e^(zᵢ − m) / Σⱼ e^(zⱼ − m) with m = max z (see ``_minus_max``)."""
    shifted = _minus_max(values, "softmax")
    exps = [s.exp() for s in shifted]
    total = sum(exps[1:], exps[0])
    return [e / total for e in exps]


def log_softmax(values):
    """log softmax(z)ᵢ = (zᵢ − m) − ln Σⱼ e^(zⱼ − m) with m = max z: stable for any logits."""
    shifted = _minus_max(values, "log_softmax")
    exps = [s.exp() for s in shifted]
    log_total = sum(exps[1:], exps[0]).log()
    return [s - log_total for s in shifted]


def _minus_max(values, where):
    """zᵢ − m for each of the values, m = max z: the shift changes nothing in softmax
    mathematically but keeps e^z from overflowing, so logits of ±1000 work (the gradient that
    flows through m adds up to 0). m is a node of the graph, so the same code is right for any
    input; each zᵢ − m is one node, which log_softmax uses twice."""
    values = _as_values(values, where)
    shift = maximum(values)
    return [v - shift for v in values]


def _as_values(values, where):
    """A non-empty list of Values from a list, tuple or 1-d array of Values or numbers."""
    if isinstance(values, Value) or not is_sequence(values):
        raise TypeError(
            f"{where} expects a list of Values or numbers (one per class), got {type(values).__name__}"
        )
    return [as_value(v, where, f"values[{i}]") for i, v in enumerate(as_sequence(values, where, "values"))]


class Neuron(Module):
    """One neuron: out = act(Σᵢ wᵢxᵢ + b).

    By default (``fused=True``) Σwᵢxᵢ + b is ONE node of the graph, "Σwx+b", whose local
    derivatives are ∂z/∂wᵢ = xᵢ, ∂z/∂xᵢ = wᵢ and ∂z/∂b = 1: the same numbers as the chain,
    with about a tenth of the op nodes, so training is much faster. ``fused=False`` builds it
    as micrograd does, b + w1·x1 + w2·x2 + … (one node per * and +), to draw every multiply.

    ``nonlin=True`` means ReLU and ``False`` linear, as in micrograd; ``activation`` names
    any of ``ACTIVATIONS`` instead. ``init`` is "uniform" (micrograd's U(−1, 1)), "xavier"
    (U(±√(6/(fan_in+fan_out)))) or "he" (N(0, 2/fan_in)); ``seed`` (a whole number >= 0 or a
    ``random.Random``) draws from its own generator instead of the global ``random``.
    The parameters are labelled as in the notes: w1 … wn and b (in a Layer or an MLP, after
    the neuron too: ``n2.w1``, ``n1.2.b``).
    """

    def __init__(self, nin, nonlin=True, activation=None, *, init="uniform", seed=None, fan_out=1, fused=True):
        nin = whole_number(nin, "Neuron nin")
        _check_model_size(f"Neuron({nin})", nin + 1)
        if isinstance(nonlin, str):  # Neuron(2, "tanh"): a name in micrograd's True/False place
            raise TypeError(
                f"Neuron's second argument is micrograd's nonlin, True (ReLU) or False (linear), so {nonlin!r} would "
                f"make a ReLU neuron; name the activation as a keyword: Neuron({nin}, activation={nonlin!r})"
            )
        self.activation = _activation(activation if activation is not None else ("relu" if nonlin else "linear"))
        self.fused = bool(fused)
        rng = _generator(seed)
        self.w = [Parameter(x, f"w{i + 1}") for i, x in enumerate(_initial_weights(init, nin, fan_out, rng))]
        self.b = Parameter(0.0, "b")

    @property
    def nonlin(self):
        """micrograd's flag: True unless the activation is linear."""
        return self.activation != "linear"

    def __call__(self, x):
        x = _inputs(x, len(self.w), "Neuron")
        if self.fused:
            return self._activate(weighted_sum(self.w, x, self.b))  # numbers in x become Constants
        return self._activate(sum(map(operator.mul, self.w, x), self.b))  # b + w1·x1 + w2·x2 + …

    def _call_on_values(self, x, x_data):
        """The same as ``self(x)`` for a list of Values of the right length and their data
        (Layer checks them and reads the data once for all its neurons)."""
        if self.fused:
            return self._activate(weighted_sum_of_values(self.w, x, self.b, x_data))
        return self._activate(sum(map(operator.mul, self.w, x), self.b))

    def _activate(self, z):
        return z if self.activation == "linear" else getattr(z, self.activation)()

    def __repr__(self):
        return f"{ACTIVATIONS[self.activation]}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons that all see the same inputs. Like micrograd, a layer of one
    neuron returns a single Value, otherwise a list. Neuron k's parameters are labelled
    ``nk.w1`` … ``nk.b``, so diagrams and traces tell the neurons apart."""

    def __init__(self, nin, nout, **kwargs):
        nin, nout = whole_number(nin, "Layer nin"), whole_number(nout, "Layer nout")
        _check_model_size(f"Layer({nin}, {nout})", (nin + 1) * nout)
        kwargs["seed"] = _generator(kwargs.get("seed"))  # one generator for all: Random(seed) each would repeat
        self.neurons = [Neuron(nin, fan_out=nout, **kwargs) for _ in range(nout)]
        self._label_parameters("n")

    def _label_parameters(self, prefix):
        """Label neuron k's parameters ``{prefix}k.w1`` … ``{prefix}k.b``."""
        for k, neuron in enumerate(self.neurons, start=1):
            for i, w in enumerate(neuron.w, start=1):
                w.label = f"{prefix}{k}.w{i}"
            neuron.b.label = f"{prefix}{k}.b"

    def __call__(self, x):
        x = _inputs(x, len(self.neurons[0].w), "Layer")
        try:  # one Value per input, shared by every neuron
            x = [xi if isinstance(xi, Value) else Value(xi) for xi in x]
        except TypeError:
            if any(is_sequence(xi) for xi in x):
                raise TypeError(_whole_data_set("Layer", len(x))) from None
            raise
        x_data = [xi.data for xi in x]
        out = [n._call_on_values(x, x_data) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def __repr__(self):
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A multilayer perceptron: ``MLP(2, [16, 16, 1])`` maps 2 inputs through two hidden
    layers of 16 to one output. Hidden layers use ``activation``; the last layer uses
    ``output_activation`` (linear when None, as in micrograd), which may also be "softmax"
    to turn the outputs into probabilities. ``init``, ``seed`` and ``fused`` are as for
    Neuron (one ``seed`` draws every weight of the model). The parameters of neuron k of
    layer l are labelled ``nl.k.w1`` … ``nl.k.b`` (``n1.2.w1``: layer 1, neuron 2, weight 1),
    as the collapsed diagram calls that neuron "neuron 1.2"."""

    def __init__(self, nin, nouts, activation="relu", output_activation=None, *, init="uniform", seed=None,
                 fused=True):
        nin = whole_number(nin, "MLP nin")
        if isinstance(nouts, (str, bytes)) or not hasattr(nouts, "__iter__"):
            raise TypeError(f"MLP nouts must be a list of layer sizes like [16, 16, 1], got {nouts!r}")
        nouts = [whole_number(n, "MLP layer size") for n in nouts]
        if not nouts:
            raise ValueError("MLP needs at least one layer size, e.g. MLP(2, [16, 16, 1])")
        sizes = [nin] + nouts
        _check_model_size(f"MLP({nin}, {nouts})", sum((n + 1) * m for n, m in zip(sizes, sizes[1:])))
        activation = _activation(activation)
        self.softmax_output = output_activation == "softmax"
        if self.softmax_output and nouts[-1] < 2:
            raise ValueError("a softmax output needs at least 2 outputs (one per class)")
        last = "linear" if output_activation is None or self.softmax_output else _activation(output_activation)
        rng = _generator(seed)
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation=activation if i < len(nouts) - 1 else last, init=init, seed=rng,
                  fused=fused)
            for i in range(len(nouts))
        ]
        for number, layer in enumerate(self.layers, start=1):
            layer._label_parameters(f"n{number}.")

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return softmax(x) if self.softmax_output else x

    def __repr__(self):
        text = f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
        return f"{text} → softmax" if self.softmax_output else text


# ----- helpers -----


def _walk_parameters(obj, prefix):
    for name, attr in vars(obj).items():
        yield from _named(attr, f"{prefix}{name}")


def _named(attr, name):
    if isinstance(attr, Value):
        yield name, attr
    elif isinstance(attr, Module):
        yield from _walk_parameters(attr, name + ".")
    elif isinstance(attr, (list, tuple)):
        for i, item in enumerate(attr):
            yield from _named(item, f"{name}.{i}")


def _inputs(x, expected, who):
    """The inputs as a sequence, checked for length; a lone Value/number counts as one input."""
    if is_scalar(x):  # also a numpy number or 0-d array, as Value() takes them
        x = (x,)
    elif isinstance(x, (str, bytes, dict, set, frozenset)) or not hasattr(x, "__len__"):
        unordered = ": a set has no order, so its numbers could go to the wrong inputs; pass a list" \
            if isinstance(x, (set, frozenset)) else ""
        raise TypeError(f"{who} expects a list of {expected} numbers or Values, got {type(x).__name__}{unordered}")
    if len(x) != expected:
        if len(x) and is_sequence(x[0]):
            raise ValueError(_whole_data_set(who, expected))
        raise ValueError(
            f"{who} expects {plural(expected, 'input')}, got {len(x)}: the model was built for {expected} (the "
            f"first number, as in MLP({expected}, [...])). Give each example {plural(expected, 'number')}, or build "
            f"the model for {len(x)}"
        )
    return x


def _whole_data_set(who, expected):
    return (
        f"{who} takes one example, a list of {expected} numbers, but got a list of lists (a whole data set?). "
        "Call the model on one row at a time: [model(x) for x in X]"
    )


def _activation(name):
    if name not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {name!r}: choose one of {', '.join(ACTIVATIONS)}"
            " (and 'softmax' as an MLP's output_activation)"
        )
    return name


def _generator(seed):
    """The global ``random`` module (micrograd's behaviour) when seed is None, else a private one."""
    if seed is None or seed is random:
        return random
    if isinstance(seed, random.Random):
        return seed
    return random.Random(checked_seed(seed, or_also="a random.Random"))


def _initial_weights(init, fan_in, fan_out, rng):
    if init == "uniform":
        return [rng.uniform(-1, 1) for _ in range(fan_in)]
    if init == "xavier":
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        return [rng.uniform(-bound, bound) for _ in range(fan_in)]
    if init == "he":
        return [rng.gauss(0.0, math.sqrt(2.0 / fan_in)) for _ in range(fan_in)]
    raise ValueError(f"unknown init {init!r}: choose one of {', '.join(INITS)}")


def _check_model_size(model, parameters):
    """Refuse, before building it, a model of more than MAX_PARAMETERS parameters."""
    if parameters > MAX_PARAMETERS:
        raise ValueError(
            f"{model:.80} would have {parameters:,} parameters, more than a scalar engine can hold (at most "
            f"{MAX_PARAMETERS:,}; each is a Python object of some 200 bytes): use smaller layers"
        )


def _few(names, limit=5):
    """Up to ``limit`` names for a message, each written out where it holds a control
    character (a name read from someone else's file could hold a terminal's escape codes)."""
    if not names:
        return "none"
    shown = ", ".join(map(printable, names[:limit]))
    return f"{shown} (+{len(names) - limit} more)" if len(names) > limit else shown


def _describes_architecture(model):
    """True for the models whose repr is their architecture and nothing else (Neuron, Layer,
    MLP, and subclasses that keep their repr); another Module's repr may show its numbers."""
    return type(model).__repr__ in (Neuron.__repr__, Layer.__repr__, MLP.__repr__)


def _summary(architecture):
    """An architecture as ``repr`` writes it, quoted, with runs of one neuron written once:
    'MLP of [Layer of [ReLUNeuron(2) × 16], …]'. (The run starts at a word boundary: without
    it a name is also tried from inside every word, quadratic in a long word of a bad file.)"""
    text = re.sub(r"\b(\w+Neuron\(\d+\))(?:, \1)+", lambda run: f"{run.group(1)} × {run.group(0).count(run.group(1))}",
                  str(architecture))
    return f"{text!r:.300}"


def _read_model_file(path):
    """The checked JSON document of a model file, or a ValueError saying what is wrong with it."""
    if not stat.S_ISREG(os.stat(path).st_mode):  # a missing file raises FileNotFoundError here
        raise ValueError(f"{path} is not a regular file (a folder, a device or a pipe), so not a model file")

    def refuse_constant(name):
        raise ValueError(f"{name} is not a valid parameter value")

    def refuse_duplicates(pairs):  # counted once, not with names.count per name (41k parameters took 20 s)
        counts = collections.Counter(name for name, _ in pairs)
        twice = sorted(name for name, count in counts.items() if count > 1)
        if twice:
            raise ValueError(f"names used more than once: {_few(twice)}")
        return dict(pairs)

    try:
        with open(path, "rb") as f:
            data = f.read(MAX_MODEL_FILE_BYTES + 1)  # never more, whatever the file claims to be
        if len(data) > MAX_MODEL_FILE_BYTES:
            raise ValueError(f"it is larger than a model file can be ({MAX_MODEL_FILE_BYTES} bytes)")
        text = data.decode("utf-8-sig")  # -sig: also a file that Notepad or PowerShell began with a byte order mark
        document = json.loads(text, parse_constant=refuse_constant, object_pairs_hook=refuse_duplicates)
    except (ValueError, RecursionError) as error:  # includes UnicodeDecodeError
        raise ValueError(
            f"{path} is not a valid micrograd_club model file: {error}. "
            "It may be truncated or edited by hand; save the model again with model.save(path)."
        ) from None
    if not isinstance(document, dict) or document.get("format") != MODEL_FORMAT:
        raise ValueError(f"{path} is not a micrograd_club model file (no \"format\": \"{MODEL_FORMAT}\" field)")
    version = document.get("version")
    if type(version) is not int or version != MODEL_VERSION:  # not True or 1.0
        raise ValueError(
            f"{path} has model file version {document.get('version')!r}; this micrograd_club reads "
            f"version {MODEL_VERSION}. Upgrade micrograd_club or save the model again."
        )
    if not isinstance(document.get("parameters"), dict):
        raise ValueError(f"{path} is damaged: \"parameters\" must be an object of name -> number")
    return document
