"""Painting the timeline tracks. Only the visible time range is drawn; when there are more items
than pixel columns, one sample per column is drawn instead (the level of detail that keeps 20,000
clips as fast as 20).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QImage, QPainter, QPen

from hhir.types import AnnotationState, Target
from hhir_studio import theme
from hhir_studio.timeline.layout import ClipBox, ClipGeometry, TimelineLayout

HEADER_W = 150


@dataclass(frozen=True)
class Viewport:
    t0: float
    px_per_s: float
    width: int  # pixels of the time area (right of the header)

    @property
    def t1(self) -> float:
        return self.t0 + self.width / self.px_per_s

    def x(self, t: float) -> float:
        return HEADER_W + (t - self.t0) * self.px_per_s

    def t(self, x: float) -> float:
        return self.t0 + (x - HEADER_W) / self.px_per_s


@dataclass(frozen=True)
class Row:
    kind: str  # ruler | shots | clips | transcript | label
    top: int
    height: int
    title: str
    label_index: int = -1


def _nice_step(px_per_s: float) -> float:
    for step in (0.04, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600):
        if step * px_per_s >= 70:
            return step
    return 7200.0


def _clock(t: float, step: float) -> str:
    minutes, seconds = divmod(t, 60)
    return f"{int(minutes)}:{seconds:05.2f}" if step < 1 else f"{int(minutes)}:{int(round(seconds)):02d}"


def paint_ruler(p: QPainter, row: Row, vp: Viewport) -> None:
    step = _nice_step(vp.px_per_s)
    p.setPen(theme.MUTED)
    first = int(max(vp.t0, 0) // step)
    t = first * step
    while t <= vp.t1:
        x = vp.x(t)
        p.drawLine(int(x), row.top + row.height - 6, int(x), row.top + row.height)
        p.drawText(QRectF(x + 3, row.top, 90, row.height - 2), Qt.AlignmentFlag.AlignVCenter, _clock(t, step))
        t += step


def paint_shots(p: QPainter, row: Row, vp: Viewport, layout: TimelineLayout) -> None:
    indices = layout.shot_span.visible(vp.t0, vp.t1)
    fm = QFontMetrics(p.font())
    for i in _thin(indices, vp.width):
        shot = layout.shots[i]
        rect = _box(vp, row, shot.start_s, shot.end_s, 2)
        p.fillRect(rect, theme.SHOT_COLOURS[shot.index % 2])
        if rect.width() > fm.horizontalAdvance("00") + 6:
            p.setPen(theme.TEXT)
            p.drawText(rect.adjusted(4, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter, f"{shot.index + 1}")
        p.setPen(QPen(theme.BACKGROUND, 1))
        p.drawLine(int(rect.left()), row.top, int(rect.left()), row.top + row.height)


def paint_clips(p: QPainter, row: Row, vp: Viewport, layout: TimelineLayout, selected: int | None,
                xs: tuple[int, int] | None = None) -> None:
    """``xs``: only the clips that reach into these pixel columns (the caller clips to them)."""
    lane_h = max((row.height - 4) // max(layout.lanes, 1), 4)
    indices = layout.clip_span.visible(vp.t0, vp.t1)
    dense = len(indices) > vp.width  # decided on the whole view, so a partial repaint draws the same way
    indices = _narrow(indices, layout, vp, xs)
    if dense:  # clips narrower than a pixel on average: plain boxes, one per column and lane
        _paint_clips_dense(p, row, vp, layout, selected, indices, lane_h)
        return
    fm = QFontMetrics(p.font())
    for i in indices:  # never more than vp.width, so nothing to thin
        box = layout.clips[i]
        top = row.top + 2 + box.lane * lane_h
        rect = QRectF(vp.x(box.clip.start_s) + 1, top + 1, max(vp.x(box.clip.end_s) - vp.x(box.clip.start_s) - 2, 1), lane_h - 2)
        is_sel = box.clip.id == selected
        reviewed = Target(layout.video_id, box.clip.id) in layout.reviewed
        fill = theme.ACCENT if is_sel else QColor("#3b4658") if not reviewed else QColor("#35503f")
        p.setPen(QPen(QColor("#9ccfff") if is_sel else QColor("#4e5a6e"), 1))
        p.setBrush(fill)
        p.drawRoundedRect(rect, 2, 2)
        if Target(layout.video_id, box.clip.id) in layout.disputed:  # annotators disagree: a corner flag
            w, h = min(8, int(rect.width())), min(6, int(rect.height()))
            p.fillRect(QRect(int(rect.right()) - w, int(rect.top()), w, h), DISPUTED)
        if rect.width() > 30 and lane_h >= 11:
            p.setPen(QColor("#10141a") if is_sel else theme.TEXT)
            text = f"clip {box.clip.index + 1}"
            p.drawText(rect.adjusted(4, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(text, Qt.TextElideMode.ElideRight, int(rect.width()) - 6))


def _paint_clips_dense(p: QPainter, row: Row, vp: Viewport, layout: TimelineLayout, selected: int | None,
                       indices: range, lane_h: int) -> None:
    """One box per pixel column and lane (the first clip starting there), drawn as one image.

    Reviewed and selected clips are drawn on top one by one, so thinning never hides them. The
    image covers every column of the view, so a partial repaint clipped to some columns shows the
    same pixels as a full one.
    """
    geometry = layout.geometry or ClipGeometry.of(layout.clips)
    lanes = max(layout.lanes, 1)
    top0, x0_of, px = row.top + 3, HEADER_W - vp.t0 * vp.px_per_s, vp.px_per_s
    part = slice(indices.start, indices.stop)
    starts, ends, lane = geometry.starts[part], geometry.ends[part], geometry.lanes[part]
    disputed, marked_ids = _marked_ids(layout)
    marked = np.append(marked_ids, np.int64(selected)) if selected is not None else marked_ids
    keep = ~np.isin(geometry.ids[part], marked)

    def fill_of(clip_id: int) -> QColor:
        return theme.ACCENT if clip_id == selected else DISPUTED if clip_id in disputed else _REVIEWED

    on_top = [(layout.clips[indices.start + j], fill_of(layout.clips[indices.start + j].clip.id)) for j in np.flatnonzero(~keep)]
    cols = (x0_of + starts * px).astype(np.int64)
    first = np.zeros(len(starts), bool)  # the first box of each (lane, column): what a per-clip pass would keep
    order = np.flatnonzero(keep)
    if len(order):
        key = lane[order].astype(np.int64) * (1 << 40) + (cols[order] - cols[order].min())
        _, where = np.unique(key, return_index=True)
        first[order[where]] = True
    width = vp.width
    c0 = cols[first] - HEADER_W
    c1 = np.maximum(np.rint(c0 + np.maximum((ends[first] - starts[first]) * px - 1, 1)), c0 + 1).astype(np.int64)
    cover = np.zeros((lanes, width + 1), np.int32)
    np.add.at(cover, (lane[first], np.clip(c0, 0, width)), 1)
    np.add.at(cover, (lane[first], np.clip(c1, 0, width)), -1)
    drawn = np.cumsum(cover, axis=1)[:, :width] > 0
    image = np.zeros((lanes * lane_h, width), np.uint32)
    box_h = max(lane_h - 2, 1)
    for k in range(lanes):
        image[k * lane_h:k * lane_h + box_h] = np.where(drawn[k], np.uint32(_PLAIN.rgba()), np.uint32(0))
    picture = QImage(image.data, width, image.shape[0], width * 4, QImage.Format.Format_ARGB32)
    p.drawImage(QPointF(HEADER_W, top0), picture)
    for box, fill in sorted(on_top, key=lambda item: item[1] is theme.ACCENT):
        clip = box.clip
        p.fillRect(QRectF(int(x0_of + clip.start_s * px), top0 + box.lane * lane_h, max((clip.end_s - clip.start_s) * px - 1, 2), lane_h - 2), fill)


_last_marked: list[Any] = [None, None, None]  # [reviewed, disputed, (disputed ids, marked ids)] of the last paint


def _marked_ids(layout: TimelineLayout) -> tuple[set[int], np.ndarray]:
    """The disputed clip ids, and every reviewed or disputed clip id as an array; kept while the
    layout's marks are the same objects, so a paint does not walk thousands of review marks."""
    if _last_marked[0] is layout.reviewed and _last_marked[1] is layout.disputed:
        found: tuple[set[int], np.ndarray] = _last_marked[2]
        return found
    disputed = {t.clip_id for t in layout.disputed if t.clip_id is not None}
    marked = {t.clip_id for t in layout.reviewed if t.clip_id is not None} | disputed
    found = (disputed, np.fromiter(marked, np.int64, len(marked)))
    _last_marked[:] = [layout.reviewed, layout.disputed, found]
    return found


