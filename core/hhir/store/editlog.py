"""The per-video undo/redo log, stored in the database so it survives a restart.

Label, review and transcript edits log the rows they touched; a shot correction logs the shots
before and after (``repo_shots``): undoing it rebuilds the clips from the old shots.

An entry lists, for every row one edit touched, its value before and after (None = no row).
Undo writes the "before" values back, redo the "after" ones. The not-undone entries of a video
are always a prefix of its sequence: a new edit first drops the undone tail (the redo branch).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Callable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hhir.store import repo_shots, rows, rows_interactions, rows_people
from hhir.store.common import now_iso
from hhir.store.records import Change, HistoryStep
from hhir.store.schema import EditRow
from hhir.types import Target

UNDO_DEPTH = 1000  # undo steps kept per video; older ones are dropped so the log stays bounded
Key = (rows.AnnotationKey | rows.ReviewKey | rows.SegmentKey | repo_shots.ShotsKey | rows_people.PeopleKey
       | rows_interactions.InteractionKey)
Value = (rows.AnnotationValue | rows.ReviewValue | rows.SegmentValue | repo_shots.ShotsValue | rows_people.PeopleValue
         | rows_interactions.InteractionValue)


@dataclass(frozen=True)
class RowEdit:
    key: Key
    before: Value | None
    after: Value | None


@dataclass(frozen=True)
class _Table:
    key: type
    value: type
    write: Callable[[rows.VideoRows, Any, Any], None]


_TABLES: dict[str, _Table] = {
    "annotation": _Table(rows.AnnotationKey, rows.AnnotationValue, rows.VideoRows.write_annotation),
    "review": _Table(rows.ReviewKey, rows.ReviewValue, rows.VideoRows.write_review),
    "segment": _Table(rows.SegmentKey, rows.SegmentValue, rows.VideoRows.write_segment),
    "shots": _Table(repo_shots.ShotsKey, repo_shots.ShotsValue, repo_shots.write_shots),
    "people": _Table(rows_people.PeopleKey, rows_people.PeopleValue, rows_people.write_people),
    "interaction": _Table(rows_interactions.InteractionKey, rows_interactions.InteractionValue, rows_interactions.write_interaction),
}


def _table_name(key: Key) -> str:
    return next(name for name, table in _TABLES.items() if isinstance(key, table.key))


def _value(value: Value | None) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, repo_shots.ShotsValue):  # already plain lists: asdict's deep copy of a long film's shots is slow
        return {"shots": value.shots, "reviews": value.reviews, "region": value.region}
    return asdict(value)


def _encode(edit: RowEdit) -> dict[str, Any]:
    return {"table": _table_name(edit.key), "key": asdict(edit.key), "before": _value(edit.before), "after": _value(edit.after)}


def _decode(data: dict[str, Any]) -> tuple[_Table, RowEdit]:
    table = _TABLES[data["table"]]
    before = None if data["before"] is None else table.value(**data["before"])
    after = None if data["after"] is None else table.value(**data["after"])
    return table, RowEdit(table.key(**data["key"]), before, after)


def _current_targets(video: rows.VideoRows, edits: list[RowEdit]) -> tuple[Target, ...]:
    """The targets an undo/redo touched, as they are now: clips rebuilt since keep their range."""
    found: dict[Target, None] = {}
    for edit in edits:
        if isinstance(edit.key, (rows.AnnotationKey, rows.ReviewKey)):
            clip_id = None if edit.key.scene else video.resolve_clip(edit.key.clip_id, edit.key.start_s, edit.key.end_s)
            if edit.key.scene or clip_id is not None:
                found[Target(video_id=edit.key.video_id, clip_id=clip_id)] = None
        elif isinstance(edit.key, rows_interactions.InteractionKey):  # the clips whose derived labels it moves
            spans = [(v.start_frame, v.end_frame) for v in (edit.before, edit.after)
                     if isinstance(v, rows_interactions.InteractionValue)]
            found.update(dict.fromkeys(rows_interactions.touched_targets(video.s, edit.key.video_id, spans)))
    return tuple(found)


def _owned(query: Any, annotator: str | None) -> Any:
    """Limit a query to one person's steps (steps without an owner, from before 0004, count as anyone's)."""
    if annotator is None:
        return query
    return query.where((EditRow.annotator == annotator) | EditRow.annotator.is_(None))


def record(s: Session, change: Change, edits: list[RowEdit], annotator: str | None = None) -> None:
    """Append an undo step for ``change`` (same transaction as the edit), dropping the redo tail.

    With ``annotator`` the step is theirs, and the steps dropped are their own undone ones plus the
    undone steps at the end of the video's history (after its last step still done): in a team
    project another person's redo branch in the middle of the history is not yours to cut, while a
    history undone from the end, as one person's, keeps its rule that a new edit ends the redo.
    """
    video = EditRow.video_id == change.video_id
    done_up_to = s.scalar(select(func.max(EditRow.seq)).where(video, EditRow.undone.is_(False))) or 0
    undone = delete(EditRow).where(video, EditRow.undone.is_(True))
    if annotator is None:
        s.execute(undone)
    else:
        mine = (EditRow.annotator == annotator) | EditRow.annotator.is_(None)
        s.execute(undone.where(mine | (EditRow.seq > done_up_to)))
    last = s.scalar(select(func.max(EditRow.seq)).where(EditRow.video_id == change.video_id)) or 0
    s.execute(delete(EditRow).where(EditRow.video_id == change.video_id, EditRow.seq <= last + 1 - UNDO_DEPTH))
    s.add(
        EditRow(
            video_id=change.video_id, seq=last + 1, kind=change.kind, description=change.description,
            targets=[[t.video_id, t.clip_id] for t in change.targets], rows=[_encode(e) for e in edits],
            undone=False, created_at=now_iso(), annotator=annotator,
        )
    )
    s.flush()


def _apply(s: Session, entry: EditRow, undo: bool) -> Change:
    decoded = [_decode(d) for d in entry.rows]
    video = rows.VideoRows(s, entry.video_id)
    video.preload([edit.key for _, edit in decoded if isinstance(edit.key, rows.AnnotationKey)])
    for table, edit in reversed(decoded) if undo else decoded:
        if isinstance(edit.key, repo_shots.ShotsKey):  # a rebuild also needs the region it leaves
            target, leaving = (edit.before, edit.after) if undo else (edit.after, edit.before)
            assert target is None or isinstance(target, repo_shots.ShotsValue)  # noqa: S101 - the key says which table
            assert leaving is None or isinstance(leaving, repo_shots.ShotsValue)  # noqa: S101
            repo_shots.write_shots(video, edit.key, target, leaving)
            continue
        table.write(video, edit.key, edit.before if undo else edit.after)
    entry.undone = undo
    s.flush()
    targets = _current_targets(video, [edit for _, edit in decoded])
    return Change(video_id=entry.video_id, kind=entry.kind, description=entry.description, targets=targets)


def steps(s: Session, video_id: int) -> list[HistoryStep]:
    """Every step kept for the video, oldest first (undone ones too, marked)."""
    cols = (EditRow.seq, EditRow.created_at, EditRow.annotator, EditRow.kind, EditRow.description, EditRow.targets, EditRow.undone)
    query = select(*cols).where(EditRow.video_id == video_id).order_by(EditRow.seq)
    return [HistoryStep(seq, when, who, kind, what, tuple(Target(int(v), None if c is None else int(c)) for v, c in targets or ()),
                        bool(undone)) for seq, when, who, kind, what, targets, undone in s.execute(query)]


def next_steps(s: Session, video_id: int, annotator: str | None = None) -> tuple[str | None, str | None]:
    """The descriptions of what undo and redo would do now (``annotator``'s, as :func:`undo` and
    :func:`redo` with the same argument pick them; None: nothing to undo / redo)."""
    base = _owned(select(EditRow.description).where(EditRow.video_id == video_id), annotator)
    undo_next = s.scalar(base.where(EditRow.undone.is_(False)).order_by(EditRow.seq.desc()).limit(1))
    redo_next = s.scalar(base.where(EditRow.undone.is_(True)).order_by(EditRow.seq).limit(1))
    return undo_next, redo_next


def undo(s: Session, video_id: int, annotator: str | None = None) -> Change | None:
    """Revert the video's latest step (``annotator``'s latest when given)."""
    query = select(EditRow).where(EditRow.video_id == video_id, EditRow.undone.is_(False)).order_by(EditRow.seq.desc())
    query = _owned(query, annotator)
    entry = s.scalars(query.limit(1)).first()
    return None if entry is None else _apply(s, entry, undo=True)


def redo(s: Session, video_id: int, annotator: str | None = None) -> Change | None:
    """Re-apply the video's earliest undone step (``annotator``'s when given)."""
    query = _owned(select(EditRow).where(EditRow.video_id == video_id, EditRow.undone.is_(True)).order_by(EditRow.seq), annotator)
    entry = s.scalars(query.limit(1)).first()
    return None if entry is None else _apply(s, entry, undo=False)
