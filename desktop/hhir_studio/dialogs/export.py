"""ExportDialog: pick a format and a folder; the export runs as a background operation with progress."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QWidget,
)

from hhir.exchange.model import ExportOptions, ExportReport
from hhir_studio.jobs import Job, JobRunner
from hhir_studio.operations import ExportRequest

if TYPE_CHECKING:
    from hhir_studio.main_window import MainWindow


class ExportDialog(QDialog):
    def __init__(self, window: MainWindow, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        from hhir.exchange import FORMATS

        self.setWindowTitle("Export")
        self.window_ = window
        self.runner = runner
        self.job: Job | None = None
        self.format = QComboBox(self)
        for info in FORMATS:
            if info.can_export:
                self.format.addItem(f"{info.name} — {info.description}", info.name)
        self.folder = QLineEdit(str(Path.home() / "hhir-export"), self)
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.current_only = QCheckBox("Only the open video", self)
        self.reviewed_only = QCheckBox("Only reviewed clips", self)
        self.mine_only = QCheckBox(f"Only my labels ({window.session.annotator})", self)
        self.predictions = QCheckBox("Add the model's scores (kept apart from the labels)", self)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.start = QPushButton("Export", self)
        self.start.clicked.connect(self.begin)
        self.cancel_button = QPushButton("Close", self)
        self.cancel_button.clicked.connect(self._cancel_or_close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start)
        buttons.addWidget(self.cancel_button)
        form = QFormLayout(self)
        form.addRow("Format", self.format)
        form.addRow("Folder", row)
        for box in (self.current_only, self.reviewed_only, self.mine_only, self.predictions):
            form.addRow(box)
        form.addRow(self.progress)
        form.addRow(self.status)
        form.addRow(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export into", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def request(self) -> ExportRequest:
        session = self.window_.session
        current = (session.data.video.id,) if self.current_only.isChecked() and session.data else ()
        options = ExportOptions(video_ids=current, reviewed_only=self.reviewed_only.isChecked(),
                                annotator=session.annotator if self.mine_only.isChecked() else None,
                                with_predictions=self.predictions.isChecked())
        return ExportRequest(session.store.reopen_value(), self.format.currentData(), self.folder.text().strip(), options)

    def begin(self) -> Job | None:
        request = self.request()
        if not request.out:
            self.status.setText("Choose a folder to export into.")
            return None
        self.job = self.runner.run_op("export", request)
        self.start.setEnabled(False)
        self.cancel_button.setText("Cancel")
        self.job.progressed.connect(self._progressed)
        self.job.finished.connect(self._done)
        self.job.failed.connect(lambda message: self.status.setText(f"Export failed: {message}"))
        self.job.cancelled.connect(lambda: self.status.setText("Export cancelled; nothing was written."))
        self.job.ended.connect(self._ended)
        return self.job

    def _progressed(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.status.setText(message)

    def _ended(self) -> None:
        self.start.setEnabled(True)
        self.cancel_button.setText("Close")

    def _done(self, report: ExportReport) -> None:
        self.progress.setValue(1000)
        # The notes say what the receiving tool will not see (e.g. the seed notebook's one label per clip).
        notes = "".join(f"\n{note}" for note in (*report.skipped, *report.notes))
        self.status.setText(f"Wrote {len(report.files)} files ({report.rows} rows, {report.videos} videos, {report.clips} clips)"
                            f" to {self.folder.text()}{notes}")

    def _cancel_or_close(self) -> None:
        if self.job is not None and self.job.active:
            self.job.cancel()
        else:
            self.accept()
