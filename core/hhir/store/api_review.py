"""A person's edits: annotations, review status, transcript corrections, and their undo/redo."""

from __future__ import annotations

from hhir.errors import StoreError
from hhir.store import editlog, repo_annotations, repo_clips
from hhir.store.base import StoreBase
from hhir.store.records import Change, HistoryStep, OrphanAnnotation
from hhir.types import Annotation, AnnotationState, Target


class ReviewAPI(StoreBase):
    # annotations --------------------------------------------------------------------------------
    def annotate(self, target: Target, label: str, state: AnnotationState | None, annotator: str, source: str = "human") -> Change:
        """Set (or with ``state=None`` remove) one label decision: one committed, undoable step."""
        return self.annotate_many([(target, label, state)], annotator, source)

    def annotate_many(self, items: list[tuple[Target, str, AnnotationState | None]], annotator: str, source: str = "human") -> Change:
        """Several decisions on one video as one undo step."""
        if annotator == repo_annotations.ADJUDICATED:
            raise StoreError(f"{annotator!r} is reserved for adjudicated decisions; use adjudicate()")
        with self._writing() as s:
            return repo_annotations.annotate_many(s, items, annotator, source)

    def annotations(self, video_id: int | None = None, annotator: str | None = None) -> list[Annotation]:
        """Annotations on clips and scenes (orphans are listed by :meth:`orphan_annotations`)."""
        with self._reading() as s:
            return repo_annotations.find_annotations(s, video_id, annotator)

    def orphan_annotations(self, video_id: int) -> list[OrphanAnnotation]:
        """Annotations whose clip no longer exists, with the time range they were made on."""
        with self._reading() as s:
            return repo_annotations.orphans(s, video_id)

    def reattach(self, orphan_id: int, clip_id: int, annotator: str | None = None) -> Change:
        """Put a decision kept aside (``orphan_annotations(...)[i].id``) on a clip of its video: one
        committed, undoable step (``annotator``'s; default the decision's own annotator)."""
        with self._writing() as s:
            return repo_annotations.reattach(s, orphan_id, clip_id, annotator)

    def set_reviewed(self, target: Target, annotator: str, reviewed: bool = True) -> Change:
        """Mark a clip or scene (not) reviewed by ``annotator``: one committed, undoable step."""
        with self._writing() as s:
            return repo_annotations.set_reviewed(s, target, annotator, reviewed)

    def reviewed(self, video_id: int, annotator: str | None = None) -> set[Target]:
        """The targets of a video marked reviewed (by anyone when ``annotator`` is None)."""
        with self._reading() as s:
            return repo_annotations.reviewed(s, video_id, annotator)

    def review_time(self, target: Target, annotator: str) -> str | None:
        """When ``annotator`` marked ``target`` reviewed (ISO 8601 UTC; None when not reviewed)."""
        with self._reading() as s:
            return repo_annotations.review_time(s, target, annotator)

    def review_times(self, video_id: int, annotator: str | None = None) -> dict[str, dict[Target, str]]:
        """Annotator -> the targets of a video they marked reviewed -> when (ISO 8601 UTC)."""
        with self._reading() as s:
            return repo_annotations.review_times(s, video_id, annotator)

    def history(self, video_id: int, annotator: str | None = None) -> tuple[str | None, str | None]:
        """What undo and redo (with the same ``annotator``) would do next for this video: their
        descriptions; None: nothing."""
        with self._reading() as s:
            return editlog.next_steps(s, video_id, annotator)

    def edit_history(self, video_id: int) -> list[HistoryStep]:
        """Every edit step kept for this video, oldest first: when, who, what, on which targets, and
        whether it is undone (the event log an annotation team exports)."""
        with self._reading() as s:
            return editlog.steps(s, video_id)

    def undo(self, video_id: int, annotator: str | None = None) -> Change | None:
        """Revert this video's latest edit (``annotator``'s own latest when given, so in a team
        project nobody undoes someone else's work); None when there is nothing to undo."""
        with self._writing() as s:
            return _follow_transcript(s, editlog.undo(s, video_id, annotator))

    def redo(self, video_id: int, annotator: str | None = None) -> Change | None:
        """Re-apply this video's latest undone edit (``annotator``'s own when given); None when none."""
        with self._writing() as s:
            return _follow_transcript(s, editlog.redo(s, video_id, annotator))

    # transcript corrections --------------------------------------------------------------------
    def edit_segment_text(self, segment_id: int, text: str, annotator: str) -> Change:
        """Correct a transcript segment (undoable); the machine text is kept as the original.

        The texts of the clips it overlaps follow in the same transaction, so text features and
        exports see the correction.
        """
        with self._writing() as s:
            return _follow_transcript(s, repo_annotations.edit_segment_text(s, segment_id, text, annotator))


def _follow_transcript(s, change: Change | None) -> Change | None:
    if change is not None and change.kind == "segment_text":
        repo_clips.refresh_clip_texts(s, change.video_id)
    return change
