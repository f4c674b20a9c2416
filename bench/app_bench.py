"""The desktop app's responsiveness, measured in the real window (offscreen Qt) on a real project file.

``python bench/app_bench.py open DB``: open the window on ``DB``, show it, exit (the parent times the
whole process: interpreter start, imports, window, teardown).

``python bench/app_bench.py ui DB VIDEO``: fill ``DB`` with one film of 2,000 shots and ~20,000
clips (windows of 1 to 10 shots at every shot) with a model's predictions for every clip, open it
and time what a reviewer does: paint the timeline, seek, toggle a label until it is committed.
Prints one JSON object.

``python bench/app_bench.py analysis-gap DB VIDEO``: open the window on ``DB``, analyse ``VIDEO`` in
the background (a child process, as the app does) and measure how long the event loop was away at
most (``tests/gap_meter.py``: the wall-clock gap, and the gap less the time the UI thread waited
for a CPU). The suite's analysis test only checks the loop kept running; this is its figure.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

T0 = time.perf_counter()
BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH.parent / "tests")]

N_SHOTS = 2000
MAX_WINDOW = 10
# PySide6 6.12 on Python 3.11 drops one reference to None in most QPainter calls (fillRect, drawRect,
# drawRoundedRect, drawLine, setPen, setBrush...); after a few thousand calls None is deallocated and
# the interpreter aborts. The UI run holds extra references so that it can measure paint times at all;
# it records the leak per paint so the figure is in the results, not hidden.
NONE_PADDING = 20_000_000
_PADDING: list[None] = []  # never freed: freeing it would take None's count below zero (exit via os._exit)


def fill(store, video_path: Path) -> tuple[int, int]:
    """One film with N_SHOTS shots over the real video, ~20,000 clips and predictions for each."""
    from hhir.media.probe import probe
    from hhir.types import Clip, ModelInfo, Shot, TranscriptSegment

    info = probe(video_path)
    video = store.add_video(info)
    edges = [round(i * info.frame_count / N_SHOTS) for i in range(N_SHOTS + 1)]
    shots = [Shot(i, a, b, a / info.fps, b / info.fps) for i, (a, b) in enumerate(zip(edges, edges[1:]))]
    store.set_shots(video.id, shots)
    clips = [Clip(k, i, min(i + w, N_SHOTS) - 1, shots[i].start_s, shots[min(i + w, N_SHOTS) - 1].end_s,
                  shots[i].start_frame, shots[min(i + w, N_SHOTS) - 1].end_frame)
             for k, (w, i) in enumerate((w, i) for w in range(1, MAX_WINDOW + 1) for i in range(N_SHOTS - w + 1))]
    clips = store.set_clips(video.id, clips)
    store.set_transcript(video.id, [TranscriptSegment(t, t + 2.0, f"line {k}") for k, t in enumerate(range(0, int(info.duration_s) - 3, 5))])
    labels = [label.name for label in store.labels()]
    store.register_model(ModelInfo(id="bench-model", kind="trained"))
    store.activate("bench-model")
    scores = {c.id: {name: ((c.id * 7 + j * 13) % 100) / 100 for j, name in enumerate(labels)} for c in clips}
    store.set_predictions("bench-model", video.id, {name: 0.5 for name in labels}, scores)
    return video.id, len(clips)


def _median_ms(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _app():
    from PySide6.QtWidgets import QApplication

    from hhir_studio.app import _application

    return QApplication.instance() or _application([])


def open_only(db: Path) -> dict:
    from hhir_studio.app import Arguments, create_window

    app = _app()
    window = create_window(Arguments(db, []))
    window.show()
    app.processEvents()
    shown = time.perf_counter() - T0
    window.close()
    return {"shown_after_s": shown}


def seek_frame_ms(window, app, target_s: float, limit_s: float = 3.0) -> float | None:
    """Milliseconds from a seek until the video output shows a frame from the new position."""
    sink = window.player.video.videoSink()
    seen: list[float] = []
    slot = lambda frame: seen.append(time.perf_counter()) if abs(frame.startTime() / 1e6 - target_s) < 0.5 else None  # noqa: E731
    sink.videoFrameChanged.connect(slot)
    start = time.perf_counter()
    window.player.seek(target_s)
    while not seen and time.perf_counter() - start < limit_s:
        app.processEvents()
        time.sleep(0.001)
    sink.videoFrameChanged.disconnect(slot)
    return (seen[0] - start) * 1000 if seen else None


def ui(db: Path, video_path: Path) -> dict:
    from hhir import settings as settings_file
    from hhir.store import Store
    from hhir_studio.main_window import MainWindow

    _PADDING.extend([None] * NONE_PADDING)  # see NONE_PADDING
    refs_at_start = sys.getrefcount(None)
    out: dict = {"none_padding": NONE_PADDING}
    store = Store(db)
    start = time.perf_counter()
    video_id, n_clips = fill(store, video_path)
    out["fill_store_s"], out["shots"], out["clips"] = time.perf_counter() - start, N_SHOTS, n_clips
    app = _app()
    # the playback copy is built below on purpose, not in the background while other things are timed
    window = MainWindow(store, replace(settings_file.load(), playback_copies=False))
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    start = time.perf_counter()
    window.open_video(video_id)
    app.processEvents()
    out["open_video_ms"] = (time.perf_counter() - start) * 1000
    timeline = window.timeline
    timeline.fit()
    before = sys.getrefcount(None)
    timeline.repaint()
    out["none_refs_lost_per_whole_film_paint"] = before - sys.getrefcount(None)
    out["timeline_paint_whole_film_ms"] = _median_ms(timeline.repaint)
    # the same paint with the cached tracks dropped first (what a data change or a zoom costs)
    out["timeline_paint_whole_film_uncached_ms"] = _median_ms(lambda: (setattr(timeline, "_static", None), timeline.repaint()))
    timeline.zoom(40.0)
    out["timeline_paint_zoomed_ms"] = _median_ms(timeline.repaint)
    timeline.fit()
    targets = iter([37.0 + 11 * k for k in range(40)])
    out["seek_ui_ms"] = _median_ms(lambda: (window.player.seek(next(targets)), app.processEvents()))
    frames = [seek_frame_ms(window, app, t) for t in (120.0, 300.0, 45.0)]
    out["seek_to_frame_ms"] = [round(f, 1) if f is not None else None for f in frames]
    out.update(_seek_on_copy(window, app, video_path))
    out.update(_toggle(window, app, store, db))
    window.close()
    store.close()
    out["none_refs_lost_in_ui_run"] = refs_at_start - sys.getrefcount(None)
    return out


def _seek_on_copy(window, app, video_path: Path) -> dict:
    """The same seeks once the film plays from its fast-seeking copy (built here, timed)."""
    from hhir.media.probe import probe
    from hhir.media.proxy import ensure_proxy, keyframe_spacing

    info = probe(video_path)
    start = time.perf_counter()
    copy = ensure_proxy(video_path, info.fingerprint, info.width, info.height)
    out: dict = {"film_keyframe_spacing": keyframe_spacing(video_path), "playback_copy_s": time.perf_counter() - start}
    if copy is None:
        return {**out, "seek_to_frame_copy_ms": None}
    window.player.swap_source(str(copy))
    deadline = time.perf_counter() + 10
    while window.player._pending_ms is not None and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.001)
    frames = [seek_frame_ms(window, app, t) for t in (120.0, 300.0, 45.0)]
    out["seek_to_frame_copy_ms"] = [round(f, 1) if f is not None else None for f in frames]
    out["copy_keyframe_spacing"] = keyframe_spacing(copy)
    return out


class _CommitWatch:
    """Polls the database file from another connection and thread, as another program would, and
    notes when a new annotation state becomes visible (i.e. committed)."""

    QUERY = "SELECT COUNT(*) || ':' || COALESCE(group_concat(state), '') FROM annotations"

    def __init__(self, db: Path) -> None:
        import threading

        self.db, self.seen_at, self._stop = db, None, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self.before = self._signature(sqlite3.connect(f"file:{db}?mode=ro", uri=True))

    def _signature(self, conn) -> str:
        return conn.execute(self.QUERY).fetchone()[0]

    def _poll(self) -> None:
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        while not self._stop.is_set() and self.seen_at is None:
            if self._signature(conn) != self.before:
                self.seen_at = time.perf_counter()
            time.sleep(0.0005)
        conn.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        deadline = time.perf_counter() + 5
        while self.seen_at is None and time.perf_counter() < deadline:
            time.sleep(0.001)
        self._stop.set()
        self._thread.join()


def _toggle(window, app, store, db: Path) -> dict:
    """Key 1 on a selected clip: time until the new state is readable from another connection, and
    until the window has refreshed."""
    clip = store.clips(window.session.data.video.id)[N_SHOTS // 2]
    window.session.select_clip(clip.id)
    app.processEvents()
    committed, refreshed = [], []
    for _ in range(3):
        with _CommitWatch(db) as watch:
            start = time.perf_counter()
            window.registry.trigger("label.1")
            app.processEvents()
            refreshed.append((time.perf_counter() - start) * 1000)
        if watch.seen_at is None:
            raise RuntimeError("a toggled label never reached the database file")
        committed.append((watch.seen_at - start) * 1000)
    return {"toggle_committed_ms": statistics.median(committed), "toggle_refreshed_ms": statistics.median(refreshed)}


def analysis_gap(db: Path, video: Path) -> dict:
    from gap_meter import GapMeter
    from hhir_studio.app import Arguments, create_window
    from hhir_studio.jobs import JobState

    app = _app()
    window = create_window(Arguments(db, []))
    window.show()
    meter = GapMeter()
    meter.start()
    start = time.perf_counter()
    [job] = window.analyze([str(video)])
    while job.active:
        app.processEvents()
        time.sleep(0.002)
    meter.stop()
    figures = {"analysis_s": round(time.perf_counter() - start, 1), "done": job.state is JobState.DONE,
               "longest_gap_ms": round(meter.max_gap), "longest_blocked_ms": round(meter.max_blocked),
               "ticks": meter.ticks}
    window.close()
    window.store.close()
    return figures


def main(argv: list[str]) -> int:
    if argv[0] == "analysis-gap":
        data = analysis_gap(Path(argv[1]), Path(argv[2]))
    elif argv[0] == "open":
        data = open_only(Path(argv[1]))
    elif argv[0] == "ui":
        data = ui(Path(argv[1]), Path(argv[2]))
    else:
        raise SystemExit("usage: app_bench.py open DB | ui DB VIDEO | analysis-gap DB VIDEO")
    print(json.dumps(data), flush=True)
    if _PADDING:
        import os

        os._exit(0)  # skip interpreter teardown, which would free the padding (see NONE_PADDING)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
