"""The controller that queues analyses and shot edits on the job runner.

An analysis runs in a child process (see ``hhir_studio.ops.child``) driven by a worker thread; a shot
edit runs on the worker thread itself. Each opens its own ``Store`` on the same file (SQLite in WAL
mode lets the UI read while they write), so no database object is shared. ``hhir.pipeline`` (and
with it torch) is never imported by the window.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from hhir.settings import Settings
from hhir.types import Shot
from hhir_studio.jobs import Job, JobRunner, JobSpec
from hhir_studio.videos.request import AnalysisRequest, analyse_in_child, run_shot_edit


class AnalysisController(QObject):
    """Queues analyses (one at a time, through the job runner) and reports their lifecycle."""

    job_added = Signal(str, object)  # resolved video path, Job
    video_analysed = Signal(int)
    structure_changed = Signal(int)

    def __init__(self, runner: JobRunner, db_path: Path, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.db_path = db_path
        self.settings = settings
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
            request = self._request(path)
            job = self.runner.submit(JobSpec(f"Analyse {Path(path).name}", lambda p, c, r=request: analyse_in_child(r, p, c), key=path))
            job.finished.connect(lambda video_id: self.video_analysed.emit(int(video_id)))
            self._jobs[path] = job
            self.job_added.emit(path, job)
            jobs.append(job)
        return jobs

    def edit_shots(self, video_id: int, shots: list[Shot]) -> Job:
        request = self._request("")
        spec = JobSpec("Rebuild clips", lambda p, c: run_shot_edit(request, video_id, shots, p, c))
        job = self.runner.submit(spec)
        job.finished.connect(lambda vid: self.structure_changed.emit(int(vid)))
        return job

    def refresh_clips(self, video_id: int) -> Job:
        """Features and suggestions of the clips a shot edit created (only those), in the child."""
        from hhir_studio.videos.refresh import refresh_in_child

        request = self._request("")
        return self.runner.submit(JobSpec("Suggestions for the changed clips",
                                          lambda p, c: refresh_in_child(request, video_id, p, c), key=("refresh", video_id)))

    def activate(self, model_id: str | None) -> Job:
        """Suggestions from ``model_id`` (None: the zero-shot starter); every video is rescored."""
        from hhir_studio.videos.refresh import activate_in_child

        db = str(self.db_path)
        title = f"Use model {model_id}" if model_id else "Use the zero-shot starter"
        return self.runner.submit(JobSpec(title, lambda p, c: activate_in_child(db, model_id, p, c)))
