"""Which model the suggestions come from, said everywhere they are shown, and the Model menu's
versions: list, activate, roll back (what ``hhir models list | activate | rollback`` does).

Activation recomputes every video's predictions, so it runs as the ``activate`` operation in the
background (:data:`hhir_studio.operations.OPS`), never on the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from hhir.types import ModelInfo

if TYPE_CHECKING:
    from hhir.store import Store

STARTER_KIND = "starter"
_HELD_OUT = ("test", "validation")  # held-out parts, best first


def held_out_f1(info: ModelInfo) -> tuple[str, float] | None:
    """(part, scene macro-F1) measured on held-out videos when the model was trained."""
    for part in _HELD_OUT:
        value = info.metrics.get(f"{part}.scene.macro_f1")
        if value is not None:
            return part, float(value)
    return None


def describe_model(info: ModelInfo | None) -> str:
    """One line naming the model behind the suggestions: the starter, or id, date, held-out F1."""
    if info is None:
        return "No suggestions yet: the video is still being analyzed"
    if info.kind == STARTER_KIND:
        return "Suggestions: zero-shot starter (not trained on your labels)"
    parts = [f"Suggestions: {info.kind} model {info.id}"]
    if info.created_at:
        parts.append(f"from {info.created_at[:10]}")
    score = held_out_f1(info)
    parts.append(f"held-out {score[0]} macro-F1 {score[1]:.2f}" if score else "no held-out score")
    return ", ".join(parts)


class ModelMenu:
    """Fills a menu with the project's model versions each time it opens; choosing one activates it.

    ``activate(model_id or None)`` starts the activation job (None: back to the starter);
    ``rollback()`` activates the active model's parent.
    """

    def __init__(self, menu: QMenu, store: Store, activate: Callable[[str | None], object], rollback: Callable[[], object]) -> None:
        self.menu, self.store = menu, store
        self._activate, self._rollback = activate, rollback
        self._actions: list[QAction] = []
        self.group = QActionGroup(menu)
        self.group.setExclusive(True)
        menu.aboutToShow.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the version list (the active one checked) after the menu's fixed actions."""
        for action in self._actions:
            self.menu.removeAction(action)
            self.group.removeAction(action)
        self._actions = [self.menu.addSeparator()]
        active = self.store.active_model()
        models = [m for m in self.store.models() if m.kind != STARTER_KIND]
        entries: list[tuple[str | None, str]] = [(None, "Zero-shot starter")]
        entries += [(m.id, _entry(m)) for m in reversed(models)]  # newest first
        for model_id, title in entries:
            action = QAction(title, self.menu)
            action.setObjectName(f"model.use:{model_id or STARTER_KIND}")
            action.setCheckable(True)
            action.setChecked(model_id == (active.id if active is not None and active.kind != STARTER_KIND else None))
            action.triggered.connect(lambda _=False, mid=model_id: self._activate(mid))
            self.group.addAction(action)
            self.menu.addAction(action)
            self._actions.append(action)
        back = QAction("Roll back to the previous model", self.menu)
        back.setObjectName("model.rollback")
        back.setEnabled(active is not None and active.kind != STARTER_KIND)
        back.triggered.connect(lambda _=False: self._rollback())
        self.menu.addAction(back)
        self._actions.append(back)

    def action(self, model_id: str | None) -> QAction:
        name = f"model.use:{model_id or STARTER_KIND}"
        return next(a for a in self._actions if a.objectName() == name)


def _entry(info: ModelInfo) -> str:
    score = held_out_f1(info)
    date = info.created_at[:10] if info.created_at else "undated"
    return f"{info.id} ({info.kind}, {date}" + (f", held-out F1 {score[1]:.2f})" if score else ")")


def rollback_target(store: Store) -> str | None:
    """The model a rollback activates: the active model's parent, else the starter (None)."""
    active = store.active_model()
    if active is None or active.kind == STARTER_KIND:
        return None
    return active.parent if active.parent and store.model(active.parent) is not None else None
