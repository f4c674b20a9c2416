"""Regenerate the per-module mypy lists of pyproject.toml (core and the app), so they can only shrink.

``[tool.mypy]`` is strict; two overrides relax it for modules written before mypy ran here: one
allows unannotated functions (and Any generics, untyped calls, Any returns), the other skips a
module's errors entirely. Core (``hhir``) and the app (``hhir_studio``) each have their own pair of
such overrides, so a change to one package's lists merges apart from the other's. This runs mypy
once with none of these overrides, reads which modules still have which errors, and

* ``--check`` (the default, part of ``make lint``): fails when a listed module now passes and could
  leave a list, or when a module not listed has errors (the lists never grow);
* ``--write``: takes the modules that pass off the lists in pyproject.toml.

A module goes on neither list by this command: a new error is fixed, not listed. A new module of
either package is checked strictly from its first commit.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
# What the relaxed override switches off, as mypy's error codes: errors of these codes only need the
# relaxed list; any other code needs the ignore list.
RELAXED_CODES = frozenset({"no-untyped-def", "no-untyped-call", "type-arg", "no-any-return"})
# Where each checked package's sources live (mypy_path in pyproject.toml).
SOURCE_ROOTS = ("core/", "desktop/")
_ERROR = re.compile(r"^(?P<path>[^:]+\.py):\d+(?::\d+)?: error: .*\[(?P<code>[a-z0-9-]+)\]\s*$")


def overrides(config: dict) -> list[tuple[str, list[str]]]:
    """The per-module lists of ``[tool.mypy]`` in file order, each as ("relaxed" or "ignored", modules)."""
    found: list[tuple[str, list[str]]] = []
    for override in config["tool"]["mypy"].get("overrides", []):
        if override.get("ignore_errors"):
            found.append(("ignored", list(override["module"])))
        elif override.get("disallow_untyped_defs") is False:
            found.append(("relaxed", list(override["module"])))
    return found


def listed(config: dict) -> tuple[list[str], list[str]]:
    """The relaxed and the ignored modules of ``[tool.mypy]`` (all packages)."""
    relaxed: list[str] = []
    ignored: list[str] = []
    for kind, modules in overrides(config):
        (ignored if kind == "ignored" else relaxed).extend(modules)
    return relaxed, ignored


def strict_config(text: str) -> str:
    """pyproject.toml's ``[tool.mypy]`` without the two per-module lists (third-party stubs kept)."""
    config = tomllib.loads(text)["tool"]["mypy"]
    lines = ["[tool.mypy]"]
    for key, value in config.items():
        if key != "overrides":
            lines.append(f"{key} = {_toml(value)}")
    for override in config.get("overrides", []):
        if override.get("ignore_errors") or override.get("disallow_untyped_defs") is False:
            continue
        lines.append("[[tool.mypy.overrides]]")
        lines += [f"{key} = {_toml(value)}" for key, value in override.items()]
    return "\n".join(lines) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return f'"{value}"' if isinstance(value, str) else str(value)


def errors_by_module(output: str) -> dict[str, set[str]]:
    """mypy's output as module -> error codes (files under the packages' source roots only)."""
    found: dict[str, set[str]] = {}
    for line in output.splitlines():
        match = _ERROR.match(line.strip())
        if match is None:
            continue
        path = Path(match["path"]).as_posix()
        root = next((r for r in SOURCE_ROOTS if path.startswith(r)), None)
        if root is None:
            continue
        module = path.removeprefix(root).removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        found.setdefault(module, set()).add(match["code"])
    return found


def needed(errors: dict[str, set[str]]) -> tuple[list[str], list[str]]:
    """The lists these errors need: every module with an error is relaxed; one with an error the
    relaxed settings do not cover is ignored too."""
    relaxed = sorted(errors)
    ignored = sorted(m for m, codes in errors.items() if codes - RELAXED_CODES)
    return relaxed, ignored


def rewrite(text: str, lists: list[tuple[str, list[str]]], relaxed: list[str], ignored: list[str]) -> str:
    """``text`` with each listed ``module = [...]`` array (``lists``, in file order) left with only the
    names still needed on its kind of list. Names are taken out where they stand, other lines
    untouched, so a change merges."""
    keep = {"relaxed": set(relaxed), "ignored": set(ignored)}
    start = 0
    for kind, old in lists:
        for match in re.finditer(r"^module = \[\n(?P<body>(?:    .*\n)*?)\]\n", text[start:], flags=re.MULTILINE):
            if re.findall(r'"([^"]+)"', match["body"]) == old:
                break
        else:
            raise SystemExit(f"{PYPROJECT.name}: no module list equal to {old[:3]}...; edit it by hand once")
        lines = []
        for line in match["body"].splitlines():
            names = [n for n in re.findall(r'"([^"]+)"', line) if n in keep[kind]]
            if names:
                lines.append("    " + " ".join(f'"{n}",' for n in names))
        body = "".join(f"{line}\n" for line in lines)
        text = text[: start + match.start("body")] + body + text[start + match.end("body"):]
        start += match.start("body") + len(body)
    return text


def run_mypy(text: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".toml", dir=ROOT, delete=False) as handle:
        handle.write(strict_config(text))
    try:
        proc = subprocess.run([sys.executable, "-m", "mypy", "--config-file", handle.name, "--no-error-summary",
                               "--show-error-codes", "--no-incremental"], cwd=ROOT, capture_output=True, text=True)
    finally:
        Path(handle.name).unlink()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"mypy failed to run: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="take the modules that now pass off the lists")
    args = parser.parse_args(argv)
    text = PYPROJECT.read_text(encoding="utf-8")
    config = tomllib.loads(text)
    old_relaxed, old_ignored = listed(config)
    new_relaxed, new_ignored = needed(errors_by_module(run_mypy(text)))
    grown = sorted((set(new_relaxed) - set(old_relaxed)) | (set(new_ignored) - set(old_ignored)))
    if grown:
        for module in grown:
            print(f"{module}: has errors under the strict settings and is not listed for them: fix them "
                  f"(the lists only shrink)", file=sys.stderr)
        return 1
    fewer = sorted((set(old_relaxed) - set(new_relaxed)) | (set(old_ignored) - set(new_ignored)))
    if not fewer:
        print(f"mypy lists are current: {len(new_relaxed)} relaxed, {len(new_ignored)} ignored")
        return 0
    if not args.write:
        print(f"these modules now pass and can leave a mypy list: {', '.join(fewer)}; "
              f"run python tools/mypy_lists.py --write", file=sys.stderr)
        return 1
    text = rewrite(text, overrides(config), new_relaxed, new_ignored)
    PYPROJECT.write_text(text, encoding="utf-8")
    print(f"took off the lists: {', '.join(fewer)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
