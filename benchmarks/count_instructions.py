"""W1 steps counted in instructions and cache misses by valgrind's callgrind, not timed: figures
that do not move with the machine's load, to compare engines, or two versions of one engine.

    python benchmarks/count_instructions.py [--engines scalar,fused,micrograd] [--steps 2]

Each engine runs in a process of its own under ``valgrind --tool=callgrind`` (about a hundred
times slower than native: micrograd takes a few minutes). The warmup steps run uninstrumented,
then one step fills the simulated caches, then the counted steps run, between a reset and a dump
of callgrind's counters. The last-level cache is simulated as 32 MiB, 16-way (this machine's
L3), so a miss there stands for a trip to main memory, a few hundred cycles, where an
instruction takes a fraction of one: that is how a step of few instructions can still be slow.
Needs valgrind (Debian: ``apt-get install valgrind``). Losses are not checked here: run.py
and tests/test_benchmarks.py do that.
"""

import argparse
import gc
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import run  # benchmarks/run.py: the same steps, data and weights

ENGINES = {  # key: (title, maker(X, y, weights))
    "scalar": ("micrograd_club, micrograd-style graph", lambda X, y, w: run.micrograd_club_step(X, y, w, False)),
    "fused": ("micrograd_club, fused neurons", lambda X, y, w: run.micrograd_club_step(X, y, w, True)),
    "compiled": ("micrograd_club.compile (numpy tape)", run.compiled_step),
    "minimal": ("yardstick: the issue's minimal engine", run.minimal_engine_step),
    "minimal_inline": ("yardstick with inputs in slots",
                       lambda X, y, w: run.minimal_engine_step(X, y, w, inline=True)),
    "minimal_fused": ("yardstick with fused neurons",
                      lambda X, y, w: run.minimal_engine_step(X, y, w, inline=True, fused=True)),
    "micrograd": ("micrograd 0.1.0", run.micrograd_step),
}
LAST_LEVEL_CACHE = "--LL=33554432,16,64"  # bytes, ways, line size


def callgrind_control(*args):
    """Send a command to the callgrind running this process (it answers once it has done it)."""
    subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True, capture_output=True)


def count_in_child(engine, steps):
    """The child: warm up uninstrumented, fill the caches with one step, then count ``steps`` steps."""
    X, y = run.moons()
    step = ENGINES[engine][1](X, y, run.initial_weights())
    for _ in range(run.WARMUP_STEPS):
        step()
    callgrind_control("--instr=on")
    step()
    gc.collect()
    callgrind_control("--zero")
    callgrind_control("--dump=nothing")  # what the two calls themselves cost, subtracted below
    for _ in range(steps):
        step()
    callgrind_control("--dump=steps")


def read_counts(dump):
    """A callgrind dump's totals, by event name (Ir: instructions, DLmr: last-level read misses, …)."""
    lines = pathlib.Path(dump).read_text(encoding="utf-8").splitlines()
    events = next(line for line in lines if line.startswith("events:")).split()[1:]
    totals = next(line for line in lines if line.startswith("totals:")).split()[1:]
    return dict(zip(events, map(int, totals)))


def per_step(nothing, steps_dump, steps):
    """Counts per counted step: the steps' dump less the empty window's, divided by ``steps`` (not
    below 0: a handful of misses in the empty window need not recur in the steps' window)."""
    return {event: max(0, steps_dump[event] - nothing.get(event, 0)) / steps for event in steps_dump}


def count(engine, steps, folder):
    """Run one engine's child under callgrind; its counts per step."""
    out = pathlib.Path(folder) / engine
    command = ["valgrind", "--tool=callgrind", "--cache-sim=yes", LAST_LEVEL_CACHE, "--instr-atstart=no",
               f"--callgrind-out-file={out}.%p", sys.executable, os.path.abspath(__file__),
               "--child", engine, "--steps", str(steps)]
    environment = {**os.environ, "PYTHONHASHSEED": "0"}  # the same set orders, so the same counts
    finished = subprocess.run(command, env=environment, capture_output=True, text=True)
    if finished.returncode != 0:
        raise SystemExit(f"{engine}: the counted run failed:\n{finished.stderr[-2000:]}")
    dumps = sorted(pathlib.Path(folder).glob(f"{engine}.*.*"), key=lambda p: int(p.name.rsplit(".", 1)[1]))
    nothing, counted = (read_counts(d) for d in dumps[:2])
    return per_step(nothing, counted, steps)


def report(results):
    """The table: instructions, and misses of the simulated caches, per step, with micrograd's ratios."""
    micrograd = results.get("micrograd")
    print(f"{'engine':<42} {'instructions':>13} {'vs micrograd':>13} {'L1 data misses':>15} {'last-level misses':>18}")
    for engine, counts in results.items():
        ratio = f"{micrograd['Ir'] / counts['Ir']:.1f}x" if micrograd else "-"
        l1 = counts["D1mr"] + counts["D1mw"]
        last_level = counts["DLmr"] + counts["DLmw"]
        print(f"{ENGINES[engine][0]:<42} {counts['Ir'] / 1e6:>12.1f}M {ratio:>13} {l1 / 1e6:>14.2f}M "
              f"{last_level:>18,.0f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="scalar,fused,micrograd",
                        help=f"comma-separated, of: {', '.join(ENGINES)} (default: scalar,fused,micrograd)")
    parser.add_argument("--steps", type=int, default=2, help="counted steps per engine (default: 2)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        count_in_child(args.child, args.steps)
        return 0
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown or not engines or args.steps < 1:
        parser.error(f"--engines takes some of {', '.join(ENGINES)} (got {args.engines!r}), "
                     f"--steps a whole number from 1 (got {args.steps})")
    missing = [tool for tool in ("valgrind", "callgrind_control") if shutil.which(tool) is None]
    if missing:
        raise SystemExit(f"count_instructions.py needs valgrind's {' and '.join(missing)} on PATH: "
                         "on Debian, apt-get install valgrind")
    print(f"W1 moons step, {run.N_POINTS} points, counted by callgrind: per step, after {run.WARMUP_STEPS} "
          f"warmup steps and one more to fill the caches, mean of {args.steps} "
          f"(last level simulated as 32 MiB, 16-way)")
    results = {}
    with tempfile.TemporaryDirectory(prefix="callgrind-") as folder:
        for engine in engines:
            results[engine] = count(engine, args.steps, folder)
            print(f"  counted {engine}", flush=True)
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
