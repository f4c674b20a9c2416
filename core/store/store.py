"""The project database: one ``Store`` per SQLite file, safe to share between threads.

Every method is one short unit of work in its own session; every mutating method commits before
it returns. Edits a person makes (annotations, review status, transcript corrections) are logged
per video in the same transaction, so undo/redo survives a restart.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from sqlalchemy import Connection, insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core.errors import StoreError
from core.store import editlog, migrate, repo_annotations, repo_clips, repo_media, repo_models
from core.store.common import video_row
from core.store.engine import WRITE_OPTION, check_file, make_engine
from core.store.records import Change, OrphanAnnotation
from core.store.schema import LabelRow
from core.store.seed import default_labels_file, load_label_file
from core.types import (
    AnnotationState, Annotation, Clip, LabelDef, ModelInfo, Predictions, Shot, Target, TranscriptSegment, Video, VideoInfo,
)


def _seed_labels(conn: Connection) -> None:
    labels = load_label_file(default_labels_file())
    rows = [dict(name=lb.name, description=lb.description, key=lb.key, position=i) for i, lb in enumerate(labels)]
    conn.execute(insert(LabelRow), rows)


class Store:
    """A project database file.

    Args:
        path: the SQLite file; created (with its folder) and seeded with the default label set
            when missing, migrated to the current schema (after a backup copy) when older.

    Raises:
        StoreError: naming the file, when it is not a SQLite database, is damaged, belongs to
            something else, or was written by a newer version.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser().resolve()
        check_file(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create its folder ({exc})") from exc
        self._engine = make_engine(self.path)
        try:
            migrate.upgrade(self.path, self._engine, _seed_labels)
        except OperationalError as exc:
            self._engine.dispose()
            raise StoreError(f"{self.path}: cannot open the database ({exc.orig})") from exc
        except BaseException:
            self._engine.dispose()
            raise
        self._read = sessionmaker(self._engine, expire_on_commit=False)
        self._write = sessionmaker(self._engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False)
        self._closed = threading.Event()

    def close(self) -> None:
        """Release every connection; the Store cannot be used afterwards."""
        self._closed.set()
        self._engine.dispose()

    def integrity_problems(self) -> list[str]:
        """Run SQLite's full ``PRAGMA integrity_check``; an empty list means the file is sound."""
        with self._reading() as s:
            found = [str(row[0]) for row in s.connection().exec_driver_sql("PRAGMA integrity_check")]
        return [] if found == ["ok"] else found

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with self._guard(), self._read() as s:
            yield s

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        with self._guard(), self._write.begin() as s:
            yield s

    @contextmanager
    def _guard(self) -> Iterator[None]:
        if self._closed.is_set():
            raise StoreError(f"{self.path}: the project database was closed")
        try:
            yield
        except OperationalError as exc:  # disk full, read-only file, lock held past busy_timeout
            raise StoreError(f"{self.path}: {exc.orig}") from exc

    # videos -------------------------------------------------------------------------------------
    def add_video(self, info: VideoInfo) -> Video:
        """Add a video, or return the one with the same fingerprint (its path updated)."""
        with self._writing() as s:
            return repo_media.add_video(s, info)

    def video(self, video_id: int) -> Video:
        """The video with this id; StoreError when there is none."""
        with self._reading() as s:
            return repo_media.to_video(video_row(s, video_id))

    def videos(self) -> list[Video]:
        with self._reading() as s:
            return repo_media.videos(s)

    def video_by_fingerprint(self, fingerprint: str) -> Video | None:
        with self._reading() as s:
            return repo_media.video_by_fingerprint(s, fingerprint)

    # stage bookkeeping --------------------------------------------------------------------------
    def stage_done(self, video_id: int, stage: str, params: str) -> bool:
        """Whether ``stage`` finished for this video with exactly these ``params``."""
        with self._reading() as s:
            return repo_media.stage_done(s, video_id, stage, params)

    def mark_stage(self, video_id: int, stage: str, params: str) -> None:
        with self._writing() as s:
            repo_media.mark_stage(s, video_id, stage, params)

    def clear_stages(self, video_id: int, stages: list[str] | None = None) -> None:
        """Forget finished stages (all when ``stages`` is None) so the next run redoes them."""
        with self._writing() as s:
            repo_media.clear_stages(s, video_id, stages)

    # structure ----------------------------------------------------------------------------------
    def set_shots(self, video_id: int, shots: list[Shot]) -> None:
        with self._writing() as s:
            repo_media.set_shots(s, video_id, shots)

    def shots(self, video_id: int) -> list[Shot]:
        with self._reading() as s:
            return repo_media.shots(s, video_id)

    def set_clips(self, video_id: int, clips: list[Clip]) -> list[Clip]:
        """Replace the clips; annotations follow their time range and are never deleted.

        Returns:
            The stored clips with their ids (a clip whose time range existed keeps its id).
        """
        with self._writing() as s:
            return repo_clips.set_clips(s, video_id, clips)

    def clips(self, video_id: int) -> list[Clip]:
        with self._reading() as s:
            return repo_clips.clips(s, video_id)

    def set_clip_texts(self, video_id: int, texts: dict[int, str]) -> None:
        with self._writing() as s:
            repo_clips.set_clip_texts(s, video_id, texts)

    def set_transcript(self, video_id: int, segments: list[TranscriptSegment]) -> list[TranscriptSegment]:
        """Replace the transcript; returns the segments with ids, in time order."""
        with self._writing() as s:
            return repo_media.set_transcript(s, video_id, segments)

    def transcript(self, video_id: int) -> list[TranscriptSegment]:
        with self._reading() as s:
            return repo_media.transcript(s, video_id)

    def edit_segment_text(self, segment_id: int, text: str, annotator: str) -> Change:
        """Correct a transcript segment (undoable); the machine text is kept as the original."""
        with self._writing() as s:
            return repo_annotations.edit_segment_text(s, segment_id, text)

    # labels, models, predictions ----------------------------------------------------------------
    def labels(self) -> list[LabelDef]:
        with self._reading() as s:
            return repo_models.labels(s)

    def add_label(self, label: LabelDef) -> None:
        with self._writing() as s:
            repo_models.add_label(s, label)

    def register_model(self, info: ModelInfo, label_set: list[str] | None = None) -> ModelInfo:
        """Add a model (or update the one with this id); ``created_at`` is filled in when empty."""
        with self._writing() as s:
            return repo_models.register_model(s, info, label_set)

    def models(self) -> list[ModelInfo]:
        with self._reading() as s:
            return repo_models.models(s)

    def model(self, model_id: str) -> ModelInfo | None:
        with self._reading() as s:
            return repo_models.model(s, model_id)

    def active_model(self) -> ModelInfo | None:
        with self._reading() as s:
            return repo_models.active_model(s)

    def activate(self, model_id: str | None) -> None:
        """Make this model the active one (None: no active model)."""
        with self._writing() as s:
            repo_models.activate(s, model_id)

    def set_predictions(self, model_id: str, video_id: int, scene: dict[str, float], clips: dict[int, dict[str, float]]) -> None:
        """Replace this model's predictions for this video (clip scores keyed by clip id)."""
        with self._writing() as s:
            repo_models.set_predictions(s, model_id, video_id, scene, clips)

    def predictions(self, video_id: int, model_id: str | None = None) -> Predictions | None:
        """One model's predictions (the active model's when None); None when there are none."""
        with self._reading() as s:
            return repo_models.predictions(s, video_id, model_id)

    # annotations --------------------------------------------------------------------------------
    def annotate(self, target: Target, label: str, state: AnnotationState | None, annotator: str, source: str = "human") -> Change:
        """Set (or with ``state=None`` remove) one label decision: one committed, undoable step."""
        return self.annotate_many([(target, label, state)], annotator, source)

    def annotate_many(self, items: list[tuple[Target, str, AnnotationState | None]], annotator: str, source: str = "human") -> Change:
        """Several decisions on one video as one undo step."""
        with self._writing() as s:
            return repo_annotations.annotate_many(s, items, annotator, source)

    def annotations(self, video_id: int | None = None, annotator: str | None = None) -> list[Annotation]:
        """Annotations on clips and scenes (orphans are listed by :meth:`orphan_annotations`)."""
        with self._reading() as s:
            return repo_annotations.annotations(s, video_id, annotator)

    def orphan_annotations(self, video_id: int) -> list[OrphanAnnotation]:
        """Annotations whose clip no longer exists, with the time range they were made on."""
        with self._reading() as s:
            return repo_annotations.orphans(s, video_id)

    def set_reviewed(self, target: Target, annotator: str, reviewed: bool = True) -> Change:
        with self._writing() as s:
            return repo_annotations.set_reviewed(s, target, annotator, reviewed)

    def reviewed(self, video_id: int, annotator: str | None = None) -> set[Target]:
        with self._reading() as s:
            return repo_annotations.reviewed(s, video_id, annotator)

    def undo(self, video_id: int) -> Change | None:
        """Revert this video's latest edit; None when there is nothing to undo."""
        with self._writing() as s:
            return editlog.undo(s, video_id)

    def redo(self, video_id: int) -> Change | None:
        """Re-apply this video's latest undone edit; None when there is nothing to redo."""
        with self._writing() as s:
            return editlog.redo(s, video_id)

    # feature cache ------------------------------------------------------------------------------
    def feature(self, fingerprint: str, start_s: float, end_s: float, encoder_id: str) -> np.ndarray | None:
        """A cached float32 vector for this content, time range (to the ms) and encoder."""
        with self._reading() as s:
            return repo_models.feature(s, fingerprint, start_s, end_s, encoder_id)

    def put_features(self, rows: list[tuple[str, float, float, str, np.ndarray]]) -> None:
        """Cache ``(fingerprint, start_s, end_s, encoder_id, vector)`` rows, replacing equal keys."""
        with self._writing() as s:
            repo_models.put_features(s, rows)
