"""The pinned Qt binding keeps None's reference count: PySide6 6.12.0 on Python 3.11 dropped one
reference per void call (fillRect, setText...) and aborted the interpreter after a few thousand
timeline paints."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent("""
    import sys
    from PySide6.QtGui import QColor
    colour = QColor(0, 0, 0)
    before = sys.getrefcount(None)
    for _ in range(200_000):  # far more than None's own reference count on a leaking binding
        colour.setRed(1)
    print(before - sys.getrefcount(None), "survived")
""")


def test_two_hundred_thousand_void_calls_keep_none_alive():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120,
                         env={"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert out.returncode == 0, out.stderr[-2000:]
    lost, word = out.stdout.split()[-2:]
    assert word == "survived" and abs(int(lost)) < 100
