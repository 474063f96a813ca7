"""Benchmarks time pages on large data; they run with `make bench`, not in the test suite, where
a busy CI machine would make their time bounds flaky (query counts are pinned in the unit tests)."""

import pathlib

import pytest

HERE = pathlib.Path(__file__).parent


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in pathlib.Path(item.fspath).parents:
            item.add_marker(pytest.mark.bench)
