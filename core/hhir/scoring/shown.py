"""Which scores a video shows: the active model's, else the zero-shot starter's (right after
``analyze`` with no trained model active, only the starter has scored). Stated once, here: the app,
the exports, the app's resume bookkeeping, agreement and ``hhir.predictions`` all ask this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hhir.scoring.starter import MODEL_ID as STARTER_ID

if TYPE_CHECKING:
    from hhir.store import Store
    from hhir.types import Predictions

SHOWN_MODELS: tuple[str | None, ...] = (None, STARTER_ID)
"""The models whose predictions a video shows, first found wins (None: the project's active model)."""


def shown_predictions(store: Store, video_id: int) -> Predictions | None:
    """The scores shown for a video: its active model's, else the zero-shot starter's; None when
    neither has scored it."""
    for model_id in SHOWN_MODELS:
        found = store.predictions(video_id, model_id)
        if found is not None:
            return found
    return None


def has_shown_predictions(store: Store, video_id: int) -> bool:
    """Whether :func:`shown_predictions` would find scores (without reading them)."""
    return any(store.has_predictions(video_id, model_id) for model_id in SHOWN_MODELS)
