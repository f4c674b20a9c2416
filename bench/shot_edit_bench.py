"""How long a shot edit itself takes on a long film: split, merge, move, undo and redo, each one
committed store call (``hhir.pipeline.replace_shots``, ``Store.undo``/``redo``), as the window runs
them; the features and scores of the changed clips are computed afterwards in the background and
are not part of this figure.

``python bench/shot_edit_bench.py [--shots 2000] [--repeat 5] [--json OUT]`` builds a project of one
synthetic film (no video file is read) with the analysis' clip layout (windows of 3 shots, stride 1),
a transcript line every 5 s, a model's scores for every clip, and 3 decisions by 2 annotators plus a
review mark on every 4th clip, then times each edit ``--repeat`` times at places spread over the
film. Prints one JSON object: median and worst wall seconds per edit, median CPU seconds (this process;
less sensitive to a loaded machine), and what the edits kept aside.
"""

from __future__ import annotations

import argparse
import json
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


def _timed(fn, name: str) -> float:
    cpu, start = time.process_time(), time.perf_counter()
    fn()
    CPU.setdefault(name, []).append(time.process_time() - cpu)
    return time.perf_counter() - start


def measure(db: Path, video_id: int, repeat: int) -> dict:
    from hhir.pipeline import replace_shots
    from hhir.segment.shots import merge_shots, move_boundary, split_shot
    from hhir.store import Store

    store = Store(db)
    times: dict[str, list[float]] = {name: [] for name in ("split", "merge", "move", "undo", "redo")}
    try:
        n = len(store.shots(video_id))
        places = [int(n * (k + 1) / (repeat + 1)) for k in range(repeat)]
        for shot_index in places:
            shots = store.shots(video_id)
            shot = shots[shot_index]
            split = split_shot(shots, (shot.start_frame + shot.end_frame) // 2, FPS)
            times["split"].append(_timed(partial(replace_shots, store, video_id, split), "split"))
            times["undo"].append(_timed(partial(store.undo, video_id), "undo"))
            times["redo"].append(_timed(partial(store.redo, video_id), "redo"))
            merged = merge_shots(store.shots(video_id), shot_index)
            times["merge"].append(_timed(partial(replace_shots, store, video_id, merged), "merge"))
            shots = store.shots(video_id)
            moved = move_boundary(shots, shot_index + 1, shots[shot_index + 1].start_frame + 10, FPS)
            times["move"].append(_timed(partial(replace_shots, store, video_id, moved), "move"))
        kept_aside = len(store.orphan_annotations(video_id))
        clips = len(store.clips(video_id))
    finally:
        store.close()
    return {
        "shots": n, "clips": clips, "repeat": repeat, "kept_aside_after_all_edits": kept_aside,
        "median_s": {k: round(statistics.median(v), 4) for k, v in times.items()},
        "worst_s": {k: round(max(v), 4) for k, v in times.items()},
        "median_cpu_s": {k: round(statistics.median(v), 4) for k, v in CPU.items()},
    }


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
        result = {"build_s": round(time.perf_counter() - start, 1), **measure(db, video_id, args.repeat)}
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
