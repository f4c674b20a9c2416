"""CurvePlot: a small painted line chart for live training curves (no chart library needed)."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from hhir_studio import theme


@dataclass
class Series:
    name: str
    colour: str
    points: list[tuple[float, float]] = field(default_factory=list)


class CurvePlot(QWidget):
    """Several series over a shared x axis; each series is scaled to its own 0..max (losses) or
    0..1 (scores in [0, 1]), labelled in the legend."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series: dict[str, Series] = {}
        self.setMinimumSize(420, 220)

    def sizeHint(self) -> QSize:
        return QSize(520, 260)

    def add_series(self, name: str, colour: str) -> None:
        self.series[name] = Series(name, colour)

    def append(self, name: str, x: float, y: float | None) -> None:
        if y is not None:
            self.series[name].points.append((x, y))
            self.update()

    def clear(self) -> None:
        for series in self.series.values():
            series.points.clear()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), theme.PANEL)
        area = QRectF(self.rect()).adjusted(40, 24, -12, -24)
        p.setPen(QPen(theme.GRID, 1))
        for i in range(5):
            y = area.top() + area.height() * i / 4
            p.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
        xs = [x for s in self.series.values() for x, _ in s.points]
        x_max = max(xs, default=1.0)
        legend_x = area.left()
        for series in self.series.values():
            top = max((y for _, y in series.points), default=1.0)
            scale = 1.0 if top <= 1.0 and series.name.lower().endswith("f1") else max(top, 1e-9)
            poly = QPolygonF([QPointF(area.left() + area.width() * x / max(x_max, 1e-9),
                                      area.bottom() - area.height() * y / scale) for x, y in series.points])
            p.setPen(QPen(QColor(series.colour), 2))
            p.drawPolyline(poly)
            last = f" {series.points[-1][1]:.3f}" if series.points else ""
            p.drawText(QRectF(legend_x, 4, 200, 16), Qt.AlignmentFlag.AlignLeft, f"■ {series.name}{last}")
            legend_x += 170
        p.setPen(theme.MUTED)
        p.drawText(QRectF(area.left(), area.bottom() + 4, area.width(), 16), Qt.AlignmentFlag.AlignRight, f"epoch {x_max:g}")
        p.end()
