"""Files that appear whole or not at all.

Everything the app writes for a user (exports, JSON results, settings, files ffmpeg writes) goes to
a temporary file in the destination's folder, is flushed and fsynced, then renamed over the
destination (``os.replace`` is atomic within one file system): an interrupted write never leaves
half a file, and an existing file is replaced only by a complete one. :func:`atomic_path` is the
one place that does it; :func:`atomic_writer`, :func:`write_text` and :func:`write_bytes` use it.
"""

from __future__ import annotations

import contextlib
import errno
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


_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
LOW_SPACE_BYTES = 1024 * 1024
"""Below this much free space a failed write is put down to a full disk: SQLite reports a full disk
while growing its ``-shm`` or ``-wal`` as a plain "disk I/O error", so the free space decides."""


def free_bytes(folder: str | Path) -> int | None:
    """Bytes an unprivileged writer may still use on the disk holding ``folder`` (None: unknown)."""
    try:
        stat = os.statvfs(folder)
    except (OSError, AttributeError):  # no statvfs on Windows; a folder that vanished
        return None
    return stat.f_bavail * stat.f_frsize


def disk_problem(exc: BaseException | None, where: str | Path | None = None) -> str | None:
    """"the disk is full" when ``exc`` (or what caused it) is a full disk or a full quota, or when
    the disk holding ``where`` has (almost) no free space left; None otherwise."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
            return "the disk is full"
        if "disk is full" in str(exc):  # SQLite's SQLITE_FULL: "database or disk is full"
            return "the disk is full"
        exc = exc.__cause__ or exc.__context__
        seen += 1
    if where is not None:
        folder = Path(where)
        while not folder.is_dir() and folder != folder.parent:
            folder = folder.parent
        free = free_bytes(folder)
        if free is not None and free < LOW_SPACE_BYTES:
            return "the disk is full"
    return None
