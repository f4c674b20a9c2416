"""TimelineView: tracks for shots, clips, transcript and one strip per label, under the player.

Zoom with Ctrl+wheel (or the zoom actions), scroll with the wheel or the scroll bar, click to seek
(a click on a clip or a label strip also selects that clip). The playhead follows playback.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QScrollBar, QSizePolicy, QToolTip, QWidget

from hhir.thresholds import DEFAULT_THRESHOLD
from hhir_studio import theme
from hhir_studio.timeline import painter
from hhir_studio.timeline.layout import TimelineLayout, changed_clip_ids
from hhir_studio.timeline.painter import HEADER_W, Row, Viewport

RULER_H, SHOT_H, LANE_H, TRANSCRIPT_H, LABEL_H, SCROLL_H = 20, 24, 16, 26, 20, 12
MIN_PX_PER_S, MAX_PX_PER_S = 0.01, 2000.0
_SCROLL_STEPS = 1000  # the scroll bar works in thousandths of the scrollable range


class TimelineView(QWidget):
    seek_requested = Signal(float)
    clip_clicked = Signal(int)

    def __init__(self, threshold_of: Callable[[str], float] = lambda label: DEFAULT_THRESHOLD, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline")
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.layout_data: TimelineLayout | None = None
        self.threshold_of = threshold_of
        self.t0 = 0.0
        self.px_per_s = 50.0
        self.playhead_s = 0.0
        self.selected_clip: int | None = None
        self.follow = True
        self._fitted = False
        # Everything but the playhead, painted once per (layout, view, selection): a seek repaints
        # only the old and new playhead strips from this picture instead of every track.
        self._static: QPixmap | None = None
        self._static_key: tuple[object, ...] | None = None
        self._static_layout: TimelineLayout | None = None
        self._scroll = QScrollBar(Qt.Orientation.Horizontal, self)
        self._scroll.setRange(0, _SCROLL_STEPS)
        self._scroll.valueChanged.connect(self._on_scroll)

    # --- data ----------------------------------------------------------------------------
    def set_layout(self, layout: TimelineLayout | None) -> None:
        old = self.layout_data
        first = old is None or layout is None or old.video_id != layout.video_id
        self.layout_data = layout
        if first:
            self.fit()
        self.updateGeometry()
        self._sync_scroll()
        dirty = self._patch_static(old, layout)
        if dirty is None:
            self.update()
        elif not dirty.isEmpty():
            self.update(dirty)

    def set_selected_clip(self, clip_id: int | None) -> None:
        self.selected_clip = clip_id
        box = self.layout_data.box_of(clip_id) if self.layout_data else None
        if box is not None:
            self.ensure_visible(box.clip.start_s, box.clip.end_s)
        self.update()

    def set_playhead(self, t: float) -> None:
        old = self.playhead_s
        self.playhead_s = t
        if self.follow and not self.t0 <= t <= self._t1():
            self.scroll_to(t - 0.1 * self._span())
        else:
            vp = self._viewport()
            x0, x1 = sorted((vp.x(old), vp.x(t)))
            self.update(int(x0) - 2, 0, int(x1 - x0) + 5, self.height())

    # --- geometry ------------------------------------------------------------------------
    def rows(self) -> list[Row]:
        lanes = self.layout_data.lanes if self.layout_data else 3
        spec = [("ruler", RULER_H, ""), ("shots", SHOT_H, "Shots"), ("clips", 4 + lanes * LANE_H, "Clips"),
                ("transcript", TRANSCRIPT_H, "Transcript")]
        rows, top = [], 0
        for kind, height, title in spec:
            rows.append(Row(kind, top, height, title))
            top += height
        for i, label in enumerate(self.layout_data.labels if self.layout_data else []):
            rows.append(Row("label", top, LABEL_H, label, i))
            top += LABEL_H
        return rows

    def sizeHint(self) -> QSize:
        rows = self.rows()
        return QSize(800, rows[-1].top + rows[-1].height + SCROLL_H + 2)

    def minimumSizeHint(self) -> QSize:
        # Every row's height, but not the preferred width: an 800-pixel minimum kept the docks
        # beside it at their minimum and cut the Videos panel's names and buttons.
        return QSize(HEADER_W + 240, self.sizeHint().height())

    def _viewport(self) -> Viewport:
        return Viewport(self.t0, self.px_per_s, max(self.width() - HEADER_W, 1))

    def _span(self) -> float:
        return self._viewport().width / self.px_per_s

    def _t1(self) -> float:
        return self.t0 + self._span()

    def _duration(self) -> float:
        return self.layout_data.duration_s if self.layout_data else 0.0

    # --- zoom and scroll -----------------------------------------------------------------
    def fit(self) -> None:
        """Show the whole video."""
        self.px_per_s = min(max(self._viewport().width / max(self._duration(), 1e-3), MIN_PX_PER_S), MAX_PX_PER_S)
        self.t0 = 0.0
        self._sync_scroll()
        self.update()

    def zoom(self, factor: float, anchor_t: float | None = None) -> None:
        """Zoom by ``factor`` keeping ``anchor_t`` (default: the playhead) at the same pixel."""
        anchor = self.playhead_s if anchor_t is None else anchor_t
        anchor_x = self._viewport().x(anchor)
        self.px_per_s = min(max(self.px_per_s * factor, MIN_PX_PER_S), MAX_PX_PER_S)
        self.scroll_to(anchor - (anchor_x - HEADER_W) / self.px_per_s)

    def scroll_to(self, t0: float) -> None:
        self.t0 = min(max(t0, 0.0), max(self._duration() - self._span(), 0.0))
        self._sync_scroll()
        self.update()

    def ensure_visible(self, start: float, end: float) -> None:
        if start < self.t0 or end > self._t1():
            self.scroll_to(start - 0.1 * self._span())

    def _sync_scroll(self) -> None:
        free = max(self._duration() - self._span(), 0.0)
        self._scroll.blockSignals(True)
        self._scroll.setVisible(free > 0)
        self._scroll.setValue(int(round(self.t0 / free * _SCROLL_STEPS)) if free > 0 else 0)
        visible = self._span() / self._duration() if self._duration() > 0 else 1.0
        self._scroll.setPageStep(max(int(_SCROLL_STEPS * min(visible, 1.0)), 1))
        self._scroll.blockSignals(False)

    def _on_scroll(self, value: int) -> None:
        self.follow = False  # the user looks elsewhere; playback resumes following on a seek
        self.t0 = max(self._duration() - self._span(), 0.0) * value / _SCROLL_STEPS
        self.update()

    # --- events --------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        self._scroll.setGeometry(HEADER_W, self.height() - SCROLL_H, self.width() - HEADER_W, SCROLL_H)
        if not self._fitted and self.layout_data is not None:
            self._fitted = True
            self.fit()
        self._sync_scroll()
        super().resizeEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y() or event.angleDelta().x()
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.25 if delta > 0 else 0.8, self._viewport().t(event.position().x()))
        else:
            self.follow = False
            self.scroll_to(self.t0 - delta / 120 * 0.1 * self._span())
        event.accept()

    def header_tip(self, y: float) -> str:
        """The tooltip of the row header at ``y``: label rows say what their number is."""
        row = next((r for r in self.rows() if r.top <= y < r.top + r.height), None)
        if row is None or row.kind != "label":
            return ""
        return (f"{row.title}: the strip shows each clip's score; the number is the whole scene's score "
                "(the label panel shows the selected clip's)")

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            tip = self.header_tip(event.pos().y()) if event.pos().x() < HEADER_W else ""
            if tip:
                QToolTip.showText(event.globalPos(), tip, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        x, y = event.position().x(), event.position().y()
        if x < HEADER_W or self.layout_data is None:
            return
        t = min(max(self._viewport().t(x), 0.0), self._duration())
        row = next((r for r in self.rows() if r.top <= y < r.top + r.height), None)
        clip_id = self._clip_under(row, t, y) if row else None
        self.follow = True
        self.seek_requested.emit(t)
        if clip_id is not None:
            self.clip_clicked.emit(clip_id)

    def _clip_under(self, row: Row, t: float, y: float) -> int | None:
        layout = self.layout_data
        if row.kind == "clips":
            box = layout.clip_at(t, int((y - row.top - 2) // LANE_H))
            return box.clip.id if box else None
        if row.kind == "label":
            box = layout.clip_owning(t)
            return box.clip.id if box else None
        return None

    def paintEvent(self, event: QPaintEvent) -> None:
        vp = self._viewport()
        p = QPainter(self)
        p.drawPixmap(event.rect(), self._static_picture(vp), event.rect())
        p.setClipRect(QRectF(HEADER_W, 0, vp.width, self.height()))
        self._paint_playhead(p, vp)
        p.end()

    def _static_key_for(self, vp: Viewport) -> tuple[object, ...]:
        thresholds = tuple(self.threshold_of(label) for label in self.layout_data.labels) if self.layout_data else ()
        return (vp, self.width(), self.height(), self.devicePixelRatioF(), self.selected_clip, thresholds)

    def _static_picture(self, vp: Viewport) -> QPixmap:
        ratio = self.devicePixelRatioF()
        key = self._static_key_for(vp)
        if self._static is None or key != self._static_key or self._static_layout is not self.layout_data:
            picture = QPixmap(int(self.width() * ratio), int(self.height() * ratio))
            picture.setDevicePixelRatio(ratio)
            p = QPainter(picture)
            self._paint_static(p, vp)
            p.end()
            self._static, self._static_key, self._static_layout = picture, key, self.layout_data
        return self._static

    def _paint_static(self, p: QPainter, vp: Viewport) -> None:
        p.fillRect(self.rect(), theme.BACKGROUND)
        layout = self.layout_data
        p.setClipRect(QRectF(HEADER_W, 0, vp.width, self.height()))
        for row in self.rows():
            if row.kind != "ruler":
                p.fillRect(QRectF(HEADER_W, row.top + 1, vp.width, row.height - 2), theme.TRACK)
            if layout is not None:
                self._paint_row(p, row, vp, layout)
        self._paint_selection(p, vp)
        p.setClipping(False)
        for row in self.rows():
            painter.paint_header(p, row, layout)

    def _patch_static(self, old: TimelineLayout | None, new: TimelineLayout | None) -> QRect | None:
        """After a change of annotation states or review marks only, repaint just the changed clips'
        columns of the tracks they show in (clips, labels) into the cached picture; the pixels are
        the same as a full repaint's. Returns the widget area to update, or None when the whole
        picture must be repainted."""
        if old is None or new is None or self._static is None or self._static_layout is not old:
            return None
        ids = changed_clip_ids(old, new)
        vp = self._viewport()
        if ids is None or self._static_key != self._static_key_for(vp):
            return None
        self._static_layout = new
        boxes = [b for b in map(new.box_of, ids) if b is not None]
        if not boxes:
            return QRect()
        x0 = max(int(min(vp.x(b.clip.start_s) for b in boxes)) - 4, HEADER_W)
        x1 = min(int(max(vp.x(b.clip.end_s) for b in boxes)) + 5, HEADER_W + vp.width)
        if x1 <= x0:
            return QRect()
        if x1 - x0 > vp.width // 2:
            self._static = None
            return None
        rows = [r for r in self.rows() if r.kind in ("clips", "transcript", "label")]
        top = rows[0].top + 1  # the clips row's first line is background only
        area = QRect(x0, top, x1 - x0, rows[-1].top + rows[-1].height - top)
        p = QPainter(self._static)
        p.setClipRect(area)
        p.fillRect(area, theme.BACKGROUND)
        for row in rows:
            p.fillRect(QRectF(HEADER_W, row.top + 1, vp.width, row.height - 2), theme.TRACK)
            self._paint_row(p, row, vp, new, (x0, x1))
        self._paint_selection(p, vp)
        p.end()
        return area

    def _paint_row(self, p: QPainter, row: Row, vp: Viewport, layout: TimelineLayout,
                   xs: tuple[int, int] | None = None) -> None:
        if row.kind == "ruler":
            painter.paint_ruler(p, row, vp)
        elif row.kind == "shots":
            painter.paint_shots(p, row, vp, layout)
        elif row.kind == "clips":
            painter.paint_clips(p, row, vp, layout, self.selected_clip, xs)
        elif row.kind == "transcript":
            painter.paint_transcript(p, row, vp, layout)
        else:
            painter.paint_label(p, row, vp, layout, self.threshold_of(row.title), xs)

    def _paint_selection(self, p: QPainter, vp: Viewport) -> None:
        """A faint band over every track marks the selected clip's time range."""
        layout = self.layout_data
        box = layout.box_of(self.selected_clip) if layout else None
        if box is not None:
            x0, x1 = vp.x(box.clip.start_s), vp.x(box.clip.end_s)
            p.fillRect(QRectF(x0, RULER_H, x1 - x0, self.height() - RULER_H - SCROLL_H), QColor(97, 175, 239, 26))

    def _paint_playhead(self, p: QPainter, vp: Viewport) -> None:
        x = vp.x(self.playhead_s)
        p.setPen(QPen(theme.PLAYHEAD, 2))
        p.drawLine(int(x), 0, int(x), self.height() - SCROLL_H)
