"""Model versions of a project: list, activate, roll back; predictions follow the active model."""

from __future__ import annotations

from hhir.errors import HHIRError
from hhir.types import ModelInfo


def activate(store, model_id: str | None, repredict: bool = True) -> list[int]:
    """Make ``model_id`` the active model (None: back to the starter) and recompute predictions.

    Old predictions stay stored under their own model id. Returns the ids of the videos whose
    predictions were recomputed (videos whose features for that model are not cached are skipped).

    Raises:
        HHIRError: unknown model id, or a bundle that does not fit the project's labels.
    """
    if model_id is not None:
        info = store.model(model_id)
        if info is None:
            known = ", ".join(m.id for m in store.models()) or "none"
            raise HHIRError(f"no model {model_id!r} in this project (known: {known})")
        if info.kind != "starter":
            _check_fits(store, info)
    store.activate(model_id)
    return repredict_all(store) if repredict else []


def rollback(store) -> ModelInfo | None:
    """Activate the active model's parent (or the starter when it has none); returns the new active model."""
    active = store.active_model()
    if active is None or active.kind == "starter":
        raise HHIRError("no trained model is active: the starter is already in use")
    parent = active.parent if active.parent and store.model(active.parent) is not None else None
    activate(store, parent)
    return store.active_model()


def repredict_all(store) -> list[int]:
    """Recompute every video's predictions with the active model (or the starter)."""
    from hhir.pipeline.predict import predict_video

    return [v.id for v in store.videos() if predict_video(store, v.id) is not None]


def _check_fits(store, info: ModelInfo) -> None:
    from hhir.models.bundle import ModelBundle

    bundle = ModelBundle.load(info.path, with_vivit=False)
    labels = [label.name for label in store.labels()]
    ids = [bundle.manifest.encoder(m).id for m in ("video", "text", "audio")]
    bundle.check_compatible(ids, labels)
