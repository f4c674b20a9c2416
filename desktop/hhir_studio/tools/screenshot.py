"""Make docs/screenshot.png: the real window after a real analysis, on a virtual X screen.

Usage: ``python -m hhir_studio.tools.screenshot VIDEO [--out docs/screenshot.png] [--clip-size 2]``

Starts ``Xvfb`` itself when no display is set, analyses VIDEO into a throw-away project (its own
config folder, so the user's settings are untouched), makes a few review edits so the annotation
bars show, and grabs the screen.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _start_xvfb(size: str) -> subprocess.Popen | None:
    if os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise SystemExit("Xvfb is not installed (make sysdeps installs it)")
    for number in range(91, 120):
        if not Path(f"/tmp/.X{number}-lock").exists():  # noqa: S108 - where X servers keep their display locks
            break
    proc = subprocess.Popen([xvfb, f":{number}", "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.environ["DISPLAY"] = f":{number}"
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    time.sleep(1.0)
    return proc


def _wait(app, condition, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the app")
        app.processEvents()
        time.sleep(0.02)


def _review(window) -> None:
    """A few edits as a person would make them, so the annotation bars are visible."""
    session = window.session
    clips = session.data.clips
    session.select_clip(clips[0].id)
    session.accept_suggestions()
    session.mark_reviewed_and_next()
    if len(clips) > 1:
        session.select_clip(clips[1].id)
        session.cycle_label(3)  # talks to: present
        session.cycle_label(4)  # walks with: present
    session.select_clip(clips[-1].id)


def shoot(video: Path, out: Path, clip_size: int, width: int, height: int) -> Path:
    from PySide6.QtWidgets import QApplication

    from hhir import settings as settings_file
    from hhir_studio.app import Arguments, _application, create_window

    work = Path(tempfile.mkdtemp(prefix="hhir-shot-"))
    os.environ["HHIR_CONFIG_DIR"] = str(work / "config")
    settings_file.save(settings_file.Settings(clip_size=clip_size, annotator="reviewer"))
    app = _application([])
    window = create_window(Arguments(work / "project.sqlite3", []))
    window.resize(width, height)
    window.show()
    [job] = window.analyse([str(video)])
    _wait(app, lambda: not job.active, 1800)
    if job.error:
        raise SystemExit(job.error)
    _review(window)
    clip = window.session.selected_clip()
    window.player.seek((clip.start_s + clip.end_s) / 2 if clip else 1.0)
    _wait(app, lambda: window.player.player.duration() > 0, 30)
    end = time.monotonic() + 2.0
    _wait(app, lambda: time.monotonic() > end, 5)
    out.parent.mkdir(parents=True, exist_ok=True)
    screen = QApplication.primaryScreen()
    screen.grabWindow(0, window.x(), window.y(), window.frameGeometry().width(), window.frameGeometry().height()).save(str(out))
    window.close()
    window.store.close()
    shutil.rmtree(work, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", type=Path)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshot.png"))
    parser.add_argument("--clip-size", type=int, default=2, help="shots per clip (2 shows overlapping clips on a short scene)")
    parser.add_argument("--size", default="1600x1000")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))
    xvfb = _start_xvfb(f"{width}x{height}")
    try:
        print(shoot(args.video.resolve(), args.out.resolve(), args.clip_size, width, height))
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
