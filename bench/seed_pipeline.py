"""The seed's per-clip pipeline, reimplemented faithfully with our models, for comparison.

What the seed does for one scene, step by step (and what this module does the same way):

1. ``scenedetect.detect(path, AdaptiveDetector())`` for the shots.
2. Clips of 3 consecutive shots, stride 1; every clip is cut out of the film and re-encoded to its
   own mp4 (moviepy's ``subclip(...).write_videofile``: ffmpeg, libx264 ``medium``, mp3 audio).
3. Each clip's audio is converted to mp3 with pydub, and the mp3 transcribed on its own with
   Whisper; overlapping clips mean every second of speech is transcribed three times.
4. Each clip file is decoded again with OpenCV for its frames (``cv2.VideoCapture``, indices from
   ``np.linspace``, ``cv2.resize`` to 128×128, BGR).
5. The encoders run clip by clip (batch of one); the scene's clip features go through the
   ``MultimodalLSTM`` and a sigmoid with threshold 0.6.

Models, frame counts and the Whisper model are exactly the ones our pipeline uses (same profile).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from measure import Recorder, TimedEncoder, cpu_seconds

FRAME_SIZE = 128  # the seed's cv2.resize target


@dataclass
class SeedResult:
    recorder: Recorder
    shots: int
    clips: int
    inference_s: dict[str, float]
    inference_cpu_s: dict[str, float]


def seed_clips(scenes: list, size: int = 3) -> list[tuple[float, float]]:
    """Time ranges of the seed's 3-shot windows (one clip of all shots when there are fewer)."""
    bounds = [(s.get_seconds(), e.get_seconds()) for s, e in scenes]
    if len(bounds) <= size:
        return [(bounds[0][0], bounds[-1][1])] if bounds else []
    return [(bounds[i][0], bounds[i + size - 1][1]) for i in range(len(bounds) - size + 1)]


def write_clip(src: Path, start_s: float, end_s: float, dst: Path) -> Path:
    """Cut and re-encode one clip as moviepy's ``write_videofile`` does (libx264 medium, mp3 audio)."""
    from hhir.media.ffmpeg import run_ffmpeg

    run_ffmpeg(["-y", "-ss", f"{start_s:.6f}", "-i", str(src.absolute()), "-t", f"{end_s - start_s:.6f}",
                "-map", "0:v:0", "-map", "0:a:0?", "-c:v", "libx264", "-preset", "medium", "-pix_fmt", "yuv420p",
                "-c:a", "libmp3lame", "-f", "mp4", str(dst.absolute())])
    return dst


