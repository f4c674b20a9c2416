"""Self-test of an installation: the whole analysis on a short video it makes itself.

A packaged app can start and still fail on the first real video (a model folder left out, an FFmpeg
library missing, the migrations not shipped). :func:`run_self_test` catches that on the machine it
runs on, with nothing but what the installation ships and no network: it writes a 3.6 s video with
two hard cuts (and a spoken sentence when ``espeak-ng`` is available), then probes it, finds its
shots, transcribes it, computes its features and starter predictions into a project database in a
temporary folder, reads everything back from a fresh connection, and records and undoes an edit.

Run it with ``python -m hhir.selftest`` (exit status 0 when everything passed, 1 otherwise), or in
the packaged app with ``hhir-studio --self-test``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import traceback
import wave
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Callable

import numpy as np

from hhir.jobs import ProgressFn, no_progress

FPS = 25
SIZE = (160, 120)
SAMPLE_RATE = 16000
# Three shots of strongly different colour and texture: hard cuts at frames 30 and 60.
SHOT_COLOURS = ((200, 40, 40), (40, 60, 210), (40, 190, 70))
SHOT_FRAMES = 30
SENTENCE = "Where is the train station?"
SENTENCE_WORD = "station"


@dataclass(frozen=True)
class TestVideo:
    """The generated video and the truth it was made from.

    Attributes:
        path: The mp4 file (H.264 video, AAC audio).
        cuts: First frame of every shot after the first.
        frame_count: Frames in the file.
        spoken: The word the transcript must contain, or ``""`` when no speech could be synthesised.
    """

    path: Path
    cuts: tuple[int, ...]
    frame_count: int
    spoken: str


def _frame(rgb: tuple[int, int, int], kind: int, t: int) -> np.ndarray:
    """A slowly moving stripe pattern, so no shot is a still picture."""
    y, x = np.mgrid[0:SIZE[1], 0:SIZE[0]].astype(np.float32)
    stripes = np.sign(np.sin(((x if kind % 2 == 0 else y) + 2.0 * t) * np.pi / (8 + 2 * kind)))
    frame = np.array(rgb, np.float32)[None, None, :] + 22.0 * stripes[..., None]
    return np.clip(frame, 0, 255).astype(np.uint8)


def _speech() -> np.ndarray | None:
    """:data:`SENTENCE` spoken by espeak-ng at 16 kHz, or ``None`` where espeak-ng is not installed."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        wav_path = Path(tmp) / "speech.wav"
        # The sentence goes in on stdin, so it can never be read as an option.
        subprocess.run([exe, "-s", "130", "-w", str(wav_path), "--stdin"], input=SENTENCE.encode(),
                       check=True, capture_output=True, timeout=60)
        with wave.open(str(wav_path), "rb") as wav:
            rate = wav.getframerate()
            pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    samples = pcm.astype(np.float32) / 32768.0
    times = np.arange(int(len(samples) * SAMPLE_RATE / rate)) / SAMPLE_RATE
    return np.interp(times, np.arange(len(samples)) / rate, samples).astype(np.float32)


def _soundtrack(duration_s: float) -> tuple[np.ndarray, bool]:
    """Low noise with the sentence at 0.3 s, or a quiet tone when no voice is available."""
    total = int(duration_s * SAMPLE_RATE)
    track = np.random.default_rng(0).normal(0.0, 0.002, total).astype(np.float32)
    voice = _speech()
    if voice is None:
        track += 0.05 * np.sin(2 * np.pi * 440 * np.arange(total) / SAMPLE_RATE).astype(np.float32)
        return track, False
    start = int(0.3 * SAMPLE_RATE)
    voice = voice[: total - start]
    track[start:start + len(voice)] += voice
    return np.clip(track, -1.0, 1.0), True


def _encode(container, stream, frames) -> None:
    for frame in frames:
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)


def _video_frames(stream):
    import av

    index = 0
    for kind, rgb in enumerate(SHOT_COLOURS):
        for t in range(SHOT_FRAMES):
            frame = av.VideoFrame.from_ndarray(_frame(rgb, kind, t), format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, FPS)
            index += 1
            yield frame


def _audio_frames(track: np.ndarray):
    import av

    for start in range(0, len(track), 1024):
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(track[None, start:start + 1024]),
                                           format="fltp", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = SAMPLE_RATE, start, Fraction(1, SAMPLE_RATE)
        yield frame


def make_test_video(path: str | Path) -> TestVideo:
    """Write the self-test's video with PyAV and return it with its known cuts and words."""
    import av

    path = Path(path)
    frame_count = SHOT_FRAMES * len(SHOT_COLOURS)
    track, spoken = _soundtrack(frame_count / FPS)
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        audio = container.add_stream("aac", rate=SAMPLE_RATE, layout="mono")
        _encode(container, video, _video_frames(video))
        _encode(container, audio, _audio_frames(track))
    cuts = tuple(SHOT_FRAMES * i for i in range(1, len(SHOT_COLOURS)))
    return TestVideo(path, cuts, frame_count, SENTENCE_WORD if spoken else "")


def _check_ffmpeg(_: TestVideo, __: Path) -> list[str]:
    from hhir.media.ffmpeg import ffmpeg_exe, run_ffmpeg

    if not Path(ffmpeg_exe()).is_file():
        return [f"ffmpeg: {ffmpeg_exe()} does not exist"]
    run_ffmpeg(["-version"], timeout=60)
    return []


