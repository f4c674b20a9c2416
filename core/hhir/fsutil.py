"""Files that appear whole or not at all.

Everything the app writes for a user (exports, JSON results, settings) goes to a temporary file in
the destination's folder, is flushed and fsynced, then renamed over the destination (``os.replace``
is atomic within one file system): an interrupted write never leaves half a file, and an existing
file is replaced only by a complete one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_writer(path: str | Path, binary: bool = False, suffix: str = "") -> Iterator[IO]:
    """Open a temporary file beside ``path``; rename it over ``path`` when the block succeeds.

    Args:
        path: destination file; its folder is created if missing.
        binary: open in binary mode instead of UTF-8 text with ``\\n`` line ends.
        suffix: extension for the temporary file (some writers pick the format from it).

    Yields:
        The open temporary file. If the block raises, the temporary file is removed and the
        destination is left as it was.
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=suffix + ".part", dir=dest.parent)
    try:
        mode = "wb" if binary else "w"
        kwargs = {} if binary else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically and return the path."""
    with atomic_writer(path) as handle:
        handle.write(text)
    return Path(path)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_writer(path, binary=True) as handle:
        handle.write(data)
    return Path(path)
