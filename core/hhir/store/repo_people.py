"""People: characters, tracks, boxes and speech turns; a person's edits on them, each one undo step.

Analysis replaces a video's people at once (:func:`set_people`). Every edit a person makes (name or
confirm a character, merge or split characters, move a track to a character, split a track at a
frame, merge two tracks) is one transaction and one undo step of kind ``people``: the step keeps the
rows of the characters and tracks it touched (tracks with their boxes) as they were before and
after, by id, and undo/redo put them back (:func:`write_people`). An edit also marks the video's
``people`` stage as set by a person, so a new analysis keeps it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hhir.errors import StoreError
from hhir.store import editlog, repo_interactions, repo_media
from hhir.store.rows_people import PeopleKey, add_track, snapshot, tracks
from hhir.store.common import now_iso, video_row
from hhir.store.editlog import RowEdit
from hhir.store.records import Change
from hhir.store.schema import CharacterRow, EditRow, PersonBoxRow, PersonTrackRow, SpeechTurnRow
from hhir.types import Character, PersonBox, PersonTrack, SpeechTurn

USER_SET = "user"  # the people stage's params once a person edited the people of a video


# reading ------------------------------------------------------------------------------------------

def _character(r: CharacterRow) -> Character:
    return Character(r.id, r.video_id, r.number, r.name, bool(r.confirmed), r.annotator, r.updated_at)


def characters(s: Session, video_id: int) -> list[Character]:
    query = select(CharacterRow).where(CharacterRow.video_id == video_id).order_by(CharacterRow.number)
    return [_character(r) for r in s.scalars(query)]


def speech_turns(s: Session, video_id: int) -> list[SpeechTurn]:
    query = select(SpeechTurnRow).where(SpeechTurnRow.video_id == video_id).order_by(SpeechTurnRow.start_s)
    return [SpeechTurn(r.id, r.video_id, r.start_s, r.end_s, r.speaker, r.track_id, r.character_id, r.confidence, r.source)
            for r in s.scalars(query)]


# analysis results -----------------------------------------------------------------------------------

def set_people(s: Session, video_id: int, found: list[PersonTrack], groups: list[list[int]], params: str,
               names: dict[int, str] | None = None, confirmed: bool | list[bool] = False,
               numbers: list[int] | None = None) -> None:
    """Replace a video's people with analysis results (or an import), and drop the undo steps of
    earlier people edits of the video: ``groups`` are lists of indices
    into ``found``, one per character, numbered 1, 2, ... in that order (or by ``numbers``); ``names``
    by group index; ``confirmed`` for all groups or per group."""
    numbers = numbers or list(range(1, len(groups) + 1))
    flags = confirmed if isinstance(confirmed, list) else [confirmed] * len(groups)
    if len(numbers) != len(groups) or len(set(numbers)) != len(numbers) or len(flags) != len(groups) or min(numbers, default=1) < 1:
        raise StoreError(f"video {video_id}: one distinct person number (from 1) and one confirmed flag per character")
    video_row(s, video_id)
    s.execute(delete(PersonTrackRow).where(PersonTrackRow.video_id == video_id))
    s.execute(delete(CharacterRow).where(CharacterRow.video_id == video_id))
    # Undo steps of earlier people edits name rows that are gone now: undoing one would bring back
    # tracks of another analysis, so they go, and so do interaction steps, whose characters went with them
    # (other edits of the video keep their history).
    s.execute(delete(EditRow).where(EditRow.video_id == video_id, EditRow.kind.in_(("people", "interaction"))))
    s.flush()
    now, owner = now_iso(), {}
    for i, (number, group) in enumerate(zip(numbers, groups)):
        name = (names or {}).get(i)
        row = CharacterRow(video_id=video_id, number=number, name=name, confirmed=flags[i], annotator=None, updated_at=now)
        s.add(row)
        s.flush()
        owner.update({i: row.id for i in group})
    for i, track in enumerate(found):
        add_track(s, video_id, track, owner.get(i))
    repo_media.mark_stage(s, video_id, "people", params)


def set_speech_turns(s: Session, video_id: int, turns: list[SpeechTurn], params: str) -> None:
    """Replace a video's speech turns (voice analysis or an import)."""
    video_row(s, video_id)
    s.execute(delete(SpeechTurnRow).where(SpeechTurnRow.video_id == video_id))
    for t in turns:
        if t.end_s < t.start_s:
            raise StoreError(f"video {video_id}: a speech turn ends ({t.end_s}) before it starts ({t.start_s})")
        s.add(SpeechTurnRow(video_id=video_id, start_s=t.start_s, end_s=t.end_s, speaker=t.speaker, track_id=t.track_id,
                            character_id=t.character_id, confidence=t.confidence, source=t.source))
    repo_media.mark_stage(s, video_id, "speakers", params)


