"""Where the app and the command line write their log: a rotating file in the user data folder.

Users send this file when something went wrong, so it keeps the details (tracebacks included)
that the one-line messages on screen leave out. ``Help → Open log folder`` in the app shows it.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from hhir.appdirs import user_data_dir

MAX_BYTES = 2_000_000
BACKUPS = 4  # five files at most: ~10 MB
FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
_MARK = "_hhir_handler"


def log_dir() -> Path:
    """``<user data folder>/logs``."""
    return user_data_dir() / "logs"


def log_file(program: str) -> Path:
    """The current log file of ``program`` (``hhir``, ``hhir-studio``, ``analysis``)."""
    return log_dir() / f"{program}.log"


def setup_logging(program: str, verbose: bool = False, console_level: int | None = None) -> Path | None:
    """Log to ``log_file(program)`` (INFO and up, rotated) and to stderr (WARNING and up, INFO when
    ``verbose``). Calling it again replaces the handlers it added. Returns the file, or None when the
    folder cannot be written (then stderr only: a read-only home must not stop the program)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(logging.INFO)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(console_level if console_level is not None else logging.INFO if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handlers: list[logging.Handler] = [console]
    path: Path | None = log_file(program)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        rotating = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                        encoding="utf-8", delay=True)
        rotating.setFormatter(logging.Formatter(FORMAT))
        handlers.append(rotating)
    except OSError:
        path = None
    for handler in handlers:
        setattr(handler, _MARK, True)
        root.addHandler(handler)
    return path
