"""Files that appear whole or not at all.

Everything the app writes for a user (exports, JSON results, settings, files ffmpeg writes) goes to
a temporary file in the destination's folder, is flushed and fsynced, then renamed over the
destination (``os.replace`` is atomic within one file system): an interrupted write never leaves
half a file, and an existing file is replaced only by a complete one. :func:`atomic_path` is the
one place that does it; :func:`atomic_writer`, :func:`write_text` and :func:`write_bytes` use it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from hhir.errors import HHIRError


@contextlib.contextmanager
def atomic_path(path: str | Path, *, must_write: bool = False) -> Iterator[Path]:
    """Give a temporary path beside ``path``, with its extension, for a writer that opens the file
    itself (ffmpeg, a library's ``save``); it is fsynced and renamed onto ``path`` when the block succeeds.

    Args:
        path: destination file; its folder is created if missing.
        must_write: refuse a block that left the file missing or empty.

    Yields:
        The temporary path (an empty file exists there). If the block raises, it is removed and the
        destination is left as it was.

    Raises:
        HHIRError: ``must_write`` and nothing was written.
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dest.stem}.part.", suffix=dest.suffix, dir=dest.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if must_write and (not tmp.is_file() or tmp.stat().st_size == 0):
            raise HHIRError(f"{dest}: nothing was written")
        _fsync(tmp)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_writer(path: str | Path, binary: bool = False) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; rename it over ``path`` when the block succeeds.

    Args:
        path: destination file; its folder is created if missing.
        binary: open in binary mode instead of UTF-8 text with ``\\n`` line ends.

    Yields:
        The open temporary file. If the block raises, the temporary file is removed and the
        destination is left as it was.
    """
    with atomic_path(path) as tmp, (tmp.open("wb") if binary else tmp.open("w", encoding="utf-8", newline="")) as handle:
        yield handle


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
