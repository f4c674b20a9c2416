"""How long a shot edit itself takes on a long film: split, merge, move, undo and redo, each one
committed store call (``hhir.pipeline.replace_shots``, ``Store.undo``/``redo``), and the same edits
as the window runs them on a key press (``ReviewSession.edit_shots``/``undo``/``redo``: the store
call, then the open video read again for the views); the features and scores of the changed clips
are computed afterwards in the background and are not part of this figure.

``python bench/shot_edit_bench.py [--shots 2000] [--repeat 5] [--json OUT]`` builds a project of one
synthetic film (no video file is read) with the analysis' clip layout (windows of 3 shots, stride 1),
a transcript line every 5 s, a model's scores for every clip, and 3 decisions by 2 annotators plus a
review mark on every 4th clip, then times each edit ``--repeat`` times at places spread over the
film, at both levels (``store``, ``session``), each on its own copy of the project. Prints one JSON
object: per level, median and worst wall seconds per edit, and the median split of the wall time
into CPU seconds (this process), seconds waiting for a CPU (the scheduler's run-queue delay of this
thread, ``/proc/thread-self/schedstat``) and the rest (blocked: disk flushes, locks); what the
edits kept aside; the load average. On a loaded machine the wait for a CPU is what grows.

Measured (docs/performance.md, 2,000 shots, --repeat 3, three runs at load 7.3, 3.1, 2.8): store
call 0.10-0.23 CPU s, session 0.13-0.31, window 0.25-0.46 (before, at commit d22dfc1, about 40 CPU s
in the window); blocked (disk, locks) 0-5 ms per edit; at load 3 wall = CPU, at load 7 wall is 3-6x CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent)]

FPS = 25.0


def build(db: Path, n_shots: int) -> int:
    from hhir.segment.clips import build_clips
    from hhir.store import Store
    from hhir.types import AnnotationState, ModelInfo, Shot, Target, TranscriptSegment, VideoInfo

    frames = n_shots * 60  # 2.4 s shots
    store = Store(db)
    try:
        video = store.add_video(VideoInfo(path="/films/long.mp4", duration_s=frames / FPS, fps=FPS, frame_count=frames,
                                          width=1280, height=720, has_audio=True, fingerprint="cd" * 32))
        shots = [Shot(i, i * 60, (i + 1) * 60, i * 60 / FPS, (i + 1) * 60 / FPS) for i in range(n_shots)]
        store.set_shots(video.id, shots)
        store.set_transcript(video.id, [TranscriptSegment(t, t + 2.0, f"line {t}") for t in range(0, int(frames / FPS) - 3, 5)])
        clips = store.set_clips(video.id, build_clips(shots, 3, 1))
        labels = [label.name for label in store.labels()]
        store.register_model(ModelInfo(id="bench-model", kind="trained"))
        store.activate("bench-model")
        scores = {c.id: {name: ((c.id * 7 + j * 13) % 100) / 100 for j, name in enumerate(labels)} for c in clips}
        store.set_predictions("bench-model", video.id, {name: 0.5 for name in labels}, scores)
        states = [AnnotationState.PRESENT, AnnotationState.ABSENT]
        for clip in clips[::4]:
            for annotator in ("ann", "bea"):
                store.annotate_many([(Target(video.id, clip.id), label, states[(clip.index + k) % 2])
                                     for k, label in enumerate(labels[:3])], annotator)
                store.set_reviewed(Target(video.id, clip.id), annotator, True)
        return video.id
    finally:
        store.close()


CPU: dict[str, list[float]] = {}
WAITING: dict[str, list[float]] = {}  # seconds the thread was ready to run but had no CPU (Linux only)
BLOCKED: dict[str, list[float]] = {}  # the rest of the wall time: disk (fsync), locks, sleeps


def _run_delay() -> float | None:
    """Seconds this thread has waited on a run queue so far (``/proc/thread-self/schedstat``, the
    scheduler's own count), None where the kernel does not say."""
    try:
        return int(Path("/proc/thread-self/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return None


def _timed(fn, name: str) -> float:
    """Wall seconds of ``fn()``; its CPU seconds, run-queue wait and the remainder are recorded.
    wall = CPU + waiting for a CPU + blocked: on a loaded machine the middle term is the one that grows."""
    delay, cpu, start = _run_delay(), time.process_time(), time.perf_counter()
    fn()
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    CPU.setdefault(name, []).append(used)
    after = _run_delay()
    if delay is not None and after is not None:
        WAITING.setdefault(name, []).append(after - delay)
        BLOCKED.setdefault(name, []).append(max(wall - used - (after - delay), 0.0))
    return wall


def measure(db: Path, video_id: int, repeat: int, level: str = "store") -> dict:
    """Time the edits at ``level``: ``store``, the committed store call alone; ``session``, what the
    window runs on the key press (``ReviewSession.edit_shots``/``undo``/``redo``: the store call, then
    the open video read again for the views; no painting)."""
    from hhir.pipeline import replace_shots
    from hhir.segment.shots import merge_shots, move_boundary, split_shot
    from hhir.store import Store

    for found in (CPU, WAITING, BLOCKED):
        found.clear()
    store = Store(db)
    times: dict[str, list[float]] = {name: [] for name in ("split", "merge", "move", "undo", "redo")}
    try:
        if level == "session":
            from hhir.settings import Settings
            from hhir_studio.session import ReviewSession

            _app()  # its signals need one
            session = ReviewSession(store, Settings(clip_size=3, clip_stride=1))
            session.open_video(video_id)
            edit, undo, redo = session.edit_shots, session.undo, session.redo
            current = lambda: session.data.shots  # noqa: E731
        elif level == "window":
            edit, undo, redo, current = _window(db, video_id)
        else:
            edit, undo, redo = partial(replace_shots, store, video_id), partial(store.undo, video_id), partial(store.redo, video_id)
            current = partial(store.shots, video_id)
        n = len(current())
        places = [int(n * (k + 1) / (repeat + 1)) for k in range(repeat)]
        for shot_index in places:
            shots = current()
            shot = shots[shot_index]
            split = split_shot(shots, (shot.start_frame + shot.end_frame) // 2, FPS)
            times["split"].append(_timed(partial(edit, split), "split"))
            times["undo"].append(_timed(undo, "undo"))
            times["redo"].append(_timed(redo, "redo"))
            merged = merge_shots(current(), shot_index)
            times["merge"].append(_timed(partial(edit, merged), "merge"))
            shots = current()
            moved = move_boundary(shots, shot_index + 1, shots[shot_index + 1].start_frame + 10, FPS)
            times["move"].append(_timed(partial(edit, moved), "move"))
        kept_aside = len(store.orphan_annotations(video_id))
        clips = len(store.clips(video_id))
    finally:
        store.close()
    return {
        "shots": n, "clips": clips, "repeat": repeat, "kept_aside_after_all_edits": kept_aside,
        "median_s": {k: round(statistics.median(v), 4) for k, v in times.items()},
        "worst_s": {k: round(max(v), 4) for k, v in times.items()},
        "median_cpu_s": {k: round(statistics.median(v), 4) for k, v in CPU.items()},
        "median_waiting_for_cpu_s": {k: round(statistics.median(v), 4) for k, v in WAITING.items()},
        "median_blocked_s": {k: round(statistics.median(v), 4) for k, v in BLOCKED.items()},
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _window(db: Path, video_id: int):
    """The real main window (offscreen) on the project: each edit is the session's, then one turn of
    the event loop, in which the views take the new clips and the timeline is painted again."""
    from hhir_studio.app import Arguments, create_window

    app = _app()
    window = create_window(Arguments(db, []))
    window.analysis.refresh_clips = lambda _video_id: None  # no rescoring job: the film is synthetic, no file to read
    window.resize(1280, 800)
    window.show()
    window.open_video(video_id)
    app.processEvents()
    _WINDOWS.append(window)

    def turn(fn):
        def run(*args):
            fn(*args)
            app.processEvents()
        return run

    s = window.session
    return turn(s.edit_shots), turn(s.undo), turn(s.redo), lambda: s.data.shots


_WINDOWS: list = []


def _app():
    """The app's QApplication (offscreen unless told otherwise), made once."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from hhir_studio.app import _application

    return QApplication.instance() or _application([])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "long.sqlite"
        start = time.perf_counter()
        video_id = build(db, args.shots)
        result = {"build_s": round(time.perf_counter() - start, 1)}
        for level in ("store", "session", "window"):
            copy = Path(tmp) / f"{level}.sqlite"
            shutil.copyfile(db, copy)  # each level edits the same film
            result[level] = measure(copy, video_id, args.repeat, level)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
