"""Shot corrections as one transaction and one undo step: shots, rebuilt clips, their texts, the
stage marks, and the review marks of clips the edit removes (so an undo brings them back).

Annotations need no snapshot: clips that disappear leave theirs as orphans with their time range,
and a clip with that range coming back (an undo, a redo) takes them back (``repo_clips``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hhir.store import repo_clips, repo_media, rows
from hhir.store.common import same_range
from hhir.store.schema import ClipRow, ReviewRow
from hhir.types import Clip, Shot

USER_SET = "user"  # the shots stage's params when a person set the shots (see hhir.pipeline.run)


@dataclass(frozen=True)
class ShotsKey:
    video_id: int
    clip_size: int
    clip_stride: int
    clips_params: str  # the clips stage's params the rebuilt clips are marked with


@dataclass(frozen=True)
class ShotsValue:
    shots: list[list[float]]  # [start_frame, end_frame, start_s, end_s] per shot
    reviews: list[list]  # [start_s, end_s, annotator, reviewed_at] of clips this state has and the other lacks


def encode_shots(shots: list[Shot]) -> list[list[float]]:
    return [[s.start_frame, s.end_frame, s.start_s, s.end_s] for s in shots]


def _decode_shots(value: ShotsValue) -> list[Shot]:
    return [Shot(i, int(a), int(b), float(sa), float(sb)) for i, (a, b, sa, sb) in enumerate(value.shots)]


def _clip_reviews(s: Session, video_id: int, gone: list[ClipRow]) -> list[list]:
    """The review marks of clips about to disappear, by time range."""
    by_id = {c.id: c for c in gone}
    if not by_id:
        return []
    query = select(ReviewRow).where(ReviewRow.video_id == video_id, ReviewRow.clip_id.in_(list(by_id)))
    return [[by_id[r.clip_id].start_s, by_id[r.clip_id].end_s, r.annotator, r.reviewed_at] for r in s.scalars(query)]


def rebuild(s: Session, key: ShotsKey, shots: list[Shot], reviews: list[list]) -> tuple[list[Clip], list[list]]:
    """Store ``shots``, rebuild the clips, restore ``reviews`` on clips with their range.

    Returns the stored clips and the review marks of the clips that went away.
    """
    from hhir.segment.clips import build_clips

    new = build_clips(shots, size=key.clip_size, stride=key.clip_stride)
    old = list(s.scalars(select(ClipRow).where(ClipRow.video_id == key.video_id)))
    gone = [r for r in old if not any(same_range(r.start_s, r.end_s, c.start_s, c.end_s) for c in new)]
    lost_reviews = _clip_reviews(s, key.video_id, gone)
    repo_media.set_shots(s, key.video_id, shots)
    s.flush()
    stored = repo_clips.set_clips(s, key.video_id, new)
    repo_clips.refresh_clip_texts(s, key.video_id)
    repo_media.mark_stage(s, key.video_id, "shots", USER_SET)
    repo_media.mark_stage(s, key.video_id, "clips", key.clips_params)
    _restore_reviews(s, key.video_id, stored, reviews)
    s.flush()
    return repo_clips.clips(s, key.video_id), lost_reviews


def _restore_reviews(s: Session, video_id: int, clips: list[Clip], reviews: list[list]) -> None:
    for start_s, end_s, annotator, reviewed_at in reviews:
        clip = next((c for c in clips if same_range(c.start_s, c.end_s, start_s, end_s)), None)
        if clip is None:
            continue
        taken = select(ReviewRow.id).where(ReviewRow.clip_id == clip.id, ReviewRow.annotator == annotator)
        if s.scalar(taken) is None:
            s.add(ReviewRow(video_id=video_id, clip_id=clip.id, annotator=annotator, reviewed_at=reviewed_at))


def write_shots(video: rows.VideoRows, key: ShotsKey, value: ShotsValue | None) -> None:
    """Undo/redo side: put the shots of ``value`` back and rebuild the clips from them."""
    if value is None:
        return
    rebuild(video.s, key, _decode_shots(value), value.reviews)
