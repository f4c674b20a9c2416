"""Interactions: who does what to whom, when; a person's edits, each committed and undoable."""

from __future__ import annotations

from typing import Any

from hhir.store import repo_interactions, team
from hhir.store.base import StoreBase
from hhir.store.records import Change
from hhir.types import Interaction


class InteractionsAPI(StoreBase):
    def interactions(self, video_id: int | None = None, annotator: str | None = None,
                     character_id: int | None = None) -> list[Interaction]:
        """Interactions (of a video, an annotator, a character as actor or target) by start frame;
        the annotators' own, without the adjudicated decisions (:meth:`interaction_adjudications`)."""
        with self._reading() as s:
            return repo_interactions.find(s, video_id, annotator, character_id)

    def interaction_adjudications(self, video_id: int | None = None) -> list[Interaction]:
        """The adjudicated decisions on interactions (annotator ``@adjudicated``, source
        ``adjudication:NAME``), of a video or all, by start frame."""
        with self._reading() as s:
            return repo_interactions.find(s, video_id, repo_interactions.RESERVED)

    def adjudicate_interaction(self, video_id: int, actor_id: int, label: str, target_kind: str, target_id: int | None,
                               start_frame: int, end_frame: int, state: str, adjudicator: str,
                               evidence: str | None = None) -> tuple[Change, int]:
        """Record the final decision where annotators disagree on an interaction: that ``actor_id``
        does (``present``) or does not (``absent``) do ``label`` to the target over the span; kept
        apart from the annotators' records, one committed step that ``undo(video_id, adjudicator)``
        reverts; ``evidence`` says what was decided (e.g. whose version was accepted). Withdrawn
        with ``delete_interaction(id, adjudicator)``.

        Raises:
            StoreError: a check of :meth:`add_interaction` fails, or the adjudicator has records of
                their own over the span and the project's adjudication policy is ``others``.
        """
        with self._writing() as s:
            return repo_interactions.adjudicate(s, video_id, actor_id, label, target_kind, target_id, start_frame, end_frame,
                                                state, adjudicator, evidence, team.adjudication_policy(s))

    def interaction(self, interaction_id: int) -> Interaction:
        with self._reading() as s:
            return repo_interactions.get(s, interaction_id)

    def add_interaction(self, video_id: int, actor_id: int, label: str, target_kind: str, target_id: int | None,
                        start_frame: int, end_frame: int, annotator: str, state: str = "present",
                        source: str = "annotator", evidence: str | None = None) -> tuple[Change, int]:
        """Record that ``actor_id`` does ``label`` to the target over ``[start_frame, end_frame)``:
        one committed, undoable step (Store.undo); returns the change and the new id. The clips it
        overlaps, and the scene, count the label present for ``annotator`` unless they decided
        otherwise on the clip itself (hhir.store.repo_interactions)."""
        with self._writing() as s:
            return repo_interactions.add(s, video_id, actor_id, label, target_kind, target_id, start_frame, end_frame,
                                         annotator, state, source, evidence)

    def set_interaction(self, interaction_id: int, annotator: str, **changes: Any) -> Change:
        """Change fields of an interaction (actor_id, label, target_kind, target_id, start_frame,
        end_frame, state, evidence): one undoable step. Only its annotator may, except for an
        unreviewed suggestion, which becomes ``annotator``'s."""
        with self._writing() as s:
            return repo_interactions.update(s, interaction_id, annotator, **changes)

    def delete_interaction(self, interaction_id: int, annotator: str) -> Change:
        """Remove an interaction (its annotator's, or an unreviewed suggestion): one undoable step."""
        with self._writing() as s:
            return repo_interactions.delete(s, interaction_id, annotator)

    def replace_interactions(self, video_id: int, items: list[Interaction]) -> None:
        """Make ``items`` (ids ignored) the video's interactions, as an import: one transaction,
        every item checked before anything changes; not an undo step, and earlier interaction undo
        steps of the video are dropped."""
        with self._writing() as s:
            repo_interactions.replace_all(s, video_id, items)

    def replace_suggestions(self, video_id: int, items: list[Interaction]) -> tuple[int, int]:
        """Make ``items`` the video's pair suggestions, never overwriting a decision: one transaction,
        not an undo step (:func:`hhir.store.repo_interactions.replace_suggestions`). Returns (added, left out)."""
        with self._writing() as s:
            return repo_interactions.replace_suggestions(s, video_id, items)
