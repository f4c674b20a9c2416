"""Handing freed heap memory back to the operating system.

glibc's malloc keeps memory that Python, torch and CTranslate2 have freed inside the process's heap
for later use, so the resident size stays at its high-water mark after a large temporary workspace
(a model's fp32 weights before quantisation, Whisper's buffers over a 10-minute window) is gone.
``malloc_trim(0)`` returns the free pages; nothing allocated changes, so no result can. On other C
libraries (macOS, Windows, musl) there is no such call and this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys


@functools.lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def release_free_memory() -> bool:
    """Return the heap's free pages to the OS; True when the C library has a way to (glibc)."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
