"""Entry point of the packaged app.

``hhir-studio`` starts the desktop app. ``hhir-studio --self-test`` runs the whole analysis offscreen
on a video it generates, runs it again through the window's analysis child process (the app started
again with ``--op-child``), plays that video in the Qt player, prints what failed and exits 0
or 1. ``--op-child OP`` (its request on stdin) goes to the desktop app untouched: it is how the window starts its
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
CHILD_FLAG = "--op-child"  # hhir_studio.ops.child.CHILD_FLAG; a test checks they match


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


def _attach_console() -> None:
    """A windowed Windows build started from a console has no output: print to that console.

    Only when it has no output of its own: started with its output redirected (a pipe, as the build's
    measurements and the release workflow run it), it keeps writing there."""
    if sys.platform == "win32" and (sys.stdout is None or sys.stderr is None):
        import ctypes

        if ctypes.windll.kernel32.AttachConsole(-1):  # -1: the parent process's console
            sys.stdout = sys.stderr = open("CONOUT$", "w", encoding="utf-8", buffering=1)  # noqa: SIM115
    if sys.stdout is None or sys.stderr is None:  # windowed and started without a console
        sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def self_test() -> int:
    """The app's own self-test (:mod:`hhir_studio.selftest`), attached to the console it was started from."""
    _attach_console()
    from hhir_studio.selftest import self_test as run

    return run(STARTED)


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
