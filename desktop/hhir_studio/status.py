"""What the window says about itself at all times: the state line (never "Ready" while work runs),
the model behind the suggestions, and the Edit menu's named undo and redo.

The state and the model mark are status-bar widgets: a passing message (an edit's description, an
error) shows over the state for a while, and the state comes back when it goes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QStatusBar

from hhir_studio.jobs import Job, JobRunner
from hhir_studio.models_menu import describe_model

if TYPE_CHECKING:
    from hhir_studio.session import ReviewSession

MAX_NAMED = 60  # characters of an undo description shown in the menu


class WindowStatus(QObject):
    def __init__(self, bar: QStatusBar, session: ReviewSession, runner: JobRunner, undo: QAction, redo: QAction) -> None:
        super().__init__(bar)
        self.bar, self.session, self.runner = bar, session, runner
        self.undo_action, self.redo_action = undo, redo
        self.state = QLabel("Ready", bar)
        self.state.setObjectName("windowState")
        self.model_mark = QLabel("", bar)
        self.model_mark.setObjectName("modelMark")
        bar.addWidget(self.state, 1)
        bar.addPermanentWidget(self.model_mark)
        self.stopping = False
        runner.job_submitted.connect(self._watch)
        session.data_changed.connect(self.refresh)
        self.refresh()

    def _watch(self, job: Job) -> None:
        job.started.connect(self.update_state)
        job.ended.connect(self.update_state)
        self.update_state()

    def update_state(self) -> None:
        """"Ready" only when nothing runs; otherwise what runs and how many wait."""
        if self.stopping:
            self.state.setText("Stopping analysis… finished stages are kept and resume at the next start")
            return
        jobs = [job for job in self.runner.jobs() if job.active]
        if not jobs:
            self.state.setText("Ready")
            return
        running = [job.spec.title for job in jobs if job.state.value == "running"]
        waiting = len(jobs) - len(running)
        text = "Working: " + (", ".join(running) if running else "starting")
        self.state.setText(text + (f" ({waiting} waiting)" if waiting else ""))

    def refresh(self) -> None:
        """The model mark and the undo/redo names, after any change to the open video."""
        data = self.session.data
        if data is not None:
            self.model_mark.setText(describe_model(data.predictions.model if data.predictions else None))
        else:
            active = self.session.store.active_model()
            self.model_mark.setText(describe_model(active) if active is not None else
                                    "Suggestions: zero-shot starter (not trained on your labels)")
        undo, redo = self.session.history()
        self.undo_action.setText(f"&Undo {_short(undo)}" if undo else "&Undo")
        self.redo_action.setText(f"&Redo {_short(redo)}" if redo else "&Redo")
        self.undo_action.setToolTip(f"Undo {undo} (Ctrl+Z)" if undo else "Nothing to undo")
        self.redo_action.setToolTip(f"Redo {redo} (Ctrl+Shift+Z)" if redo else "Nothing to redo")


def _short(text: str) -> str:
    return text if len(text) <= MAX_NAMED else text[: MAX_NAMED - 1] + "…"
