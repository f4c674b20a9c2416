"""The model bundle clips are scored with: one named explicitly, else the project's active one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hhir.errors import ModelError

if TYPE_CHECKING:
    from hhir.models.bundle import ModelBundle
    from hhir.store import Store

TRAINED_KINDS = ("trained", "imported")


def active_bundle(store: Store, model_bundle: str | None = None) -> ModelBundle | None:
    """The bundle to predict with: ``model_bundle`` (a bundle folder), else the project's active
    trained or imported model; ``None`` means the zero-shot starter."""
    from hhir.models.bundle import ModelBundle

    if model_bundle:
        return ModelBundle.load(model_bundle)
    active = store.active_model()
    if active is not None and active.kind in TRAINED_KINDS and active.path:
        try:
            return ModelBundle.load(active.path)
        except ModelError as exc:
            raise active_model_error(exc, active.id) from None
    return None


def active_model_error(exc: Exception, model_id: str) -> ModelError:
    """``exc`` as the error of the project's active model, saying how to get back to a working one:
    without it every analysis and review queue of the project would fail the same way."""
    return ModelError(f"{exc}; this is the project's active model ({model_id}): "
                      "`hhir models rollback` goes back to the previous one")
