"""benchmarks/run.py: every W1 engine computes the same losses step by step (the script's
timings are measured by running it, never by tests)."""

import dis
import importlib.util
import json
import os
import pathlib
import re
import shutil
import sys
import types

import pytest

BENCHMARKS = pathlib.Path(__file__).resolve().parents[1] / "benchmarks"


def _script(module_name, filename):
    """Import a script of benchmarks/ as ``module_name``, with that folder on the path while it is
    used: run.py imports minimal_engine.py beside it, count_instructions.py imports run.py."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location(module_name, BENCHMARKS / filename)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def bench():
    yield from _script("benchmark_run", "run.py")


def _optional(name):
    if os.environ.get("CI"):
        return  # CI installs every engine: a missing one is a failure, not a skip
    pytest.importorskip(name)


@pytest.mark.parametrize(
    "engine", ["fused", "compiled", "minimal", "minimal_inline", "minimal_fused", "numpy", "micrograd", "torch"]
)
def test_w1_engine_losses_agree_with_the_micrograd_style_graph(bench, engine):
    if engine in ("micrograd", "torch"):
        _optional(engine)
    X, y = bench.moons()
    weights = bench.initial_weights()
    makers = {
        "fused": lambda: bench.micrograd_club_step(X, y, weights, fused=True),
        "compiled": lambda: bench.compiled_step(X, y, weights),
        "minimal": lambda: bench.minimal_engine_step(X, y, weights),
        "minimal_inline": lambda: bench.minimal_engine_step(X, y, weights, inline=True),
        "minimal_fused": lambda: bench.minimal_engine_step(X, y, weights, inline=True, fused=True),
        "numpy": lambda: bench.numpy_step(X, y, weights),
        "micrograd": lambda: bench.micrograd_step(X, y, weights),
        "torch": lambda: bench.torch_step(X, y, weights),
    }
    reference = bench.micrograd_club_step(X, y, weights, fused=False)
    step = makers[engine]()
    for _ in range(3):  # the first loss, then two after SGD updates: the updates agree too
        assert step() == pytest.approx(reference(), abs=bench.AGREE)


def test_json_report_of_a_workload(bench, tmp_path):
    out = tmp_path / "report.json"
    assert bench.main(["--only", "fit", "--json", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["fit"]["accuracy"] == 1.0 and report["ratios"]["fit"] > 0
    assert report["machine"]["cores"] == os.cpu_count()


def test_w1_runs_at_another_size_and_says_the_targets_are_for_100_points(bench, capsys):
    assert bench.main(["--quick", "--only", "W1", "--points", "4"]) == 0
    out = capsys.readouterr().out
    assert "MLP 2-16-16-1, 4 points" in out and "losses agree to 1e-09" in out
    assert "(the targets are set for 100 points per step; this run used 4)" in out
    # each pure-Python target is printed with its yardstick's ratio under it, the fused one too
    targets = out[out.index("Targets"):].splitlines()
    fused = next(i for i, line in enumerate(targets) if line.strip().startswith("W1 fused neurons vs micrograd"))
    assert targets[fused + 1].split()[:5] == ["the", "same", "recipe", "with", "fused"]


def test_the_readme_gives_the_w1_graphs_sizes_as_they_are(bench):
    # The Speed section explains a step's time by its graph's size: the counts change silently
    # when the engine or nn changes what a step builds (a constant becoming a node, a fused op).
    from micrograd_club.nn import MLP

    X, y = bench.moons()
    weights = bench.initial_weights()
    sizes = {}
    for fused in (False, True):
        model = MLP(bench.SIZES[0], bench.SIZES[1:], fused=fused)
        params = bench.load_into_scalar_model(model, weights)
        graph = bench.scalar_loss(bench.Value, model, params, X.tolist(), y.tolist()).topological_order()
        sizes[fused] = len(graph), sum(len(node.parents) for node in graph)
    readme = "\n".join((folder / "README.md").read_text(encoding="utf-8") for folder in (BENCHMARKS.parent, BENCHMARKS))
    nodes = int(re.search(r"a ([\d,]+)-node graph", readme).group(1).replace(",", ""))
    fused_nodes, fused_edges = (int(n.replace(",", "")) for n in
                                re.search(r"about ([\d,]+) nodes and ([\d,]+) edges", readme).groups())
    assert (nodes, fused_nodes, fused_edges) == (round(sizes[False][0], -2), round(sizes[True][0], -2),
                                                 round(sizes[True][1], -3))
    assert f"{fused_nodes:,} instead of {nodes:,} in the W1 step" in " ".join(readme.split())


def _specialized(function):
    """Whether CPython has specialized (quickened) the function's bytecode yet (3.11 and later)."""
    plain = [i.opname for i in dis.get_instructions(function)]
    return plain != [i.opname for i in dis.get_instructions(function, adaptive=True)]


def test_timed_steps_run_after_the_interpreter_has_specialized_the_ordering_pass(bench, monkeypatch):
    # backward's ordering pass is called once per step and loops with `while`, whose turns CPython
    # 3.11 does not count toward specializing it: only from its 8th call does it run specialized,
    # about a fifth faster, so steps timed before then measure the interpreter warming up.
    from micrograd_club import engine

    if sys.version_info < (3, 11):
        pytest.skip("no specializing interpreter before Python 3.11")
    original = engine._ops_in_order
    fresh = types.FunctionType(original.__code__.replace(), original.__globals__, original.__name__)
    monkeypatch.setattr(engine, "_ops_in_order", fresh)  # a new code object: not yet specialized
    X, y = bench.moons(4)
    step = bench.micrograd_club_step(X, y, bench.initial_weights(), fused=False)
    specialized_at_start = []

    def watched_step():
        specialized_at_start.append(_specialized(fresh))
        return step()

    result = bench.time_steps(watched_step, timed=2)
    assert len(specialized_at_start) == bench.WARMUP_STEPS + 2 and result["timed_steps"] == 2
    assert not specialized_at_start[0]
    assert all(specialized_at_start[bench.WARMUP_STEPS:])


