"""Read a ``manifest`` export back: for training elsewhere and for ``hhir import``."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hhir.errors import ImportFormatError
from hhir.exchange.manifest import CSV_NAME, FEATURES_NAME, FIXED_COLUMNS, PRED_PREFIX, TAIL_COLUMNS
from hhir.exchange.model import ClipRef, ImportData, LabelRecord, VideoRef
from hhir.exchange.safety import MAX_IMPORT_BYTES, read_import_text
from hhir.types import AnnotationState

_VALUE_STATE = {1: AnnotationState.PRESENT, 0: AnnotationState.ABSENT}


@dataclass(frozen=True)
class ManifestRow:
    """One manifest row. ``values`` and ``predictions`` follow :attr:`Manifest.labels`.

    ``values``: 1 present, 0 absent, -1 unreviewed. ``predictions``: scores in [0, 1] (NaN where
    the model gave none), empty when the manifest was written without predictions.
    """

    video: str
    fingerprint: str
    clip_index: int
    first_shot: int
    last_shot: int
    start_s: float
    end_s: float
    text: str
    values: tuple[int, ...]
    annotator: str
    split: str
    predictions: tuple[float, ...] = ()

    @property
    def is_scene(self) -> bool:
        """True for a row that labels the whole video rather than one clip."""
        return self.clip_index < 0


@dataclass(frozen=True)
class Manifest:
    """A manifest read back.

    Attributes:
        labels: label names in column order.
        rows: the rows in file order.
        features: modality (``video``, ``text``, ``audio``) -> float32 ``(len(rows), dim)``;
            row i belongs to ``rows[i]`` (zeros where ``present`` is False, and for scene rows).
        present: modality -> bool ``(len(rows),)``, False where no feature was cached.
        encoders: modality -> the encoder id the features were computed with.
    """

    path: Path
    labels: tuple[str, ...]
    rows: tuple[ManifestRow, ...]
    features: dict[str, np.ndarray] = field(default_factory=dict, compare=False)
    present: dict[str, np.ndarray] = field(default_factory=dict, compare=False)
    encoders: dict[str, str] = field(default_factory=dict, compare=False)


def read_manifest(path: str | Path) -> Manifest:
    """Read a manifest folder (or its ``manifest.csv``) and the features beside it.

    Args:
        path: the folder written by ``hhir export --format manifest`` or its CSV file.

    Returns:
        A :class:`Manifest`; ``features`` is empty when the folder has no features file.

    Raises:
        ImportFormatError: naming the file and line for a missing column, a bad number, a label
            value other than 1/0/-1, or a features file that does not match the rows.
    """
    csv_path = Path(path) / CSV_NAME if Path(path).is_dir() else Path(path)
    labels, rows = _read_rows(csv_path)
    features, present, encoders = _read_features(csv_path.parent / FEATURES_NAME, len(rows))
    return Manifest(csv_path, labels, tuple(rows), features, present, encoders)


def _read_rows(path: Path) -> tuple[tuple[str, ...], list[ManifestRow]]:
    reader = csv.reader(io.StringIO(read_import_text(path), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFormatError(f"{path}: empty file, expected a manifest header") from None
    except csv.Error as exc:
        raise ImportFormatError(f"{path}: line 1: {exc}") from exc
    labels, preds = _parse_header(path, header)
    rows = []
    try:
        for cells in reader:
            if cells:
                rows.append(_parse_row(path, reader.line_num, header, cells, labels, preds))
    except csv.Error as exc:
        raise ImportFormatError(f"{path}: line {reader.line_num}: {exc}") from exc
    return labels, rows


def _parse_header(path: Path, header: list[str]) -> tuple[tuple[str, ...], bool]:
    missing = [c for c in (*FIXED_COLUMNS, *TAIL_COLUMNS) if c not in header]
    if missing:
        raise ImportFormatError(f"{path}: line 1: missing column(s) {', '.join(missing)}")
    if len(set(header)) != len(header):
        raise ImportFormatError(f"{path}: line 1: duplicate column names")
    fixed = {*FIXED_COLUMNS, *TAIL_COLUMNS}
    labels = tuple(c for c in header if c not in fixed and not c.startswith(PRED_PREFIX))
    preds = [c[len(PRED_PREFIX):] for c in header if c.startswith(PRED_PREFIX)]
    if preds and sorted(preds) != sorted(labels):
        raise ImportFormatError(f"{path}: line 1: prediction columns do not match the label columns")
    return labels, bool(preds)


def _parse_row(path: Path, line: int, header: list[str], cells: list[str], labels: tuple[str, ...], preds: bool) -> ManifestRow:
    if len(cells) != len(header):
        raise ImportFormatError(f"{path}: line {line}: {len(cells)} fields, expected {len(header)}")
    cell = dict(zip(header, cells))
    where = f"{path}: line {line}"
    return ManifestRow(
        video=cell["video"], fingerprint=cell["fingerprint"],
        clip_index=_int(where, "clip_index", cell["clip_index"]),
        first_shot=_int(where, "first_shot", cell["first_shot"]),
        last_shot=_int(where, "last_shot", cell["last_shot"]),
        start_s=_float(where, "start_s", cell["start_s"]), end_s=_float(where, "end_s", cell["end_s"]),
        text=cell["text"], values=tuple(_value(where, n, cell[n]) for n in labels),
        annotator=cell["annotator"], split=cell["split"],
        predictions=tuple(_score(where, n, cell[PRED_PREFIX + n]) for n in labels) if preds else (),
    )


def _int(where: str, column: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ImportFormatError(f"{where}: column {column}: {text!r} is not an integer") from None


def _float(where: str, column: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ImportFormatError(f"{where}: column {column}: {text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise ImportFormatError(f"{where}: column {column}: {text!r} is not a time in seconds")
    return value


def _value(where: str, label: str, text: str) -> int:
    if text.strip() not in ("1", "0", "-1"):
        raise ImportFormatError(f"{where}: label {label!r}: {text!r} is not 1, 0 or -1")
    return int(text)


def _score(where: str, label: str, text: str) -> float:
    if text == "":
        return float("nan")
    value = _float(where, PRED_PREFIX + label, text)
    if value > 1:
        raise ImportFormatError(f"{where}: column {PRED_PREFIX}{label}: {text!r} is not a score in [0, 1]")
    return value


def _read_features(path: Path, n_rows: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, str]]:
    if not path.exists():
        return {}, {}, {}
    from safetensors import SafetensorError, safe_open

    if not path.is_file() or path.stat().st_size > MAX_IMPORT_BYTES:
        raise ImportFormatError(f"{path}: not a file, or larger than {MAX_IMPORT_BYTES // 2**20} MiB")
    try:
        with safe_open(str(path), framework="numpy") as handle:
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118 - a safetensors handle, not a dict
            encoders = json.loads((handle.metadata() or {}).get("encoders", "{}"))
    except (SafetensorError, ValueError, OSError) as exc:
        raise ImportFormatError(f"{path}: not a readable manifest features file ({exc})") from exc
    features = {k: v for k, v in tensors.items() if not k.endswith("::present")}
    present = {}
    for key, matrix in features.items():
        mask = tensors.get(f"{key}::present")
        if matrix.ndim != 2 or matrix.shape[0] != n_rows or mask is None or mask.shape != (n_rows,):
            raise ImportFormatError(f"{path}: tensor {key!r} does not have one row per manifest row ({n_rows})")
        present[key] = mask.astype(bool)
    if not isinstance(encoders, dict):
        raise ImportFormatError(f"{path}: metadata 'encoders' is not a mapping")
    return features, present, {str(k): str(v) for k, v in encoders.items()}


def parse_manifest_labels(path: Path, annotator: str | None) -> ImportData:
    """The label states of a manifest as import records (-1 values are not imported)."""
    manifest = read_manifest(path)
    records = []
    for number, row in enumerate(manifest.rows, start=1):
        clip = None if row.is_scene else ClipRef(row.start_s, row.end_s, row.clip_index)
        who = annotator or row.annotator
        for label, value in zip(manifest.labels, row.values):
            if value != -1:
                where = f"{manifest.path}: row {number}"
                if not who:
                    raise ImportFormatError(f"{where}: a labelled row has no annotator (pass an annotator name)")
                records.append(LabelRecord(VideoRef(row.fingerprint, row.video), clip, label, _VALUE_STATE[value], who, where))
    return ImportData(labels=tuple(records), known_labels=manifest.labels)
