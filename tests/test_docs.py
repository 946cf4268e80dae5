"""What help() shows is the documentation students read: every module says what it is for,
every public name (and every public method of a public class) has a docstring, and the
docstrings' >>> examples run and print what they say."""

import doctest
import importlib
import inspect
import pkgutil

import pytest

import micrograd_club

MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages(micrograd_club.__path__, "micrograd_club.")
    if name != "micrograd_club.__main__"
) + ["micrograd_club"]


def public_objects(module):
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            yield name, obj


def public_methods(cls):
    for name, attr in vars(cls).items():
        if not name.startswith("_") and (inspect.isfunction(attr) or isinstance(attr, (property, classmethod,
                                                                                       staticmethod))):
            yield name, attr


@pytest.mark.parametrize("module_name", MODULES)
def test_every_module_and_public_name_has_a_docstring(module_name):
    module = importlib.import_module(module_name)
    assert (module.__doc__ or "").strip(), f"{module_name} has no module docstring"
    missing = []
    for name, obj in public_objects(module):
        if not (obj.__doc__ or "").strip():
            missing.append(name)
        if inspect.isclass(obj) and obj.__module__ == module_name:
            missing += [f"{name}.{method}" for method, attr in public_methods(obj) if not (attr.__doc__ or "").strip()]
    assert not missing, f"{module_name}: no docstring for {', '.join(missing)}"


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_run_and_print_what_they_say(module_name):
    module = importlib.import_module(module_name)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder().find(module, module_name):
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_the_package_docstring_has_an_example_to_start_from():
    assert doctest.DocTestFinder().find(micrograd_club)[0].examples
