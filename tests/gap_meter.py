"""How long the UI thread's event loop was away: the desktop analysis test and bench/app_bench.py."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QTimer


class GapMeter:
    """A 10 ms timer on the UI thread: the longest gap between ticks is how long the loop was away.

    On a machine whose CPUs are saturated by other programs, the UI thread also waits for a CPU
    between ticks; Linux counts that wait per thread (``schedstat``), so ``max_blocked`` is the gap
    minus the time the thread sat runnable on a run queue: the time the loop was busy or blocked
    in this process. Without ``schedstat`` both figures are the wall-clock gap.
    """

    def __init__(self, describe=lambda: "") -> None:
        self.describe = describe
        self.worst = ""
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.stat = Path(f"/proc/self/task/{threading.get_native_id()}/schedstat")
        self.last = self.last_wait = 0.0
        self.max_gap = self.max_blocked = 0.0
        self.ticks = 0

    def _queue_wait_ms(self) -> float:
        try:
            return int(self.stat.read_text().split()[1]) / 1e6
        except (OSError, IndexError, ValueError):
            return 0.0

    def start(self) -> None:
        self.clock.start()
        self.last, self.last_wait = 0.0, self._queue_wait_ms()
        self.timer.start()

    def _tick(self) -> None:
        now, wait = float(self.clock.elapsed()), self._queue_wait_ms()
        gap, blocked = now - self.last, now - self.last - (wait - self.last_wait)
        self.max_gap = max(self.max_gap, gap)
        if blocked > self.max_blocked:
            self.max_blocked, self.worst = blocked, self.describe()
        self.last, self.last_wait = now, wait
        self.ticks += 1

    def stop(self) -> None:
        self.timer.stop()
