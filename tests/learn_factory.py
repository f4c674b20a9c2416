"""Small real projects for the learning-loop tests: videos whose cached features carry their labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hhir.pipeline.feature_cache import feature_id
from hhir.store import Store
from hhir.types import AnnotationState, Clip, Shot, Target, VideoInfo

# A classifier small enough to train in a second or two on one thread.
SMALL = dict(hidden_dim=8, num_heads=2, num_layers=1, dropout=0.0, batch_size=4, lr=1e-2, epochs=25, patience=25)


def load_encoders():
    from hhir.scoring.encoders import profile_encoders

    return profile_encoders("offline")


def add_videos(store: Store, encoders, first: int, count: int, seed: int = 0, annotator: str | None = "ann",
               review: bool = False, rate: float = 0.35) -> list[int]:
    """Add ``count`` videos of 4 clips with cached features; ``annotator`` ticks present labels
    (each present with probability ``rate``) and marks absent ones explicitly, unless ``review``:
    then the clips are marked reviewed."""
    labels = [label.name for label in store.labels()]
    rng = np.random.default_rng(seed * 1000 + first)
    ids = []
    for v in range(first, first + count):
        video = store.add_video(VideoInfo(path=str(store.path.parent / f"v{v}.mp4"), duration_s=24, fps=25, frame_count=600,
                                          width=160, height=120, has_audio=True, fingerprint=f"fp-{seed}-{v}"))
        store.set_shots(video.id, [Shot(i, i * 100, (i + 1) * 100, i * 4.0, (i + 1) * 4.0) for i in range(6)])
        clips = store.set_clips(video.id, [Clip(i, i, i + 2, i * 4.0, (i + 3) * 4.0, i * 100, (i + 3) * 100,
                                                text=f"line {v} {i}") for i in range(4)])
        rows, items = [], []
        for clip in clips:
            present = rng.random(len(labels)) < rate
            for modality, enc in (("video", encoders.video), ("text", encoders.text), ("audio", encoders.audio)):
                x = rng.normal(0, 0.3, enc.dim).astype(np.float32)
                x[: len(labels)] += 2.0 * present
                rows.append((video.fingerprint, clip.start_s, clip.end_s, feature_id(enc.id, modality, clip.text), x))
            items += [(Target(video.id, clip.id), name, AnnotationState.PRESENT if p else AnnotationState.ABSENT)
                      for name, p in zip(labels, present) if p or not review]
        store.put_features(rows)
        if annotator is not None:
            store.annotate_many(items, annotator)
            for clip in clips if review else []:
                store.set_reviewed(Target(video.id, clip.id), annotator)
        ids.append(video.id)
    return ids


def build_project(path: Path, encoders, n_videos: int = 5, seed: int = 0, review: bool = False,
                  rate: float = 0.35) -> Store:
    store = Store(path)
    add_videos(store, encoders, 0, n_videos, seed, review=review, rate=rate)
    return store
