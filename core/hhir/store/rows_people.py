"""People rows for one transaction: reading tracks with their boxes, and the undo log's snapshots.

An undo step of a people edit keeps the characters and tracks it touched (tracks with their boxes),
by id, before and after; :func:`write_people` makes the rows exactly one of the two again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hhir.errors import StoreError
from hhir.store import rows
from hhir.store.schema import CharacterRow, PersonBoxRow, PersonTrackRow
from hhir.types import PersonBox, PersonTrack

SOURCES = ("detector", "annotator", "import")


@dataclass(frozen=True)
class PeopleKey:
    video_id: int
    character_ids: list[int]
    track_ids: list[int]


@dataclass(frozen=True)
class PeopleValue:
    characters: list[list[Any]]  # [id, number, name, confirmed, annotator, updated_at]
    tracks: list[list[Any]]  # [id, shot_index, start_frame, end_frame, character_id, assigned_by, source, boxes]


def box_record(r: PersonBoxRow) -> PersonBox:
    return PersonBox(r.frame, r.x0, r.y0, r.x1, r.y1, r.confidence, r.source, None if r.face is None else tuple(r.face))


def tracks(s: Session, video_id: int, track_ids: list[int] | None = None) -> list[PersonTrack]:
    query = select(PersonTrackRow).where(PersonTrackRow.video_id == video_id)
    if track_ids is not None:
        query = query.where(PersonTrackRow.id.in_(track_ids))
    found = list(s.scalars(query.order_by(PersonTrackRow.shot_index, PersonTrackRow.start_frame, PersonTrackRow.id)))
    boxes: dict[int, list[PersonBox]] = {r.id: [] for r in found}
    for ids in rows._chunks(list(boxes)):
        for b in s.scalars(select(PersonBoxRow).where(PersonBoxRow.track_id.in_(ids)).order_by(PersonBoxRow.frame)):
            boxes[b.track_id].append(box_record(b))
    return [PersonTrack(r.id, r.video_id, r.shot_index, tuple(boxes[r.id]), r.character_id, r.assigned_by, r.source)
            for r in found if boxes[r.id]]


def add_track(s: Session, video_id: int, track: PersonTrack, character_id: int | None, track_id: int | None = None) -> int:
    if not track.boxes:
        raise StoreError(f"video {video_id}: a track needs at least one box")
    if track.source not in SOURCES or any(b.source not in SOURCES for b in track.boxes):
        raise StoreError(f"video {video_id}: a track's source must be one of {', '.join(SOURCES)}")
    boxes = sorted(track.boxes, key=lambda b: b.frame)
    row = PersonTrackRow(video_id=video_id, shot_index=track.shot_index, start_frame=boxes[0].frame, end_frame=boxes[-1].frame,
                         character_id=character_id, assigned_by=track.assigned_by, source=track.source)
    if track_id is not None:
        row.id = track_id
    s.add(row)
    s.flush()
    s.add_all(PersonBoxRow(track_id=row.id, frame=b.frame, x0=b.x0, y0=b.y0, x1=b.x1, y1=b.y1, confidence=b.confidence,
                           source=b.source, face=None if b.face is None else list(b.face)) for b in boxes)
    return row.id


def snapshot(s: Session, key: PeopleKey) -> PeopleValue:
    chars = [[c.id, c.number, c.name, c.confirmed, c.annotator, c.updated_at]
             for c in s.scalars(select(CharacterRow).where(CharacterRow.id.in_(key.character_ids)).order_by(CharacterRow.id))]
    found = tracks(s, key.video_id, key.track_ids)
    out = [[t.id, t.shot_index, t.start_frame, t.end_frame, t.character_id, t.assigned_by, t.source,
            [[b.frame, b.x0, b.y0, b.x1, b.y1, b.confidence, b.source, None if b.face is None else list(b.face)] for b in t.boxes]]
           for t in found]
    return PeopleValue(chars, out)


def write_people(video: rows.VideoRows, key: PeopleKey, value: PeopleValue | None) -> None:
    """Undo/redo side: make the key's characters and tracks exactly what ``value`` holds (by id)."""
    s = video.s
    value = value or PeopleValue([], [])
    s.execute(delete(PersonTrackRow).where(PersonTrackRow.id.in_(key.track_ids)))
    kept = {c[0] for c in value.characters}
    gone = [i for i in key.character_ids if i not in kept]
    s.execute(delete(CharacterRow).where(CharacterRow.id.in_(gone)))
    s.flush()
    for cid, number, name, confirmed, annotator, updated_at in value.characters:
        row = s.get(CharacterRow, cid)
        if row is None:
            row = CharacterRow(id=cid, video_id=key.video_id)
            s.add(row)
        row.number, row.name, row.confirmed, row.annotator, row.updated_at = number, name, confirmed, annotator, updated_at
    s.flush()
    for tid, shot, _start, _end, character_id, assigned_by, source, boxes in value.tracks:
        track = PersonTrack(tid, key.video_id, shot, tuple(PersonBox(f, a, b, c, d, conf, src, None if face is None else tuple(face))
                                                           for f, a, b, c, d, conf, src, face in boxes), character_id, assigned_by, source)
        add_track(s, key.video_id, track, character_id, tid)
    s.flush()
