"""Annotations, review status and transcript corrections: each one logged undo step."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hhir.errors import StoreError
from hhir.store import editlog, repo_interactions, rows
from hhir.store.common import now_iso, video_row
from hhir.store.editlog import RowEdit
from hhir.store.records import Change, OrphanAnnotation
from hhir.store.schema import AnnotationRow, ClipRow, LabelRow, ReviewRow, SegmentRow
from hhir.types import Annotation, AnnotationState, Target

Item = tuple[Target, str, AnnotationState | None]
# The reserved annotator under which adjudicated (final) decisions are kept: one per clip and label,
# re-attached after clip rebuilds like any annotation; the adjudicator's name is in ``source``.
ADJUDICATED = "@adjudicated"
ADJUDICATION_SOURCE = "adjudication"


def _where(video: rows.VideoRows, target: Target) -> tuple[str, float | None, float | None]:
    """A short name for the target in undo descriptions, and its time range."""
    if target.clip_id is None:
        return "scene", None, None
    clip = video.clip(target.clip_id)
    if clip is None:
        raise StoreError(f"no clip with id {target.clip_id} in video {target.video_id}")
    return f"clip {clip.index + 1}", clip.start_s, clip.end_s


def _video(s: Session, video_id: int) -> rows.VideoRows:
    video_row(s, video_id)
    return rows.VideoRows(s, video_id)


def _check_label(s: Session, label: str, known: set[str]) -> None:
    if label not in known:
        names = ", ".join(s.scalars(select(LabelRow.name).order_by(LabelRow.position)))
        raise StoreError(f"unknown label {label!r} (this project's labels: {names}); add it to the label set first")


def _state(state: AnnotationState | str | None) -> str | None:
    try:
        return None if state is None else AnnotationState(state).value
    except ValueError as exc:
        raise StoreError(f"annotation state must be 'present', 'absent' or None, not {state!r}") from exc


def _record(s: Session, change: Change, edits: list[RowEdit], owner: str | None = None) -> Change:
    changed = [e for e in edits if e.before != e.after]
    if changed:  # a no-op leaves the undo history (and its redo branch) alone
        editlog.record(s, change, changed, owner)
    return change


def annotate_many(s: Session, items: list[Item], annotator: str, source: str, owner: str | None = None) -> Change:
    """``owner`` is whose undo step it is (default ``annotator``; the adjudicator for adjudications)."""
    if not items:
        raise StoreError("nothing to annotate: the list of items is empty")
    video_ids = {target.video_id for target, _, _ in items}
    if len(video_ids) != 1:
        raise StoreError(f"one undo step covers one video; these items span videos {sorted(video_ids)}")
    video_id = next(iter(video_ids))
    video = _video(s, video_id)
    known = set(s.scalars(select(LabelRow.name)))
    final: dict[tuple[bool, int | None, str], tuple[rows.AnnotationKey, str | None]] = {}
    names = []
    for target, label, state in items:  # validate everything first; a later item for a key wins
        where, start, end = _where(video, target)
        _check_label(s, label, known)
        key = rows.AnnotationKey(video_id, target.clip_id is None, target.clip_id, start, end, label, annotator)
        final[(key.scene, key.clip_id, label)] = (key, _state(state))
        names.append(f"{label}: {_state(state) or 'unreviewed'} ({where})")
    video.preload([key for key, _ in final.values()])
    now, edits = now_iso(), []
    for key, state in final.values():
        before = video.read_annotation(key)
        after = _new_value(before, state, source, now)
        if after != before:
            video.write_annotation(key, after)
        edits.append(RowEdit(key, before, after))
    s.flush()
    targets = tuple(dict.fromkeys(target for target, _, _ in items))
    description = names[0] if len(names) == 1 else f"{len(names)} labels"
    return _record(s, Change(video_id, "annotate", description, targets), edits, owner or annotator)


def _new_value(before: rows.AnnotationValue | None, state: str | None, source: str, now: str) -> rows.AnnotationValue | None:
    if state is None:
        return None
    if before is not None and before.state == state and before.source == source:
        return before
    created = before.created_at if before is not None else now
    return rows.AnnotationValue(state=state, source=source, created_at=created, updated_at=now)


def set_reviewed(s: Session, target: Target, annotator: str, reviewed: bool) -> Change:
    video = _video(s, target.video_id)
    where, start, end = _where(video, target)
    key = rows.ReviewKey(target.video_id, target.clip_id is None, target.clip_id, start, end, annotator)
    before = video.read_review(key)
    after = (_still_current(s, before) or rows.ReviewValue(now_iso())) if reviewed else None
    video.write_review(key, after)
    description = f"{'reviewed' if reviewed else 'not reviewed'} ({where})"
    return _record(s, Change(target.video_id, "review", description, (target,)), [RowEdit(key, before, after)], annotator)


def _still_current(s: Session, review: rows.ReviewValue | None) -> rows.ReviewValue | None:
    """An existing review, unless a label was added after it: marking the target reviewed again then
    means it was judged for that label too, so the review time moves to now (hhir.scoring.truth)."""
    if review is None:
        return None
    newest = s.scalar(select(func.max(LabelRow.created_at)))
    return review if newest is None or newest <= review.reviewed_at else None


def reattach(s: Session, orphan_id: int, clip_id: int, owner: str | None = None) -> Change:
    """Put a decision kept aside by a shot edit on ``clip_id`` (its video's): one undoable step. A
    decision of that person on that label already on the clip is replaced (the undo brings it back)."""
    row = s.get(AnnotationRow, orphan_id)
    if row is None or not row.orphan:
        raise StoreError(f"no decision kept aside with id {orphan_id} in this project")
    video = _video(s, row.video_id)
    where, start, end = _where(video, Target(row.video_id, clip_id))
    value = rows.AnnotationValue(state=row.state, source=row.source, created_at=row.created_at, updated_at=row.updated_at)
    aside = rows.AnnotationKey(row.video_id, False, None, row.start_s, row.end_s, row.label, row.annotator)
    there = rows.AnnotationKey(row.video_id, False, clip_id, start, end, row.label, row.annotator)
    video.preload([there])
    before = video.read_annotation(there)
    video.write_annotation(aside, None)
    s.flush()
    video.write_annotation(there, value)
    s.flush()
    change = Change(row.video_id, "annotate", f"{row.label}: {row.state} put back ({where})", (Target(row.video_id, clip_id),))
    return _record(s, change, [RowEdit(aside, value, None), RowEdit(there, before, value)], owner or row.annotator)


def edit_segment_text(s: Session, segment_id: int, text: str, annotator: str | None = None) -> Change:
    row = s.get(SegmentRow, segment_id)
    if row is None:
        raise StoreError(f"no transcript segment with id {segment_id} in this project")
    key = rows.SegmentKey(segment_id)
    before = rows.SegmentValue(row.text, row.original_text)
    original = row.original_text if row.original_text is not None else row.text
    after = rows.SegmentValue(text, None if text == original else original)
    rows.VideoRows(s, row.video_id).write_segment(key, after)
    change = Change(row.video_id, "segment_text", f"transcript at {row.start_s:.1f} s", ())
    return _record(s, change, [RowEdit(key, before, after)], annotator)


def _target(row: AnnotationRow | ReviewRow) -> Target:
    return Target(video_id=row.video_id, clip_id=row.clip_id)


def find_annotations(s: Session, video_id: int | None, annotator: str | None, adjudicated: bool = False,
                     clip_ids: Collection[int] | None = None) -> list[Annotation]:
    """People's annotations; adjudicated decisions only with ``adjudicated`` (they are not a vote).
    With ``clip_ids`` only those of these clips and of the scene."""
    # columns, not ORM rows: a reviewed film holds tens of thousands of decisions
    query = select(AnnotationRow.video_id, AnnotationRow.clip_id, AnnotationRow.label, AnnotationRow.state, AnnotationRow.annotator,
                   AnnotationRow.source, AnnotationRow.updated_at).where(AnnotationRow.orphan.is_(False))
    if not adjudicated and annotator != ADJUDICATED:
        query = query.where(AnnotationRow.annotator != ADJUDICATED)
    if video_id is not None:
        query = query.where(AnnotationRow.video_id == video_id)
    if clip_ids is not None:
        query = query.where(AnnotationRow.clip_id.in_(sorted(clip_ids)) | AnnotationRow.clip_id.is_(None))
    if annotator is not None:
        query = query.where(AnnotationRow.annotator == annotator)
    query = query.outerjoin(ClipRow, ClipRow.id == AnnotationRow.clip_id)
    query = query.order_by(AnnotationRow.video_id, ClipRow.index.nulls_first(), AnnotationRow.label, AnnotationRow.annotator)
    explicit = [
        Annotation(target=Target(video_id=r[0], clip_id=r[1]), label=r[2], state=AnnotationState(r[3]), annotator=r[4], source=r[5],
                   updated_at=r[6])
        for r in s.execute(query).tuples()
    ]
    if annotator == ADJUDICATED:
        return explicit
    derived = repo_interactions.derived_annotations(s, video_id, annotator)
    if clip_ids is not None:
        derived = [a for a in derived if a.target.clip_id is None or a.target.clip_id in clip_ids]
    return _with_derived(s, explicit, derived)


def _with_derived(s: Session, explicit: list[Annotation], derived: list[Annotation]) -> list[Annotation]:
    """Lay the explicit decisions over the labels derived from interactions: an annotator's own clip
    or scene decision on a label wins over what their interactions imply (repo_interactions)."""
    decided = {(a.target, a.label, a.annotator) for a in explicit}
    extra = [a for a in derived if (a.target, a.label, a.annotator) not in decided]
    if not extra:
        return explicit
    videos = {a.target.video_id for a in [*explicit, *extra]}
    index = dict(s.execute(select(ClipRow.id, ClipRow.index).where(ClipRow.video_id.in_(videos))).tuples().all())
    return sorted([*explicit, *extra], key=lambda a: (a.target.video_id, -1 if a.target.clip_id is None else index.get(a.target.clip_id, -1),
                                                      a.label, a.annotator))


def orphans(s: Session, video_id: int) -> list[OrphanAnnotation]:
    query = select(AnnotationRow).where(AnnotationRow.video_id == video_id, AnnotationRow.orphan.is_(True))
    return [
        OrphanAnnotation(
            id=r.id, video_id=r.video_id, start_s=r.start_s or 0.0, end_s=r.end_s or 0.0, label=r.label,
            state=AnnotationState(r.state), annotator=r.annotator, source=r.source, updated_at=r.updated_at,
        )
        for r in s.scalars(query.order_by(AnnotationRow.start_s, AnnotationRow.label))
    ]


def reviewed(s: Session, video_id: int, annotator: str | None, clip_ids: Collection[int] | None = None) -> set[Target]:
    """Reviewed targets (with ``clip_ids``: only among these clips and the scene)."""
    query = select(ReviewRow.clip_id).where(ReviewRow.video_id == video_id)
    if annotator is not None:
        query = query.where(ReviewRow.annotator == annotator)
    if clip_ids is not None:
        query = query.where(ReviewRow.clip_id.in_(sorted(clip_ids)) | ReviewRow.clip_id.is_(None))
    return {Target(video_id=video_id, clip_id=clip_id) for clip_id in s.scalars(query)}


def review_times(s: Session, video_id: int, annotator: str | None) -> dict[str, dict[Target, str]]:
    """Annotator -> reviewed target -> when it was marked reviewed (ISO 8601 UTC)."""
    query = select(ReviewRow).where(ReviewRow.video_id == video_id)
    if annotator is not None:
        query = query.where(ReviewRow.annotator == annotator)
    out: dict[str, dict[Target, str]] = {}
    for r in s.scalars(query):
        out.setdefault(r.annotator, {})[_target(r)] = r.reviewed_at
    return out


def review_time(s: Session, target: Target, annotator: str) -> str | None:
    """When ``annotator`` marked ``target`` reviewed (None: not reviewed)."""
    clip = ReviewRow.clip_id.is_(None) if target.clip_id is None else ReviewRow.clip_id == target.clip_id
    query = select(ReviewRow.reviewed_at).where(ReviewRow.video_id == target.video_id, clip, ReviewRow.annotator == annotator)
    return s.scalar(query)
