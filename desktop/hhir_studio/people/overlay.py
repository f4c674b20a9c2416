"""PeopleOverlay: the boxes and names of the people on the frame shown, drawn over the player.

A transparent child of the player laid exactly over its video widget; it never takes the mouse.
The picture inside the video widget is the frame scaled to fit with its aspect kept (the widget's
default), so a box normalised to the frame maps to that centred rectangle.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from hhir_studio.people.model import OnScreen

BOX = QColor(255, 214, 0)  # a person's box
SELECTED = QColor(0, 229, 255)  # the person Tab selected
UNNAMED = QColor(255, 140, 0)  # a track of nobody yet
PEN_W = 3


def picture_rect(width: float, height: float, frame_w: int, frame_h: int) -> QRectF:
    """Where a ``frame_w`` × ``frame_h`` frame shows inside a ``width`` × ``height`` widget,
    scaled to fit, aspect kept, centred."""
    if frame_w <= 0 or frame_h <= 0 or width <= 0 or height <= 0:
        return QRectF(0, 0, width, height)
    scale = min(width / frame_w, height / frame_h)
    w, h = frame_w * scale, frame_h * scale
    return QRectF((width - w) / 2, (height - h) / 2, w, h)


class PeopleOverlay(QWidget):
    """Drawn over ``video`` (the player's video widget), a sibling of it in the player."""

    def __init__(self, video: QWidget) -> None:
        super().__init__(video.parentWidget())
        self.setObjectName("peopleOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._video = video
        self.frame_size = (0, 0)
        self.people: list[OnScreen] = []
        self.selected: int | None = None  # the track id Tab selected
        video.installEventFilter(self)
        self._follow()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._video and event.type() in (QEvent.Type.Resize, QEvent.Type.Move, QEvent.Type.Show):
            self._follow()
        return False

    def _follow(self) -> None:
        self.setGeometry(self._video.geometry())
        self.raise_()

    def show_people(self, people: list[OnScreen], selected: int | None, frame_size: tuple[int, int]) -> None:
        self.people, self.selected, self.frame_size = people, selected, frame_size
        self.update()

    def box_rect(self, box: tuple[float, float, float, float]) -> QRectF:
        """Where a normalised box is painted, in this widget's (and the video widget's) pixels."""
        area = picture_rect(self.width(), self.height(), *self.frame_size)
        x0, y0, x1, y1 = box
        return QRectF(area.x() + x0 * area.width(), area.y() + y0 * area.height(),
                      (x1 - x0) * area.width(), (y1 - y0) * area.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.people:
            return
        p = QPainter(self)
        font = QFont(self.font())
        font.setBold(True)
        p.setFont(font)
        metrics = p.fontMetrics()
        for person in self.people:
            chosen = person.track.id == self.selected
            colour = SELECTED if chosen else BOX if person.character is not None else UNNAMED
            rect = self.box_rect(person.box)
            p.setPen(QPen(colour, PEN_W + (2 if chosen else 0)))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(rect.adjusted(PEN_W / 2, PEN_W / 2, -PEN_W / 2, -PEN_W / 2))
            text = person.label
            tag = QRectF(rect.x(), max(rect.y() - metrics.height() - 4, 0), metrics.horizontalAdvance(text) + 10,
                         metrics.height() + 4)
            if tag.bottom() > rect.y() + 1 and rect.y() < metrics.height() + 4:  # no room above: inside the box
                tag.moveTop(rect.y() + PEN_W)
                tag.moveLeft(rect.x() + PEN_W)
            p.fillRect(tag, colour)
            p.setPen(QColor(0, 0, 0))
            p.drawText(tag, Qt.AlignmentFlag.AlignCenter, text)
        p.end()
