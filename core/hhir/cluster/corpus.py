"""``analyze_corpus``: one Ray task per video over a pool of analysis actors, with one progress view.

Why Ray: it keeps models in long-lived actors and schedules over a cluster a lab may already run
(``ray start --head`` on one machine, ``ray start --address=HEAD:6379`` on the others). A worker that
dies mid-video is restarted and its video retried (``max_restarts``/``max_task_retries``); because
every pipeline stage commits on its own and a finished stage is skipped on the next run, a retry
recomputes only the unfinished stages and never duplicates rows. Ctrl-C (``cancel``) stops every
worker at its next batch; the next run resumes where it stopped.

A SQLite project lives in one file on the driver's machine, so only a local Ray (``address="auto"``)
can analyze into it; a cluster needs a team database (``postgresql://``) every worker can reach.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hhir.errors import HHIRError
from hhir.jobs import CancelToken
from hhir.pipeline.options import AnalysisOptions
from hhir.store.location import parse

RETRIES = 2  # restarts of a killed worker, and retries of the video it was on
POLL_S = 0.25
# One analysis keeps about two cores busy (decoding and the encoders are threaded: 232.8 CPU s in
# 127.3 s wall for 10 minutes of film, docs/performance.md), so by default a worker per two CPUs.
CORES_PER_VIDEO = 2
STOP_WAIT_S = 120.0  # how long Ctrl-C waits for a worker to reach its next batch


@dataclass
class VideoState:
    """Where one video of the corpus is: queued, running, done, failed or cancelled."""

    path: str
    state: str = "queued"
    fraction: float = 0.0
    message: str = ""
    attempts: int = 0
    pid: int | None = None
    video_id: int | None = None
    seconds: float | None = None
    cpu_seconds: float | None = None
    error: str | None = None


@dataclass
class CorpusRun:
    """The outcome of :func:`analyze_corpus`, with the per-video states and the whole run's time."""

    videos: list[VideoState]
    workers: int
    seconds: float = 0.0
    cancelled: bool = False
    counts: dict[str, int] = field(default_factory=dict)


ProgressFn = Callable[[list[VideoState]], None]


def _start_ray(address: str, workers: int | None) -> Any:
    try:
        import ray
    except ImportError as exc:
        raise HHIRError("--ray needs Ray: pip install 'hhir-studio[cluster]' (ray is an optional extra)") from exc
    if not ray.is_initialized():
        if address == "auto":  # a local Ray just for this run
            ray.init(num_cpus=workers or os.cpu_count(), include_dashboard=False, logging_level="WARNING", log_to_driver=False)
        else:
            try:
                ray.init(address=address, logging_level="WARNING", log_to_driver=False)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise HHIRError(f"cannot join the Ray cluster at {address} ({exc})") from exc
    return ray


def _check_project(db: str, address: str) -> None:
    if address != "auto" and not parse(db).is_server:
        raise HHIRError(f"{db}: a SQLite project can only be analyzed on the local Ray (--ray auto); "
                        "use a team database (postgresql://...) that every machine of the cluster can reach")


