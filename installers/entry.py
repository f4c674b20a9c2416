"""Entry point of the packaged app.

``hhir-studio`` starts the desktop app. ``hhir-studio --self-test`` runs the whole analysis offscreen
on a video it generates, runs it again through the window's analysis child process (the app started
again with ``--analysis-child``), plays that video in the Qt player, prints what failed and exits 0
or 1. ``--analysis-child REQUEST`` goes to the desktop app untouched: it is how the window starts its
background analysis.
``hhir-studio --startup-time`` opens the main window, prints the seconds from process start until
its event loop runs, and quits (used to measure a build).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

STARTED = time.monotonic()
CHILD_FLAG = "--analysis-child"  # hhir_studio.videos.child.CHILD_FLAG; a test checks they match


def bundle_dir() -> Path | None:
    """The frozen app's data folder (PyInstaller's ``_MEIPASS``), or None when run from source."""
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) if getattr(sys, "frozen", False) and base else None


def configure_frozen() -> None:
    """Point the app at what the bundle ships; the frozen app never downloads anything."""
    base = bundle_dir()
    if base is None:
        return
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _show(fraction: float, message: str) -> None:
    print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def _attach_console() -> None:
    """A windowed Windows build starts without a console: print to the one it was run from."""
    if sys.platform == "win32":
        import ctypes

        if ctypes.windll.kernel32.AttachConsole(-1):  # -1: the parent process's console
            sys.stdout = sys.stderr = open("CONOUT$", "w", encoding="utf-8", buffering=1)  # noqa: SIM115
    if sys.stdout is None or sys.stderr is None:  # windowed and started without a console
        sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def self_test() -> int:
    """Pipeline checks from :mod:`hhir.selftest`, the analysis child, then the video player; 0 when all passed."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt loads: no screen needed
    _attach_console()
    import tempfile

    from hhir.selftest import make_test_video, run_self_test

    failures = run_self_test(_show)
    with tempfile.TemporaryDirectory(prefix="hhir-child-") as tmp:
        _show(1.0, "analysis in a child process")
        failures += _sibling_check("analysis child", lambda: _child_failures(Path(tmp)))
        _show(1.0, "video player")
        failures += _sibling_check("player", lambda: _player_failures(make_test_video(Path(tmp) / "player.mp4").path))
    for line in failures:
        print(f"FAILED {line}", file=sys.stderr)
    seconds = time.monotonic() - STARTED
    print(f"self-test {'passed' if not failures else 'failed'} in {seconds:.1f} s")
    return 1 if failures else 0


def _sibling_check(name: str, check) -> list[str]:
    try:
        return check()
    except Exception as exc:  # noqa: BLE001 - the self-test reports every failure as a line
        return [f"{name}: {type(exc).__name__}: {exc}"]


# Sibling modules: on sys.path beside this script, and bundled by the spec (hidden imports).
def _player_failures(path: Path) -> list[str]:
    from player_check import check_player

    return check_player(path)


def _child_failures(workdir: Path) -> list[str]:
    from child_check import check_child

    return check_child(workdir)


def _report_startup_on_exec() -> None:
    """Make the app's ``QApplication.exec`` print the start-up time and quit once its loop runs."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    original = QApplication.exec  # static in PySide6: called without the instance

    def exec_and_quit(*_: object) -> int:
        app = QApplication.instance()

        def done() -> None:
            shown = [w.windowTitle() for w in app.topLevelWidgets() if w.isVisible()]
            print(f"start-up: {time.monotonic() - STARTED:.2f} s to the event loop; windows shown: {shown}")
            app.quit()

        QTimer.singleShot(0, done)
        return original()

    QApplication.exec = exec_and_quit  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    """Dispatch the command line; anything that is not ours goes to the desktop app."""
    import multiprocessing

    multiprocessing.freeze_support()  # a frozen child process must run its task, not the app
    args = sys.argv[1:] if argv is None else argv
    configure_frozen()
    if args[:1] == [CHILD_FLAG]:  # the window's analysis process: the app's own main reads sys.argv
        from hhir_studio.app import main as app_main

        return int(app_main() or 0)
    if "--self-test" in args:
        return self_test()
    if "--startup-time" in args:
        _attach_console()
        _report_startup_on_exec()
        sys.argv = [sys.argv[0], *[a for a in args if a != "--startup-time"]]
    from hhir_studio.app import main as app_main

    return int(app_main() or 0)


if __name__ == "__main__":
    sys.exit(main())
