"""One measurement in its own process: ``python bench/job.py KIND VIDEO OUT.json``.

Each run gets a fresh interpreter, so per-stage peak memory of a 1-minute and a 10-minute video
start from the same baseline, and a crash in one measurement cannot take the others with it.

Kinds: ``ours``, ``seed`` (the profile's ViViT precision), ``ours-int8``, ``ours-fp32``, ``seed-int8``,
``seed-fp32`` (ViViT forced to that precision), ``scaling``
(the stages that scale with length, without models), ``analyze`` (``hhir.pipeline.analyze`` end to end),
``inference``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]


QUANTIZE = {"": None, "int8": True, "fp32": False}  # job name suffix -> ViViT quantisation (None: the profile's)


def _ours(video: Path, quantize: bool | None) -> dict:
    from floor import decode_floor
    from ours import run_ours

    result = run_ours(video, quantize=quantize)
    floor = decode_floor(video)
    return {"stages": result.recorder.to_json(), "total_s": result.recorder.total(),
            "total_cpu_s": result.recorder.total_cpu(), "shots": result.shots, "clips": result.clips,
            "segments": result.segments, "inference_s": result.inference_s, "inference_cpu_s": result.inference_cpu_s,
            "model_s": result.model_seconds(), "model_cpu_s": result.model_cpu(), "floor": floor.to_json()}


def _seed(video: Path, quantize: bool | None) -> dict:
    from seed_pipeline import run_seed

    result = run_seed(video, quantize=quantize)
    return {"stages": result.recorder.to_json(), "total_s": result.recorder.total(),
            "total_cpu_s": result.recorder.total_cpu(), "shots": result.shots, "clips": result.clips,
            "inference_s": result.inference_s, "inference_cpu_s": result.inference_cpu_s}


def _analyze(video: Path) -> dict:
    """``hhir.pipeline.analyze`` as the app and CLI call it, end to end: checks the staged total."""
    import tempfile
    import time

    from measure import cpu_seconds

    from hhir.pipeline import analyze, video_result
    from hhir.store import Store

    with tempfile.TemporaryDirectory(prefix="hhir-bench-") as tmp:
        store = Store(Path(tmp) / "analyze.sqlite")
        try:
            start, cpu = time.perf_counter(), cpu_seconds()
            video_id = analyze(store, video)
            seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
            clips = len(store.clips(video_id))
            scored = video_result(store, video_id)["predictions"]  # the active model's, else the starter's
            predicted = scored is not None and len(scored["clips"]) == clips
        finally:
            store.close()
    return {"total_s": seconds, "total_cpu_s": cpu, "clips": clips, "predicted": predicted}


def _scaling(video: Path) -> dict:
    """Probe, shots, audio and the one frame pass: the parts whose cost grows with the video."""
    from floor import decode_floor
    from measure import Recorder
    from ours import sample_pass_seconds

    from hhir.media.audio import extract_audio
    from hhir.media.probe import probe
    from hhir.segment.clips import build_clips
    from hhir.segment.shots import detect_shots

    import cv2  # noqa: F401  (imported before timing, as the floor's av is: a fixed cost, not a per-frame one)
    import scenedetect  # noqa: F401

    rec = Recorder()
    with rec.stage("probe"):
        info = probe(video)
    with rec.stage("shots"):
        shots = detect_shots(video, info)
    with rec.stage("audio"):
        samples = len(extract_audio(video))
    clips = build_clips(shots)
    with rec.stage("frames (one pass, all clips)"):
        sample_pass_seconds(video, [(c.start_frame, c.end_frame) for c in clips], 64, 128)
    with rec.stage("decode floor"):
        floor = decode_floor(video)
    return {"stages": rec.to_json(), "shots": len(shots), "clips": len(clips), "audio_samples": samples,
            "frames": info.frame_count, "floor": floor.to_json(), "rate": _shot_rate(video, info)}


RATE_REPEATS = 3


def _shot_rate(video: Path, info) -> dict:
    """Shot detection against the floor's analysis-resolution pass, alternated ``RATE_REPEATS``
    times; the best of each is kept, so a neighbour's burst on a shared machine does not decide
    the ratio."""
    import time

    from floor import _pass
    from measure import cpu_seconds

    from hhir.segment.shots import detect_shots

    best = {"shots_s": [], "shots_cpu_s": [], "floor_s": [], "floor_cpu_s": []}
    frames = info.frame_count
    for _ in range(RATE_REPEATS):
        start, cpu = time.perf_counter(), cpu_seconds()
        detect_shots(video, info)
        best["shots_s"].append(time.perf_counter() - start)
        best["shots_cpu_s"].append(cpu_seconds() - cpu)
        frames, seconds, cpu_s = _pass(video, 128)
        best["floor_s"].append(seconds)
        best["floor_cpu_s"].append(cpu_s)
    return {"frames": frames, "repeats": RATE_REPEATS, **{k: min(v) for k, v in best.items()}}


def main(argv: list[str]) -> int:
    kind, video, out = argv[0], Path(argv[1]), Path(argv[2])
    pipeline, _, precision = kind.partition("-")
    if pipeline in ("ours", "seed") and precision in QUANTIZE:
        run = _ours if pipeline == "ours" else _seed
        data = run(video, QUANTIZE[precision])
    elif kind == "analyze":
        data = _analyze(video)
    elif kind == "scaling":
        data = _scaling(video)
    elif kind == "inference":
        from inference import run_inference

        data = run_inference(video)
    else:
        raise SystemExit(f"unknown measurement {kind!r}")
    out.write_text(json.dumps(data, indent=1, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
