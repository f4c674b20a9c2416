"""Analysis and structure jobs: what runs on the worker thread, and the controller that queues it.

The worker opens its own ``Store`` on the same file (SQLite in WAL mode lets the UI read while
the analysis writes), so no database object is shared between threads. ``core.pipeline`` (and with
it torch) is imported inside the job, on the worker thread, never while the window opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from core.jobs import CancelToken, ProgressFn
from core.settings import Settings
from core.types import Shot
from desktop.jobs import Job, JobRunner, JobSpec


@dataclass(frozen=True)
class AnalysisRequest:
    db_path: str
    video_path: str
    profile: str
    clip_size: int
    clip_stride: int
    model_bundle: str | None


def _options(request: AnalysisRequest):
    from core.pipeline import AnalysisOptions

    return AnalysisOptions(
        profile=request.profile, clip_size=request.clip_size, clip_stride=request.clip_stride,
        model_bundle=request.model_bundle,
    )


def run_analysis(request: AnalysisRequest, progress: ProgressFn, cancel: CancelToken) -> int:
    """Worker side: analyse one video into the project database; returns its id."""
    from core.pipeline import analyze
    from core.store import Store

    store = Store(request.db_path)
    try:
        return analyze(store, request.video_path, _options(request), progress, cancel)
    finally:
        store.close()


def run_shot_edit(request: AnalysisRequest, video_id: int, shots: list[Shot], progress: ProgressFn, cancel: CancelToken) -> int:
    """Worker side: store corrected shots and rebuild the clips from them (annotations follow)."""
    from core.pipeline import rebuild_clips
    from core.store import Store

    store = Store(request.db_path)
    try:
        progress(0.1, "Saving corrected shots")
        store.set_shots(video_id, shots)
        cancel.check()
        progress(0.4, "Rebuilding clips")
        rebuild_clips(store, video_id, _options(request))
        progress(1.0, "Clips rebuilt")
        return video_id
    finally:
        store.close()


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
            job = self.runner.submit(JobSpec(f"Analyse {Path(path).name}", lambda p, c, r=request: run_analysis(r, p, c), key=path))
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

    def job_for(self, path: str) -> Job | None:
        return self._jobs.get(str(Path(path).expanduser().resolve()))
