"""The controller that queues analyses and model switches on the job runner (shot edits are
stored by the session at once; only their background rescoring comes through here).

Each is an operation of :data:`hhir_studio.operations.OPS`: it runs in the child process, which
opens its own ``Store`` on the project (SQLite in WAL mode lets the UI read while it writes), and
what it changed reaches the views through ``JobRunner.changed``. torch is never imported by the
window.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from hhir.pipeline.options import AnalysisOptions
from hhir.settings import Settings
from hhir_studio.jobs import Job, JobRunner, JobState
from hhir_studio.operations import ActivateRequest, AnalyzeRequest, RefreshClipsRequest
from hhir_studio.videos import queue_book
from hhir_studio.videos.queue_book import QueueBook


class AnalysisController(QObject):
    """Queues analyses (one at a time, through the job runner) and reports their lifecycle."""

    job_added = Signal(str, object)  # resolved video path, Job
    refused = Signal(str)  # a file that is not a readable video: the message names it

    def __init__(self, runner: JobRunner, db_path: Path | str, settings: Settings, parent: QObject | None = None,
                 book: QueueBook | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.db_path = db_path
        self.settings = settings
        self.book = book  # records every video and its analysis state in the project
        self.closing = False  # set when the app quits: jobs stopped then stay QUEUED/ANALYZING
        self._jobs: dict[str, Job] = {}

    def _options(self) -> AnalysisOptions:
        s = self.settings
        return AnalysisOptions(profile=s.profile, clip_size=s.clip_size, clip_stride=s.clip_stride,
                               model_bundle=s.active_bundle or None)

    def analyze(self, paths: Sequence[str | Path]) -> list[Job]:
        """Queue every path not already queued or running; returns the new jobs."""
        jobs = []
        for raw in paths:
            path = str(Path(raw).expanduser().resolve())
            current = self._jobs.get(path)
            if current is not None and current.active:
                continue
            video_id = self._record(path)
            if self.book is not None and video_id is None:
                continue
            job = self.runner.run_op("analyze", AnalyzeRequest(str(self.db_path), path, self._options()), key=path)
            if video_id is not None:
                self._follow(job, video_id)
            self._jobs[path] = job
            self.job_added.emit(path, job)
            jobs.append(job)
        return jobs

    def _record(self, path: str) -> int | None:
        """Store the video and its "queued" state now (the id), or say why it cannot be (None)."""
        from hhir.errors import HHIRError

        if self.book is None:
            return None
        try:
            return self.book.record(path).id
        except HHIRError as exc:
            self.refused.emit(str(exc))
            return None

    def _follow(self, job: Job, video_id: int) -> None:
        book = self.book
        if book is None:  # no queue book, nothing recorded to follow (analyze() passes no id then)
            return
        if job.state is JobState.RUNNING:  # nothing was ahead of it: it started on submit
            book.mark(video_id, queue_book.ANALYZING)
        job.started.connect(lambda: book.mark(video_id, queue_book.ANALYZING))
        job.finished.connect(lambda _result: book.mark(video_id, queue_book.DONE))
        job.failed.connect(lambda _message: book.mark(video_id, queue_book.FAILED))
        job.cancelled.connect(lambda: None if self.closing else book.mark(video_id, queue_book.CANCELLED))

    def refresh_clips(self, video_id: int) -> Job:
        """Features and suggestions of the clips a shot edit created (only those), in the child."""
        key = ("refresh", video_id)
        waiting = [j for j in self.runner.jobs() if j.spec.key == key and j.state is JobState.QUEUED]
        if waiting:  # one that has not started yet will see this edit's clips too
            return waiting[0]
        return self.runner.run_op("refresh_clips", RefreshClipsRequest(str(self.db_path), video_id, self._options()),
                                  key=key)

    def activate(self, model_id: str | None) -> Job:
        """Suggestions from ``model_id`` (None: the zero-shot starter); every video is rescored."""
        return self.runner.run_op("activate", ActivateRequest(str(self.db_path), model_id))