_PLAIN, _REVIEWED = QColor("#3b4658"), QColor("#35503f")
DISPUTED = QColor("#e8913a")  # the marker of a clip where annotators disagree


def paint_transcript(p: QPainter, row: Row, vp: Viewport, layout: TimelineLayout) -> None:
    fm = QFontMetrics(p.font())
    for i in _thin(layout.segment_span.visible(vp.t0, vp.t1), vp.width):
        seg = layout.segments[i]
        rect = _box(vp, row, seg.start_s, seg.end_s, 3)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(theme.SEGMENT)
        p.drawRoundedRect(rect, 3, 3)
        if rect.width() > 16:
            p.setPen(theme.TEXT)
            text = fm.elidedText(seg.text.strip(), Qt.TextElideMode.ElideRight, int(rect.width()) - 8)
            p.drawText(rect.adjusted(4, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter, text)


def _narrow(indices: range, layout: TimelineLayout, vp: Viewport, xs: tuple[int, int] | None) -> range:
    """The part of ``indices`` that can reach pixel columns ``xs``; the margin of 4 pixels starts
    the per-column thinning early enough that it draws the same boxes there as a full pass."""
    if xs is None:
        return indices
    part = layout.clip_span.visible(vp.t(xs[0] - 4), vp.t(xs[1] + 4))
    return range(max(part.start, indices.start), min(part.stop, indices.stop))


def paint_label(p: QPainter, row: Row, vp: Viewport, layout: TimelineLayout, threshold: float,
                xs: tuple[int, int] | None = None) -> None:
    """Prediction shading on top (alpha = probability), the annotation as a bar underneath.
    ``xs``: only what reaches into these pixel columns (the caller clips to them)."""
    label = layout.labels[row.label_index]
    colour = theme.label_colour(row.label_index)
    band = max(row.height // 3, 4)
    boxes = _label_boxes(layout, vp, xs)
    states, video_id = layout.states, layout.video_id  # looked up per visible clip: never a walk over every decision
    shades: dict[int, QColor] = {}
    scores, fill = layout.clip_scores, p.fillRect
    top, shade_h, bar_top = row.top + 1, row.height - band - 2, row.top + row.height - band
    for box, x0, x1 in boxes:
        clip_id = box.clip.id
        score = scores.get(clip_id, _NO_SCORES).get(label)
        if score is not None:
            alpha = round((0.12 + 0.88 * score) * 255)  # the picture holds 8-bit alpha
            shade = shades.get(alpha)
            if shade is None:
                shade = shades[alpha] = QColor(colour)
                shade.setAlpha(alpha)
            fill(QRectF(x0, top, max(x1 - x0, 1), shade_h), shade)
            if score >= threshold:
                fill(QRectF(x0, top, max(x1 - x0, 1), 2), colour)
        state = states.get((Target(video_id, clip_id), label)) if states else None
        if state is not None:
            bar = QRectF(x0, bar_top, max(x1 - x0 - 1, 1), band - 1)
            if state is AnnotationState.PRESENT:
                fill(bar, colour)
            else:
                fill(bar, QBrush(theme.ABSENT, Qt.BrushStyle.BDiagPattern))


_NO_SCORES: dict[str, float] = {}
_last_boxes: list[Any] = [None, None, None]  # [layout, (viewport, xs), boxes]: every label row of one paint shares them


_Boxes = list[tuple[ClipBox, float, float]]


def _label_boxes(layout: TimelineLayout, vp: Viewport, xs: tuple[int, int] | None = None) -> _Boxes:
    """(clip box, x0, x1) for each visible own stretch, or one sample per 2 pixels when dense.

    The label rows of one paint ask for the same boxes; the last answer is kept for the next row.
    """
    if _last_boxes[0] is layout and _last_boxes[1] == (vp, xs):
        return _last_boxes[2]
    boxes = _compute_label_boxes(layout, vp, xs)
    _last_boxes[:] = [layout, (vp, xs), boxes]
    return boxes


def _compute_label_boxes(layout: TimelineLayout, vp: Viewport, xs: tuple[int, int] | None) -> _Boxes:
    indices = layout.clip_span.visible(vp.t0, vp.t1)
    if len(indices) <= vp.width // 2:
        indices = _narrow(indices, layout, vp, xs)
        return [(layout.clips[i], vp.x(layout.clips[i].own_start), vp.x(layout.clips[i].own_end)) for i in indices]
    samples: _Boxes = []
    columns = range(0, vp.width, 2)
    if xs is not None:  # the same even columns as a full pass, from 4 pixels before to after xs
        lo = max((xs[0] - HEADER_W - 4) // 2 * 2, 0)
        columns = range(lo, min(xs[1] - HEADER_W + 4, vp.width), 2)
    for px in columns:
        box = layout.clip_owning(vp.t(HEADER_W + px + 1))
        if box is not None:
            samples.append((box, HEADER_W + px, HEADER_W + px + 2))
    return samples


def paint_header(p: QPainter, row: Row, layout: TimelineLayout | None) -> None:
    rect = QRectF(0, row.top, HEADER_W - 1, row.height)
    p.fillRect(rect, theme.PANEL)
    if row.kind == "label":
        p.fillRect(QRectF(4, row.top + 3, 4, row.height - 6), theme.label_colour(row.label_index))
        p.setPen(theme.TEXT)
        scene = layout.scene_scores.get(row.title) if layout else None
        # The number is the whole scene's score (the label panel shows the selected clip's), so
        # it says "scene"; the name gives way when both do not fit.
        score = f"scene {scene:.2f}" if scene is not None else ""
        fm = p.fontMetrics()
        room = int(rect.width()) - 16 - (fm.horizontalAdvance(score) + 6 if score else 0)
        p.drawText(rect.adjusted(12, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter,
                   fm.elidedText(row.title, Qt.TextElideMode.ElideRight, max(room, 12)))
        if score:
            p.setPen(theme.MUTED)
            p.drawText(rect.adjusted(0, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, score)
    else:
        p.setPen(theme.MUTED)
        p.drawText(rect.adjusted(8, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter, row.title)


def _box(vp: Viewport, row: Row, start: float, end: float, pad: int) -> QRectF:
    x0, x1 = vp.x(start), vp.x(end)
    return QRectF(x0, row.top + pad, max(x1 - x0, 1), row.height - 2 * pad)


def _thin(indices: range, budget: int) -> range:
    """Every item when they fit in ``budget`` pixels, else an evenly spaced subset of that size."""
    if len(indices) <= max(budget, 1):
        return indices
    return range(indices.start, indices.stop, max(len(indices) // max(budget, 1), 1))
