"""SQLAlchemy models of the project database (the head revision of the migrations).

These classes never leave ``hhir.store``: the repositories turn rows into ``hhir.types`` records.
Times are stored as ISO 8601 UTC strings so they round-trip exactly through the undo log.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, ForeignKey, Index, LargeBinary, MetaData, String, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Explicit constraint names, so migrations can refer to (and alter) them on every backend.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _video_fk() -> Any:
    return ForeignKey("videos.id", ondelete="CASCADE")


class VideoRow(Base):
    __tablename__ = "videos"
    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String)
    fingerprint: Mapped[str] = mapped_column(String, unique=True)
    duration_s: Mapped[float]
    fps: Mapped[float]
    frame_count: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    has_audio: Mapped[bool] = mapped_column(Boolean)
    added_at: Mapped[str] = mapped_column(String)


class FrameIndexRow(Base):
    """A video's decoded frames (0009): how many, and each one's timestamp, packed by
    :meth:`hhir.media.frame_index.FrameIndex.pack`; with the file it was decoded from (size,
    modification time, fingerprint), so a changed file is decoded again."""

    __tablename__ = "frame_indexes"
    video_id: Mapped[int] = mapped_column(_video_fk(), primary_key=True)
    frame_count: Mapped[int]
    time_base_num: Mapped[int]
    time_base_den: Mapped[int]
    origin_us: Mapped[int] = mapped_column(BigInteger)
    last_duration: Mapped[int] = mapped_column(BigInteger)
    pts: Mapped[bytes] = mapped_column(LargeBinary)
    file_size: Mapped[int] = mapped_column(BigInteger)
    file_mtime_ns: Mapped[int] = mapped_column(BigInteger)
    fingerprint: Mapped[str] = mapped_column(String)
    built_at: Mapped[str] = mapped_column(String)


class StageRow(Base):
    __tablename__ = "stages"
    __table_args__ = (UniqueConstraint("video_id", "stage"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(_video_fk())
    stage: Mapped[str] = mapped_column(String)
    params: Mapped[str] = mapped_column(String)
    done_at: Mapped[str] = mapped_column(String)


class ShotRow(Base):
    __tablename__ = "shots"
    __table_args__ = (UniqueConstraint("video_id", "index"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(_video_fk())
    index: Mapped[int]
    start_frame: Mapped[int]
    end_frame: Mapped[int]
    start_s: Mapped[float]
    end_s: Mapped[float]


class ClipRow(Base):
    __tablename__ = "clips"
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(_video_fk(), index=True)
    index: Mapped[int]
    first_shot: Mapped[int]
    last_shot: Mapped[int]
    start_s: Mapped[float]
    end_s: Mapped[float]
    start_frame: Mapped[int]
    end_frame: Mapped[int]
    text: Mapped[str] = mapped_column(String, default="")


class SegmentRow(Base):
    __tablename__ = "transcript_segments"
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(_video_fk(), index=True)
    start_s: Mapped[float]
    end_s: Mapped[float]
    text: Mapped[str] = mapped_column(String)
    # The machine transcript, kept the first time a person edits the segment (added in 0002).
    original_text: Mapped[str | None] = mapped_column(String, nullable=True)


class LabelRow(Base):
    __tablename__ = "labels"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    description: Mapped[str] = mapped_column(String, default="")
    key: Mapped[str] = mapped_column(String, default="")
    position: Mapped[int]
    # When the label was added (0003); NULL for labels older than that: as old as every review.
    created_at: Mapped[str | None] = mapped_column(String, nullable=True)


class VideoSplitRow(Base):
    """A video's fixed side of the train/validation/test split (0003), by content fingerprint.

    ``film`` groups scenes of one film, which always share a side; ``moved_at`` is set when a
    person moved the video by hand.
    """

    __tablename__ = "video_splits"
    __table_args__ = (CheckConstraint("side IN ('train', 'validation', 'test')", name="side"),)
    fingerprint: Mapped[str] = mapped_column(String, primary_key=True)
    film: Mapped[str | None] = mapped_column(String, nullable=True, index=True)
    side: Mapped[str] = mapped_column(String)
    seed: Mapped[int]
    assigned_at: Mapped[str] = mapped_column(String)
    moved_at: Mapped[str | None] = mapped_column(String, nullable=True)


class ModelRow(Base):
    __tablename__ = "models"
    __table_args__ = (
        CheckConstraint("kind IN ('starter', 'trained', 'imported')", name="kind"),
        # At most one active model.
        Index("uq_models_active", "active", unique=True, sqlite_where=text("active = 1"), postgresql_where=text("active")),
    )
    id: Mapped[str] = mapped_column(String, primary_key=True)
    kind: Mapped[str] = mapped_column(String)
    path: Mapped[str] = mapped_column(String, default="")
    parent: Mapped[str | None] = mapped_column(String, nullable=True)
    created_at: Mapped[str] = mapped_column(String)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    metrics: Mapped[Any] = mapped_column(JSON)
    label_set: Mapped[Any] = mapped_column(JSON)


class PredictionRow(Base):
    __tablename__ = "predictions"
    __table_args__ = (Index("ix_predictions_model_id_video_id", "model_id", "video_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[str] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    video_id: Mapped[int] = mapped_column(_video_fk())
    # NULL for the scene (whole video); a removed clip takes its predictions with it.
    clip_id: Mapped[int | None] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"), nullable=True, index=True)
    label: Mapped[str] = mapped_column(String)
    probability: Mapped[float]


class AnnotationRow(Base):
    """A person's (or an import's) decision on one label for a clip, the scene, or an orphaned range.

    ``clip_id`` is NULL both for the scene (``is_scene``) and for orphans (``orphan``): an orphan
    lost its clip when the clips were rebuilt and keeps the time range to re-attach later.
    """

    __tablename__ = "annotations"
    __table_args__ = (
        UniqueConstraint("video_id", "clip_id", "label", "annotator"),
        # NULL clip ids never collide in a unique constraint, so the scene needs its own index.
        Index(
            "uq_annotations_scene", "video_id", "label", "annotator", unique=True,
            sqlite_where=text("is_scene = 1"), postgresql_where=text("is_scene"),
        ),
        CheckConstraint("state IN ('present', 'absent')", name="state"),
        Index("ix_annotations_video_id_annotator", "video_id", "annotator"),  # added in 0002
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(_video_fk())
    clip_id: Mapped[int | None] = mapped_column(ForeignKey("clips.id", ondelete="SET NULL"), nullable=True, index=True)
    is_scene: Mapped[bool] = mapped_column(Boolean, default=False)
    orphan: Mapped[bool] = mapped_column(Boolean, default=False)
    start_s: Mapped[float | None] = mapped_column(nullable=True)
    end_s: Mapped[float | None] = mapped_column(nullable=True)
    label: Mapped[str] = mapped_column(String)
    state: Mapped[str] = mapped_column(String)
    annotator: Mapped[str] = mapped_column(String)
    source: Mapped[str] = mapped_column(String, default="human")
    created_at: Mapped[str] = mapped_column(String)
    updated_at: Mapped[str] = mapped_column(String)


class ReviewRow(Base):
    """A reviewed target; "unreviewed" is the absence of a row."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("video_id", "clip_id", "annotator"),
        Index(
            "uq_reviews_scene", "video_id", "annotator", unique=True,
            sqlite_where=text("clip_id IS NULL"), postgresql_where=text("clip_id IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(_video_fk())
    clip_id: Mapped[int | None] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"), nullable=True, index=True)
    annotator: Mapped[str] = mapped_column(String)
    reviewed_at: Mapped[str] = mapped_column(String)


class EditRow(Base):
    """One undo step of one video: the before/after of every row it touched, as JSON.

    ``annotator`` is who made it (0004; NULL for older steps): undo can be limited to one's own.
    """

    __tablename__ = "edits"
    __table_args__ = (UniqueConstraint("video_id", "seq"), Index("ix_edits_video_id_annotator", "video_id", "annotator"))
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(_video_fk())
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String)
    description: Mapped[str] = mapped_column(String)
    targets: Mapped[Any] = mapped_column(JSON)
    rows: Mapped[Any] = mapped_column(JSON)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[str] = mapped_column(String)
    annotator: Mapped[str | None] = mapped_column(String, nullable=True)


class ProjectSettingRow(Base):
    """A choice that belongs to the project, not to one person's app (0005): e.g. who may
    adjudicate. A missing row means the setting's default."""

    __tablename__ = "project_settings"
    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(String)


class FeatureRow(Base):
    """Cached encoder output for one time range of one video content (by fingerprint)."""

    __tablename__ = "features"
    __table_args__ = (UniqueConstraint("fingerprint", "start_ms", "end_ms", "encoder_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String)
    start_ms: Mapped[int]
    end_ms: Mapped[int]
    encoder_id: Mapped[str] = mapped_column(String)
    dim: Mapped[int]
    dtype: Mapped[str] = mapped_column(String)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class CharacterRow(Base):
    """A person across one video (0005). ``number`` is their stable person id in exports."""

    __tablename__ = "people_characters"
    __table_args__ = (UniqueConstraint("video_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(_video_fk(), index=True)
    number: Mapped[int]
    name: Mapped[str | None] = mapped_column(String, nullable=True)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    annotator: Mapped[str | None] = mapped_column(String, nullable=True)
    updated_at: Mapped[str] = mapped_column(String)


class PersonTrackRow(Base):
    """One person through one shot (0005); ``assigned_by`` NULL: the character is a suggestion."""

    __tablename__ = "people_tracks"
    __table_args__ = (Index("ix_people_tracks_video_id_shot_index", "video_id", "shot_index"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(_video_fk())
    shot_index: Mapped[int]
    start_frame: Mapped[int]
    end_frame: Mapped[int]
    character_id: Mapped[int | None] = mapped_column(ForeignKey("people_characters.id", ondelete="SET NULL"), nullable=True, index=True)
    assigned_by: Mapped[str | None] = mapped_column(String, nullable=True)
    source: Mapped[str] = mapped_column(String, default="detector")


class PersonBoxRow(Base):
    """A track's box on one decoded frame (0005): detected, drawn or imported; frames between are
    interpolated on reading. ``face``: the face box and key points (16 numbers) or NULL."""

    __tablename__ = "people_boxes"
    __table_args__ = (UniqueConstraint("track_id", "frame"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("people_tracks.id", ondelete="CASCADE"))
    frame: Mapped[int]
    x0: Mapped[float]
    y0: Mapped[float]
    x1: Mapped[float]
    y1: Mapped[float]
    confidence: Mapped[float]
    source: Mapped[str] = mapped_column(String, default="detector")
    face: Mapped[Any] = mapped_column(JSON, nullable=True)


class SpeechTurnRow(Base):
    """A stretch of speech by one voice cluster (0005), linked to a track / character where known."""

    __tablename__ = "speech_turns"
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(_video_fk(), index=True)
    start_s: Mapped[float]
    end_s: Mapped[float]
    speaker: Mapped[int]
    track_id: Mapped[int | None] = mapped_column(ForeignKey("people_tracks.id", ondelete="SET NULL"), nullable=True)
    character_id: Mapped[int | None] = mapped_column(ForeignKey("people_characters.id", ondelete="SET NULL"), nullable=True)
    confidence: Mapped[float | None] = mapped_column(nullable=True)
    source: Mapped[str] = mapped_column(String, default="analysis")


class InteractionRow(Base):
    """Who does what to whom over frames ``[start_frame, end_frame)`` (0006): ``actor_id`` a
    character; ``target_kind`` character (``target_id`` set), group, offscreen or unknown."""

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_video_id_annotator", "video_id", "annotator"),
        CheckConstraint("state IN ('present', 'absent', 'unreviewed')", name="state"),
        CheckConstraint("target_kind IN ('character', 'group', 'offscreen', 'unknown')", name="target_kind"),
        # an adjudicated decision's source names its adjudicator (0008; hhir.store.repo_interactions)
        CheckConstraint("source IN ('annotator', 'suggestion', 'import') OR source LIKE 'adjudication:%'", name="source"),
        CheckConstraint("end_frame > start_frame", name="span"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(_video_fk())
    actor_id: Mapped[int] = mapped_column(ForeignKey("people_characters.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String)
    target_kind: Mapped[str] = mapped_column(String)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("people_characters.id", ondelete="CASCADE"), nullable=True, index=True)
    start_frame: Mapped[int]
    end_frame: Mapped[int]
    state: Mapped[str] = mapped_column(String)
    annotator: Mapped[str] = mapped_column(String)
    source: Mapped[str] = mapped_column(String, default="annotator")
    evidence: Mapped[str | None] = mapped_column(String, nullable=True)
    created_at: Mapped[str] = mapped_column(String)
    updated_at: Mapped[str] = mapped_column(String)
