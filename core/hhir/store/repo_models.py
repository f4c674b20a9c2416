"""Label set, model registry, predictions and the feature cache."""

from __future__ import annotations

import math
from collections.abc import Collection

import numpy as np
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hhir.errors import StoreError
from hhir.store.common import now_iso, video_row
from hhir.store.schema import ClipRow, FeatureRow, LabelRow, ModelRow, PredictionRow
from hhir.types import LabelDef, ModelInfo, Predictions

MODEL_KINDS = ("starter", "trained", "imported")


def labels(s: Session) -> list[LabelDef]:
    rows = s.scalars(select(LabelRow).order_by(LabelRow.position, LabelRow.id))
    return [LabelDef(name=r.name, description=r.description, key=r.key) for r in rows]


def label_times(s: Session) -> dict[str, str | None]:
    """Label name -> when it was added (None: before creation times were kept, as old as any review)."""
    return {r.name: r.created_at for r in s.scalars(select(LabelRow))}


def add_label(s: Session, label: LabelDef) -> None:
    """Add a label, or update the description and key of an existing one with that name."""
    if not label.name.strip():
        raise StoreError("a label needs a name")
    row = s.scalars(select(LabelRow).where(LabelRow.name == label.name)).first()
    if row is None:
        position = (s.scalar(select(func.max(LabelRow.position))) or 0) + 1
        row = LabelRow(name=label.name, position=position, created_at=now_iso())
        s.add(row)
    row.description, row.key = label.description, label.key


def to_model(row: ModelRow) -> ModelInfo:
    return ModelInfo(
        id=row.id, kind=row.kind, path=row.path, parent=row.parent, created_at=row.created_at,
        active=row.active, metrics=dict(row.metrics or {}),
    )


def register_model(s: Session, info: ModelInfo, label_set: list[str] | None) -> ModelInfo:
    if info.kind not in MODEL_KINDS:
        raise StoreError(f"model {info.id!r}: kind must be one of {', '.join(MODEL_KINDS)}, not {info.kind!r}")
    if not info.id:
        raise StoreError("a model needs an id")
    row = s.get(ModelRow, info.id)
    if row is None:
        row = ModelRow(id=info.id, created_at=info.created_at or now_iso(), active=False, label_set=[])
        s.add(row)
    row.kind, row.path, row.parent, row.metrics = info.kind, info.path, info.parent, dict(info.metrics)
    if label_set is not None:
        row.label_set = list(label_set)
    s.flush()
    return to_model(row)


def models(s: Session) -> list[ModelInfo]:
    return [to_model(r) for r in s.scalars(select(ModelRow).order_by(ModelRow.created_at, ModelRow.id))]


def model(s: Session, model_id: str) -> ModelInfo | None:
    row = s.get(ModelRow, model_id)
    return None if row is None else to_model(row)


def active_model(s: Session) -> ModelInfo | None:
    row = s.scalars(select(ModelRow).where(ModelRow.active.is_(True))).first()
    return None if row is None else to_model(row)


def activate(s: Session, model_id: str | None) -> None:
    if model_id is not None and s.get(ModelRow, model_id) is None:
        raise StoreError(f"no model {model_id!r} in this project")
    s.execute(update(ModelRow).where(ModelRow.active.is_(True)).values(active=False))
    s.flush()  # the partial unique index allows one active row at a time
    if model_id is not None:
        s.execute(update(ModelRow).where(ModelRow.id == model_id).values(active=True))


def _probability(model_id: str, label: str, value: float) -> float:
    p = float(value)
    if not math.isfinite(p) or not 0.0 <= p <= 1.0:
        raise StoreError(f"model {model_id!r}: probability of {label!r} must be in [0, 1], got {value!r}")
    return p


def set_predictions(s: Session, model_id: str, video_id: int, scene: dict[str, float], clips: dict[int, dict[str, float]]) -> None:
    video_row(s, video_id)
    if s.get(ModelRow, model_id) is None:
        raise StoreError(f"no model {model_id!r} in this project; register it before storing its predictions")
    clip_ids = set(s.scalars(select(ClipRow.id).where(ClipRow.video_id == video_id)))
    missing = sorted(set(clips) - clip_ids)
    if missing:
        raise StoreError(f"video {video_id} has no clips with ids {missing}")
    s.execute(delete(PredictionRow).where(PredictionRow.model_id == model_id, PredictionRow.video_id == video_id))
    values = [dict(model_id=model_id, video_id=video_id, clip_id=None, label=k, probability=_probability(model_id, k, v)) for k, v in scene.items()]
    for clip_id, scores in clips.items():
        values += [dict(model_id=model_id, video_id=video_id, clip_id=clip_id, label=k, probability=_probability(model_id, k, v))
                   for k, v in scores.items()]
    if values:
        s.execute(insert(PredictionRow), values)


