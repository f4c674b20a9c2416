"""``hhir-studio``: start the desktop app.

Usage: ``hhir-studio [--db PATH] [VIDEO ...]``. Videos given on the command line are queued for
analysis; videos whose analysis did not finish last time are queued again (they resume).
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from hhir.settings import Settings
    from hhir_studio.main_window import MainWindow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Arguments:
    db: Path | str | None
    videos: list[Path]


def parse_args(argv: list[str] | None) -> Arguments:
    parser = argparse.ArgumentParser(prog="hhir-studio", description="Review and correct interaction labels in film.")
    parser.add_argument("--db", type=_database_arg,
                        help="project database file, or postgresql://user@host/name (default: from the settings, else the user data folder)")
    parser.add_argument("videos", nargs="*", type=Path, help="videos to add to the project and analyze")
    parser.add_argument("--self-test", action="store_true", help="check this installation offscreen and exit (0 = it works)")
    ns = parser.parse_args(argv)
    return Arguments(ns.db, list(ns.videos))


def _database_arg(text: str) -> Path | str:
    """A server URL stays the string it is (a Path would fold its ``//`` into a file name)."""
    from hhir.store.location import is_url

    return text if is_url(text) else Path(text)


def database_path(args: Arguments, settings: Settings) -> Path | str:
    from hhir.store import default_db_path

    chosen = args.db if args.db is not None else _database_arg(settings.database) if settings.database else None
    if isinstance(chosen, str):
        return chosen
    return chosen.expanduser().resolve() if chosen is not None else default_db_path()


def create_window(args: Arguments) -> MainWindow:
    """Open the store and build the main window (raises ``HHIRError`` for a bad database or settings)."""
    from hhir import settings as settings_file
    from hhir.store import Store
    from hhir_studio.main_window import MainWindow

    settings = settings_file.load()
    store = Store(database_path(args, settings))
    window = MainWindow(store, settings)
    window.destroyed.connect(lambda *_: store.close())
    return window


def _application(argv: list[str]) -> QApplication:
    from PySide6.QtWidgets import QApplication

    from hhir_studio import theme

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    if not isinstance(app, QApplication):  # a QCoreApplication or QGuiApplication has no widgets
        raise RuntimeError(f"a {type(app).__name__} already runs in this process; the window needs a QApplication")
    app.setApplicationName("HHIR Studio")
    app.setOrganizationName("HHIR Studio")
    app.setStyle("Fusion")
    app.setStyleSheet(theme.style_sheet())
    return app


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``hhir-studio``; returns the exit status."""
    from hhir.errors import HHIRError

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--op-child"]:  # the window's background process: hhir_studio.ops.child
        from hhir_studio.operations import serve
        from hhir_studio.ops.child import child_main

        return child_main(argv[1], serve)
    if "--self-test" in argv:  # does this installation work? (also what the frozen app runs)
        from hhir_studio.selftest import self_test

        return self_test()
    args = parse_args(argv)
    from hhir.logs import setup_logging

    setup_logging("hhir-studio", console_level=logging.INFO)
    app = _application([])
    try:
        window = create_window(args)
    except HHIRError as exc:
        from PySide6.QtWidgets import QMessageBox

        print(f"error: {exc}", file=sys.stderr)
        QMessageBox.critical(None, "HHIR Studio", str(exc))
        return 2
    window.show()
    app.processEvents()  # the window is painted before the project's state is read
    from PySide6.QtCore import QTimer

    # the window paints first; the project's last state (video, clip) right after, before any job
    QTimer.singleShot(0, window.restore_last_state)
    QTimer.singleShot(0, window.resume_unfinished)
    QTimer.singleShot(0, lambda: window.analyze([str(p) for p in args.videos]))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
