"""Row snapshots for the undo log: read the current value of a keyed row, or write one back.

A key names a row by meaning (video, clip and its time range, label, annotator), not by row id,
so an undo still finds its row after the clips were rebuilt: by clip id while that clip still
has the same time range, else by time range, else as an orphan annotation.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.store.common import same_range
from core.store.schema import AnnotationRow, ClipRow, ReviewRow, SegmentRow


@dataclass(frozen=True)
class AnnotationKey:
    video_id: int
    scene: bool
    clip_id: int | None
    start_s: float | None
    end_s: float | None
    label: str
    annotator: str


@dataclass(frozen=True)
class AnnotationValue:
    state: str
    source: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class ReviewKey:
    video_id: int
    scene: bool
    clip_id: int | None
    start_s: float | None
    end_s: float | None
    annotator: str


@dataclass(frozen=True)
class ReviewValue:
    reviewed_at: str


@dataclass(frozen=True)
class SegmentKey:
    segment_id: int


@dataclass(frozen=True)
class SegmentValue:
    text: str
    original_text: str | None


def resolve_clip(s: Session, video_id: int, clip_id: int | None, start_s: float | None, end_s: float | None) -> int | None:
    """The current clip for a remembered (id, time range), or None when no clip has that range."""
    row = s.get(ClipRow, clip_id) if clip_id is not None else None
    if row is not None and row.video_id == video_id and same_range(row.start_s, row.end_s, start_s, end_s):
        return row.id
    for clip in s.scalars(select(ClipRow).where(ClipRow.video_id == video_id).order_by(ClipRow.index)):
        if same_range(clip.start_s, clip.end_s, start_s, end_s):
            return clip.id
    return None


def find_annotation(s: Session, key: AnnotationKey) -> AnnotationRow | None:
    query = select(AnnotationRow).where(
        AnnotationRow.video_id == key.video_id, AnnotationRow.label == key.label, AnnotationRow.annotator == key.annotator
    )
    if key.scene:
        return s.scalars(query.where(AnnotationRow.is_scene.is_(True))).first()
    clip_id = resolve_clip(s, key.video_id, key.clip_id, key.start_s, key.end_s)
    if clip_id is not None:
        return s.scalars(query.where(AnnotationRow.clip_id == clip_id)).first()
    for row in s.scalars(query.where(AnnotationRow.orphan.is_(True))):
        if same_range(row.start_s, row.end_s, key.start_s, key.end_s):
            return row
    return None


def read_annotation(s: Session, key: AnnotationKey) -> AnnotationValue | None:
    row = find_annotation(s, key)
    if row is None:
        return None
    return AnnotationValue(state=row.state, source=row.source, created_at=row.created_at, updated_at=row.updated_at)


def write_annotation(s: Session, key: AnnotationKey, value: AnnotationValue | None) -> None:
    row = find_annotation(s, key)
    if value is None:
        if row is not None:
            s.delete(row)
            s.flush()
        return
    if row is None:
        clip_id = None if key.scene else resolve_clip(s, key.video_id, key.clip_id, key.start_s, key.end_s)
        row = AnnotationRow(
            video_id=key.video_id, clip_id=clip_id, is_scene=key.scene, orphan=not key.scene and clip_id is None,
            start_s=key.start_s, end_s=key.end_s, label=key.label, annotator=key.annotator,
        )
        s.add(row)
    row.state, row.source, row.created_at, row.updated_at = value.state, value.source, value.created_at, value.updated_at
    s.flush()


def find_review(s: Session, key: ReviewKey) -> tuple[ReviewRow | None, int | None, bool]:
    """(row, clip id, whether the target exists now)."""
    query = select(ReviewRow).where(ReviewRow.video_id == key.video_id, ReviewRow.annotator == key.annotator)
    if key.scene:
        return s.scalars(query.where(ReviewRow.clip_id.is_(None))).first(), None, True
    clip_id = resolve_clip(s, key.video_id, key.clip_id, key.start_s, key.end_s)
    if clip_id is None:
        return None, None, False
    return s.scalars(query.where(ReviewRow.clip_id == clip_id)).first(), clip_id, True


def read_review(s: Session, key: ReviewKey) -> ReviewValue | None:
    row, _, _ = find_review(s, key)
    return None if row is None else ReviewValue(reviewed_at=row.reviewed_at)


def write_review(s: Session, key: ReviewKey, value: ReviewValue | None) -> None:
    row, clip_id, exists = find_review(s, key)
    if not exists:  # the clip is gone: its review status went with it
        return
    if value is None:
        if row is not None:
            s.delete(row)
            s.flush()
        return
    if row is None:
        row = ReviewRow(video_id=key.video_id, clip_id=clip_id, annotator=key.annotator)
        s.add(row)
    row.reviewed_at = value.reviewed_at
    s.flush()


def read_segment(s: Session, key: SegmentKey) -> SegmentValue | None:
    row = s.get(SegmentRow, key.segment_id)
    return None if row is None else SegmentValue(text=row.text, original_text=row.original_text)


def write_segment(s: Session, key: SegmentKey, value: SegmentValue | None) -> None:
    row = s.get(SegmentRow, key.segment_id)
    if row is None or value is None:  # the transcript was replaced since: nothing to restore
        return
    row.text, row.original_text = value.text, value.original_text
    s.flush()
