"""TrainingDialog: retrain from the project's annotations in the background with live loss and F1
curves, cancel, then activate the new model (predictions are recomputed) or keep the current one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSpinBox, QWidget

from hhir.learn.options import TrainingEpoch, TrainOptions
from hhir_studio.dialogs.plot import CurvePlot
from hhir_studio.jobs import Job, JobRunner
from hhir_studio.operations import ActivateRequest, TrainRequest
from hhir_studio.ops.codec import from_json

if TYPE_CHECKING:
    from hhir.learn.train import TrainResult
    from hhir_studio.main_window import MainWindow


class EpochRelay(QObject):
    """Carries ``on_epoch`` calls from the worker thread to the dialog (a queued signal)."""

    epoch_finished = Signal(object)


class StatusLine(QLabel):
    """A status of fixed height (three lines): a long failure message never moves the buttons
    under the pointer; what does not fit is elided and shown whole in the tooltip."""

    LINES = 3

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * self.LINES + 6)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self.full_text = text
        self.setToolTip(text)
        room = max(self.width(), 320) // max(self.fontMetrics().averageCharWidth(), 1) * self.LINES
        super().setText(text if len(text) <= room else text[: max(room - 1, 1)] + "…")


class TrainingDialog(QDialog):
    def __init__(self, window: MainWindow, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setWindowTitle("Train from annotations")
        self.window_ = window
        self.runner = runner
        self.job: Job | None = None
        self.result_: TrainResult | None = None
        self.relay = EpochRelay(self)
        self.relay.epoch_finished.connect(self.on_epoch)
        self.epochs = QSpinBox(self)
        self.epochs.setRange(1, 500)
        # A cap, not a budget: training stops once the validation loss stops improving.
        self.epochs.setValue(min(500, TrainOptions().epochs))
        self.epochs.setToolTip("Most epochs; training stops sooner once the validation loss stops improving.")
        self.plot = CurvePlot(self)
        self.plot.add_series("train loss", "#61afef")
        self.plot.add_series("validation loss", "#e5c07b")
        self.plot.add_series("validation F1", "#98c379")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.status = StatusLine("Trains a new model on every labelled clip; the current model stays active until you choose.", self)
        # Which model won on held-out clips (seed classifier, light head, starter) and where the
        # project is on the measured learning curve (hhir.learn.heads).
        self.verdict = QLabel("", self)
        self.verdict.setObjectName("trainingVerdict")
        self.verdict.setWordWrap(True)
        self.start = QPushButton("Start", self)
        self.activate_button = QPushButton("Activate new model", self)
        self.discard = QPushButton("Keep current model", self)
        self.cancel_button = QPushButton("Close", self)
        self.start.clicked.connect(self.begin)
        self.activate_button.clicked.connect(self.activate_new)
        self.discard.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self._cancel_or_close)
        self.activate_button.setEnabled(False)
        self.discard.setEnabled(False)
        buttons = QHBoxLayout()
        for button in (self.start, self.activate_button, self.discard, self.cancel_button):
            buttons.addWidget(button)
        form = QFormLayout(self)
        form.addRow("At most epochs", self.epochs)
        form.addRow(self.plot)
        form.addRow(self.progress)
        form.addRow(self.status)
        form.addRow(self.verdict)
        form.addRow(buttons)

    def begin(self) -> Job:
        session = self.window_.session
        settings = session.settings
        options = TrainOptions(epochs=self.epochs.value(), profile=settings.profile)
        self.request = TrainRequest(session.store.reopen_value(), options, settings.model_dir or None)
        self.plot.clear()
        relay = self.relay.epoch_finished.emit  # the epochs come back as the operation's events
        self.job = self.runner.run_op("train", self.request,
                                      on_event=lambda event: relay(from_json(event["epoch"], TrainingEpoch)))
        self.start.setEnabled(False)
        self.cancel_button.setText("Cancel")
        self.job.progressed.connect(self._progressed)
        self.job.finished.connect(self._trained)
        self.job.failed.connect(lambda message: self.status.setText(f"Training failed: {message}"))
        self.job.cancelled.connect(lambda: self.status.setText("Training cancelled; nothing was written."))
        self.job.ended.connect(self._ended)
        return self.job

    def on_epoch(self, epoch: TrainingEpoch) -> None:
        self.plot.append("train loss", epoch.epoch, epoch.train_loss)
        self.plot.append("validation loss", epoch.epoch, epoch.validation_loss)
        self.plot.append("validation F1", epoch.epoch, epoch.validation.macro_f1 if epoch.validation else None)

    def _progressed(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.status.setText(message)

    def _trained(self, result: TrainResult) -> None:
        self.result_ = result
        test = next((e for e in result.evaluations if e.part == "test"), None)
        summary = f" Test scene macro F1 {test.scene.macro_f1:.3f} ({test.videos} videos)." if test is not None else ""
        self.status.setText(f"New model {result.model.id}: best epoch {result.best_epoch}.{summary}")
        from hhir.learn.heads import verdict

        self.verdict.setText(verdict(result.comparison))
        self.activate_button.setEnabled(True)
        self.discard.setEnabled(True)

    def _ended(self) -> None:
        self.start.setEnabled(True)
        self.cancel_button.setText("Close")

    def activate_new(self) -> Job | None:
        if self.result_ is None:
            return None
        # The same operation as the Model menu's: the window refreshes the views it changed.
        job = self.runner.run_op("activate", ActivateRequest(self.window_.session.store.reopen_value(), self.result_.model.id))
        job.finished.connect(lambda _ids: self.accept())
        self.activate_button.setEnabled(False)
        return job

    def _cancel_or_close(self) -> None:
        if self.job is not None and self.job.active:
            self.job.cancel()
        else:
            self.reject()
