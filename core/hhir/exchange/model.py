"""Options, reports and the typed records that flow between the store and the file formats.

Export: :func:`hhir.exchange.collect.collect` turns the store into an :class:`ExportData`; each
format writes that. Import: each format reads a file into :class:`ImportData` (references to
videos and clips, not database ids), validating all of it first; :mod:`hhir.exchange.apply`
resolves the references and writes to the store in one call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hhir.types import (
    Annotation,
    AnnotationState,
    Clip,
    LabelDef,
    Predictions,
    Shot,
    Target,
    TranscriptSegment,
    Video,
)

if TYPE_CHECKING:
    from hhir.media.timebase import TimeBase


@dataclass(frozen=True)
class ExportOptions:
    """What to export.

    Attributes:
        video_ids: only these videos (all when empty).
        reviewed_only: only clips (and scenes) marked reviewed, by ``annotator`` when given.
        annotator: only this annotator's labels.
        with_predictions: add the active model's scores (the zero-shot starter's where no model is
            active) as separate columns / entries; they are never mixed into the human labels.
        test_fraction: share of scenes (videos) put in the ``test`` split; the rest are ``train``.
        encoders: ``(modality, encoder id)`` pairs (modality ``video``, ``text`` or ``audio``) whose
            cached features the ``manifest`` format writes beside the rows.
        media_url_prefix: ``labelstudio``: videos are at ``<prefix>/<file name>`` (a web server the
            annotators reach); empty for Label Studio's local-files URLs.
        local_files_root: ``labelstudio``: the server's ``LOCAL_FILES_DOCUMENT_ROOT`` the local-files
            URLs are relative to (``/`` when empty).
        annotator_emails: ``labelstudio``: ``(annotator, e-mail)`` pairs naming the Label Studio account
            each annotator's work goes to.
    """

    video_ids: tuple[int, ...] = ()
    reviewed_only: bool = False
    annotator: str | None = None
    with_predictions: bool = False
    test_fraction: float = 0.2
    encoders: tuple[tuple[str, str], ...] = ()
    media_url_prefix: str = ""
    local_files_root: str = ""
    annotator_emails: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ImportOptions:
    """How to import.

    Attributes:
        replace: overwrite existing annotations (and transcripts / shots) that differ; without
            it those are reported as conflicts and left alone.
        annotator: annotator name for files that carry none (and to override the file's).
        video_id: the video a file belongs to when the file itself does not say (SRT, VTT,
            scene lists, or a single-video project).
    """

    replace: bool = False
    annotator: str | None = None
    video_id: int | None = None


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote. ``skipped``: videos with nothing to write in this format; ``notes``:
    what the receiving tool will not see of what was written (e.g. the seed notebook's one label
    per clip)."""

    format: str
    files: tuple[str, ...]
    rows: int
    videos: int
    clips: int
    skipped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Conflict:
    """An imported value that differs from what the project already holds."""

    target: Target
    label: str
    existing: str
    imported: str
    annotator: str
    where: str = ""


@dataclass(frozen=True)
class ImportReport:
    format: str
    path: str
    annotations_written: int = 0
    unchanged: int = 0
    conflicts: tuple[Conflict, ...] = ()
    replaced: int = 0
    segments_written: int = 0
    shots_written: int = 0
    videos: tuple[int, ...] = ()
    reviews_written: int = 0


@dataclass(frozen=True)
class VideoData:
    """Everything exported about one video (one scene), already filtered."""

    video: Video
    name: str
    split: str
    shots: tuple[Shot, ...]
    clips: tuple[Clip, ...]
    transcript: tuple[TranscriptSegment, ...]
    annotations: tuple[Annotation, ...]
    reviewed: frozenset[Target] = frozenset()
    predictions: Predictions | None = None
    clock: TimeBase | None = None  # the stream's own clock (hhir.exchange.clock); None: frame / fps
    reviewers: tuple[tuple[Target, str], ...] = ()  # (target, annotator) of every review exported

    def span(self, item: Clip | Shot) -> tuple[float, float]:
        """Player seconds of a clip or shot: its first frame's presentation time and the next's."""
        from hhir.exchange.clock import clip_span

        return clip_span(self.clock, item, self.video.fps)


@dataclass(frozen=True)
class ExportData:
    labels: tuple[LabelDef, ...]
    videos: tuple[VideoData, ...]

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)


@dataclass(frozen=True)
class VideoRef:
    """How an imported file names a video: by content fingerprint, by name, or not at all."""

    fingerprint: str = ""
    name: str = ""


@dataclass(frozen=True)
class ClipRef:
    """How an imported file names a clip: by time range, by index, or both (-1 = unknown)."""

    start_s: float = -1.0
    end_s: float = -1.0
    index: int = -1


@dataclass(frozen=True)
class LabelRecord:
    """One imported label state; ``clip`` None means the whole video (scene)."""

    video: VideoRef
    clip: ClipRef | None
    label: str
    state: AnnotationState
    annotator: str
    where: str


@dataclass(frozen=True)
class ReviewRecord:
    """An imported review: ``annotator`` looked at the clip (``clip`` None: the whole video) and
    judged every label, so a label left alone there is absent (:mod:`hhir.scoring.truth`)."""

    video: VideoRef
    clip: ClipRef | None
    annotator: str
    where: str


@dataclass(frozen=True)
class ImportData:
    """What one file held, before it is matched to the project."""

    labels: tuple[LabelRecord, ...] = ()
    reviewed: tuple[ReviewRecord, ...] = ()
    transcripts: tuple[tuple[VideoRef, tuple[TranscriptSegment, ...]], ...] = ()
    shots: tuple[tuple[VideoRef, tuple[Shot, ...]], ...] = ()
    known_labels: tuple[str, ...] = field(default=())