@pytest.fixture(scope="module")
def counting():
    yield from _script("count_instructions", "count_instructions.py")


def test_counts_are_read_from_a_callgrind_dump_and_the_empty_window_is_subtracted(counting, tmp_path):
    def dump(name, totals):
        path = tmp_path / name
        path.write_text(f"version: 1\ncreator: callgrind-3.19.0\nevents: Ir D1mr DLmr\nfn=(1) main\n"
                        f"totals: {totals}\n", encoding="utf-8")
        return counting.read_counts(path)

    nothing, steps = dump("a", "1000 10 3"), dump("b", "5001001 70010 1")
    assert nothing == {"Ir": 1000, "D1mr": 10, "DLmr": 3}
    assert counting.per_step(nothing, steps, 2) == {"Ir": 2500000.5, "D1mr": 35000, "DLmr": 0}


def test_the_child_warms_up_fills_the_caches_then_counts_between_a_reset_and_a_dump(counting, monkeypatch):
    events = []
    monkeypatch.setattr(counting, "callgrind_control", lambda *args: events.extend(args))
    monkeypatch.setitem(counting.ENGINES, "fake", ("a step that says when it runs",
                                                   lambda X, y, weights: lambda: events.append("step")))
    assert counting.main(["--child", "fake", "--steps", "3"]) == 0
    assert events == ["step"] * counting.run.WARMUP_STEPS + [
        "--instr=on", "step", "--zero", "--dump=nothing", "step", "step", "step", "--dump=steps"]


def test_a_failed_counted_run_says_what_the_child_printed(counting, monkeypatch, tmp_path):
    import subprocess

    commands = []

    def failing_run(command, **kwargs):
        commands.append(command)
        return subprocess.CompletedProcess(command, 1, "", "Traceback (most recent call last):\nMemoryError\n")

    monkeypatch.setattr(counting.subprocess, "run", failing_run)
    with pytest.raises(SystemExit, match="^compiled: the counted run failed:\nTraceback .*\nMemoryError\n$"):
        counting.count("compiled", 3, tmp_path)
    assert commands[0][-4:] == ["--child", "compiled", "--steps", "3"]  # the steps the counts are divided by


def test_the_table_gives_micrograds_ratio_and_read_and_write_misses(counting, capsys):
    def counts(instructions, l1_reads, l1_writes, last_level_reads, last_level_writes):
        return {"Ir": instructions, "D1mr": l1_reads, "D1mw": l1_writes, "DLmr": last_level_reads,
                "DLmw": last_level_writes}

    counting.report({"compiled": counts(2e6, 1e5, 2e5, 1000, 234), "micrograd": counts(8e6, 1e6, 0, 5000, 0)})
    compiled, micrograd = capsys.readouterr().out.splitlines()[1:]
    assert compiled.startswith("micrograd_club.compile") and compiled.split()[-4:] == ["2.0M", "4.0x", "0.30M", "1,234"]
    assert micrograd.split()[-4:] == ["8.0M", "1.0x", "1.00M", "5,000"]
    counting.report({"compiled": counts(2e6, 1e5, 2e5, 1000, 234)})
    assert capsys.readouterr().out.splitlines()[1].split()[-4:] == ["2.0M", "-", "0.30M", "1,234"]


def test_counting_refuses_unknown_engines_and_says_what_it_needs(counting, monkeypatch, capsys):
    with pytest.raises(SystemExit):
        counting.main(["--engines", "scalar,pytorch"])
    assert "--engines takes some of scalar, fused, compiled" in capsys.readouterr().err
    monkeypatch.setattr(counting.shutil, "which", lambda tool: None)
    for argv in (["--steps", "0"], ["--engines", ", "]):
        with pytest.raises(SystemExit) as refused:
            counting.main(argv)
        assert refused.value.code == 2 and "--steps a whole number from 1" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="needs valgrind's valgrind and callgrind_control on PATH: on Debian, apt-get"):
        counting.main(["--engines", " compiled, fused "])  # spaces around the names are fine


def test_the_compiled_step_is_counted_under_callgrind(counting, capsys):
    if shutil.which("callgrind_control") is None and not os.environ.get("CI"):
        pytest.skip("valgrind is not installed (CI installs it)")
    assert counting.main(["--engines", "compiled", "--steps", "1"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("micrograd_club.compile"))
    instructions = float(row.split()[-4].rstrip("M"))
    assert instructions > 0.1  # millions per step: the reset and dump around the steps took effect


def test_time_steps_times_each_step_after_the_warmup_and_no_other(bench, monkeypatch):
    # a clock that the step itself moves on: the k-th call (from 1) takes k seconds
    clock = {"now": 0.0, "calls": 0}

    def step():
        clock["calls"] += 1
        clock["now"] += clock["calls"]
        return 0.5

    monkeypatch.setattr(bench.time, "perf_counter", lambda: clock["now"])
    result = bench.time_steps(step, timed=3)
    first_timed = bench.WARMUP_STEPS + 1
    assert clock["calls"] == bench.WARMUP_STEPS + 3 and result["losses"] == [0.5] * clock["calls"]
    seconds = (first_timed, first_timed + 1, first_timed + 2)
    assert (result["min_ms"], result["ms"], result["max_ms"]) == tuple(s * 1e3 for s in seconds)
