"""A real full disk for tests, without root: ``unshare --user --map-root-user --mount python
full_disk.py FOLDER SIZE SCRIPT ARGS...`` mounts a tmpfs of SIZE (e.g. ``2m``) on FOLDER in a private
mount namespace (invisible to every other process), then runs ``python SCRIPT ARGS...`` there (its output passes through). The
script sets a project up on that small disk, fills it, runs what is tested and prints its findings.

:func:`run_on_full_disk` is the tests' side; :func:`available` says whether this machine allows
unprivileged user and mount namespaces (tests skip where it does not).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve()


def _mount_tmpfs(folder: str, size: str) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(b"tmpfs", folder.encode(), b"tmpfs", 0, f"size={size}".encode()) != 0:
        raise OSError(ctypes.get_errno(), f"cannot mount a tmpfs on {folder}")


def fill(folder: Path) -> None:
    """Write until the disk is full (ENOSPC); what is left free is below one block."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for block in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * block)
            except OSError:
                continue
    finally:
        os.close(fd)


def available() -> bool:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return False
    with tempfile.TemporaryDirectory() as folder:
        probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", sys.executable, str(HERE), folder,
                                "64k", "-c", "pass"], capture_output=True, timeout=60)
    return probe.returncode == 0


def run_on_full_disk(folder: Path, script: str, *args: str, size: str = "4m", env: dict | None = None,
                     timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``script`` (Python source) with ``args`` in a namespace where ``folder`` is a ``size`` tmpfs."""
    folder.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["unshare", "--user", "--map-root-user", "--mount", sys.executable, str(HERE), str(folder),
                           size, "-c", script, *args], capture_output=True, text=True, timeout=timeout, env=env)


if __name__ == "__main__":
    _mount_tmpfs(sys.argv[1], sys.argv[2])
    sys.exit(subprocess.run([sys.executable, *sys.argv[3:]], check=False).returncode)
