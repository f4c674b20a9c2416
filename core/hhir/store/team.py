"""Several annotators on one project: where they disagree, and the adjudicator's final decisions.

An adjudication is kept as an annotation of the reserved annotator ``ADJUDICATED`` whose source
names the adjudicator (``adjudication:NAME``): one decision per clip (or scene) and label, which
follows its time range through clip rebuilds like every annotation, and is one undo step of the
adjudicator's. It is never a vote: ``Store.annotations()`` leaves it out unless asked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from hhir.store import repo_annotations
from hhir.store.repo_annotations import ADJUDICATED, ADJUDICATION_SOURCE
from hhir.types import Annotation, AnnotationState, Target


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


def disagreements(s: Session, video_id: int) -> list[Disagreement]:
    """Targets and labels where at least two annotators decided differently (explicit decisions)."""
    votes: dict[tuple[Target, str], list[tuple[str, AnnotationState]]] = defaultdict(list)
    for a in repo_annotations.find_annotations(s, video_id, None):
        votes[(a.target, a.label)].append((a.annotator, a.state))
    decided = {(d.target, d.label): d.state for d in adjudications(s, video_id)}
    return [
        Disagreement(target, label, tuple(sorted(vs)), decided.get((target, label)))
        for (target, label), vs in votes.items()
        if len({state for _, state in vs}) > 1
    ]


def is_adjudication(annotation: Annotation) -> bool:
    return annotation.annotator == ADJUDICATED
