"""Label set, model registry, predictions and the feature cache."""

from __future__ import annotations

import numpy as np

from hhir.store import repo_models
from hhir.store.base import StoreBase
from hhir.types import LabelDef, ModelInfo, Predictions


class ModelsAPI(StoreBase):
    # labels, models, predictions ----------------------------------------------------------------
    def labels(self) -> list[LabelDef]:
        """The project's label set, in display order."""
        with self._reading() as s:
            return repo_models.labels(s)

    def label_times(self) -> dict[str, str | None]:
        """Label name -> when it was added (ISO 8601 UTC; None for labels from before that was kept)."""
        with self._reading() as s:
            return repo_models.label_times(s)

    def add_label(self, label: LabelDef) -> None:
        """Add a label at the end, or update the description and key of the one with that name."""
        with self._writing() as s:
            repo_models.add_label(s, label)

    def register_model(self, info: ModelInfo, label_set: list[str] | None = None) -> ModelInfo:
        """Add a model (or update the one with this id); ``created_at`` is filled in when empty."""
        with self._writing() as s:
            return repo_models.register_model(s, info, label_set)

    def models(self) -> list[ModelInfo]:
        """Every registered model, oldest first."""
        with self._reading() as s:
            return repo_models.models(s)

    def model(self, model_id: str) -> ModelInfo | None:
        """The model with this id, or None."""
        with self._reading() as s:
            return repo_models.model(s, model_id)

    def active_model(self) -> ModelInfo | None:
        """The model whose predictions are shown by default, or None."""
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

    def has_predictions(self, video_id: int, model_id: str | None = None) -> bool:
        """Whether :meth:`predictions` would return scores, without reading them (one indexed row)."""
        with self._reading() as s:
            return repo_models.has_predictions(s, video_id, model_id)

    # feature cache ------------------------------------------------------------------------------
    def feature(self, fingerprint: str, start_s: float, end_s: float, encoder_id: str) -> np.ndarray | None:
        """A cached float32 vector for this content, time range (to the ms) and encoder."""
        with self._reading() as s:
            return repo_models.feature(s, fingerprint, start_s, end_s, encoder_id)

    def features(self, fingerprint: str, wanted: list[tuple[float, float, str]]) -> dict[tuple[float, float, str], np.ndarray]:
        """The cached vectors among ``wanted`` ``(start_s, end_s, encoder_id)`` of one content, read in bulk
        (one query per encoder, in one read transaction); missing ones are left out."""
        with self._reading() as s:
            return repo_models.features_of(s, fingerprint, wanted, with_data=True)

    def cached_feature_keys(self, fingerprint: str, wanted: list[tuple[float, float, str]]) -> set[tuple[float, float, str]]:
        """Which of ``wanted`` are cached, without reading the vectors."""
        with self._reading() as s:
            return set(repo_models.features_of(s, fingerprint, wanted, with_data=False))

    def put_features(self, rows: list[tuple[str, float, float, str, np.ndarray]]) -> None:
        """Cache ``(fingerprint, start_s, end_s, encoder_id, vector)`` rows, replacing equal keys."""
        with self._writing() as s:
            repo_models.put_features(s, rows)
