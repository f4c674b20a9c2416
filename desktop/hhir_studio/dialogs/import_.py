"""ImportDialog: pick a format and a file or folder; the import runs as a background operation (in
the child process, as an export does) and says what it wrote and what it left alone."""

from __future__ import annotations

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

from hhir.exchange.model import ImportOptions, ImportReport
from hhir_studio.jobs import Job, JobRunner
from hhir_studio.operations import ImportRequest

if TYPE_CHECKING:
    from hhir_studio.main_window import MainWindow


class ImportDialog(QDialog):
    def __init__(self, window: MainWindow, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        from hhir.exchange import FORMATS

        self.setWindowTitle("Import labels")
        self.window_ = window
        self.runner = runner
        self.job: Job | None = None
        self.format = QComboBox(self)
        for info in FORMATS:
            if info.can_import:
                self.format.addItem(f"{info.name} — {info.description}", info.name)
        self.path = QLineEdit(self)
        self.path.setPlaceholderText("a file, or a folder for the manifest and seed formats")
        pick_file = QPushButton("File…", self)
        pick_file.clicked.connect(self._pick_file)
        pick_folder = QPushButton("Folder…", self)
        pick_folder.clicked.connect(self._pick_folder)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(pick_file)
        row.addWidget(pick_folder)
        self.open_video = QCheckBox("Into the open video (files that do not name theirs: srt, vtt, shots)", self)
        self.open_video.setChecked(window.session.data is not None)
        self.replace = QCheckBox("Replace labels, transcripts or shots that differ (otherwise they are listed and kept)", self)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.start = QPushButton("Import", self)
        self.start.clicked.connect(self.begin)
        self.cancel_button = QPushButton("Close", self)
        self.cancel_button.clicked.connect(self._cancel_or_close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start)
        buttons.addWidget(self.cancel_button)
        form = QFormLayout(self)
        form.addRow("Format", self.format)
        form.addRow("From", row)
        form.addRow(self.open_video)
        form.addRow(self.replace)
        form.addRow(self.progress)
        form.addRow(self.status)
        form.addRow(buttons)

    def _pick_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import from", self.path.text())
        if path:
            self.path.setText(path)

    def _pick_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Import from", self.path.text())
        if path:
            self.path.setText(path)

    def request(self) -> ImportRequest:
        session = self.window_.session
        video_id = session.data.video.id if self.open_video.isChecked() and session.data is not None else None
        options = ImportOptions(replace=self.replace.isChecked(), video_id=video_id)
        return ImportRequest(session.store.reopen_value(), self.format.currentData(), self.path.text().strip(), options)

    def begin(self) -> Job | None:
        request = self.request()
        if not request.path:
            self.status.setText("Choose a file or folder to import.")
            return None
        self.job = self.runner.run_op("import", request)
        self.start.setEnabled(False)
        self.cancel_button.setText("Cancel")
        self.job.progressed.connect(self._progressed)
        self.job.finished.connect(self._done)
        self.job.failed.connect(lambda message: self.status.setText(f"Import failed, nothing was written: {message}"))
        self.job.cancelled.connect(lambda: self.status.setText("Import cancelled; nothing was written."))
        self.job.ended.connect(self._ended)
        return self.job

    def _progressed(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.status.setText(message)

    def _ended(self) -> None:
        self.start.setEnabled(True)
        self.cancel_button.setText("Close")

    def _done(self, report: ImportReport) -> None:
        self.progress.setValue(1000)
        kept = f"; {len(report.conflicts)} differing value(s) kept (tick Replace to overwrite them)" if report.conflicts else ""
        self.status.setText(f"Wrote {report.annotations_written} labels, {report.segments_written} transcript segments and "
                            f"{report.shots_written} shots; {report.unchanged} unchanged{kept}")

    def _cancel_or_close(self) -> None:
        if self.job is not None and self.job.active:
            self.job.cancel()
        else:
            self.accept()
