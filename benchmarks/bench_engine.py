"""Baseline speed and memory of the scalar engine.

    python benchmarks/bench_engine.py [--steps 5] [--chain 100000]

Prints
- ms per training step (forward + backward + SGD update) of MLP(2, [16, 16, 1]) on 100
  moons points with micrograd's demo loss (hinge + 1e-4·Σp²), Python's GC left on;
- the same for Karpathy's micrograd when it is installed (``pip install micrograd==0.1.0``),
  with the ratio;
- peak memory per graph node (tracemalloc) for the MLP step's graph and for a chain
  x ← 1.0001·x + 0.0001.
"""

import argparse
import gc
import platform
import random
import statistics
import sys
import time
import tracemalloc

from micrograd_club import Value
from micrograd_club.data import make_moons
from micrograd_club.nn import MLP


def moons_loss(value_cls, model, X, y):
    """micrograd demo.ipynb's loss: mean hinge on the scores plus L2 on the weights."""
    inputs = [[value_cls(float(a)) for a in row] for row in X]
    scores = [model(row) for row in inputs]
    losses = [(1 + -float(yi) * s).relu() for yi, s in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def time_steps(value_cls, mlp_cls, X, y, steps):
    """Median ms per forward + backward + update, and the losses seen (to check engines agree)."""
    random.seed(1337)
    model = mlp_cls(2, [16, 16, 1])
    times, losses = [], []
    for _ in range(steps):
        start = time.perf_counter()
        loss = moons_loss(value_cls, model, X, y)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.1 * p.grad
        times.append(time.perf_counter() - start)
        losses.append(loss.data)
    return statistics.median(times) * 1000, losses


def bytes_per_node(build):
    """Peak traced bytes while building and backpropagating a graph, per node of it."""
    gc.collect()
    tracemalloc.start()
    root = build()
    root.backward()
    nodes = len(root.topological_order())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / nodes, nodes


def chain(n):
    x = Value(1.0)
    for _ in range(n):
        x = 1.0001 * x + 0.0001
    return x


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=5, help="training steps to time (default 5)")
    parser.add_argument("--chain", type=int, default=100_000, help="length of the chain graph (default 100000)")
    args = parser.parse_args(argv)

    X, y = make_moons(n_samples=100, noise=0.1, seed=0)
    y = y * 2 - 1
    print(f"micrograd_club engine baseline  ({platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}, {time.strftime('%Y-%m-%d')})")
    ms, ours = time_steps(Value, MLP, X, y, args.steps)
    print(f"MLP(2, [16, 16, 1]) on 100 moons, forward+backward+update: {ms:9.1f} ms/step  (median of {args.steps})")
    try:
        from micrograd.engine import Value as MicrogradValue
        from micrograd.nn import MLP as MicrogradMLP
    except ImportError:
        print("micrograd not installed (pip install micrograd==0.1.0): no comparison")
    else:
        their_ms, theirs = time_steps(MicrogradValue, MicrogradMLP, X, y, args.steps)
        agree = max(abs(a - b) for a, b in zip(ours, theirs)) < 1e-9
        print(f"same with micrograd 0.1.0:                                 {their_ms:9.1f} ms/step")
        print(f"speed-up over micrograd: {their_ms / ms:.1f}x   (losses agree to 1e-9: {'yes' if agree else 'NO'})")

    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    per_node, nodes = bytes_per_node(lambda: moons_loss(Value, model, X, y))
    print(f"peak memory, MLP step graph: {per_node:6.0f} bytes/node over {nodes} nodes")
    limit = sys.getrecursionlimit()
    per_node, nodes = bytes_per_node(lambda: chain(args.chain))
    print(f"peak memory, chain graph:    {per_node:6.0f} bytes/node over {nodes} nodes (recursion limit {limit})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
