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
packages = ["hhir", "hhir_studio"]

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

[[tool.mypy.overrides]]
module = [
    "hhir_studio.x", "hhir_studio.y",
]
disallow_untyped_defs = false

[[tool.mypy.overrides]]
module = [
    "hhir_studio.y",
]
ignore_errors = true
'''

OUTPUT = """core/hhir/a.py:3: error: Function is missing a return type annotation  [no-untyped-def]
core/hhir/b/__init__.py:9:5: error: Incompatible return value type (got "int", expected "str")  [return-value]
core/hhir/b/__init__.py:12: error: Call to untyped function "f" in typed context  [no-untyped-call]
desktop/hhir_studio/y.py:2: error: Item "None" of "Data | None" has no attribute "x"  [union-attr]
tests/x.py:1: error: Something outside the packages  [misc]
core/hhir/a.py:4: note: See https://mypy.readthedocs.io
"""


def test_errors_are_read_per_module_and_sorted_into_the_lists_they_need():
    errors = mypy_lists.errors_by_module(OUTPUT)
    assert errors == {"hhir.a": {"no-untyped-def"}, "hhir.b": {"return-value", "no-untyped-call"},
                      "hhir_studio.y": {"union-attr"}}
    assert mypy_lists.needed(errors) == (["hhir.a", "hhir.b", "hhir_studio.y"], ["hhir.b", "hhir_studio.y"])


def test_the_strict_run_drops_both_lists_and_keeps_the_third_party_override():
    config = tomllib.loads(mypy_lists.strict_config(PYPROJECT))["tool"]["mypy"]
    assert config["strict"] is True and config["overrides"] == [{"module": ["torch.*"], "ignore_missing_imports": True}]
    assert mypy_lists.listed(tomllib.loads(PYPROJECT)) == (
        ["hhir.a", "hhir.b", "hhir.c", "hhir_studio.x", "hhir_studio.y"], ["hhir.b", "hhir_studio.y"])


def test_a_module_that_passes_is_taken_out_where_it_stands():
    lists = mypy_lists.overrides(tomllib.loads(PYPROJECT))
    text = mypy_lists.rewrite(PYPROJECT, lists, ["hhir.a", "hhir.b", "hhir_studio.x", "hhir_studio.y"],
                              ["hhir.b", "hhir_studio.y"])
    assert '    "hhir.a", "hhir.b",\n]\ndisallow_untyped_defs' in text
    assert '    "hhir_studio.x", "hhir_studio.y",\n]\ndisallow_untyped_defs' in text
    lists = mypy_lists.overrides(tomllib.loads(text))
    text = mypy_lists.rewrite(text, lists, ["hhir.a", "hhir.b", "hhir_studio.y"], [])
    assert mypy_lists.listed(tomllib.loads(text)) == (["hhir.a", "hhir.b", "hhir_studio.y"], [])
    # each package's lists are rewritten in place: core's still come first, an emptied list stays valid
    assert [kind for kind, _ in mypy_lists.overrides(tomllib.loads(text))] == ["relaxed", "ignored"] * 2
    lists = mypy_lists.overrides(tomllib.loads(text))
    text = mypy_lists.rewrite(text, lists, ["hhir.a", "hhir.b"], [])
    assert mypy_lists.listed(tomllib.loads(text)) == (["hhir.a", "hhir.b"], [])
