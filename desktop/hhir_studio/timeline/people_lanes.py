"""PeopleLanes: a lane per character under the timeline, on the timeline's time axis: a bar where
their tracks show them on screen, and a brighter band where a speech turn linked to them is.

It draws with the timeline's own viewport (start, zoom, width), read at each paint; it repaints
whenever the timeline does, so zoom, scroll and the playhead stay in step with no change to the
timeline itself. A click seeks, as on the timeline.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from collections.abc import Sequence
from typing import Protocol

from hhir.types import Character
from hhir_studio import theme
from hhir_studio.timeline.painter import HEADER_W, Viewport
from hhir_studio.timeline.view import TimelineView

class Lane(Protocol):
    """A character's lane (:class:`hhir_studio.people.model.Lane`; the timeline does not import the
    people views, which import it)."""

    @property
    def character(self) -> Character: ...

    @property
    def on_screen(self) -> Sequence[tuple[float, float]]: ...

    @property
    def speaking(self) -> Sequence[tuple[float, float]]: ...

    @property
    def label(self) -> str: ...


LANE_H = 18
SPEAK_H = 6  # the speech band at the bottom of a lane


def lane_colour(number: int) -> QColor:
    """A character's colour: the label palette by person number (stable across edits)."""
    return theme.label_colour(number - 1)


class PeopleLanes(QWidget):
    seek_requested = Signal(float)

    def __init__(self, timeline: TimelineView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("peopleLanes")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.timeline = timeline
        self.lanes: list[Lane] = []
        timeline.installEventFilter(self)
        self.setVisible(False)

    def set_lanes(self, lanes: Sequence[Lane]) -> None:
        self.lanes = list(lanes)
        self.setFixedHeight(len(lanes) * LANE_H + 2)
        self.setVisible(bool(lanes))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(800, len(self.lanes) * LANE_H + 2)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.timeline and event.type() == QEvent.Type.Paint:
            self.update()
        return False

    def viewport(self) -> Viewport:
        """The timeline's time axis, in this widget's pixels (both start their time area at HEADER_W)."""
        return Viewport(self.timeline.t0, self.timeline.px_per_s, max(self.width() - HEADER_W, 1))

    def lane_rect(self, index: int) -> QRectF:
        return QRectF(HEADER_W, 1 + index * LANE_H, max(self.width() - HEADER_W, 1), LANE_H - 2)

    def paintEvent(self, event: QPaintEvent) -> None:
        vp = self.viewport()
        p = QPainter(self)
        p.fillRect(self.rect(), theme.BACKGROUND)
        for i, lane in enumerate(self.lanes):
            row = self.lane_rect(i)
            p.fillRect(row, theme.TRACK)
            colour = lane_colour(lane.character.number)
            p.save()
            p.setClipRect(row)
            for start, end in lane.on_screen:
                if end >= vp.t0 and start <= vp.t1:
                    x0, x1 = vp.x(start), vp.x(end)
                    p.fillRect(QRectF(x0, row.y() + 2, max(x1 - x0, 1.0), row.height() - 4 - SPEAK_H), colour)
            for start, end in lane.speaking:
                if end >= vp.t0 and start <= vp.t1:
                    x0, x1 = vp.x(start), vp.x(end)
                    p.fillRect(QRectF(x0, row.bottom() - SPEAK_H, max(x1 - x0, 1.0), SPEAK_H), theme.TEXT)
            p.restore()
            p.setPen(colour)
            p.drawText(QRectF(6, row.y(), HEADER_W - 10, row.height()),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, lane.label)
        x = vp.x(self.timeline.playhead_s)
        if x >= HEADER_W:
            p.setPen(QPen(theme.PLAYHEAD, 2))
            p.drawLine(int(x), 0, int(x), self.height())
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        x = event.position().x()
        if x >= HEADER_W and self.lanes:
            self.seek_requested.emit(max(self.viewport().t(x), 0.0))
