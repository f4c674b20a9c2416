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

Slot = tuple[str, bool, int | None, str]  # annotator, scene, clip id, label


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


class VideoRows:
    """One video's clips and annotations, loaded once per transaction and looked up by meaning.

    Batches (an import, undoing one) touch thousands of rows; one query each for clips and
    annotations, then dictionary lookups, keeps them to a single round of SQL.
    """

    def __init__(self, s: Session, video_id: int) -> None:
        self.s, self.video_id = s, video_id
        query = select(ClipRow).where(ClipRow.video_id == video_id).order_by(ClipRow.index, ClipRow.id)
        self.clips = list(s.scalars(query))
        self.clip_by_id = {c.id: c for c in self.clips}
        self._slots: dict[Slot, AnnotationRow] | None = None
        self._orphans: list[AnnotationRow] = []

    def resolve_clip(self, clip_id: int | None, start_s: float | None, end_s: float | None) -> int | None:
        """The current clip for a remembered (id, time range), or None when no clip has that range."""
        row = self.clip_by_id.get(clip_id) if clip_id is not None else None
        if row is not None and same_range(row.start_s, row.end_s, start_s, end_s):
            return row.id
        return next((c.id for c in self.clips if same_range(c.start_s, c.end_s, start_s, end_s)), None)

    def _annotations(self) -> dict[Slot, AnnotationRow]:
        if self._slots is None:
            self._slots = {}
            for row in self.s.scalars(select(AnnotationRow).where(AnnotationRow.video_id == self.video_id)):
                self._index(row)
        return self._slots

    def _index(self, row: AnnotationRow) -> None:
        if row.orphan:
            self._orphans.append(row)
        else:
            self._annotations()[(row.annotator, row.is_scene, row.clip_id, row.label)] = row

    def find_annotation(self, key: AnnotationKey) -> AnnotationRow | None:
        slots = self._annotations()
        if key.scene:
            return slots.get((key.annotator, True, None, key.label))
        clip_id = self.resolve_clip(key.clip_id, key.start_s, key.end_s)
        if clip_id is not None:
            return slots.get((key.annotator, False, clip_id, key.label))
        same = (r for r in self._orphans if r.label == key.label and r.annotator == key.annotator)
        return next((r for r in same if same_range(r.start_s, r.end_s, key.start_s, key.end_s)), None)

    def read_annotation(self, key: AnnotationKey) -> AnnotationValue | None:
        row = self.find_annotation(key)
        if row is None:
            return None
        return AnnotationValue(state=row.state, source=row.source, created_at=row.created_at, updated_at=row.updated_at)

    def write_annotation(self, key: AnnotationKey, value: AnnotationValue | None) -> None:
        row = self.find_annotation(key)
        if value is None:
            if row is not None:
                self._forget(row)
                self.s.delete(row)
            return
        if row is None:
            clip_id = None if key.scene else self.resolve_clip(key.clip_id, key.start_s, key.end_s)
            row = AnnotationRow(
                video_id=key.video_id, clip_id=clip_id, is_scene=key.scene, orphan=not key.scene and clip_id is None,
                start_s=key.start_s, end_s=key.end_s, label=key.label, annotator=key.annotator,
            )
            self.s.add(row)
            self._index(row)
        row.state, row.source, row.created_at, row.updated_at = value.state, value.source, value.created_at, value.updated_at

    def _forget(self, row: AnnotationRow) -> None:
        if row.orphan:
            self._orphans.remove(row)
        else:
            del self._annotations()[(row.annotator, row.is_scene, row.clip_id, row.label)]

    def _find_review(self, key: ReviewKey) -> tuple[ReviewRow | None, int | None, bool]:
        """(row, clip id, whether the target exists now)."""
        query = select(ReviewRow).where(ReviewRow.video_id == key.video_id, ReviewRow.annotator == key.annotator)
        if key.scene:
            return self.s.scalars(query.where(ReviewRow.clip_id.is_(None))).first(), None, True
        clip_id = self.resolve_clip(key.clip_id, key.start_s, key.end_s)
        if clip_id is None:
            return None, None, False
        return self.s.scalars(query.where(ReviewRow.clip_id == clip_id)).first(), clip_id, True

    def read_review(self, key: ReviewKey) -> ReviewValue | None:
        row, _, _ = self._find_review(key)
        return None if row is None else ReviewValue(reviewed_at=row.reviewed_at)

    def write_review(self, key: ReviewKey, value: ReviewValue | None) -> None:
        row, clip_id, exists = self._find_review(key)
        if not exists:  # the clip is gone: its review status went with it
            return
        if value is None:
            if row is not None:
                self.s.delete(row)
                self.s.flush()
            return
        if row is None:
            row = ReviewRow(video_id=key.video_id, clip_id=clip_id, annotator=key.annotator)
            self.s.add(row)
        row.reviewed_at = value.reviewed_at
        self.s.flush()

    def read_segment(self, key: SegmentKey) -> SegmentValue | None:
        row = self.s.get(SegmentRow, key.segment_id)
        return None if row is None or row.video_id != self.video_id else SegmentValue(text=row.text, original_text=row.original_text)

    def write_segment(self, key: SegmentKey, value: SegmentValue | None) -> None:
        row = self.s.get(SegmentRow, key.segment_id)
        if row is None or row.video_id != self.video_id or value is None:  # replaced since: nothing to restore
            return
        row.text, row.original_text = value.text, value.original_text
