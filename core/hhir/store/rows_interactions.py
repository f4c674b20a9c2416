"""Interaction rows for one transaction: the record they read as, and the undo log's snapshots.

An undo step of an interaction edit keeps the row by id, before and after (None: no row);
:func:`write_interaction` makes the row exactly one of the two again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hhir.store import rows
from hhir.store.schema import CharacterRow, ClipRow, InteractionRow
from hhir.types import Interaction, Target


@dataclass(frozen=True)
class InteractionKey:
    video_id: int
    interaction_id: int


@dataclass(frozen=True)
class InteractionValue:
    actor_id: int
    label: str
    target_kind: str
    target_id: int | None
    start_frame: int
    end_frame: int
    state: str
    annotator: str
    source: str
    evidence: str | None
    created_at: str
    updated_at: str


def record(r: InteractionRow) -> Interaction:
    return Interaction(r.id, r.video_id, r.actor_id, r.label, r.target_kind, r.target_id, r.start_frame, r.end_frame,
                       r.state, r.annotator, r.source, r.evidence, r.updated_at)


def value(r: InteractionRow | None) -> InteractionValue | None:
    if r is None:
        return None
    return InteractionValue(r.actor_id, r.label, r.target_kind, r.target_id, r.start_frame, r.end_frame, r.state,
                            r.annotator, r.source, r.evidence, r.created_at, r.updated_at)


def write_interaction(video: rows.VideoRows, key: InteractionKey, after: InteractionValue | None) -> None:
    """Undo/redo side: make the row with this id exactly ``after`` (None: no row)."""
    s = video.s
    s.execute(delete(InteractionRow).where(InteractionRow.id == key.interaction_id))
    s.flush()
    if after is not None:
        if any(c is not None and s.get(CharacterRow, c) is None for c in (after.actor_id, after.target_id)):
            # Another person's edit (an undone split) removed the character since, and the interaction
            # with it, as deleting a character does: it stays gone, and the rest of the history still
            # undoes (refusing here would block every older step of this person).
            return
        s.add(InteractionRow(id=key.interaction_id, video_id=key.video_id, actor_id=after.actor_id, label=after.label,
                             target_kind=after.target_kind, target_id=after.target_id, start_frame=after.start_frame,
                             end_frame=after.end_frame, state=after.state, annotator=after.annotator, source=after.source,
                             evidence=after.evidence, created_at=after.created_at, updated_at=after.updated_at))
        s.flush()


def touched_targets(s: Session, video_id: int, spans: list[tuple[int, int]]) -> tuple[Target, ...]:
    """The clips a change of interactions over ``spans`` may relabel (their derived labels), and the scene."""
    found: dict[Target, None] = {}
    for start, end in spans:
        query = select(ClipRow.id).where(ClipRow.video_id == video_id, ClipRow.start_frame < end, ClipRow.end_frame > start)
        found.update({Target(video_id, clip_id): None for clip_id in s.scalars(query.order_by(ClipRow.index))})
    if spans:
        found[Target(video_id, None)] = None
    return tuple(found)
