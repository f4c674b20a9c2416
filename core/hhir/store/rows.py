"""Row snapshots for the undo log: read the current value of a keyed row, or write one back.

A key names a row by meaning (video, clip and its time range, label, annotator), not by row id,
so an undo still finds its row after the clips were rebuilt: by clip id while that clip still
has the same time range, else by time range, else as an orphan annotation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hhir.store.common import same_range
from hhir.store.schema import AnnotationRow, ClipRow, ReviewRow, SegmentRow

Slot = tuple[str, bool, int | None, str]  # annotator, scene, clip id, label
CHUNK = 500  # ids per IN (...) query, well under SQLite's parameter limit


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


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
    """One video's clips and annotations for one transaction, looked up by meaning.

    A batch (an import, or undoing one) loads the rows of all its keys with a few IN queries, then
    works on dictionaries; a single edit loads just its own row. Either way the cost follows the
    size of the edit, not of the video.
    """

    def __init__(self, s: Session, video_id: int) -> None:
        self.s, self.video_id = s, video_id
        self._clip_by_id: dict[int, ClipRow] = {}
        self._all_clips: list[ClipRow] | None = None
        self._slots: dict[Slot, AnnotationRow] = {}
        self._orphans: list[AnnotationRow] = []
        self._loaded: set[tuple[str, str, int | None]] = set()  # (annotator, label, clip id or None)

    def clip(self, clip_id: int) -> ClipRow | None:
        """The clip with this id if it belongs to this video."""
        if clip_id not in self._clip_by_id:
            self._load_clips([clip_id])
        return self._clip_by_id.get(clip_id)

    def _load_clips(self, ids: Iterable[int]) -> None:
        missing = sorted(set(ids) - set(self._clip_by_id))
        for chunk in _chunks(missing):
            query = select(ClipRow).where(ClipRow.video_id == self.video_id, ClipRow.id.in_(chunk))
            self._clip_by_id.update((c.id, c) for c in self.s.scalars(query))

    def _clips(self) -> list[ClipRow]:
        if self._all_clips is None:
            query = select(ClipRow).where(ClipRow.video_id == self.video_id).order_by(ClipRow.index, ClipRow.id)
            self._all_clips = list(self.s.scalars(query))
            self._clip_by_id.update((c.id, c) for c in self._all_clips)
        return self._all_clips

    def resolve_clip(self, clip_id: int | None, start_s: float | None, end_s: float | None) -> int | None:
        """The current clip for a remembered (id, time range), or None when no clip has that range."""
        row = self.clip(clip_id) if clip_id is not None else None
        if row is not None and same_range(row.start_s, row.end_s, start_s, end_s):
            return row.id
        return next((c.id for c in self._clips() if same_range(c.start_s, c.end_s, start_s, end_s)), None)

    def _where(self, key: AnnotationKey) -> int | None:
        return None if key.scene else self.resolve_clip(key.clip_id, key.start_s, key.end_s)

    def preload(self, keys: list[AnnotationKey]) -> None:
        """Load the annotation rows of many keys at once (scene and orphan rows of their labels too)."""
        self._load_clips(k.clip_id for k in keys if k.clip_id is not None)
        wanted = {(k.annotator, k.label, self._where(k)) for k in keys} - self._loaded
        if not wanted:
            return
        annotators, labels = {w[0] for w in wanted}, {w[1] for w in wanted}
        base = select(AnnotationRow).where(
            AnnotationRow.video_id == self.video_id, AnnotationRow.annotator.in_(annotators), AnnotationRow.label.in_(labels)
        )
        found = list(self.s.scalars(base.where(AnnotationRow.clip_id.is_(None))))
        for chunk in _chunks(sorted({w[2] for w in wanted if w[2] is not None})):
            found += self.s.scalars(base.where(AnnotationRow.clip_id.in_(chunk)))
        for row in found:
            if (row.annotator, row.label, row.clip_id) not in self._loaded:
                self._index(row)
        self._loaded |= wanted | {(a, lb, None) for a, lb, _ in wanted}

    def _index(self, row: AnnotationRow) -> None:
        if row.orphan:
            if row not in self._orphans:  # a wider query may return an orphan already held
                self._orphans.append(row)
        else:
            self._slots[(row.annotator, row.is_scene, row.clip_id, row.label)] = row

    def find_annotation(self, key: AnnotationKey) -> AnnotationRow | None:
        self.preload([key])
        if key.scene:
            return self._slots.get((key.annotator, True, None, key.label))
        clip_id = self._where(key)
        if clip_id is not None:
            return self._slots.get((key.annotator, False, clip_id, key.label))
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
            clip_id = self._where(key)
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
            del self._slots[(row.annotator, row.is_scene, row.clip_id, row.label)]

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

    def write_segment(self, key: SegmentKey, value: SegmentValue | None) -> None:
        row = self.s.get(SegmentRow, key.segment_id)
        if row is None or row.video_id != self.video_id or value is None:  # replaced since: nothing to restore
            return
        row.text, row.original_text = value.text, value.original_text
