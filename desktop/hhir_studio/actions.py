"""One action registry: every command is declared once (id, title, shortcut, enablement) and the
menus, the toolbar and the keyboard shortcuts are all built from it. Tests trigger actions by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar, QToolBar, QWidget


@dataclass(frozen=True)
class ActionSpec:
    """A command. ``menu`` is the top-level menu title it appears in ("" = shortcut only)."""

    id: str
    title: str
    shortcuts: tuple[str, ...] = ()
    menu: str = ""
    toolbar: bool = False
    tip: str = ""
    checkable: bool = False


class ActionRegistry(QObject):
    """Holds the ``QAction`` of every registered command, attached to ``window`` for shortcuts."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._specs: dict[str, ActionSpec] = {}
        self._actions: dict[str, QAction] = {}
        self._enabled: dict[str, Callable[[], bool]] = {}
        self._handlers: dict[str, Callable[[], object]] = {}
        # Where a refused command's one-line reason goes (the status bar); None: it propagates.
        self.on_error: Callable[[str], None] | None = None

    def _run(self, handler: Callable[[], object]) -> None:
        from hhir.errors import HHIRError

        try:
            handler()
        except HHIRError as exc:  # e.g. the team's server went away: say so, keep the window usable
            if self.on_error is None:
                raise
            self.on_error(str(exc))

    def register(
        self, spec: ActionSpec, handler: Callable[[], object], enabled: Callable[[], bool] | None = None
    ) -> QAction:
        """Declare ``spec``; ``handler`` runs when triggered (what it returns is not used), ``enabled``
        decides if it can be."""
        if spec.id in self._specs:
            raise ValueError(f"action {spec.id!r} is registered twice")
        action = QAction(spec.title, self._window)
        action.setObjectName(spec.id)
        action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(spec.checkable)
        shortcut_text = ", ".join(spec.shortcuts)
        action.setToolTip(f"{spec.tip or spec.title} ({shortcut_text})" if shortcut_text else spec.tip or spec.title)
        self._handlers[spec.id] = handler
        action.triggered.connect(lambda _checked=False, i=spec.id: self._run(self._handlers[i]))
        self._window.addAction(action)  # shortcuts work even when the action is in no menu
        self._specs[spec.id] = spec
        self._actions[spec.id] = action
        if enabled is not None:
            self._enabled[spec.id] = enabled
            action.setEnabled(enabled())
        return action

    def divert(self, action_id: str, first: Callable[[], bool], enabled: Callable[[], bool]) -> None:
        """Give the key of ``action_id`` a second meaning: ``first`` runs before its handler and,
        when it returns True, the handler does not run; the action is also enabled when ``enabled``
        says so. (The interaction keys use it: a label key, ``[``, ``]``, Tab or Enter mean
        something else while an interaction is being made, and one key keeps one action.)"""
        handler = self._handlers[action_id]
        self._handlers[action_id] = lambda: first() or handler()
        before = self._enabled.get(action_id)
        self._enabled[action_id] = enabled if before is None else (lambda: enabled() or before())

    def action(self, action_id: str) -> QAction:
        try:
            return self._actions[action_id]
        except KeyError:
            raise KeyError(f"no action {action_id!r}") from None

    def specs(self) -> list[ActionSpec]:
        return list(self._specs.values())

    def trigger(self, action_id: str) -> bool:
        """Run the action as a user would; False (and nothing happens) when it is disabled."""
        self.refresh()
        action = self.action(action_id)
        if not action.isEnabled():
            return False
        action.trigger()
        return True

    def refresh(self) -> None:
        """Re-evaluate every enablement rule (call after anything they depend on changes)."""
        for action_id, rule in self._enabled.items():
            self._actions[action_id].setEnabled(rule())

    def build_menus(self, menubar: QMenuBar, order: tuple[str, ...]) -> None:
        """Create one menu per title in ``order`` holding its actions, in declaration order."""
        for title in order:
            menu = menubar.addMenu(title)
            for spec in self._specs.values():
                if spec.menu == title:
                    menu.addAction(self._actions[spec.id])

    def build_toolbar(self, toolbar: QToolBar) -> None:
        for spec in self._specs.values():
            if spec.toolbar:
                toolbar.addAction(self._actions[spec.id])

    def shortcut_conflicts(self) -> list[str]:
        """Key sequences bound to more than one action (a test keeps this empty)."""
        seen: dict[str, str] = {}
        clashes = []
        for spec in self._specs.values():
            for shortcut in spec.shortcuts:
                key = QKeySequence(shortcut).toString()
                if key in seen:
                    clashes.append(f"{key}: {seen[key]} and {spec.id}")
                seen[key] = spec.id
        return clashes
