"""tools/mypy_lists.py: mypy's output read per module, the lists a module needs, and a list
rewritten in pyproject.toml with names taken out where they stand (the real mypy run is make lint's)."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("mypy_lists", ROOT / "tools" / "mypy_lists.py")
mypy_lists = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mypy_lists)

PYPROJECT = '''[tool.mypy]
strict = true
packages = ["hhir"]

[[tool.mypy.overrides]]
module = ["torch.*"]
ignore_missing_imports = true

[[tool.mypy.overrides]]
module = [
    "hhir.a", "hhir.b",
    "hhir.c",
]
disallow_untyped_defs = false

[[tool.mypy.overrides]]
module = [
    "hhir.b",
]
ignore_errors = true
'''

OUTPUT = """core/hhir/a.py:3: error: Function is missing a return type annotation  [no-untyped-def]
core/hhir/b/__init__.py:9:5: error: Incompatible return value type (got "int", expected "str")  [return-value]
core/hhir/b/__init__.py:12: error: Call to untyped function "f" in typed context  [no-untyped-call]
tests/x.py:1: error: Something outside core  [misc]
core/hhir/a.py:4: note: See https://mypy.readthedocs.io
"""


def test_errors_are_read_per_module_and_sorted_into_the_lists_they_need():
    errors = mypy_lists.errors_by_module(OUTPUT)
    assert errors == {"hhir.a": {"no-untyped-def"}, "hhir.b": {"return-value", "no-untyped-call"}}
    assert mypy_lists.needed(errors) == (["hhir.a", "hhir.b"], ["hhir.b"])


def test_the_strict_run_drops_both_lists_and_keeps_the_third_party_override():
    config = tomllib.loads(mypy_lists.strict_config(PYPROJECT))["tool"]["mypy"]
    assert config["strict"] is True and config["overrides"] == [{"module": ["torch.*"], "ignore_missing_imports": True}]
    assert mypy_lists.listed(tomllib.loads(PYPROJECT)) == (["hhir.a", "hhir.b", "hhir.c"], ["hhir.b"])


def test_a_module_that_passes_is_taken_out_where_it_stands():
    text = mypy_lists.rewrite(PYPROJECT, ["hhir.a", "hhir.b", "hhir.c"], ["hhir.a", "hhir.b"])
    assert '    "hhir.a", "hhir.b",\n]\ndisallow_untyped_defs' in text
    text = mypy_lists.rewrite(text, ["hhir.b"], [])
    assert mypy_lists.listed(tomllib.loads(text)) == (["hhir.a", "hhir.b"], [])
