"""The Ray actors: analysis workers that keep their models loaded, and the progress board.

Each worker is a long-lived process: the pipeline's encoders, transcriber and starter cues are
cached per process (``functools.lru_cache``), so only a worker's first video pays for loading them.
A worker writes each stage into the project as it finishes (the team database, or on a local Ray
the SQLite file on this machine, whose store serialises writers); a stage is one transaction, so a
worker killed mid-video leaves finished stages and nothing half-written, and the retry resumes there.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

PROGRESS_EVERY_S = 0.5  # a worker reports its fraction at most this often


class ProgressBoard:
    """Latest (fraction, message, worker pid, attempt) per video; the driver polls ``snapshot``."""

    def __init__(self) -> None:
        self._state: dict[str, dict[str, Any]] = {}

    def report(self, path: str, fraction: float, message: str, pid: int) -> None:
        entry = self._state.setdefault(path, {"attempts": 0, "pid": None})
        if entry["pid"] != pid:  # a new process took the video: the first try, or a retry
            entry["attempts"] += 1
        entry.update(fraction=fraction, message=message, pid=pid)

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return self._state


class AnalysisWorker:
    """Analyzes one video per call into the project at ``db`` (a file path or a server URL)."""

    def __init__(self, db: str, options: Any, board: Any) -> None:
        from hhir.jobs import CancelToken
        from hhir.store import Store

        self.store = Store(db)
        self.options, self.board = options, board
        self.token = CancelToken()
        self._lock = threading.Lock()

    def pid(self) -> int:
        return os.getpid()

    def cancel(self) -> None:
        """Stop the running video at its next batch (this actor runs two calls at once for this)."""
        self.token.cancel()

    def analyze(self, path: str) -> dict[str, Any]:
        """``{"video_id", "seconds", "cpu_seconds", "pid"}``; raises the pipeline's errors, and
        ``Cancelled`` after :meth:`cancel`."""
        from hhir.pipeline import analyze

        with self._lock:  # one video at a time per worker; the second slot is for cancel()
            last = [0.0]
            pid = os.getpid()

            def progress(fraction: float, message: str) -> None:
                now = time.monotonic()
                if now - last[0] >= PROGRESS_EVERY_S or fraction >= 1.0:
                    last[0] = now
                    self.board.report.remote(path, fraction, message, pid)

            self.board.report.remote(path, 0.0, "starting", pid)
            wall, cpu = time.monotonic(), time.process_time()
            video_id = analyze(self.store, path, self.options, progress=progress, cancel=self.token)
            return {"video_id": video_id, "seconds": time.monotonic() - wall, "cpu_seconds": time.process_time() - cpu, "pid": pid}
