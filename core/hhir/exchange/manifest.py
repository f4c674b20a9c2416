"""The ``manifest`` export: our own dataset, one row per clip, with cached features beside it.

Folder layout (``OUT`` is a folder)::

    manifest.csv          one row per clip and annotator (see COLUMNS)
    manifest.jsonl        the same rows as JSON objects
    features.safetensors  per modality (video / text / audio): float32 (n_rows, dim), row i =
                          row i of the CSV, and "<modality>::present" uint8 (n_rows,), 0 where
                          no feature was cached; the metadata "encoders" maps modality to the
                          encoder id the features came from

Label columns hold 1 (present), 0 (absent) or -1 (unreviewed). A clip with labels from several
annotators has one row per annotator; a clip nobody labelled has one row with an empty
annotator and -1 everywhere. Labels of the whole video (scene) are a row with ``clip_index``
-1, ``first_shot``/``last_shot`` -1 and the video's full time range. With predictions, the
active model's scores follow as ``pred:<label>`` columns; they never change the label columns.
Read it back with :func:`hhir.exchange.manifest_read.read_manifest`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from hhir.exchange.model import ExportData, VideoData
from hhir.exchange.safety import atomic_writer
from hhir.jobs import CancelToken, ProgressFn
from hhir.types import AnnotationState, Clip

if TYPE_CHECKING:
    from hhir.store import Store

FIXED_COLUMNS = ("video", "fingerprint", "clip_index", "first_shot", "last_shot", "start_s", "end_s", "text")
TAIL_COLUMNS = ("annotator", "split")
PRED_PREFIX = "pred:"
CSV_NAME, JSONL_NAME, FEATURES_NAME = "manifest.csv", "manifest.jsonl", "features.safetensors"
_STATE_VALUE = {AnnotationState.PRESENT: 1, AnnotationState.ABSENT: 0}


@dataclass(frozen=True)
class _Row:
    video: VideoData
    clip: Clip | None
    annotator: str
    values: tuple[int, ...]
    predictions: tuple[float, ...]


def export_manifest(
    store: Store, data: ExportData, out: Path, with_predictions: bool, encoders: tuple[tuple[str, str], ...],
    progress: ProgressFn, cancel: CancelToken,
) -> list[Path]:
    """Write the manifest folder; returns the files written."""
    labels = data.label_names
    rows = list(_rows(data, with_predictions))
    cancel.check()
    header = [*FIXED_COLUMNS, *labels, *TAIL_COLUMNS]
    if with_predictions:
        header += [PRED_PREFIX + name for name in labels]
    files = [_write_csv(out / CSV_NAME, header, rows, with_predictions), _write_jsonl(out / JSONL_NAME, labels, rows, with_predictions)]
    progress(0.5, "manifest rows written")
    if encoders:
        files.append(_write_features(store, out / FEATURES_NAME, rows, encoders, cancel))
    progress(1.0, "manifest written")
    return files


def _rows(data: ExportData, with_predictions: bool) -> Iterator[_Row]:
    labels = data.label_names
    for video in data.videos:
        targets: list[Clip | None] = [None, *video.clips]
        for clip in targets:
            clip_id = clip.id if clip is not None else None
            chosen = [a for a in video.annotations if a.target.clip_id == clip_id and a.label in labels]
            annotators = sorted({a.annotator for a in chosen})
            if not annotators and clip is None:
                continue  # no scene row unless someone labelled the scene
            preds = _predictions(video, clip_id, labels) if with_predictions else ()
            for annotator in annotators or [""]:
                states = {a.label: _STATE_VALUE[a.state] for a in chosen if a.annotator == annotator}
                yield _Row(video, clip, annotator, tuple(states.get(n, -1) for n in labels), preds)


def _predictions(video: VideoData, clip_id: int | None, labels: tuple[str, ...]) -> tuple[float, ...]:
    if video.predictions is None:
        return tuple(float("nan") for _ in labels)
    scores = video.predictions.scene if clip_id is None else video.predictions.clips.get(clip_id, {})
    return tuple(float(scores.get(n, float("nan"))) for n in labels)


def _cells(row: _Row) -> list:
    clip, video = row.clip, row.video.video
    if clip is None:
        return [row.video.name, video.fingerprint, -1, -1, -1, 0.0, video.duration_s, ""]
    return [row.video.name, video.fingerprint, clip.index, clip.first_shot, clip.last_shot, clip.start_s, clip.end_s, clip.text]


def _write_csv(path: Path, header: list[str], rows: list[_Row], with_predictions: bool) -> Path:
    with atomic_writer(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            cells = [*_cells(row), *row.values, row.annotator, row.video.split]
            if with_predictions:
                cells += ["" if np.isnan(p) else repr(p) for p in row.predictions]
            writer.writerow([repr(c) if isinstance(c, float) else c for c in cells])
    return path


def _write_jsonl(path: Path, labels: tuple[str, ...], rows: list[_Row], with_predictions: bool) -> Path:
    with atomic_writer(path) as handle:
        for row in rows:
            obj = dict(zip(FIXED_COLUMNS, _cells(row)))
            obj["labels"] = dict(zip(labels, row.values))
            obj["annotator"], obj["split"] = row.annotator, row.video.split
            if with_predictions:
                obj["predictions"] = {n: (None if np.isnan(p) else p) for n, p in zip(labels, row.predictions)}
            handle.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return path


def _write_features(store: Store, path: Path, rows: list[_Row], encoders: tuple[tuple[str, str], ...], cancel: CancelToken) -> Path:
    from safetensors.numpy import save

    tensors: dict[str, np.ndarray] = {}
    for modality, encoder_id in encoders:
        cancel.check()
        vectors = [_feature(store, row, modality, encoder_id) for row in rows]
        dim = next((v.shape[0] for v in vectors if v is not None), 0)
        matrix = np.zeros((len(rows), dim), dtype=np.float32)
        present = np.zeros(len(rows), dtype=np.uint8)
        for i, vector in enumerate(vectors):
            if vector is not None and vector.shape == (dim,):
                matrix[i], present[i] = vector, 1
        tensors[modality], tensors[f"{modality}::present"] = matrix, present
    metadata = {"format": "hhir-manifest-features", "version": "1", "encoders": json.dumps(dict(encoders))}
    with atomic_writer(path, binary=True) as handle:
        handle.write(save(tensors, metadata=metadata))
    return path


def _feature(store: Store, row: _Row, modality: str, encoder_id: str) -> np.ndarray | None:
    from hhir.pipeline.feature_cache import feature_id

    if row.clip is None:
        return None
    key = feature_id(encoder_id, modality, row.clip.text)
    vector = store.feature(row.video.video.fingerprint, row.clip.start_s, row.clip.end_s, key)
    return None if vector is None else np.asarray(vector, dtype=np.float32).reshape(-1)
