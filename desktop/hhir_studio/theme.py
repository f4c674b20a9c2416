"""Colours and the dark style sheet, shared by every view."""

from __future__ import annotations


from PySide6.QtGui import QColor

# One colour per label, chosen to stay apart for common colour-vision deficiencies (Okabe-Ito
# plus two extra hues) and legible on the dark background.
LABEL_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#9AD0A8", "#B9A5E8")
BACKGROUND = QColor("#1e2127")
PANEL = QColor("#262a31")
TRACK = QColor("#2c313a")
GRID = QColor("#3a404b")
TEXT = QColor("#d7dae0")
MUTED = QColor("#8a92a0")
ACCENT = QColor("#61afef")
PLAYHEAD = QColor("#ff5c5c")
SHOT_COLOURS = (QColor("#4b5563"), QColor("#5b6573"))
SEGMENT = QColor("#6c5a8a")
ABSENT = QColor("#59606b")


def label_colour(index: int) -> QColor:
    return QColor(LABEL_COLOURS[index % len(LABEL_COLOURS)])


def style_sheet() -> str:
    """The application style sheet (empty when the file is missing, e.g. a broken install)."""
    from hhir.appdirs import resource

    path = resource("style.qss")
    return path.read_text(encoding="utf-8") if path.exists() else ""
