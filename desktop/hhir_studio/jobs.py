"""The one job runner: every background task (analysis, training, export) runs through it.

A job is a plain function ``fn(progress, cancel) -> result``. It runs in a ``QObject`` worker moved
to its own ``QThread``; results come back by signals on the :class:`Job` (which lives on the UI
thread): ``progressed(float, str)``, ``finished(object)``, ``failed(str)``, ``cancelled()``.
Model jobs (anything that loads models or decodes whole videos) queue and run one at a time so two
analyses never fight over the CPU and memory; light jobs (export) start at once.

Work on the project is an operation of :data:`hhir_studio.operations.OPS`, started with
:meth:`JobRunner.run_op`: it runs in the child process, its job finishes with the operation's
value, and what it changed (:class:`~hhir_studio.operations.OpChanges`) is announced once, by
:attr:`JobRunner.changed`, before the job's own ``finished``.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from hhir.errors import HHIRError
from hhir.jobs import CancelToken, Cancelled, ProgressFn
from hhir_studio.operations import OPS, EmitFn, Outcome, run_op

log = logging.getLogger(__name__)

JobFn = Callable[[ProgressFn, CancelToken], object]
_PROGRESS_INTERVAL_S = 0.05  # a stage may report thousands of times; the UI needs ~20 updates a second
_live_threads: set[QThread] = set()


def live_threads() -> list[QThread]:
    """Worker threads that are still running (tests fail when one outlives its test)."""
    return [thread for thread in _live_threads if thread.isRunning()]


class JobToken(CancelToken):
    """A job's cancel token; ``closing`` says the app is quitting, so a child process gets a
    moment, not a batch's worth of time, before it is stopped."""

    closing = False

    def close(self) -> None:
        self.closing = True
        self.cancel()


