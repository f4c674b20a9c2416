"""Memory bounded by the work, and the 10,000-shot path end to end.

    python bench/reliability.py long-audio  [--hours 44]     # 4 s of video over HOURS of silent AAC: analyze's peak memory
                                                             # (--hours 0: the track ends with the picture, the baseline)
    python bench/reliability.py three-hours [--hours 3]      # per-stage peak memory of a 3-hour film (tiny picture)
    python bench/reliability.py many-cuts   [--shots 10000] [--structure-only]
                                                             # a film of 10,000 distinct scenes: analysis and every export
    python bench/reliability.py app-kills   [--kills 200]    # the whole app SIGKILLed at random moments while it labels,
                                                             # analyses, trains and exports (tests/app_kill.py)

Each part runs in this process (run one part per invocation, so peaks start from the same baseline)
and writes ``bench/out/reliability-<part>.json``. Media are generated at tiny sizes into
``bench/out/media`` (kept for the next run): the point is what grows with a stream's length or the
number of shots, not decoding large pictures.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent), str(BENCH.parent / "tests")]

from measure import Recorder, cpu_seconds, rss_mb  # noqa: E402

OUT = BENCH / "out"
MEDIA = OUT / "media"


def _ffmpeg(*args: str) -> None:
    from hhir.media.ffmpeg import ffmpeg_exe

    subprocess.run([ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", *args], check=True)


def _with_silent_track(picture: Path, hours: float, out: Path) -> Path:
    """``picture`` with ``hours`` of silent AAC: one encoded minute, looped by stream copy (seconds, not hours)."""
    minute = out.with_name("silent-minute.m4a")
    if not minute.is_file():
        _ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "60", "-c:a", "aac", "-b:a", "16k", str(minute))
    # hours == 0: the track cut where the picture ends, the baseline a long track is compared with
    _ffmpeg("-i", str(picture), "-stream_loop", str(max(int(hours * 60) - 1, 0)), "-i", str(minute),
            "-map", "0:v", "-map", "1:a", "-c", "copy", *(["-shortest"] if hours == 0 else []), str(out))
    return out


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def long_audio(hours: float) -> dict:
    """``hhir.pipeline.analyze`` end to end on 4 s of video over ``hours`` of audio."""
    from media_factory import make_video

    from hhir.pipeline import analyze
    from hhir.store import Store

    MEDIA.mkdir(parents=True, exist_ok=True)
    path = MEDIA / f"four-seconds-{hours:g}h-audio.mp4"
    if not path.is_file():
        picture = make_video(MEDIA / "four-seconds.mp4", [(50, "red"), (50, "blue")], size=(64, 48), audio=False)
        _with_silent_track(picture, hours, path)
    rec = Recorder()
    with tempfile.TemporaryDirectory(prefix="hhir-bench-") as tmp, Store(Path(tmp) / "p.sqlite") as store, \
            rec.stage("analyze"):
        analyze(store, path)
    return {"file_mb": round(path.stat().st_size / 2**20, 1), "audio_hours": hours, "stages": rec.to_json(),
            "process_peak_mb": round(_peak_mb(), 1)}


def _media_stages(path: Path) -> list[dict]:
    """The stages whose memory scales with the film's length, without the per-clip encoders."""
    from hhir.media.audio import extract_audio
    from hhir.media.probe import probe
    from hhir.pipeline.run import transcriber
    from hhir.models.profiles import get_profile
    from hhir.segment.shots import detect_shots

    rec = Recorder()
    with rec.stage("probe"):
        info = probe(path)
    with rec.stage("shots"):
        detect_shots(path, info)
    with rec.stage("audio"):
        audio = extract_audio(path)
    with rec.stage("transcript (model load included)"):
        transcriber(get_profile("offline").asr_model).transcribe(audio)
    return rec.to_json()


def three_hours(hours: float, media_only: bool = False) -> dict:
    """Every stage of our analysis on a ``hours``-long film (64×48, 1 fps, a cut a minute, silent track)."""
    from media_factory import make_video
    from ours import run_ours

    MEDIA.mkdir(parents=True, exist_ok=True)
    path = MEDIA / f"film-{hours:g}h-64x48.mp4"
    if not path.is_file():
        picture = make_video(MEDIA / f"film-{hours:g}h-picture.mp4", [(60, i % 10) for i in range(int(hours * 60))],
                             fps=1, size=(64, 48), audio=False)
        _with_silent_track(picture, hours, path)
    if media_only:
        return {"hours": hours, "stages": _media_stages(path)}
    result = run_ours(path)
    return {"hours": hours, "shots": result.shots, "clips": result.clips, "stages": result.recorder.to_json(),
            "total_cpu_s": round(result.recorder.total_cpu(), 1)}


LIGHT_PROFILE = {"name": "bench-light", "base": "offline", "video": {"n_frames": 8, "frame_size": 32}}
"""The offline profile with a smaller ViViT input: 10,000 clips measure the shot path, not the encoder."""


EXPORTS = ("manifest", "eaf", "ava", "labelstudio", "srt", "vtt", "shots")
"""Every export but ``seed``, which cuts one media file per clip (10,000 FFmpeg runs): ``--with-seed`` adds it."""


def _structure(store, path: Path) -> int:
    from hhir.media.probe import probe
    from hhir.segment.clips import build_clips
    from hhir.segment.shots import detect_shots

    info = probe(path)
    video = store.add_video(info)
    store.set_shots(video.id, detect_shots(path, info))
    store.set_clips(video.id, build_clips(store.shots(video.id)))
    return video.id


