"""Our analysis, stage by stage, through the same public functions ``hhir.pipeline.analyze`` calls.

The stages are called one at a time (rather than through ``analyze``) only so each can be timed and
its peak memory read on its own; the encoders are wrapped in :class:`~bench.measure.TimedEncoder`
so the feature stage can be split into model inference and the rest (one decode pass, the
starter's cues, cache writes). Results go to a real SQLite project file.
"""

from __future__ import annotations

import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from measure import Recorder, TimedEncoder, cpu_seconds

INFERENCE_STAGES = ("load models", "transcript", "predictions")


@dataclass
class OursResult:
    recorder: Recorder
    shots: int
    clips: int
    segments: int
    inference_s: dict[str, float]  # encoder modality -> seconds inside encode()
    inference_cpu_s: dict[str, float]

    def model_seconds(self) -> float:
        """Everything that runs a model: loading, ASR, encoder inference, the classifier."""
        return sum(self.recorder.seconds(s) for s in INFERENCE_STAGES) + sum(self.inference_s.values())

    def model_cpu(self) -> float:
        return sum(self.recorder.cpu(s) for s in INFERENCE_STAGES) + sum(self.inference_cpu_s.values())


def _asr_model(profile) -> str:
    return getattr(profile, "asr_model", None) or profile.asr


def run_ours(video_path: Path, profile_name: str = "offline", quantize: bool | None = None) -> OursResult:
    """Analyze ``video_path`` into a fresh project and time every stage.

    ``quantize`` forces the video encoder to dynamic int8 (True) or fp32 (False); None keeps the profile's.
    """
    from dataclasses import replace

    from hhir.jobs import CancelToken
    from hhir.media.audio import extract_audio
    from hhir.media.probe import probe
    from hhir.models.encoders import load_encoder
    from hhir.models.profiles import get_profile
    from hhir.pipeline import AnalysisOptions, predict_video
    from hhir.pipeline.feature_cache import compute_features
    from hhir.scoring.encoders import EncoderSet
    from hhir.segment.clips import build_clips, clip_text
    from hhir.segment.shots import detect_shots
    from hhir.speech.asr import Transcriber
    from hhir.store import Store

    rec = Recorder()
    options = AnalysisOptions(profile=profile_name)
    with tempfile.TemporaryDirectory(prefix="hhir-bench-") as tmp:
        store = Store(Path(tmp) / "bench.sqlite")
        try:
            with rec.stage("probe"):
                info = probe(video_path)
                video = store.add_video(info)
            with rec.stage("shots"):
                shots = detect_shots(video_path, info, detector=options.detector, threshold=options.threshold)
                store.set_shots(video.id, shots)
            with rec.stage("clips"):
                clips = store.set_clips(video.id, build_clips(shots, size=options.clip_size, stride=options.clip_stride))
            with rec.stage("audio"):
                audio = extract_audio(video_path) if info.has_audio else None
            with rec.stage("load models"):
                profile = get_profile(profile_name)
                video_spec = profile.video if quantize is None else replace(profile.video, quantize=quantize)
                loads: dict[str, tuple[float, float]] = {}

                def loaded(modality, spec):
                    start, cpu = time.perf_counter(), cpu_seconds()
                    encoder = TimedEncoder(load_encoder(spec))
                    loads[modality] = (time.perf_counter() - start, cpu_seconds() - cpu)
                    return encoder

                encoders = EncoderSet(
                    video=loaded("video", video_spec), text=loaded("text", profile.text),
                    audio=loaded("audio", profile.audio), n_frames=profile.n_frames,
                    frame_size=profile.frame_size, source=f"profile:{profile.name}")
                transcriber = Transcriber(_asr_model(profile))  # loads lazily: its load time is in "transcript"
            for modality, (seconds, cpu_s) in loads.items():
                rec.add(f"  {modality} encoder load", seconds, cpu_s)
            with rec.stage("transcript"):
                segments = transcriber.transcribe(audio) if audio is not None and len(audio) else []
                segments = store.set_transcript(video.id, segments)
            with rec.stage("clip texts"):
                store.set_clip_texts(video.id, {c.id: clip_text(c, segments) for c in clips})
                clips = store.clips(video.id)
            with rec.stage("features"), _timed_parts(store) as parts:
                import numpy as np

                track = audio if audio is not None else np.zeros(0, np.float32)
                compute_features(store, video, video_path, clips, lambda: track, encoders,
                                 progress=lambda f, m: None, cancel=CancelToken(), batch=options.feature_batch)
            timed = {m: getattr(encoders, m) for m in ("video", "text", "audio")}
            for modality, enc in timed.items():
                rec.add(f"  {modality} encoder inference", enc.seconds, enc.cpu_s)
            for name, (seconds, cpu_s) in parts.items():
                rec.add(f"  {name}", seconds, cpu_s)
            features = rec.stages[[s.name for s in rec.stages].index("features")]
            rest = features.seconds - sum(e.seconds for e in timed.values()) - sum(v[0] for v in parts.values())
            rest_cpu = features.cpu_s - sum(e.cpu_s for e in timed.values()) - sum(v[1] for v in parts.values())
            rec.add("  frame decode (the rest)", rest, rest_cpu)
            with rec.stage("predictions"):
                preds = predict_video(store, video.id, options, encoders=encoders)
            if preds is None or len(preds.clips) != len(clips):
                raise RuntimeError(f"{video_path.name}: predictions missing after the feature stage")
            return OursResult(rec, len(shots), len(clips), len(segments), {m: e.seconds for m, e in timed.items()},
                              {m: e.cpu_s for m, e in timed.items()})
        finally:
            store.close()


@contextmanager
def _timed_parts(store) -> Iterator[dict[str, tuple[float, float]]]:
    """Time the starter's cues and the feature-cache writes inside the feature stage.

    Instrumentation only: the real ``starter.clip_cues`` and ``store.put_features`` run, wrapped for
    the duration of the stage; what is left of the stage after these and the encoders is the decode.
    """
    from hhir.scoring import starter

    parts = {"starter cues": [0.0, 0.0], "store writes": [0.0, 0.0]}

    def timed(name, fn):
        def call(*args, **kwargs):
            start, cpu = time.perf_counter(), cpu_seconds()
            try:
                return fn(*args, **kwargs)
            finally:
                parts[name][0] += time.perf_counter() - start
                parts[name][1] += cpu_seconds() - cpu
        return call

    cues, put = starter.clip_cues, store.put_features
    starter.clip_cues, store.put_features = timed("starter cues", cues), timed("store writes", put)
    result: dict[str, tuple[float, float]] = {}
    try:
        yield result
    finally:
        starter.clip_cues = cues
        del store.put_features  # the instance attribute; the class's method shows again
        result.update({k: (v[0], v[1]) for k, v in parts.items()})


def sample_pass_seconds(video_path: Path, clips_ranges: list[tuple[int, int]], n_frames: int, size: int) -> float:
    """The feature stage's decode pass alone: ``sample_frames`` over every clip, no model."""
    from hhir.media.frames import sample_frames

    start = time.perf_counter()
    for _ in sample_frames(video_path, clips_ranges, n_frames, size=size):
        pass
    return time.perf_counter() - start
