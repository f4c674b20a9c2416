"""Training data from a project: annotated videos with their cached clip features.

Features come from the store's feature cache only; nothing is extracted here. A video whose
features for the chosen encoders are not all cached is skipped and reported (``hhir analyze`` with
the same profile or model computes them).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from hhir.pipeline.feature_cache import cached_clip_features
from hhir.learn.loop import Sample
from hhir.learn.adjudicated import apply_adjudications, by_video
from hhir.scoring.truth import Truth, video_truth
from hhir.types import Annotation, Clip, Video


@dataclass(frozen=True)
class SceneRecord:
    """One annotated video: its clips, their ``(T, D)`` features per modality, and the truth."""

    video: Video
    clips: tuple[Clip, ...]
    video_features: np.ndarray
    text_features: np.ndarray
    audio_features: np.ndarray
    truth: Truth

    def scene_sample(self) -> Sample | None:
        t = self.truth
        if not t.scene_known.any():
            return None
        return Sample(self.video_features, self.text_features, self.audio_features, t.scene_target, t.scene_known)

    def clip_samples(self) -> list[Sample]:
        t, out = self.truth, []
        for i in np.flatnonzero(t.clip_known.any(axis=1)):
            sl = slice(int(i), int(i) + 1)
            out.append(Sample(self.video_features[sl], self.text_features[sl], self.audio_features[sl],
                              t.clip_target[i], t.clip_known[i]))
        return out


@dataclass(frozen=True)
class Collected:
    """Annotated videos ready to train on, the annotation set they use (as :func:`annotation_rows`),
    its annotators, and videos left out (and why)."""

    records: tuple[SceneRecord, ...]
    rows: tuple[tuple, ...]
    annotators: tuple[str, ...]
    skipped: tuple[str, ...]


def collect(store, labels: list[str], encoder_ids: dict[str, str], annotator: str | None = None) -> Collected:
    """Every video with at least one usable annotation, with its cached features.

    Args:
        store: the project (``hhir.store.Store``).
        labels: label names, in the model's output order.
        encoder_ids: modality -> encoder id whose cached features to use.
        annotator: use this annotator's annotations only (None: everyone's).
    """
    every = store.annotations(annotator=annotator)
    label_times = store.label_times()
    decided = by_video(store) if annotator is None else {}  # adjudications first (docs/teams.md)
    records, used, skipped = [], [], []
    for video in store.videos():
        mine = [a for a in every if a.target.video_id == video.id]
        reviewed = store.review_times(video.id, annotator)
        if not mine and not reviewed:
            continue
        clips = store.clips(video.id)
        truth = video_truth(video.id, clips, labels, mine, reviewed, label_times)
        truth = apply_adjudications(truth, clips, labels, decided.get(video.id, []))
        if not truth.any_known or not clips:
            continue
        feats = cached_clip_features(store, video, clips, encoder_ids)
        if feats is None:
            skipped.append(f"{video.path}: features for these encoders are not cached (run hhir analyze on it)")
            continue
        records.append(SceneRecord(video, tuple(clips), feats["video"], feats["text"], feats["audio"], truth))
        used += mine
    rows = annotation_rows(used, {r.video.id: r.video for r in records}, {c.id: c for r in records for c in r.clips})
    return Collected(tuple(records), tuple(rows), tuple(sorted({a.annotator for a in used})), tuple(skipped))


def to_samples(records: list[SceneRecord], clip_samples: bool) -> list[Sample]:
    """Scene samples, and each annotated clip alone when ``clip_samples``."""
    out: list[Sample] = []
    for record in records:
        scene = record.scene_sample()
        out += [scene] if scene is not None else []
        out += record.clip_samples() if clip_samples else []
    return out


def annotation_rows(annotations: list[Annotation], videos: dict[int, Video], clips: dict[int, Clip]) -> list[tuple]:
    """The annotation set a model saw, in a form that does not depend on database ids."""
    rows = []
    for a in annotations:
        clip = clips.get(a.target.clip_id) if a.target.clip_id is not None else None
        span = [clip.start_s, clip.end_s] if clip is not None else None
        rows.append((videos[a.target.video_id].fingerprint, span, a.label, a.state.value, a.annotator, a.source))
    return sorted(rows, key=repr)


def digest(rows: tuple[tuple, ...]) -> str:
    """A short hash of an annotation set, to tell whether two models saw the same data."""
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
