"""Guard against a reference-count bug of the Qt binding.

PySide6 6.12.0 on Python 3.11 returns ``None`` from every method with a ``void`` C++ result
without taking a reference to it (``QPainter.fillRect``, ``QLabel.setText``, ...). Each call lowers
``None``'s reference count by one; a few thousand calls later CPython deallocates ``None`` and
aborts. Python 3.12 made ``None`` immortal and PySide6 6.11.x does not have the bug; on the affected
combination the app raises ``None``'s count once by a margin no session can use up, so painting a
timeline all day cannot crash it. ``None`` is never meant to be freed, so the margin costs nothing.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)
_MARGIN = 1 << 40  # a trillion void calls, ~ decades of painting
_applied = False


def leaks_none_references(calls: int = 64) -> bool:
    """True when void-returning binding calls drop references to ``None``."""
    from PySide6.QtGui import QColor

    colour = QColor(0, 0, 0)
    before = sys.getrefcount(None)
    for _ in range(calls):
        colour.setRed(1)
    return before - sys.getrefcount(None) >= calls // 2


def protect_none() -> bool:
    """Apply the margin once when the binding leaks (no-op otherwise); True when it was applied."""
    global _applied
    if _applied or sys.version_info >= (3, 12) or not leaks_none_references():
        return _applied
    import PySide6

    # ob_refcnt is the first field of every object in CPython 3.11 (Include/object.h).
    ctypes.c_ssize_t.from_address(id(None)).value += _MARGIN
    _applied = True
    log.warning("PySide6 %s leaks references to None on Python %s; applied a guard (PySide6 6.11.x has no such bug)",
                PySide6.__version__, sys.version.split()[0])
    return True