def predictions(s: Session, video_id: int, model_id: str | None, clip_ids: Collection[int] | None = None) -> Predictions | None:
    """The video's scores by ``model_id`` (None: the active model); with ``clip_ids`` only those
    clips' and the scene's (one indexed read instead of the film's ~140,000 scores)."""
    row = s.get(ModelRow, model_id) if model_id is not None else s.scalars(select(ModelRow).where(ModelRow.active.is_(True))).first()
    if row is None:
        return None
    # Plain tuples, not ORM rows: a film has ~140,000 scores and an ORM object costs ~85 µs each.
    cols = (PredictionRow.clip_id, PredictionRow.label, PredictionRow.probability)
    query = select(*cols).where(PredictionRow.model_id == row.id, PredictionRow.video_id == video_id)
    if clip_ids is not None:
        query = query.where(PredictionRow.clip_id.in_(sorted(clip_ids)) | PredictionRow.clip_id.is_(None))
    found = s.execute(query).all()
    if not found:
        return None
    scene: dict[str, float] = {}
    clips: dict[int, dict[str, float]] = {}
    for clip_id, label, probability in found:
        (scene if clip_id is None else clips.setdefault(clip_id, {}))[label] = probability
    return Predictions(model=to_model(row), scene=scene, clips=clips)


def has_predictions(s: Session, video_id: int, model_id: str | None) -> bool:
    row_id = model_id if model_id is not None else s.scalar(select(ModelRow.id).where(ModelRow.active.is_(True)))
    if row_id is None:
        return False
    query = select(PredictionRow.id).where(PredictionRow.model_id == row_id, PredictionRow.video_id == video_id).limit(1)
    return s.scalar(query) is not None


def _ms(seconds: float) -> int:
    return int(round(float(seconds) * 1000))


def feature(s: Session, fingerprint: str, start_s: float, end_s: float, encoder_id: str) -> np.ndarray | None:
    query = select(FeatureRow).where(
        FeatureRow.fingerprint == fingerprint, FeatureRow.start_ms == _ms(start_s), FeatureRow.end_ms == _ms(end_s),
        FeatureRow.encoder_id == encoder_id,
    )
    row = s.scalars(query).first()
    if row is None:
        return None
    return np.frombuffer(row.data, dtype=np.dtype(row.dtype)).reshape(row.dim).copy()


def put_features(s: Session, items: list[tuple[str, float, float, str, np.ndarray]]) -> None:
    values = []
    for fingerprint, start_s, end_s, encoder_id, vector in items:
        array = np.ascontiguousarray(vector, dtype="<f4")
        if array.ndim != 1 or not np.all(np.isfinite(array)):
            raise StoreError(f"feature of encoder {encoder_id!r} must be a finite 1-D vector, got shape {np.shape(vector)}")
        values.append(dict(
            fingerprint=fingerprint, start_ms=_ms(start_s), end_ms=_ms(end_s), encoder_id=encoder_id,
            dim=int(array.shape[0]), dtype="<f4", data=array.tobytes(),
        ))
    if not values:
        return
    key = ["fingerprint", "start_ms", "end_ms", "encoder_id"]
    # PostgreSQL sends the rows as one multi-row INSERT, which may not hit one key twice: last wins.
    values = list({tuple(v[k] for k in key): v for v in values}.values())
    stmt = (pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert)(FeatureRow)
    s.execute(stmt.on_conflict_do_update(index_elements=key, set_={c: stmt.excluded[c] for c in ("dim", "dtype", "data")}), values)


def features_of(s: Session, fingerprint: str, wanted: list[tuple[float, float, str]],
                with_data: bool) -> dict[tuple[float, float, str], np.ndarray | None]:
    """The cached rows among ``wanted`` in one query per encoder (an id, or its ``id#…`` text variants)."""
    bases = sorted({encoder_id.split("#", 1)[0] for _, _, encoder_id in wanted})
    by_key = {(_ms(a), _ms(b), e): (a, b, e) for a, b, e in wanted}
    cols = [FeatureRow.start_ms, FeatureRow.end_ms, FeatureRow.encoder_id]
    cols += [FeatureRow.dim, FeatureRow.dtype, FeatureRow.data] if with_data else []
    found: dict[tuple[float, float, str], np.ndarray | None] = {}
    for base in bases:
        # = base, or base + "#<text hash>": substr, not LIKE, whose _ and % would be wildcards in ids
        match = (FeatureRow.encoder_id == base) | (func.substr(FeatureRow.encoder_id, 1, len(base) + 1) == base + "#")
        for row in s.execute(select(*cols).where(FeatureRow.fingerprint == fingerprint, match)):
            key = by_key.get((row[0], row[1], row[2]))
            if key is not None:
                found[key] = np.frombuffer(row[5], dtype=np.dtype(row[4])).reshape(row[3]).copy() if with_data else None
    return found

