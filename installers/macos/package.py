"""macOS package of the app bundle: a compressed .dmg with the .app and a link to /Applications."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import bundle_config as cfg  # noqa: E402


def package_macos(app: Path, dist: Path, run: Callable[..., object]) -> list[Path]:
    """Stage the .app beside an Applications link (drag to install), then make a UDZO image."""
    if not app.is_dir():
        raise FileNotFoundError(f"{app}: PyInstaller did not produce the .app bundle")
    stage = dist / "dmg-stage"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir()
    shutil.copytree(app, stage / app.name, symlinks=True)
    (stage / "Applications").symlink_to("/Applications")
    out = dist / f"{cfg.EXE_NAME}-{cfg.version()}-macos.dmg"
    run(["hdiutil", "create", "-volname", cfg.APP_NAME, "-srcfolder", str(stage), "-ov", "-format", "UDZO", str(out)])
    shutil.rmtree(stage)
    return [out]
