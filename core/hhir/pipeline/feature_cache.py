"""The feature cache and the stage that fills it.

Features are cached by (video fingerprint, clip time range, feature id). The feature id is the
encoder's id; for text it also carries a hash of the clip's text, so a corrected transcript gives new
text features while the old ones stay valid for the old text. :func:`feature_id` and
:func:`cached_clip_features` read the cache (analysis, training and export share them);
:func:`compute_features` runs the text, audio and video encoders over every clip whose features are
missing and caches them as they are computed.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Callable

import numpy as np

from hhir.jobs import CancelToken, ProgressFn, sub_progress
from hhir.scoring.encoders import EncoderSet
from hhir.types import Clip, Video

log = logging.getLogger(__name__)
SAMPLE_RATE = 16000
MODALITIES = ("video", "text", "audio")


def feature_id(encoder_id: str, modality: str, text: str = "") -> str:
    """The cache key's encoder part for one clip."""
    if modality == "text":
        return f"{encoder_id}#{hashlib.sha1(text.encode('utf-8'), usedforsecurity=False).hexdigest()[:12]}"
    return encoder_id


def cached_clip_features(store, video: Video, clips: list[Clip], encoder_ids: dict[str, str]) -> dict[str, np.ndarray] | None:
    """Stack the cached features of ``clips`` per modality, or ``None`` if any is missing.

    Read in bulk: one query per encoder for the whole video, not one per clip and modality.

    Args:
        store: the project database (``hhir.store.Store``).
        video: the clips' video.
        clips: in scene order.
        encoder_ids: modality -> encoder id.
    """
    keys = {m: [(c.start_s, c.end_s, feature_id(e, m, c.text)) for c in clips] for m, e in encoder_ids.items()}
    found = store.features(video.fingerprint, [k for ks in keys.values() for k in ks])
    if any(k not in found for ks in keys.values() for k in ks):
        return None
    return {m: np.stack([found[k] for k in ks]).astype(np.float32) if ks else np.zeros((0, 0), np.float32)
            for m, ks in keys.items()}


def compute_features(
    store, video: Video, path: Path, clips: list[Clip], audio: Callable[[], np.ndarray],
    encoders: EncoderSet, progress: ProgressFn, cancel: CancelToken, batch: int = 4,
) -> None:
    """Compute and cache every missing feature of ``clips``; cached ones are not recomputed.

    Which are missing is read in one bulk query per encoder; an encoder is loaded only when some of
    its features are missing (a cached re-analysis loads none).

    Args:
        batch: clips decoded before their video features are encoded and cached together.
    """
    from hhir.scoring import starter

    fp = video.fingerprint
    wanted = {(m, c.id): (c.start_s, c.end_s, feature_id(e.id, m, c.text))
              for m, e in (("text", encoders.text), ("audio", encoders.audio), ("video", encoders.video))
              for c in clips}
    wanted.update({("cues", c.id): (c.start_s, c.end_s, starter.CUES_ID) for c in clips})
    have = store.cached_feature_keys(fp, list(wanted.values()))
    missing = {m: [c for c in clips if wanted[(m, c.id)] not in have] for m in ("text", "audio", "video", "cues")}
    texts = missing["text"]
    for start in range(0, len(texts), 32):
        cancel.check()
        chunk = texts[start:start + 32]
        vecs = encoders.text.encode([c.text for c in chunk])
        store.put_features([(fp, c.start_s, c.end_s, feature_id(encoders.text.id, "text", c.text), v) for c, v in zip(chunk, vecs)])
    progress(0.05, "Text features")
    sounds = missing["audio"]
    for start in range(0, len(sounds), 16):
        cancel.check()
        chunk = sounds[start:start + 16]
        vecs = encoders.audio.encode([_slice(audio, c) for c in chunk])
        store.put_features([(fp, c.start_s, c.end_s, encoders.audio.id, v) for c, v in zip(chunk, vecs)])
    progress(0.1, "Audio features")
    cues_missing = {c.id for c in missing["cues"]}
    video_missing = {c.id for c in missing["video"]}
    todo = [c for c in clips if c.id in cues_missing or c.id in video_missing]
    if todo:
        _frames_pass(store, video, path, todo, audio, encoders, video_missing, sub_progress(progress, 0.1, 1.0), cancel,
                     max(1, batch))
    progress(1.0, "Features cached")


def _slice(audio: Callable[[], np.ndarray], clip: Clip) -> np.ndarray:
    samples = audio()
    return samples[int(clip.start_s * SAMPLE_RATE):int(clip.end_s * SAMPLE_RATE)]


def _frames_pass(
    store, video: Video, path: Path, todo: list[Clip], audio: Callable[[], np.ndarray], encoders: EncoderSet,
    video_missing: set[int], progress: ProgressFn, cancel: CancelToken, batch: int,
) -> None:
    """One decode pass over every clip that needs frames; encode and cache in small batches."""
    from hhir.scoring import starter
    from hhir.media.frames import sample_frames

    pending: list[tuple[Clip, np.ndarray]] = []

    def flush() -> None:
        rows = []
        need_video = [(c, f) for c, f in pending if c.id in video_missing]
        if need_video:
            vecs = encoders.video.encode(np.stack([f for _, f in need_video]))
            rows += [(video.fingerprint, c.start_s, c.end_s, encoders.video.id, v) for (c, _), v in zip(need_video, vecs)]
        for clip, frames in pending:
            cues = starter.clip_cues(frames, _slice(audio, clip), clip.text)
            rows.append((video.fingerprint, clip.start_s, clip.end_s, starter.CUES_ID, cues))
        store.put_features(rows)
        pending.clear()

    ranges = [(c.start_frame, c.end_frame) for c in todo]
    done = 0
    for index, frames in sample_frames(path, ranges, encoders.n_frames, size=encoders.frame_size, cancel=cancel):
        pending.append((todo[index], frames))
        if len(pending) >= batch:
            done += len(pending)
            flush()
            progress(done / len(todo), f"Video features {done}/{len(todo)} clips")
        cancel.check()
    if pending:
        flush()
    progress(1.0, f"Video features {len(todo)}/{len(todo)} clips")
