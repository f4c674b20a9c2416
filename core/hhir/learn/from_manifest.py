"""Training from an exported dataset manifest (``hhir export --format manifest``) instead of a project.

The manifest's rows carry the labels (1 / 0 / -1 per annotator) and ``features.safetensors`` the
cached clip features, so a dataset exported on one machine trains on another without the videos.
Its ``test`` split is kept out of training; the rest is split into train and validation by video.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Callable

import numpy as np

from hhir.errors import HHIRError
from hhir.jobs import CancelToken, ProgressFn, no_progress
from hhir.learn.dataset import Collected, SceneRecord, annotation_rows
from hhir.learn.options import TrainingEpoch, TrainOptions
from hhir.learn.split import Split, split_videos
from hhir.learn.train import TrainResult, run_training
from hhir.scoring.truth import video_truth
from hhir.types import Annotation, AnnotationState, Clip, Target, Video

MODALITIES = ("video", "text", "audio")


def train_from_manifest(path: str | Path, options: TrainOptions = TrainOptions(), out_dir: str | Path | None = None,
                        progress: ProgressFn = no_progress, cancel: CancelToken | None = None,
                        on_epoch: Callable[[TrainingEpoch], None] | None = None, encoders=None) -> TrainResult:
    """Train a bundle from a manifest folder; the bundle is saved but registered nowhere.

    Args:
        path: the manifest folder (or its ``manifest.csv``).
        options: as for :func:`hhir.learn.train.train` (``profile`` names the encoders the features
            must come from).
        out_dir: where to save the bundle (default: the user's models folder).
        encoders: an already loaded EncoderSet (default: the profile's).

    Raises:
        ImportFormatError: a malformed manifest (names file and line).
        HHIRError: no features in it, or features from other encoders than the profile's.
    """
    from hhir.appdirs import default_models_dir
    from hhir.exchange.manifest_read import read_manifest
    from hhir.scoring.encoders import profile_encoders

    manifest = read_manifest(path)
    if any(m not in manifest.features for m in MODALITIES):
        raise HHIRError(f"{manifest.path}: no cached features beside it (export it again with its features)")
    encoders = encoders or profile_encoders(options.profile)
    _check_encoders(manifest, encoders.ids())
    labels = list(manifest.labels)
    data = _collect(manifest, labels)
    test = {r.fingerprint for r in manifest.rows if r.split == "test"}
    rest = split_videos([r.video.fingerprint for r in data.records if r.video.fingerprint not in test],
                        options.seed, options.validation_fraction, 0.0)
    split = Split(rest.train, rest.validation, tuple(sorted(f for f in test if any(r.video.fingerprint == f for r in data.records))))
    return run_training(data, split, labels, encoders, None, options, Path(out_dir) if out_dir else default_models_dir(),
                        progress, cancel, on_epoch)


def _check_encoders(manifest, ids: dict[str, str]) -> None:
    for modality in MODALITIES:
        theirs = manifest.encoders.get(modality, "").split("#")[0]
        if theirs.removesuffix("-int8") != ids[modality].removesuffix("-int8"):
            raise HHIRError(f"{manifest.path}: {modality} features come from encoder {theirs or 'unknown'}, "
                            f"but the profile's is {ids[modality]}")


def _collect(manifest, labels: list[str]) -> Collected:
    by_video: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(manifest.rows):
        by_video[row.fingerprint].append(i)
    records, annotations, skipped = [], [], []
    for video_id, (fingerprint, indices) in enumerate(sorted(by_video.items()), start=1):
        record, used = _record(manifest, labels, video_id, fingerprint, indices)
        if record is None:
            skipped.append(f"{manifest.rows[indices[0]].video}: a clip has no cached features in the manifest")
        elif record.truth.any_known:
            records.append(record)
            annotations += used
    rows = annotation_rows(annotations, {r.video.id: r.video for r in records}, {c.id: c for r in records for c in r.clips})
    return Collected(tuple(records), tuple(rows), tuple(sorted({a.annotator for a in annotations})), tuple(skipped))


def _record(manifest, labels: list[str], video_id: int, fingerprint: str, indices: list[int]):
    rows = [manifest.rows[i] for i in indices]
    first_row: dict[int, int] = {}
    for i, row in zip(indices, rows):
        if not row.is_scene:
            first_row.setdefault(row.clip_index, i)
    order = sorted(first_row)
    if not order or not all(manifest.present[m][first_row[c]] for m in MODALITIES for c in order):
        return None, []
    # Clip ids only need to be unique across the whole manifest: derive them from the first row.
    clips = [Clip(c, manifest.rows[first_row[c]].first_shot, manifest.rows[first_row[c]].last_shot,
                  manifest.rows[first_row[c]].start_s, manifest.rows[first_row[c]].end_s, 0, 0,
                  manifest.rows[first_row[c]].text, id=first_row[c] + 1) for c in order]
    ids = {c.index: c.id for c in clips}
    video = Video(video_id, rows[0].video, fingerprint, max(c.end_s for c in clips), 0.0, 0, 0, 0, True)
    used = [Annotation(Target(video_id, None if row.is_scene else ids[row.clip_index]), label,
                       AnnotationState.PRESENT if value == 1 else AnnotationState.ABSENT, row.annotator or "manifest",
                       "import:manifest")
            for row in rows for label, value in zip(manifest.labels, row.values) if value in (0, 1)]
    feats = [np.stack([manifest.features[m][first_row[c]] for c in order]).astype(np.float32) for m in MODALITIES]
    truth = video_truth(video_id, clips, labels, used, {})
    return SceneRecord(video, tuple(clips), *feats, truth), used
