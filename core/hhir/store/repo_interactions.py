"""Interactions: who does what to whom over a span of frames; each edit one committed undo step.

Rules kept here:
- The actor is a character of the video; the target is a character of the same video (not the
  actor), or ``group``, ``offscreen`` or ``unknown`` (no character). The label is one of the
  project's labels (clip labels are derived from interactions, so they share the label set).
- A span is ``[start_frame, end_frame)`` within the video, at least one frame long.
- A record is its annotator's: another person may not change or delete it, except an unreviewed
  suggestion, which becomes the person's own when they judge or edit it (its evidence stays).
- Every edit marks the video's ``people`` stage as set by a person, so a new analysis keeps the
  characters the interactions point at.

Derived clip and scene labels (:func:`derived_annotations`): for each annotator, a label is present
on a clip when one of their *present* interactions with that label shares a frame with the clip,
and present on the scene when they have one anywhere in the video. Absent and unreviewed
interactions derive nothing (someone else in the clip may still do it). An explicit clip or scene
decision of the same annotator on the same label wins over the derived one, either way
(:func:`hhir.store.repo_annotations.find_annotations` merges them).

Adjudication (as for clip labels, hhir.store.team): an adjudicator's final decision where
annotators disagree is an interaction of the reserved annotator ``RESERVED`` whose source names the
adjudicator (``adjudication:NAME``) and whose evidence says what was decided (whose version was
accepted, or the adjudicator's own); ``present``, or ``absent`` (no such interaction there). It is
one undo step of the adjudicator's, and never a vote: :func:`find` leaves it out unless asked, and it
derives no clip labels. Only its adjudicator withdraws or changes it. Under the project's
``others`` adjudication policy an adjudicator with a record of their own sharing a frame with the
decided span is refused (they are one of the annotators who disagree there).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hhir.errors import StoreError
from hhir.store import editlog, repo_media
from hhir.store.common import now_iso, video_row
from hhir.store.editlog import RowEdit
from hhir.store.records import Change
from hhir.store.rows_interactions import InteractionKey, InteractionValue, record, touched_targets, value
from hhir.store.schema import CharacterRow, ClipRow, InteractionRow, LabelRow
from hhir.types import INTERACTION_SOURCES, INTERACTION_STATES, TARGET_KINDS, Annotation, AnnotationState, Interaction, Target

DERIVED_SOURCE = "interaction"  # ``source`` of clip and scene labels derived from interactions
USER_SET = "user"  # the people stage's params once a person edited (hhir.store.repo_people.USER_SET)
RESERVED = "@adjudicated"  # hhir.store.repo_annotations.ADJUDICATED: not a person's name here
SUGGESTER = "@suggested"  # the annotator of the analysis' pair suggestions (hhir.scoring.pairs)
ADJUDICATION = "adjudication:"  # the source of an adjudicated decision: "adjudication:NAME"


# reading ------------------------------------------------------------------------------------------

def find(s: Session, video_id: int | None = None, annotator: str | None = None, character_id: int | None = None,
         adjudicated: bool = False) -> list[Interaction]:
    """Interactions by video, start frame, id; ``character_id``: where that character is actor or
    target. Adjudicated decisions only with ``adjudicated`` or ``annotator=RESERVED`` (not a vote)."""
    query = select(InteractionRow)
    if not adjudicated and annotator != RESERVED:
        query = query.where(InteractionRow.annotator != RESERVED)
    if video_id is not None:
        query = query.where(InteractionRow.video_id == video_id)
    if annotator is not None:
        query = query.where(InteractionRow.annotator == annotator)
    if character_id is not None:
        query = query.where((InteractionRow.actor_id == character_id) | (InteractionRow.target_id == character_id))
    query = query.order_by(InteractionRow.video_id, InteractionRow.start_frame, InteractionRow.end_frame, InteractionRow.id)
    return [record(r) for r in s.scalars(query)]


def get(s: Session, interaction_id: int) -> Interaction:
    return record(_row(s, interaction_id))


def derived_annotations(s: Session, video_id: int | None, annotator: str | None) -> list[Annotation]:
    """Clip and scene labels the present interactions imply (see the module's rule), before the
    explicit decisions are laid over them."""
    query = select(InteractionRow).where(InteractionRow.state == "present", InteractionRow.annotator != RESERVED)
    if video_id is not None:
        query = query.where(InteractionRow.video_id == video_id)
    if annotator is not None:
        query = query.where(InteractionRow.annotator == annotator)
    found = list(s.scalars(query))
    if not found:
        return []
    import numpy as np

    clips: dict[int, np.ndarray] = {}  # per video: (n, 3) clip id, start frame, end frame
    for vid in sorted({r.video_id for r in found}):
        spans = select(ClipRow.id, ClipRow.start_frame, ClipRow.end_frame).where(ClipRow.video_id == vid).order_by(ClipRow.index)
        clips[vid] = np.array(s.execute(spans).tuples().all(), dtype=np.int64).reshape(-1, 3)
    latest: dict[tuple[Target, str, str], str] = {}
    for r in found:
        table = clips[r.video_id]
        overlapped = table[(table[:, 1] < r.end_frame) & (table[:, 2] > r.start_frame), 0].tolist()
        for target in [Target(r.video_id, None), *(Target(r.video_id, int(c)) for c in overlapped)]:
            key = (target, r.label, r.annotator)
            latest[key] = max(latest.get(key, ""), r.updated_at)
    return [Annotation(target, label, AnnotationState.PRESENT, who, DERIVED_SOURCE, updated_at)
            for (target, label, who), updated_at in latest.items()]


# checks -------------------------------------------------------------------------------------------

def _row(s: Session, interaction_id: int) -> InteractionRow:
    row = s.get(InteractionRow, interaction_id)
    if row is None:
        raise StoreError(f"no interaction with id {interaction_id} in this project")
    return row


def _character(s: Session, video_id: int, character_id: int, role: str) -> CharacterRow:
    row = s.get(CharacterRow, character_id)
    if row is None or row.video_id != video_id:
        raise StoreError(f"the {role} must be a character of video {video_id}; character {character_id} is not")
    return row


def adjudicator_of(source: str) -> str | None:
    """The adjudicator named by an adjudicated decision's source; None for a person's own record."""
    return source[len(ADJUDICATION):] if source.startswith(ADJUDICATION) else None


def _check(s: Session, video_id: int, v: InteractionValue, adjudicated: bool = False) -> None:
    video = video_row(s, video_id)
    _character(s, video_id, v.actor_id, "actor")
    if v.target_kind not in TARGET_KINDS:
        raise StoreError(f"an interaction's target is a character, group, offscreen or unknown, not {v.target_kind!r}")
    if (v.target_kind == "character") != (v.target_id is not None):
        raise StoreError("a target character needs its id, and only a character target has one")
    if v.target_id is not None:
        _character(s, video_id, v.target_id, "target")
        if v.target_id == v.actor_id:
            raise StoreError("the actor cannot be their own target (use group, offscreen or unknown)")
    if s.scalar(select(LabelRow.id).where(LabelRow.name == v.label)) is None:
        names = ", ".join(s.scalars(select(LabelRow.name).order_by(LabelRow.position)))
        raise StoreError(f"unknown label {v.label!r} (this project's labels: {names}); add it to the label set first")
    if not 0 <= v.start_frame < v.end_frame or (video.frame_count > 0 and v.end_frame > video.frame_count):
        raise StoreError(f"an interaction spans frames [start, end) within the video's {video.frame_count} frames, "
                         f"at least one frame long; not [{v.start_frame}, {v.end_frame})")
    if v.state not in INTERACTION_STATES:
        raise StoreError(f"an interaction's state is one of {', '.join(INTERACTION_STATES)}, not {v.state!r}")
    if adjudicated:
        if v.annotator != RESERVED or not (adjudicator_of(v.source) or "").strip() or v.state == "unreviewed":
            raise StoreError("an adjudicated decision is present or absent and names its adjudicator")
        return
    if v.source not in INTERACTION_SOURCES:
        raise StoreError(f"an interaction's source is one of {', '.join(INTERACTION_SOURCES)}, not {v.source!r}")
    if not v.annotator.strip() or v.annotator == RESERVED:
        raise StoreError(f"an interaction needs an annotator's name (not empty, not {RESERVED!r})")


def _name(s: Session, character_id: int | None, kind: str) -> str:
    if character_id is None:
        return kind
    row = s.get(CharacterRow, character_id)
    return "?" if row is None else row.name or f"person {row.number}"


def _describe(s: Session, verb: str, v: InteractionValue) -> str:
    return f"{verb} {_name(s, v.actor_id, '')} {v.label} {_name(s, v.target_id, v.target_kind)} ({v.start_frame}-{v.end_frame})"


def _commit(s: Session, video_id: int, interaction_id: int, before: InteractionValue | None,
            after: InteractionValue | None, description: str, annotator: str) -> Change:
    s.flush()
    spans = [(v.start_frame, v.end_frame) for v in (before, after) if v is not None]
    change = Change(video_id, "interaction", description, touched_targets(s, video_id, spans))
    if before != after:
        editlog.record(s, change, [RowEdit(InteractionKey(video_id, interaction_id), before, after)], annotator)
        repo_media.mark_stage(s, video_id, "people", USER_SET)
    return change


def _owned(row: InteractionRow, annotator: str) -> None:
    """Only its annotator changes a record, except an unreviewed suggestion (anyone may judge it);
    only its adjudicator an adjudicated decision."""
    if row.annotator == RESERVED:
        if adjudicator_of(row.source) != annotator:
            raise StoreError(f"interaction {row.id} is {adjudicator_of(row.source)}'s adjudication; adjudicate it again instead")
        return
    if row.annotator != annotator and not (row.source == "suggestion" and row.state == "unreviewed"):
        raise StoreError(f"interaction {row.id} is {row.annotator}'s; record your own instead of changing theirs")


# edits --------------------------------------------------------------------------------------------

def add(s: Session, video_id: int, actor_id: int, label: str, target_kind: str, target_id: int | None,
        start_frame: int, end_frame: int, annotator: str, state: str = "present", source: str = "annotator",
        evidence: str | None = None) -> tuple[Change, int]:
    """Record one interaction; returns the change and its id."""
    now = now_iso()
    v = InteractionValue(actor_id, label, target_kind, target_id, int(start_frame), int(end_frame), state, annotator,
                         source, evidence, now, now)
    _check(s, video_id, v)
    row = InteractionRow(video_id=video_id, **{k: getattr(v, k) for k in InteractionValue.__dataclass_fields__})
    s.add(row)
    s.flush()
    return _commit(s, video_id, row.id, None, v, _describe(s, "added", v), annotator), row.id


def adjudicate(s: Session, video_id: int, actor_id: int, label: str, target_kind: str, target_id: int | None,
               start_frame: int, end_frame: int, state: str, adjudicator: str, evidence: str | None,
               policy: str = "others") -> tuple[Change, int]:
    """Record an adjudicator's final decision (see the module's rule); returns the change and its id."""
    if not adjudicator.strip() or adjudicator == RESERVED:
        raise StoreError(f"an adjudication needs the adjudicator's name, not {adjudicator!r}")
    if policy != "anyone":
        own = select(InteractionRow.id).where(
            InteractionRow.video_id == video_id, InteractionRow.annotator == adjudicator,
            InteractionRow.start_frame < end_frame, InteractionRow.end_frame > start_frame)
        if s.scalar(own) is not None:
            raise StoreError(f"{adjudicator} has interactions of their own over frames {start_frame}-{end_frame} of video "
                             f"{video_id}, so someone else adjudicates there (the project's adjudication policy is "
                             "'others'; `hhir adjudication-policy anyone` lets annotators settle their own disagreements)")
    now = now_iso()
    v = InteractionValue(actor_id, label, target_kind, target_id, int(start_frame), int(end_frame), state, RESERVED,
                         ADJUDICATION + adjudicator, evidence, now, now)
    _check(s, video_id, v, adjudicated=True)
    row = InteractionRow(video_id=video_id, **{k: getattr(v, k) for k in InteractionValue.__dataclass_fields__})
    s.add(row)
    s.flush()
    return _commit(s, video_id, row.id, None, v, _describe(s, f"adjudicated ({state})", v), adjudicator), row.id


def update(s: Session, interaction_id: int, annotator: str, **changes: Any) -> Change:
    """Change some of an interaction's fields (actor_id, label, target_kind, target_id, start_frame,
    end_frame, state, evidence); it becomes ``annotator``'s (see :func:`_owned`)."""
    allowed = {"actor_id", "label", "target_kind", "target_id", "start_frame", "end_frame", "state", "evidence"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise StoreError(f"an interaction has no field {', '.join(unknown)} to change")
    row = _row(s, interaction_id)
    _owned(row, annotator)
    before = value(row)
    assert before is not None
    if changes.get("target_kind", "character") != "character":
        changes.setdefault("target_id", None)
    owner = RESERVED if row.annotator == RESERVED else annotator  # an adjudication stays one
    after = replace(before, **changes, annotator=owner)
    if after == replace(before, annotator=owner) and owner == before.annotator:
        return Change(row.video_id, "interaction", "no change", ())
    after = replace(after, updated_at=now_iso())
    _check(s, row.video_id, after, adjudicated=owner == RESERVED)
    for field in InteractionValue.__dataclass_fields__:
        setattr(row, field, getattr(after, field))
    return _commit(s, row.video_id, row.id, before, after, _describe(s, "changed", after), annotator)


def delete(s: Session, interaction_id: int, annotator: str) -> Change:
    row = _row(s, interaction_id)
    _owned(row, annotator)
    before = value(row)
    assert before is not None
    video_id = row.video_id
    description = _describe(s, "deleted", before)
    s.delete(row)
    return _commit(s, video_id, interaction_id, before, None, description, annotator)


def move_character(s: Session, old_id: int, new_id: int) -> list[RowEdit]:
    """Point the interactions of character ``old_id`` at ``new_id`` (a merge of the two characters);
    returns their row edits for the merge's undo step. Refused when the two interact with each
    other: the merged person would be their own target."""
    query = select(InteractionRow).where((InteractionRow.actor_id == old_id) | (InteractionRow.target_id == old_id))
    found = list(s.scalars(query.order_by(InteractionRow.id)))
    between = [r.id for r in found if {r.actor_id, r.target_id} == {old_id, new_id}]
    if between:
        raise StoreError(f"these two characters interact with each other (interaction {', '.join(map(str, between))}): "
                         "delete or retarget that first, or they would be their own target")
    edits = []
    for r in found:
        before = value(r)
        r.actor_id = new_id if r.actor_id == old_id else r.actor_id
        r.target_id = new_id if r.target_id == old_id else r.target_id
        edits.append(RowEdit(InteractionKey(r.video_id, r.id), before, value(r)))
    s.flush()
    return edits


def replace_all(s: Session, video_id: int, items: list[Interaction]) -> None:
    """Make ``items`` the video's interactions (an import): all checked first, no undo step, and the
    undo steps of earlier interaction edits of the video go (they name rows that are gone)."""
    from sqlalchemy import delete as delete_rows

    from hhir.store.schema import EditRow

    values = []
    for i in items:
        v = InteractionValue(i.actor_id, i.label, i.target_kind, i.target_id, i.start_frame, i.end_frame, i.state, i.annotator,
                             i.source, i.evidence, i.updated_at or now_iso(), i.updated_at or now_iso())
        _check(s, video_id, v)
        values.append(v)
    # the annotators' records go; the adjudicated decisions stay (an import brings none)
    s.execute(delete_rows(InteractionRow).where(InteractionRow.video_id == video_id, InteractionRow.annotator != RESERVED))
    s.execute(delete_rows(EditRow).where(EditRow.video_id == video_id, EditRow.kind == "interaction"))
    s.add_all(InteractionRow(video_id=video_id, **{k: getattr(v, k) for k in InteractionValue.__dataclass_fields__}) for v in values)
    s.flush()
    if values:
        repo_media.mark_stage(s, video_id, "people", USER_SET)


def _replaceable(r: InteractionRow) -> bool:
    """A suggestion of the analysis nobody touched: judged, edited or taken over, it is a decision."""
    return r.source == "suggestion" and r.state == "unreviewed" and r.annotator == SUGGESTER


def replace_suggestions(s: Session, video_id: int, items: list[Interaction]) -> tuple[int, int]:
    """Make ``items`` the video's suggested interactions (the analysis' pair suggestions): the
    untouched suggestions of an earlier analysis go, every other record stays, and an item that a
    kept record already decides (the same actor, label and target over an overlapping span, in any
    state, by anyone) is left out. Items are stored as source ``suggestion``, state ``unreviewed``,
    annotator :data:`SUGGESTER`, with their ``evidence``. Not an undo step and not a person's edit
    (the people stage stays the analysis'). Returns (added, left out)."""
    found = list(s.scalars(select(InteractionRow).where(InteractionRow.video_id == video_id)))
    decided: dict[tuple[int, str, str, int | None], list[tuple[int, int]]] = {}  # (actor, label, target): spans
    for r in found:
        if _replaceable(r):
            s.delete(r)
        else:
            decided.setdefault((r.actor_id, r.label, r.target_kind, r.target_id), []).append((r.start_frame, r.end_frame))
    s.flush()
    added = skipped = 0
    now = now_iso()
    for i in items:
        spans = decided.get((i.actor_id, i.label, i.target_kind, i.target_id), [])
        if any(start < i.end_frame and i.start_frame < end for start, end in spans):
            skipped += 1
            continue
        v = InteractionValue(i.actor_id, i.label, i.target_kind, i.target_id, int(i.start_frame), int(i.end_frame), "unreviewed",
                             SUGGESTER, "suggestion", i.evidence, now, now)
        _check(s, video_id, v)
        s.add(InteractionRow(video_id=video_id, **{k: getattr(v, k) for k in InteractionValue.__dataclass_fields__}))
        added += 1
    s.flush()
    return added, skipped
