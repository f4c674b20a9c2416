"""SettingsDialog: edits a ``hhir.settings.Settings`` and returns a validated copy."""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from hhir.settings import Settings, SettingsError, validate
from hhir.store.location import mask

PROFILES = ("offline", "paper")


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None, labels: list[str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.original = settings
        self.profile = QComboBox(self)
        self.profile.setEditable(True)  # a profile folder is allowed too
        self.profile.addItems(PROFILES)
        self.profile.setCurrentText(settings.profile)
        self.model_dir = QLineEdit(settings.model_dir, self)
        self.bundle = QLineEdit(settings.active_bundle, self)
        self.bundle.setPlaceholderText("the project's active model")
        self.threshold = _spin(QDoubleSpinBox(self), 0.0, 1.0, settings.default_threshold)
        self.thresholds = {
            label: _spin(QDoubleSpinBox(self), 0.0, 1.0, settings.threshold(label)) for label in labels or []
        }
        self.clip_size = _spin(QSpinBox(self), 1, 50, settings.clip_size)
        self.clip_stride = _spin(QSpinBox(self), 1, 50, settings.clip_stride)
        self.annotator = QLineEdit(settings.annotator, self)
        self.annotator.setPlaceholderText(settings.annotator_name())
        # A password in the URL is never shown: the field holds it masked, and an unchanged field keeps it.
        self.database = QLineEdit(mask(settings.database), self)
        self.database.setPlaceholderText("default project file, or postgresql://user@host/name for a team (next start)")
        self.database.setToolTip("Leave the password out of the URL: PGPASSWORD, ~/.pgpass or a service file "
                                 "(postgresql:///?service=NAME) supply it, as for psql.")
        self.jump = _spin(QDoubleSpinBox(self), 0.1, 600.0, settings.jump_seconds)
        self.playback_copies = QCheckBox("Build a fast-seeking copy of films that seek slowly", self)
        self.playback_copies.setChecked(settings.playback_copies)
        self.error = QLabel("", self)
        self.error.setStyleSheet("color: #ff8a80;")
        form = QFormLayout(self)
        for title, widget in (
            ("Model profile", self.profile), ("Model folder", self.model_dir), ("Model bundle", self.bundle),
            ("Default threshold", self.threshold), *((f"Threshold: {k}", w) for k, w in self.thresholds.items()),
            ("Clip size (shots)", self.clip_size), ("Clip stride (shots)", self.clip_stride),
            ("Annotator", self.annotator), ("Project database", self.database), ("Jump (s)", self.jump),
            ("Playback", self.playback_copies),
        ):
            form.addRow(title, widget)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(self.error)
        form.addRow(buttons)

    def result_settings(self) -> Settings:
        """The edited settings (raises ``SettingsError`` when a value is out of range)."""
        default = self.threshold.value()
        thresholds = {k: w.value() for k, w in self.thresholds.items() if abs(w.value() - default) > 1e-9}
        return validate(replace(
            self.original, profile=self.profile.currentText().strip() or "offline", model_dir=self.model_dir.text().strip(),
            active_bundle=self.bundle.text().strip(), default_threshold=default, thresholds=thresholds,
            clip_size=self.clip_size.value(), clip_stride=self.clip_stride.value(),
            annotator=self.annotator.text().strip(), database=self._database(), jump_seconds=self.jump.value(),
            playback_copies=self.playback_copies.isChecked(),
        ))

    def _database(self) -> str:
        text = self.database.text().strip()
        return self.original.database if text == mask(self.original.database).strip() else text

    def accept(self) -> None:
        try:
            self.result_settings()
        except SettingsError as exc:
            self.error.setText(str(exc))
            return
        super().accept()


_Spin = TypeVar("_Spin", QSpinBox, QDoubleSpinBox)


def _spin(widget: _Spin, low: float, high: float, value: float) -> _Spin:
    if isinstance(widget, QDoubleSpinBox):
        widget.setRange(low, high)
        widget.setDecimals(2)
        widget.setSingleStep(0.05 if high <= 1 else 0.5)
        widget.setValue(value)
    else:
        widget.setRange(int(low), int(high))
        widget.setValue(int(value))
    return widget
