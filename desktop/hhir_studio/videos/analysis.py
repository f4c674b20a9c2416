"""The controller that queues analyses on the job runner (shot edits are stored by the session at
once; only their background rescoring comes through here).

An analysis runs in a child process (see ``hhir_studio.ops.child``) driven by a worker
thread. Each opens its own ``Store`` on the same file (SQLite in WAL
mode lets the UI read while they write), so no database object is shared. ``hhir.pipeline`` (and
with it torch) is never imported by the window.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from hhir.settings import Settings
from hhir_studio.jobs import Job, JobRunner, JobSpec, JobState
from hhir_studio.videos import queue_book
from hhir_studio.videos.queue_book import QueueBook
from hhir_studio.videos.request import AnalysisRequest, analyse_in_child


class AnalysisController(QObject):
    """Queues analyses (one at a time, through the job runner) and reports their lifecycle."""

    job_added = Signal(str, object)  # resolved video path, Job
    video_analysed = Signal(int)
    refused = Signal(str)  # a file that is not a readable video: the message names it

    def __init__(self, runner: JobRunner, db_path: Path, settings: Settings, parent: QObject | None = None,
                 book: QueueBook | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.db_path = db_path
        self.settings = settings
        self.book = book  # records every video and its analysis state in the project
        self.closing = False  # set when the app quits: jobs stopped then stay "queued"/"analysing"
        self._jobs: dict[str, Job] = {}

    def _request(self, video_path: str) -> AnalysisRequest:
        s = self.settings
        return AnalysisRequest(str(self.db_path), video_path, s.profile, s.clip_size, s.clip_stride, s.active_bundle or None)

    def analyse(self, paths: list[str | Path]) -> list[Job]:
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
            request = self._request(path)
            job = self.runner.submit(JobSpec(f"Analyse {Path(path).name}", lambda p, c, r=request: analyse_in_child(r, p, c), key=path))
            job.finished.connect(lambda video_id: self.video_analysed.emit(int(video_id)))
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
        if job.state is JobState.RUNNING:  # nothing was ahead of it: it started on submit
            book.mark(video_id, queue_book.ANALYSING)
        job.started.connect(lambda: book.mark(video_id, queue_book.ANALYSING))
        job.finished.connect(lambda _result: book.mark(video_id, queue_book.DONE))
        job.failed.connect(lambda _message: book.mark(video_id, queue_book.FAILED))
        job.cancelled.connect(lambda: None if self.closing else book.mark(video_id, queue_book.CANCELLED))

    def refresh_clips(self, video_id: int) -> Job:
        """Features and suggestions of the clips a shot edit created (only those), in the child."""
        from hhir_studio.videos.refresh import refresh_in_child

        key = ("refresh", video_id)
        waiting = [j for j in self.runner.jobs() if j.spec.key == key and j.state is JobState.QUEUED]
        if waiting:  # one that has not started yet will see this edit's clips too
            return waiting[0]
        request = self._request("")
        return self.runner.submit(JobSpec("Suggestions for the changed clips",
                                          lambda p, c: refresh_in_child(request, video_id, p, c), key=key))

    def activate(self, model_id: str | None) -> Job:
        """Suggestions from ``model_id`` (None: the zero-shot starter); every video is rescored."""
        from hhir_studio.videos.refresh import activate_in_child

        db = str(self.db_path)
        title = f"Use model {model_id}" if model_id else "Use the zero-shot starter"
        return self.runner.submit(JobSpec(title, lambda p, c: activate_in_child(db, model_id, p, c)))
