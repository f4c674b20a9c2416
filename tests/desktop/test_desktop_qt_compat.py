"""The guard keeps None alive however many void binding calls a session makes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent("""
    import sys
    from PySide6.QtGui import QColor
    from desktop.qt_compat import leaks_none_references, protect_none
    leaking = leaks_none_references()
    protect_none()
    colour = QColor(0, 0, 0)
    for _ in range(200_000):  # far more than None's own reference count on a leaking binding
        colour.setRed(1)
    print("leaking" if leaking else "clean", "survived")
""")


def test_two_hundred_thousand_void_calls_do_not_free_none():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120,
                         env={"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-1] == "survived"
