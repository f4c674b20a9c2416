"""Keys of the feature cache, shared by analysis, training and export.

Features are cached by (video fingerprint, clip time range, feature id). The feature id is the
encoder's id; for text it also carries a hash of the clip's text, so a corrected transcript gives new
text features while the old ones stay valid for the old text.
"""

from __future__ import annotations

import hashlib

import numpy as np

from hhir.types import Clip, Video

MODALITIES = ("video", "text", "audio")


def feature_id(encoder_id: str, modality: str, text: str = "") -> str:
    """The cache key's encoder part for one clip."""
    if modality == "text":
        return f"{encoder_id}#{hashlib.sha1(text.encode('utf-8')).hexdigest()[:12]}"
    return encoder_id


def cached_clip_features(store, video: Video, clips: list[Clip], encoder_ids: dict[str, str]) -> dict[str, np.ndarray] | None:
    """Stack the cached features of ``clips`` per modality, or ``None`` if any is missing.

    Args:
        store: the project database (``hhir.store.Store``).
        video: the clips' video.
        clips: in scene order.
        encoder_ids: modality -> encoder id.
    """
    out: dict[str, np.ndarray] = {}
    for modality, encoder_id in encoder_ids.items():
        rows = []
        for clip in clips:
            vec = store.feature(video.fingerprint, clip.start_s, clip.end_s, feature_id(encoder_id, modality, clip.text))
            if vec is None:
                return None
            rows.append(vec)
        out[modality] = np.stack(rows).astype(np.float32) if rows else np.zeros((0, 0), np.float32)
    return out