class _Edit:
    """One person's edit: snapshot the rows it may touch, change them, log before and after."""

    def __init__(self, s: Session, video_id: int, character_ids: list[int], track_ids: list[int]) -> None:
        self.s, self.video_id = s, video_id
        self.key = PeopleKey(video_id, sorted(set(character_ids)), sorted(set(track_ids)))
        self.before = snapshot(s, self.key)

    def widen(self, character_ids: Sequence[int] = (), track_ids: Sequence[int] = ()) -> None:
        """Add rows created by the edit (they had no "before")."""
        self.key = PeopleKey(self.video_id, sorted({*self.key.character_ids, *character_ids}), sorted({*self.key.track_ids, *track_ids}))

    def done(self, description: str, annotator: str, first: list[RowEdit] | None = None) -> Change:
        """``first``: edits of other rows in the same step, written before the people's on redo
        (and so undone after them): the interactions a merge moves."""
        self.s.flush()
        self.s.expire_all()
        after = snapshot(self.s, self.key)
        change = Change(self.video_id, "people", description, ())
        if after != self.before:
            editlog.record(self.s, change, [*(first or []), RowEdit(self.key, self.before, after)], annotator)
            repo_media.mark_stage(self.s, self.video_id, "people", USER_SET)
        return change


def _char_row(s: Session, character_id: int) -> CharacterRow:
    row = s.get(CharacterRow, character_id)
    if row is None:
        raise StoreError(f"no character with id {character_id} in this project")
    return row


def _track_row(s: Session, track_id: int) -> PersonTrackRow:
    row = s.get(PersonTrackRow, track_id)
    if row is None:
        raise StoreError(f"no person track with id {track_id} in this project")
    return row


def _label(row: CharacterRow) -> str:
    return row.name or f"person {row.number}"


def name_character(s: Session, character_id: int, name: str | None, annotator: str) -> Change:
    """Name (or with None unname) a character; naming confirms it."""
    row = _char_row(s, character_id)
    clean = None if name is None else " ".join(name.split())
    if clean is not None and not clean:
        raise StoreError("a character's name cannot be empty (use no name to remove it)")
    edit = _Edit(s, row.video_id, [row.id], [])
    old = _label(row)
    row.name, row.confirmed, row.annotator, row.updated_at = clean, True, annotator, now_iso()
    return edit.done(f"named {old} {clean!r}" if clean else f"removed the name of {old}", annotator)


def confirm_character(s: Session, character_id: int, annotator: str, confirmed: bool = True) -> Change:
    row = _char_row(s, character_id)
    edit = _Edit(s, row.video_id, [row.id], [])
    row.confirmed, row.annotator, row.updated_at = confirmed, annotator, now_iso()
    return edit.done(f"{'confirmed' if confirmed else 'unconfirmed'} {_label(row)}", annotator)


def _tracks_of(s: Session, character_id: int) -> list[int]:
    return list(s.scalars(select(PersonTrackRow.id).where(PersonTrackRow.character_id == character_id)))


def merge_characters(s: Session, keep_id: int, other_id: int, annotator: str) -> Change:
    """Move every track of ``other_id`` to ``keep_id`` and remove ``other_id``; the result is confirmed."""
    keep, other = _char_row(s, keep_id), _char_row(s, other_id)
    if keep.video_id != other.video_id or keep.id == other.id:
        raise StoreError("only two different characters of the same video can be merged")
    moved = _tracks_of(s, other.id)
    edit = _Edit(s, keep.video_id, [keep.id, other.id], moved)
    description = f"merged {_label(other)} into {_label(keep)}"
    for tid in moved:
        track = s.get(PersonTrackRow, tid)
        assert track is not None
        track.character_id, track.assigned_by = keep.id, annotator
    moved_interactions = repo_interactions.move_character(s, other.id, keep.id)
    keep.name = keep.name or other.name
    keep.confirmed, keep.annotator, keep.updated_at = True, annotator, now_iso()
    s.flush()
    s.delete(other)
    return edit.done(description, annotator, moved_interactions)


