"""Atomic folder writes and synced safetensors files for model bundles."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path
from typing import Any, Iterator

from hhir.models.weights import file_sha256


@contextlib.contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """Yield a hidden temporary sibling of ``target``; on success it replaces ``target`` by rename.

    On any exception the temporary folder is removed and ``target`` is left as it was.
    """
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        yield tmp
        _fsync_dir(tmp)
        _replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_dir(target.parent)


def _replace(tmp: Path, target: Path) -> None:
    if not target.exists():
        os.rename(tmp, target)
        return
    old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
    os.rename(target, old)
    try:
        os.rename(tmp, target)
    except OSError:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def save_tensors(state: dict[str, Any], path: Path) -> str:
    """Write tensors as safetensors, fsync, and return the file's sha256."""
    from safetensors.torch import save_file

    tensors = {k: v.detach().cpu().contiguous() for k, v in state.items()}
    # safetensors creates its file with mode 0600, which makes a shared bundle unreadable to
    # colleagues; create it first as any file (the user's umask decides), then restore that mode.
    with open(path, "wb"):
        pass
    mode = path.stat().st_mode & 0o777
    save_file(tensors, str(path))
    os.chmod(path, mode)
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())
    return file_sha256(path)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # directories cannot be opened for fsync on Windows
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