class JobState(str, Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class JobSpec:
    """What to run. ``key`` lets a view find its job again (e.g. the video path)."""

    title: str
    fn: JobFn
    model: bool = True
    key: object = None


class _Worker(QObject):
    progressed = Signal(float, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, spec: JobSpec, token: CancelToken) -> None:
        super().__init__()
        self._spec = spec
        self._token = token
        self._last_report = 0.0
        self._last_message = ""

    def _progress(self, fraction: float, message: str) -> None:
        # Throttle repeats of one step, but never drop a new step: the UI (and anything waiting
        # for a stage) must see where the job is, not a report from a stage ago.
        now = time.monotonic()
        if fraction >= 1.0 or message != self._last_message or now - self._last_report >= _PROGRESS_INTERVAL_S:
            self._last_report, self._last_message = now, message
            self.progressed.emit(float(fraction), message)

    @Slot()
    def run(self) -> None:
        try:
            result = self._spec.fn(self._progress, self._token)
        except Cancelled:
            self.cancelled.emit()
        except HHIRError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - reported to the user with its traceback in the log
            log.exception("job %r failed", self._spec.title)
            self.failed.emit(f"{self._spec.title}: {type(exc).__name__}: {exc}")
        else:
            if self._token.cancelled:
                self.cancelled.emit()
            else:
                self.finished.emit(result)


class Job(QObject):
    """A submitted job as the UI sees it."""

    started = Signal()
    progressed = Signal(float, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    ended = Signal()  # after any of finished / failed / cancelled

    def __init__(self, spec: JobSpec) -> None:
        super().__init__()
        self.spec = spec
        self.token = JobToken()
        self.state = JobState.QUEUED
        self.fraction = 0.0
        self.message = ""
        self.error = ""
        self.result: object = None
        self._on_end: Callable[[Job, JobState, object, str], None] = lambda *args: None

    def cancel(self) -> None:
        """Ask the job to stop; a queued job is dropped, a running one stops at its next check."""
        self.token.cancel()
        if self.state is JobState.QUEUED:
            self._end(JobState.CANCELLED)
            self.cancelled.emit()
            self.ended.emit()

    @property
    def active(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING)

    # The worker's signals connect to these bound slots so they run on this object's (the UI)
    # thread; a lambda would run in the worker thread.
    @Slot(float, str)
    def _on_progress(self, fraction: float, message: str) -> None:
        self.fraction, self.message = fraction, message
        self.progressed.emit(fraction, message)

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        self._on_end(self, JobState.DONE, result, "")

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._on_end(self, JobState.FAILED, None, message)

    @Slot()
    def _on_cancelled(self) -> None:
        self._on_end(self, JobState.CANCELLED, None, "")

    def _end(self, state: JobState) -> None:
        self.state = state


class JobRunner(QObject):
    """Runs jobs on worker threads; model jobs one at a time, in submission order."""

    job_submitted = Signal(object)
    job_failed = Signal(object, str)  # the one place errors reach the notifier
    changed = Signal(object)  # OpChanges of every operation that finished: the window routes them

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: deque[Job] = deque()
        self._running: dict[Job, tuple[QThread, _Worker]] = {}

    def submit(self, spec: JobSpec) -> Job:
        """Queue ``spec``; returns the :class:`Job` whose signals report on it."""
        job = Job(spec)
        job.setParent(self)
        self.job_submitted.emit(job)
        if spec.model:
            self._queue.append(job)
            self._start_next()
        else:
            self._start(job)
        return job

    def run_op(self, op: str, request: Any, key: object = None, on_event: EmitFn | None = None) -> Job:
        """Queue the operation ``op`` of :data:`~hhir_studio.operations.OPS` on ``request`` (its
        declared request type); it runs in the child process. ``on_event`` gets the operation's
        events on the worker thread (relay them to the UI with a queued signal)."""
        operation = OPS[op]
        return self.submit(JobSpec(operation.title(request), lambda p, c: run_op(op, request, p, c, on_event),
                                   model=operation.model, key=key))

    def jobs(self) -> list[Job]:
        """Queued and running jobs."""
        return [job for job in self._queue if job.active] + list(self._running)

    def busy(self) -> bool:
        return any(job.active for job in self.jobs())

    def _model_running(self) -> bool:
        return any(job.spec.model for job in self._running)

    def _start_next(self) -> None:
        while self._queue and not self._model_running():
            job = self._queue.popleft()
            if job.state is JobState.QUEUED:
                self._start(job)

    def _start(self, job: Job) -> None:
        thread = QThread()
        thread.setObjectName(f"job: {job.spec.title}")
        worker = _Worker(job.spec, job.token)
        worker.moveToThread(thread)
        job._on_end = self._done
        worker.progressed.connect(job._on_progress)
        worker.finished.connect(job._on_finished)
        worker.failed.connect(job._on_failed)
        worker.cancelled.connect(job._on_cancelled)
        thread.started.connect(worker.run)
        self._running[job] = (thread, worker)
        _live_threads.add(thread)
        job.state = JobState.RUNNING
        thread.start()
        job.started.emit()

    def _done(self, job: Job, state: JobState, result: object = None, error: str = "") -> None:
        entry = self._running.pop(job, None)
        if entry is None:  # already joined by shutdown()
            return
        thread = entry[0]
        thread.quit()
        thread.wait()
        _live_threads.discard(thread)
        if isinstance(result, Outcome):  # an operation: its changes first, so views are current
            self.changed.emit(result.changes)  # when the job's own finished handlers run
            result = result.value
        job.state, job.result, job.error = state, result, error
        if state is JobState.DONE:
            job.finished.emit(result)
        elif state is JobState.FAILED:
            job.failed.emit(error)
            self.job_failed.emit(job, error)
        else:
            job.cancelled.emit()
        job.ended.emit()
        self._start_next()

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Cancel everything and join the threads (app exit). True when all threads stopped."""
        for job in list(self._queue):
            job.cancel()
        self._queue.clear()
        stopped = True
        running = list(self._running.items())
        for job, _entry in running:  # every job is told first, so they stop side by side
            job.token.close()
        for job, (thread, _worker) in running:
            thread.quit()
            stopped = thread.wait(timeout_ms) and stopped
            _live_threads.discard(thread)
            job.state = JobState.CANCELLED
        self._running.clear()
        return stopped
