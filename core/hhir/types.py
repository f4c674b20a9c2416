"""Plain, typed domain records shared by every layer.

Everything that crosses a module boundary is one of these frozen dataclasses: the store returns
them, the pipeline produces them, the desktop app and the exchange formats consume them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True)
class VideoInfo:
    """What probing a media file tells us. ``fingerprint`` identifies the content, not the path."""

    path: str
    duration_s: float
    fps: float
    frame_count: int
    width: int
    height: int
    has_audio: bool
    has_video: bool = True
    fingerprint: str = ""
    rotation: int = 0
    """Degrees counterclockwise the picture is turned for display (0, 90, 180, 270); ``width`` and
    ``height`` are the displayed size, i.e. already swapped for 90 and 270."""


@dataclass(frozen=True)
class Video:
    """A video stored in a project."""

    id: int
    path: str
    fingerprint: str
    duration_s: float
    fps: float
    frame_count: int
    width: int
    height: int
    has_audio: bool


@dataclass(frozen=True)
class Shot:
    """A shot: frames ``[start_frame, end_frame)``, i.e. ``end_frame`` is exclusive."""

    index: int
    start_frame: int
    end_frame: int
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Clip:
    """A window of consecutive shots ``first_shot..last_shot`` (inclusive), as a time range.

    ``id`` is the database id (0 before storing). ``text`` is the transcript overlapping the clip,
    cleaned as the seed does.
    """

    index: int
    first_shot: int
    last_shot: int
    start_s: float
    end_s: float
    start_frame: int
    end_frame: int
    text: str = ""
    id: int = 0


@dataclass(frozen=True)
class SpokenWord:
    """One recognised word and when it is said (its text keeps the recogniser's leading space)."""

    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class TranscriptSegment:
    """One stretch of the transcript. ``words`` are the recogniser's word times, present only on
    segments fresh from speech recognition (the store keeps no words); they take no part in
    equality."""

    start_s: float
    end_s: float
    text: str
    id: int = 0
    words: tuple[SpokenWord, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class LabelDef:
    """One interaction label. ``description`` is natural language, used by the zero-shot starter."""

    name: str
    description: str = ""
    key: str = ""


class AnnotationState(str, Enum):
    PRESENT = "present"
    ABSENT = "absent"


@dataclass(frozen=True)
class Target:
    """What a label applies to: one clip of a video, or the whole video (scene) when clip_id is None."""

    video_id: int
    clip_id: int | None = None


@dataclass(frozen=True)
class Annotation:
    target: Target
    label: str
    state: AnnotationState
    annotator: str
    source: str = "human"  # human | import:<format> | accepted:<model id>
    updated_at: str = ""


@dataclass(frozen=True)
class ModelInfo:
    """A classifier that produced predictions. ``kind`` is ``starter``, ``trained`` or ``imported``."""

    id: str
    kind: str
    path: str = ""
    parent: str | None = None
    created_at: str = ""
    active: bool = False
    metrics: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Predictions:
    """Scores in [0, 1] from one model for one video: the scene, and each clip by clip id."""

    model: ModelInfo
    scene: dict[str, float]
    clips: dict[int, dict[str, float]]


DEFAULT_LABELS: tuple[str, ...] = (
    "asks",
    "gives to",
    "talks to",
    "walks with",
    "watches",
    "yells at",
    "no_interaction",
)


# People (hhir.people finds them, hhir.store keeps them) ------------------------------------------


@dataclass(frozen=True)
class PersonBox:
    """A person's box on one decoded frame, normalised ``x0 y0 x1 y1`` in [0, 1].

    ``source``: ``detector``, ``annotator`` or ``import``. Only these boxes are stored; the frames
    between two of them are interpolated on reading (:meth:`PersonTrack.box_at`). ``face`` is the
    face's box and BlazeFace's six key points (x, y each), 16 numbers, when a face was seen.
    """

    frame: int
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float
    source: str = "detector"
    face: tuple[float, ...] | None = None

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.x0, self.y0, self.x1, self.y1)


@dataclass(frozen=True)
class PersonTrack:
    """One person followed through one shot (never across a cut); ``boxes`` sorted by frame.

    ``character_id`` is the character it belongs to (None: nobody yet); ``assigned_by`` is the
    annotator who put it there, None when the grouping is the analysis' suggestion.
    """

    id: int
    video_id: int
    shot_index: int
    boxes: tuple[PersonBox, ...]
    character_id: int | None = None
    assigned_by: str | None = None
    source: str = "detector"

    @property
    def start_frame(self) -> int:
        return self.boxes[0].frame

    @property
    def end_frame(self) -> int:
        return self.boxes[-1].frame

    def box_at(self, frame: int) -> tuple[float, float, float, float] | None:
        """The box on ``frame``: stored, or linearly interpolated between the two around it; None
        outside the track."""
        if not self.boxes or frame < self.start_frame or frame > self.end_frame:
            return None
        after = next(i for i, b in enumerate(self.boxes) if b.frame >= frame)
        b = self.boxes[after]
        if b.frame == frame or after == 0:
            return b.box
        a = self.boxes[after - 1]
        t = (frame - a.frame) / (b.frame - a.frame)
        return (a.x0 + (b.x0 - a.x0) * t, a.y0 + (b.y0 - a.y0) * t, a.x1 + (b.x1 - a.x1) * t, a.y1 + (b.y1 - a.y1) * t)


@dataclass(frozen=True)
class Character:
    """A person across the film. ``number`` is their stable person id in the video (1, 2, ...: AVA's
    and VidOR's id); ``confirmed`` is False while the grouping is only the analysis' suggestion."""

    id: int
    video_id: int
    number: int
    name: str | None
    confirmed: bool
    annotator: str | None
    updated_at: str


@dataclass(frozen=True)
class SpeechTurn:
    """One stretch of speech by one voice: ``speaker`` is the voice's cluster over the film (0, 1,
    ...); ``track_id`` / ``character_id`` link it to who is seen speaking, where known."""

    id: int
    video_id: int
    start_s: float
    end_s: float
    speaker: int
    track_id: int | None = None
    character_id: int | None = None
    confidence: float | None = None
    source: str = "analysis"


TARGET_KINDS = ("character", "group", "offscreen", "unknown")
"""Whom an interaction is directed at: a character, the group in frame, someone off-screen, unknown."""
INTERACTION_STATES = ("present", "absent", "unreviewed")
INTERACTION_SOURCES = ("annotator", "suggestion", "import")


@dataclass(frozen=True)
class Interaction:
    """Who does what to whom, and when: ``actor_id`` (a character) does ``label`` to the target over
    frames ``[start_frame, end_frame)`` (``end_frame`` exclusive, as shots and clips; decoded frame
    indices on the stream's clock, chosen freely, not tied to clips).

    ``target_kind`` is one of :data:`TARGET_KINDS`; ``target_id`` is the target character's id when
    it is ``character``, else None. ``state``: ``present``, ``absent`` (checked and not so) or
    ``unreviewed`` (a suggestion nobody judged). ``source``: ``annotator``, ``suggestion`` or
    ``import``; ``evidence`` the cue behind a suggestion (None for a person's own record).
    """

    id: int
    video_id: int
    actor_id: int
    label: str
    target_kind: str
    target_id: int | None
    start_frame: int
    end_frame: int
    state: str
    annotator: str
    source: str = "annotator"
    evidence: str | None = None
    updated_at: str = ""

    def overlaps(self, start_frame: int, end_frame: int) -> bool:
        """Whether the interaction shares a frame with ``[start_frame, end_frame)``."""
        return self.start_frame < end_frame and start_frame < self.end_frame
