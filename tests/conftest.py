"""Test setup: make tests/strategies.py and the demos importable, set Hypothesis up (one
profile for every property test), and in CI refuse to run without the references that
local runs may skip (PyTorch, micrograd, matplotlib)."""

import importlib.util
import os
import shutil
import sys

import pytest
from hypothesis import HealthCheck, settings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "demos"))

# No test is about speed, so no deadline: a busy machine would fail a property test that
# passes. In CI, every run tries the same examples (a red CI is a bug, not bad luck), keeps
# no example database, skips the health check that times data generation, and prints the
# blob that replays a failure. Recent Hypothesis does the CI part by itself when CI is set;
# the test extra allows any 6.x, so it is spelt out here.
settings.register_profile("micrograd_club", deadline=None)
settings.register_profile(
    "micrograd_club_ci", parent=settings.get_profile("micrograd_club"), derandomize=True, database=None,
    print_blob=True, suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("micrograd_club_ci" if os.environ.get("CI") else "micrograd_club")

# Module -> how to get it. Locally a missing one skips its tests; in CI it is an error.
REFERENCES = {
    "torch": "pip install torch==2.13.0",
    "micrograd": "pip install micrograd==0.1.0 (in the test extra)",
    "matplotlib": "pip install matplotlib",
    "nbclient": "pip install nbclient ipykernel ipywidgets (the notebook extra)",
    "ipykernel": "pip install nbclient ipykernel ipywidgets (the notebook extra)",
    "ipywidgets": "pip install nbclient ipykernel ipywidgets (the notebook extra)",
}


def pytest_sessionstart(session):
    if os.environ.get("CI"):
        missing = [f"{name} ({fix})" for name, fix in REFERENCES.items() if importlib.util.find_spec(name) is None]
        if missing:
            pytest.exit(f"CI is set but what the tests compare with or run in is missing: {', '.join(missing)}", 1)


def _need(available, what, how):
    """Skip locally when a system tool is missing, but fail in CI, where .ci/run installs it."""
    if available:
        return
    message = f"{what} is not installed ({how})"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set, so this test must run: {message}")
    pytest.skip(message)


@pytest.fixture
def needs_dot():
    """Graphviz's dot program, for tests that render."""
    _need(shutil.which("dot"), "Graphviz's dot", "apt-get install graphviz")


@pytest.fixture
def graphviz_off_path(tmp_path, monkeypatch):
    """A Windows machine whose Graphviz is installed where its installer puts it, but whose
    PATH does not have that folder (the installer's default); gives the folder."""
    from micrograd_club.viz import graph

    monkeypatch.setattr(graph, "WINDOWS", True)
    monkeypatch.setenv("ProgramFiles", str(tmp_path / "Program Files"))
    for other in ("ProgramW6432", "ProgramFiles(x86)"):
        monkeypatch.delenv(other, raising=False)
    folder = tmp_path / "Program Files" / "Graphviz" / "bin"
    folder.mkdir(parents=True)
    (folder / "dot.exe").write_bytes(b"")
    (tmp_path / "empty-bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    return folder


@pytest.fixture
def counting_iterations():
    """Makes a subclass of a container (dict, tuple) that counts in ``passes`` how often it is
    gone through: tests of how often code walks its input, in place of timing it."""

    def make(container):
        class Counting(container):
            passes = 0

            def __iter__(self):
                type(self).passes += 1
                return super().__iter__()

        return Counting

    return make


@pytest.fixture
def browser_path():
    """A headless-capable Chromium and Python's playwright, for tests of HTML pages."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    _need(path, "Chromium", "apt-get install chromium")
    _need(importlib.util.find_spec("playwright"), "playwright", "pip install playwright")
    return path
