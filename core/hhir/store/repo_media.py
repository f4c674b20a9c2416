"""Videos, stage bookkeeping, frame indexes, shots and transcript segments."""

from __future__ import annotations

import zlib
from fractions import Fraction

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hhir.errors import StoreError
from hhir.media.frame_index import FileState, FrameIndex
from hhir.store.common import now_iso, same_range, video_row
from hhir.store.schema import FrameIndexRow, SegmentRow, ShotRow, StageRow, VideoRow
from hhir.types import Shot, TranscriptSegment, Video, VideoInfo


def to_video(row: VideoRow) -> Video:
    return Video(
        id=row.id, path=row.path, fingerprint=row.fingerprint, duration_s=row.duration_s, fps=row.fps,
        frame_count=row.frame_count, width=row.width, height=row.height, has_audio=row.has_audio,
    )


def add_video(s: Session, info: VideoInfo) -> Video:
    if not info.fingerprint:
        raise StoreError(f"{info.path}: cannot add a video without a content fingerprint")
    row = s.scalars(select(VideoRow).where(VideoRow.fingerprint == info.fingerprint)).first()
    if row is None:
        row = VideoRow(fingerprint=info.fingerprint, added_at=now_iso())
        s.add(row)
    # The same content under a new path (moved or renamed) keeps its annotations.
    row.path, row.duration_s, row.fps = str(info.path), float(info.duration_s), float(info.fps)
    row.frame_count, row.width, row.height = int(info.frame_count), int(info.width), int(info.height)
    row.has_audio = bool(info.has_audio)
    s.flush()
    return to_video(row)


def videos(s: Session) -> list[Video]:
    return [to_video(r) for r in s.scalars(select(VideoRow).order_by(VideoRow.id))]


def video_by_fingerprint(s: Session, fingerprint: str) -> Video | None:
    row = s.scalars(select(VideoRow).where(VideoRow.fingerprint == fingerprint)).first()
    return None if row is None else to_video(row)


def stage_done(s: Session, video_id: int, stage: str, params: str) -> bool:
    query = select(StageRow.params).where(StageRow.video_id == video_id, StageRow.stage == stage)
    return s.scalars(query).first() == params


def mark_stage(s: Session, video_id: int, stage: str, params: str) -> None:
    video_row(s, video_id)
    row = s.scalars(select(StageRow).where(StageRow.video_id == video_id, StageRow.stage == stage)).first()
    if row is None:
        row = StageRow(video_id=video_id, stage=stage)
        s.add(row)
    row.params, row.done_at = params, now_iso()


def stage_params(s: Session, stage: str) -> dict[int, str]:
    rows = s.scalars(select(StageRow).where(StageRow.stage == stage))
    return {row.video_id: row.params for row in rows}


def clear_stages(s: Session, video_id: int, stages: list[str] | None) -> None:
    query = delete(StageRow).where(StageRow.video_id == video_id)
    if stages is not None:
        query = query.where(StageRow.stage.in_(stages))
    s.execute(query)


def set_frame_index(s: Session, video_id: int, index: FrameIndex, state: FileState) -> None:
    video_row(s, video_id)
    row = s.get(FrameIndexRow, video_id)
    if row is None:
        row = FrameIndexRow(video_id=video_id)
        s.add(row)
    row.frame_count, row.pts = index.frame_count, index.pack()
    row.time_base_num, row.time_base_den = index.time_base.numerator, index.time_base.denominator
    row.origin_us, row.last_duration = int(index.origin_us), int(index.last_duration)
    row.file_size, row.file_mtime_ns, row.fingerprint = int(state.size), int(state.mtime_ns), state.fingerprint
    row.built_at = now_iso()


def frame_index(s: Session, video_id: int) -> tuple[FrameIndex, FileState] | None:
    row = s.get(FrameIndexRow, video_id)
    if row is None:
        return None
    try:
        index = FrameIndex.unpack(row.pts, row.frame_count, Fraction(row.time_base_num, row.time_base_den),
                                  row.origin_us, row.last_duration)
    except (ValueError, ZeroDivisionError, zlib.error):
        return None  # damaged: it is decoded again
    return index, FileState(row.file_size, row.file_mtime_ns, row.fingerprint)


def set_shots(s: Session, video_id: int, shots: list[Shot]) -> None:
    video_row(s, video_id)
    s.execute(delete(ShotRow).where(ShotRow.video_id == video_id))
    s.add_all(
        ShotRow(video_id=video_id, index=sh.index, start_frame=sh.start_frame, end_frame=sh.end_frame, start_s=sh.start_s, end_s=sh.end_s)
        for sh in shots
    )


def shots(s: Session, video_id: int) -> list[Shot]:
    # columns, not ORM rows: a long film's 2,000 shots load in a few ms instead of ~100
    cols = (ShotRow.index, ShotRow.start_frame, ShotRow.end_frame, ShotRow.start_s, ShotRow.end_s)
    rows = s.execute(select(*cols).where(ShotRow.video_id == video_id).order_by(ShotRow.index))
    return [Shot(index=r[0], start_frame=r[1], end_frame=r[2], start_s=r[3], end_s=r[4]) for r in rows]


def to_segment(row: SegmentRow) -> TranscriptSegment:
    return TranscriptSegment(start_s=row.start_s, end_s=row.end_s, text=row.text, id=row.id)


def set_transcript(s: Session, video_id: int, segments: list[TranscriptSegment]) -> list[TranscriptSegment]:
    """Replace the transcript; a person's correction survives when the machine text is unchanged."""
    video_row(s, video_id)
    old = s.scalars(select(SegmentRow).where(SegmentRow.video_id == video_id, SegmentRow.original_text.is_not(None))).all()
    edited = [(r.start_s, r.end_s, r.original_text, r.text) for r in old]
    s.execute(delete(SegmentRow).where(SegmentRow.video_id == video_id))
    rows = []
    for seg in sorted(segments, key=lambda g: (g.start_s, g.end_s)):
        row = SegmentRow(video_id=video_id, start_s=seg.start_s, end_s=seg.end_s, text=seg.text)
        for start, end, original, text in edited:
            if original == seg.text and same_range(start, end, seg.start_s, seg.end_s):
                row.original_text, row.text = original, text
        rows.append(row)
    s.add_all(rows)
    s.flush()
    return [to_segment(r) for r in rows]


def edited_segments(s: Session, video_id: int) -> list[TranscriptSegment]:
    """The machine text and time of each segment a person has edited."""
    query = select(SegmentRow).where(SegmentRow.video_id == video_id, SegmentRow.original_text.is_not(None))
    return [TranscriptSegment(r.start_s, r.end_s, r.original_text or "", r.id) for r in s.scalars(query.order_by(SegmentRow.start_s))]


def transcript(s: Session, video_id: int) -> list[TranscriptSegment]:
    cols = (SegmentRow.start_s, SegmentRow.end_s, SegmentRow.text, SegmentRow.id)  # columns, not ORM rows
    query = select(*cols).where(SegmentRow.video_id == video_id).order_by(SegmentRow.start_s, SegmentRow.id)
    return [TranscriptSegment(start_s=r[0], end_s=r[1], text=r[2], id=r[3]) for r in s.execute(query).tuples()]