def analyze_corpus(db: str | Path, videos: list[str | Path], options: AnalysisOptions = AnalysisOptions(),
                   address: str = "auto", workers: int | None = None, progress: ProgressFn | None = None,
                   cancel: CancelToken | None = None) -> CorpusRun:
    """Analyze many videos on Ray, each as one task on one of ``workers`` model-holding actors.

    Args:
        db: the project (``Store(...)`` value): a SQLite file (local Ray only) or a server URL.
        videos: the video files; on a cluster every worker must see them at the same path.
        options: analysis settings, as for ``hhir.pipeline.analyze``.
        address: ``"auto"`` starts a local Ray; else the address of a running cluster.
        workers: analysis actors (default: one per two of the cluster's CPUs, at most one per video).
        progress: called with every video's state about four times a second.
        cancel: stops the corpus at the workers' next batch; finished stages are kept.

    Raises:
        HHIRError: Ray missing, a cluster that cannot be joined, or SQLite with a remote cluster.
    """
    db = str(db)
    _check_project(db, address)
    ray = _start_ray(address, workers)
    from hhir.cluster.workers import AnalysisWorker, ProgressBoard

    states = [VideoState(str(Path(v).absolute())) for v in videos]
    count = max(1, min(workers or int(ray.cluster_resources().get("CPU", 1)) // CORES_PER_VIDEO, len(states)))
    board = ray.remote(ProgressBoard).options(num_cpus=0).remote()
    actor = ray.remote(AnalysisWorker).options(num_cpus=1, max_restarts=RETRIES, max_task_retries=RETRIES, max_concurrency=2)
    pool = [actor.remote(db, options, board) for _ in range(count)]
    run = CorpusRun(states, count)
    started = time.monotonic()
    try:
        run.cancelled = _drive(ray, pool, board, states, progress, cancel or CancelToken())
    finally:
        for worker in pool:
            ray.kill(worker)
        ray.kill(board)
    run.seconds = time.monotonic() - started
    run.counts = {s: sum(v.state == s for v in states) for s in ("done", "failed", "cancelled", "queued")}
    return run


def _drive(ray: Any, pool: list, board: Any, states: list[VideoState], progress: ProgressFn | None, cancel: CancelToken) -> bool:
    """Hand each free worker the next video until all are done; True when cancelled."""
    queue = list(range(len(states)))
    running: dict[Any, tuple[int, Any]] = {}  # task ref -> (video index, worker)
    free = list(pool)
    while queue or running:
        if cancel.cancelled:
            return _stop(ray, pool, running, states, queue)
        while free and queue:
            index, worker = queue.pop(0), free.pop(0)
            states[index].state = "running"
            running[worker.analyze.remote(states[index].path)] = (index, worker)
        ready, _ = ray.wait(list(running), num_returns=1, timeout=POLL_S)
        for ref in ready:
            index, worker = running.pop(ref)
            _finish(ray, ref, states[index])
            free.append(worker)
        _merge(ray.get(board.snapshot.remote()), states)
        if progress is not None:
            progress(states)
    return False


def _finish(ray: Any, ref: Any, state: VideoState) -> None:
    from hhir.jobs import Cancelled

    try:
        result = ray.get(ref)
    except ray.exceptions.RayTaskError as exc:  # the pipeline's own error, raised in the worker
        cause = exc.as_instanceof_cause()
        state.state, state.error = ("cancelled", None) if isinstance(cause, Cancelled) else ("failed", str(cause).splitlines()[-1])
        return
    except ray.exceptions.RayActorError as exc:  # the worker died more often than it may restart
        state.state, state.error = "failed", f"worker died {RETRIES + 1} times ({type(exc).__name__})"
        return
    state.state, state.fraction = "done", 1.0
    state.video_id, state.seconds, state.cpu_seconds = result["video_id"], result["seconds"], result["cpu_seconds"]


def _merge(snapshot: dict[str, dict[str, Any]], states: list[VideoState]) -> None:
    for state in states:
        seen = snapshot.get(state.path)
        if seen is not None:
            state.attempts, state.pid, state.message = seen["attempts"], seen["pid"], seen["message"]
            if state.state == "running":
                state.fraction = seen["fraction"]


def _stop(ray: Any, pool: list, running: dict, states: list[VideoState], queue: list[int]) -> bool:
    for worker in pool:
        worker.cancel.remote()
    for ref, (index, _) in running.items():
        ready, _ = ray.wait([ref], timeout=STOP_WAIT_S)
        if ready:
            _finish(ray, ref, states[index])  # done, or cancelled at its next batch
        else:
            states[index].state = "cancelled"
    for index in queue:
        states[index].state = "cancelled"
    return True