def _new_character(s: Session, video_id: int, annotator: str) -> CharacterRow:
    number = (s.scalar(select(func.max(CharacterRow.number)).where(CharacterRow.video_id == video_id)) or 0) + 1
    row = CharacterRow(video_id=video_id, number=number, name=None, confirmed=True, annotator=annotator, updated_at=now_iso())
    s.add(row)
    s.flush()
    return row


def assign_tracks(s: Session, track_ids: list[int], character_id: int | None, annotator: str, new: bool = False) -> Change:
    """Put tracks in a character (``new``: a new one, which is how a character is split), or in none."""
    rows_ = [_track_row(s, t) for t in track_ids]
    if not rows_:
        raise StoreError("no tracks given")
    video_id = rows_[0].video_id
    if any(r.video_id != video_id for r in rows_):
        raise StoreError("the tracks belong to different videos")
    target = _char_row(s, character_id) if character_id is not None else None
    if target is not None and target.video_id != video_id:
        raise StoreError(f"character {character_id} belongs to another video")
    old = [r.character_id for r in rows_ if r.character_id is not None]
    edit = _Edit(s, video_id, [*old, *([target.id] if target else [])], track_ids)
    if new:
        target = _new_character(s, video_id, annotator)
        edit.widen(character_ids=[target.id])
    for r in rows_:
        r.character_id, r.assigned_by = (target.id if target else None), annotator
    where = _label(target) if target else "nobody"
    return edit.done(f"{len(rows_)} track{'s' if len(rows_) > 1 else ''} to {where}", annotator)


def split_track(s: Session, track_id: int, frame: int, annotator: str) -> tuple[Change, int]:
    """Cut a track before ``frame`` (where the tracker swapped people): the frames from ``frame`` on
    become a new track of nobody (the person assigns it); each part ends on the cut with a box
    interpolated there when none was stored. Returns the change and the new track's id."""
    row = _track_row(s, track_id)
    (track,) = tracks(s, row.video_id, [track_id])
    head = [b for b in track.boxes if b.frame < frame]
    tail = [b for b in track.boxes if b.frame >= frame]
    if not head or not tail:
        raise StoreError(f"track {track_id} runs from frame {track.start_frame} to {track.end_frame}: "
                         f"it can only be split at a frame after its first box and up to its last")
    edit = _Edit(s, row.video_id, [], [track_id])
    # Both parts keep their box next to the cut (interpolated there when no box was stored on it),
    # so the track still covers every frame it did.
    if head[-1].frame < frame - 1:
        head.append(_between(track, frame - 1, head[-1]))
    if tail[0].frame > frame:
        tail.insert(0, _between(track, frame, tail[0]))
    s.execute(delete(PersonBoxRow).where(PersonBoxRow.track_id == track_id))
    s.flush()
    s.add_all(PersonBoxRow(track_id=track_id, frame=b.frame, x0=b.x0, y0=b.y0, x1=b.x1, y1=b.y1, confidence=b.confidence,
                           source=b.source, face=None if b.face is None else list(b.face)) for b in head)
    row.end_frame = head[-1].frame
    new_id = add_track(s, row.video_id, PersonTrack(0, row.video_id, row.shot_index, tuple(tail), None, annotator, row.source), None)
    edit.widen(track_ids=[new_id])
    return edit.done(f"split a track at frame {frame}", annotator), new_id


def _between(track: PersonTrack, frame: int, like: PersonBox) -> PersonBox:
    box = track.box_at(frame)
    assert box is not None
    return PersonBox(frame, *box, like.confidence, like.source)


def merge_tracks(s: Session, keep_id: int, other_id: int, annotator: str) -> Change:
    """Join two tracks of one shot into ``keep_id`` (its box wins on a frame both have)."""
    keep, other = _track_row(s, keep_id), _track_row(s, other_id)
    if keep.id == other.id or keep.video_id != other.video_id or keep.shot_index != other.shot_index:
        raise StoreError("only two different tracks of the same shot can be merged (a track never crosses a cut)")
    edit = _Edit(s, keep.video_id, [], [keep.id, other.id])
    have = set(s.scalars(select(PersonBoxRow.frame).where(PersonBoxRow.track_id == keep.id)))
    for b in list(s.scalars(select(PersonBoxRow).where(PersonBoxRow.track_id == other.id))):
        if b.frame not in have:
            b.track_id = keep.id
    s.flush()
    keep.start_frame, keep.end_frame = min(keep.start_frame, other.start_frame), max(keep.end_frame, other.end_frame)
    keep.character_id = keep.character_id if keep.character_id is not None else other.character_id
    keep.assigned_by = annotator
    s.delete(other)
    return edit.done("merged two tracks", annotator)
