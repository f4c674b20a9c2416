"""Several annotators on one project: where they disagree, and the adjudicator's final decisions.

An adjudication is kept as an annotation of the reserved annotator ``ADJUDICATED`` whose source
names the adjudicator (``adjudication:NAME``): one decision per clip (or scene) and label, which
follows its time range through clip rebuilds like every annotation, and is one undo step of the
adjudicator's. It is never a vote: ``Store.annotations()`` leaves it out unless asked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import distinct, false, func, or_, select
from sqlalchemy.orm import Session

from hhir.errors import StoreError
from hhir.store import repo_annotations
from hhir.store.repo_annotations import ADJUDICATED, ADJUDICATION_SOURCE
from hhir.store.schema import AnnotationRow, ProjectSettingRow
from hhir.types import AnnotationState, Target


@dataclass(frozen=True)
class Adjudication:
    """The team's final decision on one label of one clip or scene, and who made it."""

    target: Target
    label: str
    state: AnnotationState
    adjudicator: str
    updated_at: str


@dataclass(frozen=True)
class Disagreement:
    """A clip (or scene) label on which annotators' explicit decisions differ.

    ``votes`` is (annotator, state) for everyone who decided it; ``decision`` the adjudication,
    if any (a disagreement stays listed after it is adjudicated, marked as settled).
    """

    target: Target
    label: str
    votes: tuple[tuple[str, AnnotationState], ...]
    decision: AnnotationState | None = None


def source_for(adjudicator: str) -> str:
    return f"{ADJUDICATION_SOURCE}:{adjudicator}"


def adjudicator_of(source: str) -> str:
    return source.split(":", 1)[1] if ":" in source else source


def adjudications(s: Session, video_id: int | None) -> list[Adjudication]:
    found = repo_annotations.find_annotations(s, video_id, ADJUDICATED)
    return [Adjudication(a.target, a.label, a.state, adjudicator_of(a.source), a.updated_at) for a in found]


def disagreements(s: Session, video_id: int, targets: Collection[Target] | None = None) -> list[Disagreement]:
    """Targets and labels where at least two annotators decided differently (explicit decisions),
    of the whole video or only of ``targets`` (what one edit can have changed: a cheap refresh)."""
    if targets is None:  # the whole video: let the database find the few disputed targets first
        targets = _disputed_targets(s, video_id)
        if not targets:
            return []
    query = select(AnnotationRow).where(AnnotationRow.video_id == video_id, AnnotationRow.orphan.is_(False))
    if targets is not None:
        ids = sorted({t.clip_id for t in targets if t.clip_id is not None})
        scene = any(t.clip_id is None for t in targets)
        query = query.where(or_(AnnotationRow.clip_id.in_(ids), AnnotationRow.is_scene.is_(True) if scene else false()))
    votes: dict[tuple[Target, str], list[tuple[str, AnnotationState]]] = defaultdict(list)
    decided: dict[tuple[Target, str], AnnotationState] = {}
    for row in s.scalars(query):
        key = (Target(row.video_id, row.clip_id), row.label)
        if row.annotator == ADJUDICATED:
            decided[key] = AnnotationState(row.state)
        else:
            votes[key].append((row.annotator, AnnotationState(row.state)))
    return [
        Disagreement(target, label, tuple(sorted(vs)), decided.get((target, label)))
        for (target, label), vs in votes.items()
        if len({state for _, state in vs}) > 1
    ]


def _disputed_targets(s: Session, video_id: int) -> list[Target]:
    """Targets with a label on which people's states differ: one grouped query on the video's index."""
    query = (
        select(AnnotationRow.clip_id)
        .where(AnnotationRow.video_id == video_id, AnnotationRow.orphan.is_(False), AnnotationRow.annotator != ADJUDICATED)
        .group_by(AnnotationRow.clip_id, AnnotationRow.label)
        .having(func.count(distinct(AnnotationRow.state)) > 1)
    )
    return [Target(video_id, clip_id) for clip_id in set(s.scalars(query))]


ADJUDICATION_POLICY = "adjudication"
ADJUDICATION_POLICIES = {
    "others": "anyone but the annotators who decided that label there (the default)",
    "anyone": "anyone, an annotator of the disagreement included",
}


def adjudication_policy(s: Session) -> str:
    row = s.get(ProjectSettingRow, ADJUDICATION_POLICY)
    return row.value if row is not None and row.value in ADJUDICATION_POLICIES else "others"


def set_adjudication_policy(s: Session, policy: str) -> None:
    if policy not in ADJUDICATION_POLICIES:
        raise StoreError(f"unknown adjudication policy {policy!r}; one of: {', '.join(sorted(ADJUDICATION_POLICIES))}")
    row = s.get(ProjectSettingRow, ADJUDICATION_POLICY)
    if row is None:
        s.add(ProjectSettingRow(key=ADJUDICATION_POLICY, value=policy))
    else:
        row.value = policy


def check_may_adjudicate(s: Session, target: Target, label: str, adjudicator: str) -> None:
    """Refuse an adjudicator who decided this label on this target, unless the project allows it."""
    if adjudication_policy(s) == "anyone":
        return
    query = select(AnnotationRow.annotator).where(
        AnnotationRow.video_id == target.video_id, AnnotationRow.label == label, AnnotationRow.orphan.is_(False),
        AnnotationRow.annotator == adjudicator,
        AnnotationRow.is_scene.is_(True) if target.clip_id is None else AnnotationRow.clip_id == target.clip_id)
    if s.scalar(query) is not None:
        where = "the scene" if target.clip_id is None else f"clip {target.clip_id}"
        raise StoreError(f"{adjudicator} decided {label!r} on {where} of video {target.video_id} themselves, so "
                         "someone else adjudicates it (the project's adjudication policy is 'others'; "
                         "`hhir adjudication-policy anyone` lets annotators settle their own disagreements)")
