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
class TranscriptSegment:
    start_s: float
    end_s: float
    text: str
    id: int = 0


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
