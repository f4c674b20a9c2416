"""Progress and cancellation shared by every long-running core function.

A stage receives ``progress: ProgressFn`` and ``cancel: CancelToken``. It reports a fraction in
[0, 1] with a short message, and calls ``cancel.check()`` between batches; that raises
:class:`Cancelled` once cancellation was requested, so work stops promptly and nothing half-done is
committed.
"""

from __future__ import annotations

import threading
from typing import Protocol


class Cancelled(Exception):
    """Raised inside a stage when its cancel token was set."""


class ProgressFn(Protocol):
    def __call__(self, fraction: float, message: str) -> None: ...


def no_progress(fraction: float, message: str) -> None:
    """A progress callback that ignores everything."""


class CancelToken:
    """Thread-safe cancellation flag."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()


def sub_progress(progress: ProgressFn, start: float, end: float) -> ProgressFn:
    """Map a sub-stage's [0, 1] onto ``[start, end]`` of the parent's progress."""

    def report(fraction: float, message: str) -> None:
        progress(start + (end - start) * min(max(fraction, 0.0), 1.0), message)

    return report
