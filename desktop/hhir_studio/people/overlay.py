"""PeopleOverlay: the boxes and names of the people on the frame shown, drawn over the player.

Qt 6's video widget shows its frames in an embedded native window that stays above every widget
drawn over it (raised or not, on a real X server), so nothing can be painted on top of it. While the
boxes are shown the overlay *takes the video widget's place*: the video widget is hidden (its space
kept) and the overlay, laid exactly where it was, paints the frames the player's video sink goes on
receiving (scaled to fit with their aspect kept, as the video widget does) and the boxes on them.
With the boxes off the video widget shows again. A left click on a box says whose it is
(:attr:`PeopleOverlay.clicked`: the track id, or None off every box; the innermost box where boxes
overlap), so a person is selected by mouse as by Tab. A box normalised to the frame maps onto the
centred picture rectangle.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtMultimedia import QVideoFrame
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

    clicked = Signal(object)  # the track id of the box clicked, or None

    def __init__(self, video: QWidget) -> None:
        super().__init__(video.parentWidget())
        self.setObjectName("peopleOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_NativeWindow)  # stacks above the video's native window
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._video = video
        self.frame_size = (0, 0)
        self.people: list[OnScreen] = []
        self.selected: int | None = None  # the track id Tab selected
        self._frame: QVideoFrame | None = None
        self.picture: QImage | None = None  # the frame shown, converted once when painted
        sink = video.videoSink() if hasattr(video, "videoSink") else None
        if sink is not None:
            sink.videoFrameChanged.connect(self._on_frame)
        policy = video.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # hidden under the overlay, it keeps its place in the layout
        video.setSizePolicy(policy)
        video.installEventFilter(self)
        holder = video.parentWidget()
        if holder is not None:
            holder.installEventFilter(self)
        self.hide()
        self._follow()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Move, QEvent.Type.Show, QEvent.Type.LayoutRequest):
            if watched is self._video:
                self._follow()
            else:  # the player: its layout places the video widget after this event
                QTimer.singleShot(0, self._follow)
        return False

    def cover(self, on: bool) -> None:
        """Take the video widget's place (``on``) or give it back."""
        if on != self.isHidden():
            return
        if on:
            self._follow()
            self.show()
            self.raise_()
            self._video.hide()
        else:
            self._video.show()
            self.hide()

    def _follow(self) -> None:
        if self.geometry() != self._video.geometry():
            self.setGeometry(self._video.geometry())

    def _on_frame(self, frame: QVideoFrame) -> None:
        self._frame, self.picture = frame, None
        if self.isVisible():
            self.update()

    def _picture(self) -> QImage | None:
        if self.picture is None and self._frame is not None and self._frame.isValid():
            self.picture = self._frame.toImage()
        return self.picture

    def show_people(self, people: list[OnScreen], selected: int | None, frame_size: tuple[int, int]) -> None:
        self.people, self.selected, self.frame_size = people, selected, frame_size
        self._follow()  # the hidden video widget gets its new place without a resize event
        self.update()

    def box_rect(self, box: tuple[float, float, float, float]) -> QRectF:
        """Where a normalised box is painted, in this widget's (and the video widget's) pixels."""
        area = picture_rect(self.width(), self.height(), *self.frame_size)
        x0, y0, x1, y1 = box
        return QRectF(area.x() + x0 * area.width(), area.y() + y0 * area.height(),
                      (x1 - x0) * area.width(), (y1 - y0) * area.height())

    def track_at(self, point: QPointF) -> int | None:
        """The track whose box is under ``point`` (the smallest where boxes overlap), or None."""
        under = [(self.box_rect(p.box), p.track.id) for p in self.people]
        hits = [(r.width() * r.height(), track) for r, track in under if r.contains(point)]
        return min(hits)[1] if hits else None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.track_at(event.position()))
            event.accept()
            return
        super().mousePressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(0, 0, 0))
        picture = self._picture()
        if picture is not None and not picture.isNull():
            area = picture_rect(self.width(), self.height(), picture.width(), picture.height())
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(area, picture)
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