def clip_to_mp3(clip: Path, dst: Path) -> Path | None:
    """pydub: read the clip's audio (ffmpeg to wav), export it as mp3 (ffmpeg again)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # pydub warns when ffmpeg is not on PATH
        from pydub import AudioSegment

    from hhir.media.ffmpeg import ffmpeg_exe

    AudioSegment.converter = ffmpeg_exe()
    AudioSegment.ffmpeg = ffmpeg_exe()
    if not _has_audio(clip):
        return None
    # codec given: pydub then skips its ffprobe call (no ffprobe ships with imageio-ffmpeg); one
    # subprocess fewer per clip than the seed paid, so this errs in the seed's favour.
    segment = AudioSegment.from_file(str(clip.absolute()), format="mp4", codec="mp3")
    segment.export(str(dst.absolute()), format="mp3")
    return dst


def _has_audio(clip: Path) -> bool:
    import av

    with av.open(str(clip.absolute())) as container:
        return bool(container.streams.audio)


def opencv_frames(clip: Path, n_frames: int) -> np.ndarray:
    """Decode the clip file again with OpenCV and keep ``n_frames`` frames picked by ``np.linspace``."""
    import cv2

    cap = cv2.VideoCapture(str(clip.absolute()))
    try:
        total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        wanted = np.linspace(0, max(total - 1, 0), n_frames).astype(int)
        frames, index, last = [], 0, None
        for target in wanted:
            while index <= target:
                ok, frame = cap.read()
                if not ok:
                    break
                last, index = cv2.resize(frame, (FRAME_SIZE, FRAME_SIZE)), index + 1
            if last is None:
                raise RuntimeError(f"{clip.name}: OpenCV decoded no frame")
            frames.append(last)
    finally:
        cap.release()
    return np.stack(frames).astype(np.uint8)


def run_seed(video_path: Path, profile_name: str = "offline", quantize: bool | None = None) -> SeedResult:
    """Run the seed-style pipeline on ``video_path`` and time its steps (summed over clips)."""
    import time

    from faster_whisper import decode_audio

    rec = Recorder()
    with rec.stage("shots"):
        import scenedetect

        scenes = scenedetect.detect(str(video_path.absolute()), scenedetect.AdaptiveDetector())
        ranges = seed_clips(scenes) or [(0.0, _duration(video_path))]
    with rec.stage("load models"):
        encoders, transcriber, n_frames = _load_models(profile_name, quantize)
    steps = {"cut + re-encode clips": [0.0, 0.0], "mp3 (pydub)": [0.0, 0.0], "transcript (per clip)": [0.0, 0.0],
             "decode clips (OpenCV)": [0.0, 0.0]}
    feats: dict[str, list[np.ndarray]] = {"video": [], "text": [], "audio": []}
    with rec.stage("per-clip loop"), tempfile.TemporaryDirectory(prefix="hhir-seed-") as tmp:
        for i, (start_s, end_s) in enumerate(ranges):
            t0 = (time.perf_counter(), cpu_seconds())
            clip = write_clip(video_path, start_s, end_s, Path(tmp) / f"clip_{i}.mp4")
            t1 = (time.perf_counter(), cpu_seconds())
            mp3 = clip_to_mp3(clip, Path(tmp) / f"clip_{i}.mp3")
            t2 = (time.perf_counter(), cpu_seconds())
            audio = decode_audio(str(mp3), sampling_rate=16000) if mp3 else np.zeros(0, np.float32)
            text = " ".join(s.text for s in transcriber.transcribe(audio))
            t3 = (time.perf_counter(), cpu_seconds())
            frames = opencv_frames(clip, n_frames)
            t4 = (time.perf_counter(), cpu_seconds())
            feats["video"].append(encoders["video"].encode(frames[None])[0])
            feats["text"].append(encoders["text"].encode([_clean(text)])[0])
            feats["audio"].append(encoders["audio"].encode([audio])[0])
            for name, (a, b) in zip(steps, ((t0, t1), (t1, t2), (t2, t3), (t3, t4))):
                steps[name][0] += b[0] - a[0]
                steps[name][1] += b[1] - a[1]
            clip.unlink()
    for name, (seconds, cpu) in steps.items():
        rec.add(f"  {name}", seconds, cpu)
    for modality, enc in encoders.items():
        rec.add(f"  {modality} encoder inference", enc.seconds, enc.cpu_s)
    with rec.stage("predictions"):
        _classify(feats)
    return SeedResult(rec, len(scenes), len(ranges), {m: e.seconds for m, e in encoders.items()},
                      {m: e.cpu_s for m, e in encoders.items()})


def _load_models(profile_name: str, quantize: bool | None):
    from dataclasses import replace

    from hhir.models.encoders import load_encoder
    from hhir.models.profiles import get_profile
    from hhir.speech.asr import Transcriber

    profile = get_profile(profile_name)
    video = profile.video if quantize is None else replace(profile.video, quantize=quantize)
    specs = {"video": video, "text": profile.text, "audio": profile.audio}
    encoders = {m: TimedEncoder(load_encoder(spec)) for m, spec in specs.items()}
    asr = getattr(profile, "asr_model", None) or profile.asr
    return encoders, Transcriber(asr), profile.n_frames


def _clean(text: str) -> str:
    from hhir.segment.clips import clean_text

    return clean_text(text)


def _duration(video_path: Path) -> float:
    from hhir.media.probe import probe

    return probe(video_path).duration_s


def _classify(feats: dict[str, list[np.ndarray]]) -> np.ndarray:
    """The seed's classifier over the scene (randomly initialised here: only its cost is measured)."""
    import torch

    from hhir.models.lstm import MultimodalLSTM

    torch.manual_seed(42)
    x = {m: torch.from_numpy(np.stack(v)[None]) for m, v in feats.items()}
    model = MultimodalLSTM(x["video"].shape[-1], x["text"].shape[-1], x["audio"].shape[-1]).eval()
    with torch.inference_mode():
        return (torch.sigmoid(model(x["video"], x["text"], x["audio"])) > 0.6).numpy()
