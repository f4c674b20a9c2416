"""Model inference per clip for each encoder at a few batch sizes, and int8 against fp32 ViViT."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

VIDEO_BATCHES = (1, 2, 4)
TEXT_BATCHES = (1, 8, 32)
AUDIO_BATCHES = (1, 8, 32)


def _per_clip(encode, items, batch: int, repeat: int = 1) -> dict[str, float]:
    """Wall and CPU seconds per clip when ``items`` go through ``encode`` ``batch`` at a time (after a warm-up)."""
    from measure import cpu_seconds

    encode(items[:batch])
    start, cpu = time.perf_counter(), cpu_seconds()
    for _ in range(repeat):
        for i in range(0, len(items), batch):
            encode(items[i:i + batch])
    n = repeat * len(items)
    return {"wall": (time.perf_counter() - start) / n, "cpu": (cpu_seconds() - cpu) / n}


def clip_inputs(video_path: Path, n_clips: int, n_frames: int, size: int):
    """Real frames, audio slices and texts of the first ``n_clips`` clips of a generated video."""
    from hhir.media.audio import audio_slice, extract_audio
    from hhir.media.frames import sample_frames
    from hhir.media.probe import probe
    from hhir.segment.clips import build_clips
    from hhir.segment.shots import detect_shots

    info = probe(video_path)
    clips = build_clips(detect_shots(video_path, info))[:n_clips]
    frames = np.stack([f for _, f in sample_frames(video_path, [(c.start_frame, c.end_frame) for c in clips], n_frames, size)])
    audio = extract_audio(video_path)
    slices = [audio_slice(audio, c.start_s, c.end_s) for c in clips]
    texts = ["Where is the train station? It is next to the old bridge."] * len(clips)
    return frames, slices, texts


def run_inference(video_path: Path, profile_name: str = "offline", n_clips: int = 4) -> dict:
    """Per-clip seconds per encoder and batch size; ViViT in fp32 and int8, and the int8 feature drift."""
    from dataclasses import replace

    from hhir.models.encoders import load_encoder
    from hhir.models.profiles import get_profile

    profile = get_profile(profile_name)
    frames, slices, texts = clip_inputs(video_path, n_clips, profile.n_frames, profile.frame_size)
    video = load_encoder(replace(profile.video, quantize=False))
    out: dict = {"clips": len(frames), "video_fp32": {}, "video_int8": {}, "text": {}, "audio": {}}
    for b in VIDEO_BATCHES:
        out["video_fp32"][b] = _per_clip(video.encode, frames, b)
    text, audio = load_encoder(profile.text), load_encoder(profile.audio)
    long_texts = texts * 4
    for b in TEXT_BATCHES:
        out["text"][b] = _per_clip(text.encode, long_texts, b)
    for b in AUDIO_BATCHES:
        out["audio"][b] = _per_clip(audio.encode, slices * 4, b)
    int8 = load_encoder(replace(profile.video, quantize=True))
    for b in (1, 4):
        out["video_int8"][b] = _per_clip(int8.encode, frames, b)
    out["int8_drift"] = _drift(video.encode(frames), int8.encode(frames))
    out["ids"] = {"video_fp32": video.id, "video_int8": int8.id, "text": text.id, "audio": audio.id}
    return out


def _drift(fp32: np.ndarray, int8: np.ndarray) -> dict:
    """How far int8 features move: cosine to the fp32 feature, and whether clip-to-clip similarity
    ranks (what a classifier sees) survive."""
    a = fp32 / np.linalg.norm(fp32, axis=1, keepdims=True)
    b = int8 / np.linalg.norm(int8, axis=1, keepdims=True)
    cos = np.sum(a * b, axis=1)
    sim_a, sim_b = a @ a.T, b @ b.T
    np.fill_diagonal(sim_a, -np.inf)
    np.fill_diagonal(sim_b, -np.inf)
    nn_same = float(np.mean(np.argmax(sim_a, axis=1) == np.argmax(sim_b, axis=1)))
    rel = float(np.linalg.norm(fp32 - int8) / np.linalg.norm(fp32))
    return {"cosine_mean": float(cos.mean()), "cosine_min": float(cos.min()), "relative_l2": rel,
            "nearest_neighbour_agreement": nn_same}
