"""Windows packages of the one-folder app: a portable zip and, with Inno Setup, a setup .exe."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import bundle_config as cfg  # noqa: E402


def find_iscc() -> str | None:
    """Inno Setup's compiler: on PATH, or where its installer puts it."""
    found = shutil.which("iscc")
    if found:
        return found
    for base in (Path("C:/Program Files (x86)"), Path("C:/Program Files")):
        candidate = base / "Inno Setup 6" / "ISCC.exe"
        if candidate.is_file():
            return str(candidate)
    return None


def package_windows(app_dir: Path, dist: Path, run: Callable[..., object]) -> list[Path]:
    """The zip always; the setup .exe when Inno Setup 6 is installed."""
    stem = dist / f"{cfg.EXE_NAME}-{cfg.version()}-windows-x64"
    written = [Path(shutil.make_archive(str(stem), "zip", root_dir=app_dir.parent, base_dir=app_dir.name))]
    iscc = find_iscc()
    if iscc is None:
        print("Inno Setup (iscc) not found: wrote the zip only; install Inno Setup 6 for the setup .exe")
        return written
    run([iscc, f"/DAppVersion={cfg.version()}", f"/DSourceDir={app_dir}", f"/DOutputDir={dist}",
         str(HERE / "hhir_studio.iss")])
    written.append(dist / f"{cfg.EXE_NAME}-{cfg.version()}-windows-x64-setup.exe")
    return written
