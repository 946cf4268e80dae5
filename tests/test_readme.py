"""The README's examples run and print what the README says they print."""

import contextlib
import doctest
import io
import os
import re

README = os.path.join(os.path.dirname(__file__), os.pardir, "README.md")


def python_blocks():
    with open(README, encoding="utf-8") as f:
        return re.findall(r"```python\n(.*?)```", f.read(), flags=re.S)


def test_ten_line_example_prints_what_its_comment_says():
    block = next(b for b in python_blocks() if "for step in range(50)" in b)
    assert len([line for line in block.splitlines() if line.strip()]) <= 11
    expected = re.search(r"print\(loss\)\s+# (.*)", block).group(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {})  # the README's own example
    assert out.getvalue().strip() == expected


def test_interactive_examples_are_doctests():
    blocks = [b for b in python_blocks() if b.lstrip().startswith(">>>")]
    assert blocks
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for i, block in enumerate(blocks):
        runner.run(parser.get_doctest(block, {}, f"README block {i}", README, 0))
    assert runner.summarize(verbose=False).failed == 0


def test_the_compile_example_continues_the_ten_lines():
    ten_lines = next(b for b in python_blocks() if "for step in range(50)" in b)
    compiled = next(b for b in python_blocks() if "continuing the ten lines above" in b)
    namespace = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(ten_lines, "README.md", "exec"), namespace)
    model, X, y, mse = (namespace[name] for name in ("model", "X", "y", "mse"))
    scalar_loss = mse([model(x) for x in X], y).data  # at the parameters the compiled step starts from
    exec(compile(compiled, "README.md", "exec"), namespace)
    assert abs(namespace["loss"].data - scalar_loss) <= 1e-12 * scalar_loss  # all rows at once, the same loss


def test_the_backpropagation_example_runs_and_explains_the_chain_the_readme_shows(tmp_path, monkeypatch, needs_dot):
    block = next(b for b in python_blocks() if "save_backward_html(loss" in b)
    with open(README, encoding="utf-8") as f:
        shown = re.search(r"`explain\(loss\)` on the notes' section 4\.7 network\):\n\n  ```\n(.*?)  ```", f.read(),
                          flags=re.S).group(1)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {})
    assert out.getvalue().splitlines() == [line.strip() for line in shown.splitlines()]  # all of it, as printed
    assert (tmp_path / "steps.html").stat().st_size > 0
