"""The open video's edit history as a table (when, who, what; undone steps greyed): selecting a row
goes to the clip it touched, and the whole log exports as a CSV event log, one row per step.
"""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hhir.store import HistoryStep
from hhir_studio.session import ReviewSession

COLUMNS = ("#", "when", "who", "what", "state")
CSV_HEADER = ("video", "step", "time_utc", "annotator", "kind", "description", "targets", "state")


def _when(iso: str) -> str:
    """``2026-12-07 13:05:09`` from an ISO 8601 UTC time (seconds are enough on screen)."""
    return iso.replace("T", " ")[:19]


def write_event_log(path: Path, video_path: str, steps: list[HistoryStep]) -> None:
    """One CSV row per step (the csv module quotes descriptions with commas or quotes)."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER)
        for step in steps:
            targets = ";".join("scene" if t.clip_id is None else f"clip:{t.clip_id}" for t in step.targets)
            writer.writerow((video_path, step.seq, step.when, step.who or "", step.kind, step.what, targets,
                             "undone" if step.undone else "done"))


class HistoryPanel(QWidget):
    def __init__(self, session: ReviewSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.steps: list[HistoryStep] = []
        self._stale = True
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("historyTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(3, self.table.horizontalHeader().ResizeMode.Stretch)
        self.count = QLabel("", self)
        self.export = QPushButton("Export CSV…", self)
        self.export.setToolTip("Save this video's edit history as a CSV event log (one row per step)")
        self.export.clicked.connect(self.export_dialog)
        row = QHBoxLayout()
        row.addWidget(self.count, 1)
        row.addWidget(self.export)
        box = QVBoxLayout(self)
        box.setContentsMargins(2, 2, 2, 2)
        box.addWidget(self.table, 1)
        box.addLayout(row)
        self.table.itemSelectionChanged.connect(self._go)
        session.data_changed.connect(self.refresh)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        if not self.isVisible():  # a hidden table is filled when shown: a label key stays fast
            self._stale = True
            return
        self._stale = False
        data = self.session.data
        self.steps = self.session.store.edit_history(data.video.id) if data is not None else []
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.steps))
        for r, step in enumerate(reversed(self.steps)):  # newest first
            cells = (str(step.seq), _when(step.when), step.who or "–", step.what, "undone" if step.undone else "")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if step.undone:
                    item.setForeground(QColor("#7d8594"))
                self.table.setItem(r, c, item)
        self.table.blockSignals(False)
        self.table.resizeColumnToContents(1)
        self.count.setText(f"{len(self.steps)} step(s)")
        self.export.setEnabled(bool(self.steps))

    def step_at(self, row: int) -> HistoryStep:
        return self.steps[len(self.steps) - 1 - row]

    def _go(self) -> None:
        """Select (and show) the clip the chosen step touched, as it is now."""
        rows = self.table.selectionModel().selectedRows()
        data = self.session.data
        if not rows or data is None:
            return
        for target in self.step_at(rows[0].row()).targets:
            if target.clip_id is None or data.clip(target.clip_id) is not None:
                self.session.select(target)
                return
        self.session.status_reported.emit("That step's clip was rebuilt since; its time range is in the step")

    def export_dialog(self) -> None:
        data = self.session.data
        if data is None:
            return
        default = f"{Path(data.video.path).stem} edit log.csv"
        path, _ = QFileDialog.getSaveFileName(self, "Export the edit history", default, "CSV (*.csv)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        data = self.session.data
        if data is None:
            return
        try:
            write_event_log(path, data.video.path, self.session.store.edit_history(data.video.id))
        except OSError as exc:
            self.session.status_reported.emit(f"{path}: cannot write the event log ({exc.strerror or exc})")
            return
        self.session.status_reported.emit(f"Saved {len(self.steps)} step(s) to {path}")

    def focus_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if self.table.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
