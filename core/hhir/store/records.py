"""Records the store returns besides the shared ``hhir.types`` ones."""

from __future__ import annotations

from dataclasses import dataclass

from hhir.types import Annotation, AnnotationState, Clip, ModelInfo, Predictions, Shot, Target, TranscriptSegment, Video


@dataclass(frozen=True)
class Change:
    """What one mutation (or its undo/redo) changed, so views refresh only that.

    ``kind`` is ``annotate``, ``review``, ``segment_text`` or ``shots``; ``targets`` are the clips
    or scenes whose annotations or review status changed (empty for a transcript or shot edit).
    """

    video_id: int
    kind: str
    description: str
    targets: tuple[Target, ...] = ()


@dataclass(frozen=True)
class HistoryStep:
    """One step of a video's edit history, as the undo log keeps it (an event log of who did what)."""

    seq: int
    when: str  # ISO 8601 UTC
    who: str | None  # the annotator (None: a step from before steps had owners)
    kind: str
    what: str
    targets: tuple[Target, ...]
    undone: bool


@dataclass(frozen=True)
class OrphanAnnotation:
    """An annotation whose clip disappeared when the clips were rebuilt; kept with its time range."""

    video_id: int
    start_s: float
    end_s: float
    label: str
    state: AnnotationState
    annotator: str
    source: str
    updated_at: str
    id: int | None = None  # the row, for ``Store.reattach``


@dataclass(frozen=True)
class VideoSide:
    """A video's fixed side of the project's split (keyed by content fingerprint).

    ``film`` names the film several scenes share (they always share a side); ``moved_at`` is set
    when a person moved it by hand (``hhir split move``).
    """

    fingerprint: str
    side: str  # train | validation | test
    film: str | None
    seed: int
    assigned_at: str
    moved_at: str | None = None


@dataclass(frozen=True)
class VideoState:
    """Everything the review window shows of one video, read in one read transaction: a
    consistent snapshot even while an analysis in another process writes."""

    video: Video
    shots: list[Shot]
    clips: list[Clip]
    segments: list[TranscriptSegment]
    predictions: Predictions | None
    annotations: list[Annotation]
    reviewed: set[Target]
    active_model: ModelInfo | None
