"""Make docs/screenshot.png: the real window after a real analysis, on a virtual X screen.

Usage: ``python -m hhir_studio.tools.screenshot VIDEO [--out docs/screenshot.png] [--clip-size 2]``

Starts ``Xvfb`` (and ``openbox``, when installed, so the window is framed and menus behave) itself
when no display is set, analyzes VIDEO into a throw-away project (its own config folder, so the
user's settings are untouched), makes a few review edits and a shot split so the annotation bars,
the model behind the suggestions and the named undo show, opens the Edit menu and grabs the screen.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication

    from hhir_studio.main_window import MainWindow
    from hhir_studio.session import VideoSnapshot


def _start_xvfb(size: str) -> list[subprocess.Popen[bytes]]:
    if os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM"):
        return []
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
    started = [proc]
    openbox = shutil.which("openbox")
    if openbox is not None:
        started.append(subprocess.Popen([openbox], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(1.0)
    return started


def _wait(app: QCoreApplication, condition: Callable[[], object], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the app")
        app.processEvents()
        time.sleep(0.02)


def _review(window: MainWindow) -> None:
    """A few edits on the first clip as a person would make them, so the annotation bars and a
    reviewed clip's implied "absent" show; the split below leaves this clip as it is."""
    session = window.session
    first = _open_video(window).clips[0]
    session.select_clip(first.id)
    session.cycle_label(3)  # talks to: present, by hand
    session.cycle_label(1)  # asks: present, by hand
    session.cycle_label(1)  # asks: absent (a correction)
    session.mark_reviewed_and_next()
    session.select_clip(first.id)


def _split(app: QCoreApplication, window: MainWindow) -> None:
    """Split the last shot in its middle, as X at the playhead does, and wait for the rebuilt
    clips' suggestions: the Edit menu then names the step."""
    last = _open_video(window).shots[-1]
    window.player.seek_frame((last.start_frame + last.end_frame) // 2)
    window.split_shot()
    _wait(app, lambda: not any(j.spec.title.startswith("Suggestions") for j in window.runner.jobs()), 900)
    first = _open_video(window).clips[0]
    window.session.select_clip(first.id)


def _open_video(window: MainWindow) -> VideoSnapshot:
    data = window.session.data
    if data is None:
        raise SystemExit("the analyzed video did not open in the window")
    return data


def shoot(video: Path, out: Path, clip_size: int, width: int, height: int) -> Path:
    from PySide6.QtWidgets import QApplication

    from hhir import settings as settings_file
    from hhir_studio.app import Arguments, _application, create_window

    work = Path(tempfile.mkdtemp(prefix="hhir-shot-"))
    os.environ["HHIR_CONFIG_DIR"] = str(work / "config")
    settings_file.save(settings_file.Settings(clip_size=clip_size, annotator="reviewer"))
    app = _application([])
    window = create_window(Arguments(work / "project.sqlite3", []))
    window.resize(width, height - 60)  # the frame's title bar fits on the screen too
    window.show()
    [job] = window.analyze([str(video)])
    _wait(app, lambda: not job.active, 1800)
    if job.error:
        raise SystemExit(job.error)
    _review(window)
    _split(app, window)
    clip = window.session.selected_clip()
    window.player.seek((clip.start_s + clip.end_s) / 2 if clip else 1.0)
    window.statusBar().clearMessage()  # show the state line and the model mark, not the last edit
    _wait(app, lambda: window.player.player.duration() > 0, 30)
    end = time.monotonic() + 2.0
    _wait(app, lambda: time.monotonic() > end, 5)
    edit = window._menu("&Edit")
    edit.popup(window.menuBar().mapToGlobal(window.menuBar().actionGeometry(edit.menuAction()).bottomLeft()))
    end = time.monotonic() + 1.0
    _wait(app, lambda: time.monotonic() > end, 5)
    out.parent.mkdir(parents=True, exist_ok=True)
    screen = QApplication.primaryScreen()
    frame = window.frameGeometry()
    screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height()).save(str(out))
    edit.close()
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
    servers = _start_xvfb(f"{width}x{height}")
    try:
        print(shoot(args.video.resolve(), args.out.resolve(), args.clip_size, width, height))
    finally:
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is not None:  # let go of the display before it goes away (else Qt aborts at exit)
            app.shutdown()
        for proc in reversed(servers):
            proc.terminate()
            proc.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