def _check_probe(video: TestVideo, _: Path) -> list[str]:
    from hhir.media.probe import probe

    info = probe(video.path)
    if info.frame_count != video.frame_count or not info.has_audio or abs(info.fps - FPS) > 1e-3:
        return [f"probe: expected {video.frame_count} frames at {FPS} fps with audio, got {info}"]
    return []


def _check_models(_: TestVideo, __: Path) -> list[str]:
    from hhir.models.profiles import get_profile, profile_problems

    return [f"models: {p}" for p in profile_problems(get_profile("offline"))]


def _check_pipeline(video: TestVideo, workdir: Path) -> list[str]:
    from hhir.pipeline import analyze
    from hhir.store import Store

    stage = ["starting"]

    def note(fraction: float, message: str) -> None:
        stage[0] = message

    store = Store(workdir / "selftest.sqlite")
    try:
        analyze(store, video.path, progress=note)
    except Exception as exc:  # noqa: BLE001 - reported as this check's failure, with the stage it was in
        raise RuntimeError(f"analysis failed during {stage[0]!r}: {type(exc).__name__}: {exc}") from exc
    finally:
        store.close()
    return []


def _check_results(video: TestVideo, workdir: Path) -> list[str]:
    """Read back from a new connection: what the analysis wrote must have survived it."""
    from hhir.store import Store

    store = Store(workdir / "selftest.sqlite")
    try:
        return _result_problems(store, video)
    finally:
        store.close()


def _result_problems(store, video: TestVideo) -> list[str]:
    (stored,) = store.videos()
    shots, clips = store.shots(stored.id), store.clips(stored.id)
    problems = []
    starts = tuple(s.start_frame for s in shots[1:])
    if len(starts) != len(video.cuts) or any(abs(a - b) > 1 for a, b in zip(starts, video.cuts)):
        problems.append(f"shots: expected cuts at frames {video.cuts}, found {starts}")
    if len(clips) != 1:
        problems.append(f"clips: expected one clip of all three shots, found {len(clips)}")
    words = " ".join(s.text for s in store.transcript(stored.id)).lower()
    if video.spoken and video.spoken not in words:
        problems.append(f"transcript: expected the word {video.spoken!r}, got {words!r}")
    preds = store.predictions(stored.id) or _starter_predictions(store, stored.id)
    labels = {label.name for label in store.labels()}
    if preds is None or set(preds.scene) != labels or set(preds.clips) != {c.id for c in clips}:
        problems.append(f"predictions: expected scene and clip scores for labels {sorted(labels)}, got {preds}")
    return problems


def _starter_predictions(store, video_id: int):
    from hhir.scoring import starter

    return store.predictions(video_id, starter.MODEL_ID)


def _check_edit(video: TestVideo, workdir: Path) -> list[str]:
    """An annotation is committed, survives reopening the file, and is undone."""
    from hhir.store import Store
    from hhir.types import AnnotationState, Target

    db = workdir / "selftest.sqlite"
    store = Store(db)
    (stored,) = store.videos()
    label = store.labels()[0].name
    store.annotate(Target(stored.id, store.clips(stored.id)[0].id), label, AnnotationState.PRESENT, "selftest")
    store.close()
    store = Store(db)
    try:
        if [a.label for a in store.annotations(stored.id)] != [label]:
            return [f"database: the annotation {label!r} was not read back after reopening {db.name}"]
        store.undo(stored.id)
        if store.annotations(stored.id):
            return ["database: undo did not remove the annotation"]
    finally:
        store.close()
    return []


Check = Callable[[TestVideo, Path], list[str]]
CHECKS: tuple[tuple[str, Check], ...] = (
    ("FFmpeg binary", _check_ffmpeg), ("probe", _check_probe), ("offline models", _check_models),
    ("analysis pipeline", _check_pipeline), ("stored results", _check_results), ("annotation and undo", _check_edit),
)


def _failure(name: str, exc: BaseException) -> str:
    """One line naming the check, the error and where it was raised (a frozen app has no source)."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" (at {Path(frame.filename).name}:{frame.lineno})" if frame else ""
    return f"{name}: {type(exc).__name__}: {exc}{where}"


def run_self_test(progress: ProgressFn = no_progress, workdir: str | Path | None = None) -> list[str]:
    """Run every check on a generated video; return what failed (empty when all passed).

    Args:
        progress: Receives ``(fraction, message)`` before each check.
        workdir: Folder for the video and database; a temporary folder (removed afterwards) if None.

    Returns:
        One line per failure, naming the check and the problem.
    """
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="hhir-selftest-") as tmp:
            return run_self_test(progress, tmp)
    workdir = Path(workdir)
    progress(0.0, "Making a test video")
    try:
        video = make_test_video(workdir / "selftest.mp4")
    except Exception as exc:  # noqa: BLE001 - a self-test reports every failure instead of stopping
        return [_failure("test video", exc)]
    failures: list[str] = []
    for i, (name, check) in enumerate(CHECKS):
        progress((i + 1) / (len(CHECKS) + 1), name)
        try:
            failures += check(video, workdir)
        except Exception as exc:  # noqa: BLE001 - a self-test reports every failure instead of stopping
            failures.append(_failure(name, exc))
            if check is _check_pipeline:
                break  # the later checks read what the analysis stores
    progress(1.0, "done")
    return failures


def main() -> int:
    """``python -m hhir.selftest``: print progress and failures; exit status 0 when all passed."""
    def show(fraction: float, message: str) -> None:
        print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)

    failures = run_self_test(show)
    for line in failures:
        print(f"FAILED {line}", file=sys.stderr)
    print("self-test passed" if not failures else f"self-test failed ({len(failures)} problem(s))")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
