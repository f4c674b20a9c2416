"""``hhir-studio --self-test``: does this installation work? The same check for a wheel, a checkout
and the frozen app.

It runs the library's checks (:mod:`hhir.selftest`: a generated video analyzed end to end), then one
analysis through the window's child process, then plays the video in the Qt player, offscreen. It
prints each failure as a line and returns 0 when all passed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _show(fraction: float, message: str) -> None:
    print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def self_test(started: float | None = None) -> int:
    """Run every check; print failures and a summary line; 0 when all passed."""
    started = time.monotonic() if started is None else started
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt loads: no screen needed
    from hhir.selftest import make_test_video, run_self_test
    from hhir_studio.selftest.child import check_child
    from hhir_studio.selftest.player import check_player

    failures = run_self_test(_show)
    with tempfile.TemporaryDirectory(prefix="hhir-child-") as tmp:
        _show(1.0, "analysis in a child process")
        failures += _sibling_check("analysis child", lambda: check_child(Path(tmp)))
        _show(1.0, "video player")
        failures += _sibling_check("player", lambda: check_player(make_test_video(Path(tmp) / "player.mp4").path))
    for line in failures:
        print(f"FAILED {line}", file=sys.stderr)
    print(f"self-test {'passed' if not failures else 'failed'} in {time.monotonic() - started:.1f} s")
    return 1 if failures else 0


def _sibling_check(name: str, check: Callable[[], list[str]]) -> list[str]:
    try:
        return check()
    except Exception as exc:  # noqa: BLE001 - the self-test reports every failure as a line
        return [f"{name}: {type(exc).__name__}: {exc}"]
