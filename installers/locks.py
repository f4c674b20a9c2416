"""The release workflow's lock files, one per OS it builds on: ``python installers/locks.py`` writes them,
``python installers/locks.py --check`` says whether the checked-in ones are what it would write.

``requirements.lock`` (the development venv's lock, on Linux) is where versions are decided: every package
it pins keeps that version on every OS. uv resolves ``pyproject.toml`` with its ``dev`` extra for each
target platform, offline from the wheels' metadata on the registry (no machine of that OS needed), and
adds only what that OS needs besides (``colorama`` and ``pefile`` on Windows, ``macholib`` on macOS).

- ``--exclude-newer`` fixes the date the registry is read as of, so the packages ``requirements.lock``
  does not pin resolve the same way every time and ``--check`` is reproducible. Bump it (and regenerate)
  when ``requirements.lock`` pins a release made after it.
- ``locks/excludes.txt`` names what is never installed: scenedetect's declared ``opencv-python`` (the
  headless OpenCV is used instead; see pyproject.toml) and, on Linux, the CUDA packages of the registry's
  torch build (the workflow installs the CPU build of the same version from PyTorch's own index).
- macOS: Apple silicon only. torch 2.13.0 has no wheel for Intel Macs (its only macOS wheel is
  ``macosx_14_0_arm64``), so neither an Intel nor a universal2 build can exist; uv says so when asked.
"""

from __future__ import annotations

import argparse
import os
import difflib
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LOCKS = HERE / "locks"
EXCLUDES = LOCKS / "excludes.txt"
PYTHON = "3.11"
EXCLUDE_NEWER = "2026-12-07T00:00:00Z"


@dataclass(frozen=True)
class Target:
    """One OS the release workflow builds on."""

    name: str  # the lock file's stem, and the workflow job's name
    python_platform: str  # uv's --python-platform
    macos_target: str = ""  # MACOSX_DEPLOYMENT_TARGET: which macOS wheels count as installable

    @property
    def lock(self) -> Path:
        return LOCKS / f"{self.name}.txt"


TARGETS: tuple[Target, ...] = (
    # PySide6 6.11.3's Linux wheels are manylinux_2_34 (glibc 2.34; Ubuntu 22.04 and later).
    Target("linux-x86_64", "x86_64-manylinux_2_34"),
    Target("windows-x64", "x86_64-pc-windows-msvc"),
    # torch 2.13.0's macOS wheel needs macOS 14.
    Target("macos-arm64", "aarch64-apple-darwin", macos_target="14.0"),
)


def uv() -> str:
    """The uv next to this Python (the dev venv has it), else on PATH."""
    here = Path(sys.executable).with_name("uv.exe" if sys.platform == "win32" else "uv")
    found = str(here) if here.is_file() else shutil.which("uv")
    if not found:
        raise SystemExit("uv is not installed: pip install -r requirements.lock (it is in the dev tools)")
    return found


def command(target: Target, out: Path) -> list[str]:
    """The uv command that writes ``target``'s lock to ``out``."""
    return [uv(), "pip", "compile", "pyproject.toml", "--extra", "dev", "--constraints", "requirements.lock",
            "--excludes", str(EXCLUDES.relative_to(ROOT).as_posix()), "--python-version", PYTHON,
            "--python-platform", target.python_platform, "--exclude-newer", EXCLUDE_NEWER,
            "--no-header", "--no-annotate", "--quiet", "--output-file", str(out)]


HEADER = ("# The release workflow's lock for {name}: written by `python installers/locks.py` from pyproject.toml\n"
          "# and requirements.lock (whose pins it keeps); do not edit. Installed with pip --no-deps.\n")


def generate(target: Target, out: Path) -> None:
    env = {**os.environ, "UV_NO_CONFIG": "1"}
    if target.macos_target:
        env["MACOSX_DEPLOYMENT_TARGET"] = target.macos_target
    proc = subprocess.run(command(target, out), cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{target.lock.name}: uv could not resolve for {target.python_platform}:\n{proc.stderr.strip()}")
    out.write_text(HEADER.format(name=target.name) + out.read_text(encoding="utf-8"), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare: exit 1 if a checked-in lock differs")
    args = parser.parse_args(argv)
    stale = 0
    with tempfile.TemporaryDirectory() as tmp:
        for target in TARGETS:
            fresh = Path(tmp) / target.lock.name
            generate(target, fresh)
            if not args.check:
                shutil.copyfile(fresh, target.lock)
                print(f"wrote {target.lock.relative_to(ROOT)}")
                continue
            old = target.lock.read_text(encoding="utf-8").splitlines() if target.lock.is_file() else []
            diff = list(difflib.unified_diff(old, fresh.read_text(encoding="utf-8").splitlines(),
                                             str(target.lock.relative_to(ROOT)), "generated", lineterm=""))
            if diff:
                stale += 1
                print("\n".join(diff))
            else:
                print(f"{target.lock.relative_to(ROOT)}: up to date")
    if stale:
        print(f"{stale} lock file(s) differ from what `python installers/locks.py` writes: run it and commit them")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
