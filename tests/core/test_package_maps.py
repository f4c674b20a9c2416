"""Each package's ``__init__`` docstring maps its files: every module and subpackage is named there,
so a reader finds where a thing lives from the package, and a new file is placed on the map."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = sorted(p.parent for top in (ROOT / "core" / "hhir", ROOT / "desktop" / "hhir_studio")
                  for p in top.rglob("__init__.py"))


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_package_docstring_names_every_file(package: Path) -> None:
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8"))) or ""
    names = {p.stem for p in package.glob("*.py") if p.stem not in ("__init__", "__main__")}
    names |= {p.name for p in package.iterdir() if p.is_dir() and ((p / "__init__.py").exists() or p.name == "migrations")}
    missing = sorted(n for n in names if not re.search(rf"\b{re.escape(n)}\b", doc))
    assert not missing, f"{package.relative_to(ROOT)}/__init__.py does not name {missing}"
