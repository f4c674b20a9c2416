"""Clips: rebuilding them without losing a person's annotations."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hhir.errors import StoreError
from hhir.store.common import same_range, video_row
from hhir.store.schema import AnnotationRow, ClipRow, SegmentRow
from hhir.types import Clip


def to_clip(row: ClipRow) -> Clip:
    return Clip(
        index=row.index, first_shot=row.first_shot, last_shot=row.last_shot, start_s=row.start_s, end_s=row.end_s,
        start_frame=row.start_frame, end_frame=row.end_frame, text=row.text, id=row.id,
    )


_CLIP_COLUMNS = (ClipRow.index, ClipRow.first_shot, ClipRow.last_shot, ClipRow.start_s, ClipRow.end_s, ClipRow.start_frame,
                 ClipRow.end_frame, ClipRow.text, ClipRow.id)


def clips(s: Session, video_id: int) -> list[Clip]:
    # Plain tuples, not ORM rows: a film has ~20,000 clips and an ORM object costs ~40 µs each.
    query = select(*_CLIP_COLUMNS).where(ClipRow.video_id == video_id).order_by(ClipRow.index, ClipRow.id)
    return [Clip(*row) for row in s.execute(query).tuples()]


def clip(s: Session, video_id: int, clip_id: int) -> Clip | None:
    """One clip of the video by id (None: it has no such clip)."""
    row = s.execute(select(*_CLIP_COLUMNS).where(ClipRow.video_id == video_id, ClipRow.id == clip_id)).tuples().first()
    return Clip(*row) if row is not None else None


def clip_count(s: Session, video_id: int) -> int:
    return s.scalar(select(func.count(ClipRow.id)).where(ClipRow.video_id == video_id)) or 0


def _fill(row: ClipRow, clip: Clip) -> None:
    row.index, row.first_shot, row.last_shot = clip.index, clip.first_shot, clip.last_shot
    row.start_s, row.end_s = float(clip.start_s), float(clip.end_s)
    row.start_frame, row.end_frame = int(clip.start_frame), int(clip.end_frame)
    row.text = clip.text


def _orphan(s: Session, clip: ClipRow) -> None:
    for ann in s.scalars(select(AnnotationRow).where(AnnotationRow.clip_id == clip.id)):
        ann.clip_id, ann.orphan, ann.start_s, ann.end_s = None, True, clip.start_s, clip.end_s


def _reattach(s: Session, video_id: int, rows: list[ClipRow]) -> None:
    """Give orphans back to a clip with their time range, unless that clip has the same decision."""
    query = select(AnnotationRow).where(AnnotationRow.video_id == video_id, AnnotationRow.orphan.is_(True))
    for ann in s.scalars(query).all():
        clip = next((r for r in rows if same_range(r.start_s, r.end_s, ann.start_s, ann.end_s)), None)
        if clip is None:
            continue
        taken = select(AnnotationRow.id).where(
            AnnotationRow.clip_id == clip.id, AnnotationRow.label == ann.label, AnnotationRow.annotator == ann.annotator
        )
        if s.scalar(taken) is None:
            ann.clip_id, ann.orphan, ann.start_s, ann.end_s = clip.id, False, clip.start_s, clip.end_s
            s.flush()


def set_clips(s: Session, video_id: int, new: list[Clip]) -> list[Clip]:
    """Replace the clips of a video.

    A new clip with the time range of an old one (within 1 ms) keeps the old row, hence its id,
    annotations, review status and predictions. Annotations of the other old clips become orphans
    (never deleted); their predictions and review status go with the clip.
    """
    video_row(s, video_id)
    for clip in new:
        if not clip.end_s > clip.start_s or clip.start_s < 0:
            raise StoreError(f"clip {clip.index} of video {video_id} has an empty or negative time range")
    old = list(s.scalars(select(ClipRow).where(ClipRow.video_id == video_id)))
    kept: list[ClipRow] = []
    for clip in new:
        row = next((r for r in old if same_range(r.start_s, r.end_s, clip.start_s, clip.end_s)), None)
        if row is None:
            row = ClipRow(video_id=video_id)
            s.add(row)
        else:
            old.remove(row)
        _fill(row, clip)
        kept.append(row)
    for row in old:
        _orphan(s, row)
        s.delete(row)
    s.flush()
    _reattach(s, video_id, kept)
    return [to_clip(r) for r in kept]


def set_clip_texts(s: Session, video_id: int, texts: dict[int, str]) -> None:
    rows = {r.id: r for r in s.scalars(select(ClipRow).where(ClipRow.video_id == video_id))}
    missing = sorted(set(texts) - set(rows))
    if missing:
        raise StoreError(f"video {video_id} has no clips with ids {missing}")
    for clip_id, text in texts.items():
        rows[clip_id].text = text


def refresh_clip_texts(s: Session, video_id: int) -> None:
    """Recompute every clip's text from the transcript as it is now (after a correction or its undo)."""
    from hhir.segment.clips import clip_text

    segments = list(s.scalars(select(SegmentRow).where(SegmentRow.video_id == video_id)))
    for row in s.scalars(select(ClipRow).where(ClipRow.video_id == video_id)):
        row.text = clip_text(row, segments)
