"""What `pip install micrograd-club` gets: the sdist and the wheel, built here as
`python -m build` builds them (the sdist from a clean copy of the source, the wheel from the
unpacked sdist), with setuptools' own build backend and no network (about two seconds)."""

import email.parser
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import micrograd_club
from micrograd_club import cli

REPO = Path(__file__).resolve().parents[1]
# Left behind by running the demos, the tests and pip in the source folder: never shipped.
LEFTOVERS = [
    "micrograd_club_out/backprop_by_hand/backward_graph.svg",
    "tests/__pycache__/conftest.cpython-311-pytest-8.3.0.pyc",
    "micrograd_club/__pycache__/engine.cpython-311.pyc",
    ".venv/bin/python",
    ".hypothesis/examples/0",
]
# Python's safe tar extraction, where it has it (3.12, and 3.9.17+ / 3.10.12+ / 3.11.4+).
SAFE_EXTRACT = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}


def _ignored_by_git():
    """.gitignore's patterns (each a plain glob, some ending in '/'), for copying the source."""
    lines = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    return [line.rstrip("/") for line in lines if line.strip() and not line.startswith("#")]


def _build(source, hook, out_dir):
    """Run the build backend's ``hook`` (build_sdist or build_wheel) in ``source``: the file made."""
    code = "import sys, setuptools.build_meta as backend; getattr(backend, sys.argv[1])(sys.argv[2])"
    command = [sys.executable, "-c", code, hook, str(out_dir)]
    done = subprocess.run(command, cwd=source, capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, f"{hook} failed:\n{done.stdout}\n{done.stderr}"
    (made,) = [path for path in out_dir.iterdir() if path.suffix == (".gz" if hook == "build_sdist" else ".whl")]
    return made


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(the source files copied, the sdist's file names, the wheel's file names, the wheel)."""
    tmp = tmp_path_factory.mktemp("packaging")
    source = tmp / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".git", *_ignored_by_git()))
    copied = {path.relative_to(source).as_posix() for path in source.rglob("*") if path.is_file()}
    for leftover in LEFTOVERS:
        (source / leftover).parent.mkdir(parents=True, exist_ok=True)
        (source / leftover).write_text("left over\n", encoding="utf-8")
    sdist = _build(source, "build_sdist", tmp / "sdist")
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        sdist_files = {name.split("/", 1)[1] for name in archive.getnames() if archive.getmember(name).isfile()}
        archive.extractall(tmp / "unpacked", **SAFE_EXTRACT)
    wheel = _build(tmp / "unpacked" / top, "build_wheel", tmp / "wheel")
    with zipfile.ZipFile(wheel) as archive:
        wheel_files = set(archive.namelist())
    return copied, sdist_files, wheel_files, wheel


def _read_from_wheel(wheel, suffix):
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [name for name in archive.namelist() if name.endswith(suffix)]
        return archive.read(name).decode("utf-8")


def test_the_sdist_holds_the_source_and_the_whole_test_suite(built):
    copied, sdist_files, _, _ = built
    missing = sorted(copied - sdist_files - {".ci/run"})  # the repository's CI, not the package's
    assert not missing, f"not in the sdist (MANIFEST.in): {missing}"


def test_neither_ships_what_a_local_run_leaves_behind(built):
    _, sdist_files, wheel_files, _ = built
    shipped = sorted(name for name in sdist_files | wheel_files if any(name.endswith(left) for left in LEFTOVERS))
    assert not shipped


def test_the_wheel_holds_the_package_its_demos_and_the_license(built):
    copied, _, wheel_files, _ = built
    package = {name for name in copied if name.startswith("micrograd_club/") and name.endswith(".py")}
    demos = {f"micrograd_club/{name}" for name in copied if name.startswith("demos/") and name.endswith(".py")}
    python_files = {name for name in wheel_files if name.endswith(".py")}
    assert "micrograd_club/demos/backprop_by_hand.py" in demos
    assert python_files == package | demos  # every subpackage listed in pyproject.toml, no tests
    assert f"micrograd_club-{micrograd_club.__version__}.dist-info/licenses/LICENSE" in wheel_files


def test_the_wheel_metadata(built):
    wheel = built[3]
    metadata = email.parser.Parser().parsestr(_read_from_wheel(wheel, ".dist-info/METADATA"))
    assert metadata["Name"] == "micrograd-club"
    assert metadata["Version"] == micrograd_club.__version__  # so pip and `micrograd-club --version` agree
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Requires-Python"] == ">=3.9"
    assert {"plots", "torch"} <= set(metadata.get_all("Provides-Extra"))  # the names the docs give
    assert "micrograd-club = micrograd_club.cli:main" in _read_from_wheel(wheel, ".dist-info/entry_points.txt")
    assert callable(cli.main)
