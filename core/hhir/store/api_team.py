"""Team projects: adjudicating where annotators disagree (see ``hhir.store.team``)."""

from __future__ import annotations

from collections.abc import Collection

from hhir.errors import StoreError
from hhir.store import repo_annotations, team
from hhir.store.base import StoreBase
from hhir.store.records import Change
from hhir.store.team import Adjudication, Disagreement
from hhir.types import AnnotationState, Target


class TeamAPI(StoreBase):
    def adjudicate(self, target: Target, label: str, state: AnnotationState | None, adjudicator: str) -> Change:
        """Record (or with ``state=None`` withdraw) the final decision on one label: one committed
        step that ``undo(video_id, adjudicator)`` reverts. Annotators' own answers are kept as they are.

        Raises:
            StoreError: the adjudicator decided this label on this target themselves and the
                project's :meth:`adjudication_policy` is ``others`` (the default).
        """
        if not adjudicator.strip() or adjudicator == repo_annotations.ADJUDICATED:
            raise StoreError(f"an adjudication needs the adjudicator's name, not {adjudicator!r}")
        with self._writing() as s:
            team.check_may_adjudicate(s, target, label, adjudicator)
            return repo_annotations.annotate_many(
                s, [(target, label, state)], repo_annotations.ADJUDICATED, team.source_for(adjudicator), owner=adjudicator
            )

    def adjudication_policy(self) -> str:
        """Who may adjudicate, a project setting: ``others`` (the default: anyone but the annotators
        who decided that label there) or ``anyone`` (an annotator may settle a disagreement of their own)."""
        with self._reading() as s:
            return team.adjudication_policy(s)

    def set_adjudication_policy(self, policy: str) -> None:
        """Set :meth:`adjudication_policy` for everyone working on this project.

        Raises:
            StoreError: ``policy`` is not one of ``hhir.store.team.ADJUDICATION_POLICIES``.
        """
        with self._writing() as s:
            team.set_adjudication_policy(s, policy)

    def adjudications(self, video_id: int | None = None) -> list[Adjudication]:
        """The adjudicated decisions (of one video, or all)."""
        with self._reading() as s:
            return team.adjudications(s, video_id)

    def disagreements(self, video_id: int, targets: Collection[Target] | None = None) -> list[Disagreement]:
        """Where annotators' explicit decisions on a video (or on some of its ``targets``) differ,
        with the adjudication if any."""
        with self._reading() as s:
            return team.disagreements(s, video_id, targets)