def many_cuts(shots: int, formats: tuple[str, ...] = EXPORTS, structure_only: bool = False) -> dict:
    """``shots`` distinct scenes (20 frames each, 64×48): analysis, every clip annotated, then the exports."""
    from media_factory import make_video

    from hhir.types import AnnotationState, Target

    from hhir.exchange import ExportOptions, export
    from hhir.pipeline import AnalysisOptions, analyze
    from hhir.store import Store

    MEDIA.mkdir(parents=True, exist_ok=True)
    path = MEDIA / f"cuts-{shots}-64x48.mp4"
    rec = Recorder()
    if not path.is_file():
        with rec.stage("generate"):
            make_video(path, [(20, None)] * shots, fps=25, size=(64, 48), audio=False)
    figures: dict = {"shots_made": shots, "structure_only": structure_only}
    with tempfile.TemporaryDirectory(prefix="hhir-bench-") as tmp:
        profile = Path(tmp) / "light.json"
        profile.write_text(json.dumps(LIGHT_PROFILE))
        with Store(Path(tmp) / "p.sqlite") as store:
            if structure_only:  # shots, clips and the store: what grows with the number of cuts, without the models
                with rec.stage("probe + shots + clips"):
                    video_id = _structure(store, path)
            else:
                with rec.stage("analyze"):
                    video_id = analyze(store, path, AnalysisOptions(profile=str(profile)))
            figures["shots_found"] = len(store.shots(video_id))
            figures["clips"] = store.clip_count(video_id)
            with rec.stage("annotate every clip"):  # one bulk edit, so the exports carry a row per clip
                clips = store.clips(video_id)
                store.annotate_many([(Target(video_id, c.id), "asks", AnnotationState.PRESENT if c.index % 3 == 0
                                      else AnnotationState.ABSENT) for c in clips], "bench")
            for fmt in formats:
                with rec.stage(f"export {fmt}"):
                    try:
                        report = export(store, fmt, Path(tmp) / "out" / fmt, ExportOptions(test_fraction=0.0))
                        figures[f"export {fmt}"] = {"files": len(report.files), "rows": report.rows}
                    except Exception as exc:  # noqa: BLE001 - a format that refuses an unlabelled project says why
                        figures[f"export {fmt}"] = {"refused": str(exc)[:200]}
    return {**figures, "stages": rec.to_json()}


def app_kills(kills: int, max_delay_s: float, seed: int, startup_share: float) -> dict:
    """The whole app (offscreen) killed ``kills`` times at random moments, a share ``startup_share``
    of them while it starts and opens the project, the others while its window is up and labelling, with an analysis and a
    training run in child processes, an export in the window's process and another process opening
    and closing the project in a loop (the harness of ``tests/desktop/test_desktop_app_kills.py``)."""
    import os

    from app_kill import make_project, run_kills

    with tempfile.TemporaryDirectory(prefix="hhir-bench-") as tmp:
        env = dict(os.environ, HHIR_DATA_DIR=f"{tmp}/data", HHIR_CONFIG_DIR=f"{tmp}/config", HF_HUB_OFFLINE="1",
                   TRANSFORMERS_OFFLINE="1")
        os.environ.update(env)
        db, video = make_project(Path(tmp) / "project")
        OUT.mkdir(parents=True, exist_ok=True)
        figures = run_kills(db, video, Path(tmp) / "exports", kills, seed, max_delay_s, env,
                            after_ready_share=1.0 - startup_share, journal=OUT / f"app-kills-seed{seed}.jsonl")
    return {"max_delay_s": max_delay_s, "seed": seed, "startup_share": startup_share, **figures.as_dict()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=("long-audio", "three-hours", "many-cuts", "app-kills"))
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--max-delay", type=float, default=10.0,
                        help="app-kills: the latest a kill comes after the app's first confirmed edit, in seconds")
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--startup-share", type=float, default=0.5,
                        help="app-kills: the share of kills that come while the app starts (0-20 s after it was started)")
    parser.add_argument("--hours", type=float, default=None)
    parser.add_argument("--shots", type=int, default=10_000)
    parser.add_argument("--media-only", action="store_true",
                        help="three-hours: probe, shots, audio and transcript only (the stages that scale with length)")
    parser.add_argument("--with-seed", action="store_true", help="many-cuts: also the seed export (one clip file per clip)")
    parser.add_argument("--structure-only", action="store_true",
                        help="many-cuts: probe, shots and clips instead of the whole analysis (the models' cost "
                             "per clip is known: about 0.35 CPU-s here, so 10,000 clips are about an hour)")
    args = parser.parse_args(argv)
    start, cpu = time.perf_counter(), cpu_seconds()
    if args.part == "long-audio":
        result = long_audio(44 if args.hours is None else args.hours)
    elif args.part == "three-hours":
        result = three_hours(args.hours or 3, args.media_only)
    elif args.part == "app-kills":
        result = app_kills(args.kills, args.max_delay, args.seed, args.startup_share)
    else:
        result = many_cuts(args.shots, ("seed", *EXPORTS) if args.with_seed else EXPORTS, args.structure_only)
    result.update(wall_s=round(time.perf_counter() - start, 1), cpu_s=round(cpu_seconds() - cpu, 1),
                  rss_end_mb=round(rss_mb(), 1))
    OUT.mkdir(parents=True, exist_ok=True)
    name = {"many-cuts": f"many-cuts-{args.shots}", "app-kills": f"app-kills-{args.kills}-seed{args.seed}", "long-audio": f"long-audio-{args.hours}",
            "three-hours": "three-hours" + ("-media" if args.media_only else "")}[args.part]
    (OUT / f"reliability-{name}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
