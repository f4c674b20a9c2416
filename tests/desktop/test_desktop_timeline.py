"""Timeline layout and painting: stacked clip lanes, centred prediction stretches, visible-range
lookups on a large project, click to select and seek, zoom around the cursor."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from hhir.segment.clips import build_clips
from hhir.types import AnnotationState, Shot, Target, TranscriptSegment
from hhir_studio import theme
from hhir_studio.timeline.layout import build_layout
from hhir_studio.timeline.painter import HEADER_W
from hhir_studio.timeline.view import TimelineView

LABELS = ["asks", "talks to"]


def _shots(n: int, frames: int = 25, fps: float = 25.0) -> list[Shot]:
    return [Shot(i, i * frames, (i + 1) * frames, i * frames / fps, (i + 1) * frames / fps) for i in range(n)]


def _layout(n_shots: int, size: int = 3, scores=None, states=None):
    shots = _shots(n_shots)
    clips = [c.__class__(**{**c.__dict__, "id": i + 1}) for i, c in enumerate(build_clips(shots, size, 1))]
    segs = [TranscriptSegment(0.2, 0.9, "hello there", 1)]
    return build_layout(7, shots[-1].end_s, 25.0, shots, clips, segs, LABELS, scores or {}, {"asks": 0.3}, states or {})


def _shown_view(qtbot, layout, width: int) -> TimelineView:
    """A shown timeline ``width`` pixels wide (plus the header) with ``layout``, fitted to the video."""
    view = TimelineView(lambda label: 0.6)
    qtbot.addWidget(view)
    view.set_layout(layout)
    view.resize(HEADER_W + width, view.sizeHint().height())
    view.show()
    view.fit()
    return view


def test_overlapping_windows_get_separate_lanes_and_own_stretches_tile_the_video():
    layout = _layout(10)
    assert layout.lanes == 3
    assert [b.lane for b in layout.clips[:6]] == [0, 1, 2, 0, 1, 2]
    stretches = [(b.own_start, b.own_end) for b in layout.clips]
    assert stretches[0][0] == 0.0 and stretches[-1][1] == layout.duration_s
    assert all(a[1] == b[0] for a, b in zip(stretches, stretches[1:]))  # no gap, no overlap
    centre = (layout.clips[4].clip.start_s + layout.clips[4].clip.end_s) / 2
    assert layout.clip_owning(centre) is layout.clips[4]


def test_visible_lookup_touches_only_the_visible_range_of_a_large_project():
    layout = _layout(20_002)  # 20,000 clips of 3 shots
    assert len(layout.clips) == 20_000
    visible = layout.clip_span.visible(4000.0, 4010.0)
    assert len(visible) <= 20
    assert all(layout.clips[i].clip.end_s >= 4000.0 and layout.clips[i].clip.start_s <= 4010.0 for i in visible[3:])
    assert any(layout.clips[i].clip.start_s <= 4005.0 < layout.clips[i].clip.end_s for i in visible)


def test_painting_shows_scores_annotations_and_the_playhead(qtbot):
    scores = {3: {"asks": 1.0, "talks to": 0.0}}
    layout = _layout(6, scores=scores, states={(Target(7, 3), "talks to"): AnnotationState.PRESENT})
    view = _shown_view(qtbot, layout, 600)
    view.set_playhead(0.5)
    image = view.grab().toImage()
    rows = {r.title: r for r in view.rows()}
    box = layout.clips[2]
    x = int(view._viewport().x((box.own_start + box.own_end) / 2))
    asks = rows["asks"]
    assert QColor(image.pixel(x, asks.top + 6)).name() == theme.label_colour(0).name()  # p = 1.0: full colour
    talks = rows["talks to"]
    assert QColor(image.pixel(x, talks.top + talks.height - 3)).name() == theme.label_colour(1).name()  # present bar
    playhead_x = int(view._viewport().x(0.5))
    hits = [QColor(image.pixel(px, rows["Shots"].top + 5)).name() for px in range(playhead_x - 1, playhead_x + 2)]
    assert theme.PLAYHEAD.name() in hits


def test_click_on_a_clip_selects_it_and_seeks(qtbot):
    layout = _layout(6)
    view = _shown_view(qtbot, layout, 600)
    clips_row = next(r for r in view.rows() if r.kind == "clips")
    target = layout.clips[1]  # lane 1
    t = (target.clip.start_s + target.clip.end_s) / 2
    point = QPoint(int(view._viewport().x(t)), clips_row.top + 2 + 16 * target.lane + 6)
    with qtbot.waitSignal(view.seek_requested) as seek, qtbot.waitSignal(view.clip_clicked) as clicked:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point)
    assert clicked.args == [target.clip.id]
    assert abs(seek.args[0] - t) < 2 / view.px_per_s


def test_zoom_keeps_the_anchor_time_under_its_pixel(qtbot):
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(HEADER_W + 800, 300)
    view.set_layout(_layout(200))
    view.fit()
    anchor = 37.0
    x_before = view._viewport().x(anchor)
    view.zoom(8.0, anchor)
    assert abs(view._viewport().x(anchor) - x_before) < 1.0
    assert view.px_per_s > 7.9 * 800 / 200.0


def test_seek_moves_the_playhead_over_the_cached_tracks_and_new_data_repaints_them(qtbot):
    layout = _layout(6)
    view = _shown_view(qtbot, layout, 600)
    view.set_playhead(0.5)
    shots_y = view.rows()[1].top + 5
    first = view.grab().toImage()
    cached = view._static
    view.set_playhead(4.0)
    image = view.grab().toImage()
    assert view._static is cached  # the tracks were not painted again for a seek
    old_x, new_x = int(view._viewport().x(0.5)), int(view._viewport().x(4.0))
    assert theme.PLAYHEAD.name() not in [QColor(image.pixel(x, shots_y)).name() for x in range(old_x - 1, old_x + 2)]
    assert theme.PLAYHEAD.name() in [QColor(image.pixel(x, shots_y)).name() for x in range(new_x - 1, new_x + 2)]
    assert QColor(image.pixel(old_x, shots_y)) != QColor(first.pixel(old_x, shots_y))
    talks = {r.title: r for r in view.rows()}["talks to"]
    box = layout.clips[2]
    x = int(view._viewport().x((box.own_start + box.own_end) / 2))
    marked = _layout(6, states={(Target(7, box.clip.id), "talks to"): AnnotationState.PRESENT})
    view.set_layout(marked)
    image = view.grab().toImage()
    assert view._static is not cached
    assert QColor(image.pixel(x, talks.top + talks.height - 3)).name() == theme.label_colour(1).name()


def test_dense_clips_are_thinned_but_keep_reviewed_and_selected_visible(qtbot):
    layout = _layout(3002)  # 3,000 clips in a few hundred pixels
    reviewed_clip = layout.clips[1500]
    import dataclasses

    layout = dataclasses.replace(layout, reviewed=frozenset({Target(7, reviewed_clip.clip.id)}))
    view = _shown_view(qtbot, layout, 400)
    selected = layout.clips[600]
    view.set_selected_clip(selected.clip.id)
    image = view.grab().toImage()
    clips_row = {r.kind: r for r in view.rows()}["clips"]
    lane_h = max((clips_row.height - 4) // layout.lanes, 4)

    def colour(box):
        x = int(view._viewport().x(box.clip.start_s)) + 1
        return QColor(image.pixel(x, clips_row.top + 3 + box.lane * lane_h + lane_h // 2)).name()

    assert colour(selected) == theme.ACCENT.name()
    assert colour(reviewed_clip) == "#35503f"
    assert colour(layout.clips[30]) == "#3b4658"


@pytest.mark.parametrize("n_shots, zoom", [(12, 1.0), (3002, 1.0), (3002, 6.0)])
def test_a_states_only_change_repaints_part_of_the_cache_exactly_as_a_full_repaint(qtbot, n_shots, zoom):
    scores = {i: {"asks": (i % 10) / 10, "talks to": (i % 7) / 7} for i in range(1, n_shots)}
    layout = _layout(n_shots, scores=scores)
    view = _shown_view(qtbot, layout, 700)
    view.zoom(zoom, layout.clips[len(layout.clips) // 2].clip.start_s)
    view.set_selected_clip(layout.clips[len(layout.clips) // 2 + 1].clip.id)
    before = view.grab().toImage()
    cached = view._static
    for k, state in enumerate([AnnotationState.PRESENT, AnnotationState.ABSENT, None]):
        box = layout.clips[len(layout.clips) // 2 - k]
        states = dict(view.layout_data.states)
        if state is None:
            states.pop((Target(7, layout.clips[len(layout.clips) // 2].clip.id), "asks"))
        else:
            states[(Target(7, box.clip.id), "asks" if k == 0 else "talks to")] = state
        view.set_layout(dataclasses.replace(view.layout_data, states=states, reviewed=frozenset({Target(7, box.clip.id)})))
        patched = view.grab().toImage()
        assert view._static is cached  # patched in place, not painted again from scratch
        fresh = TimelineView(lambda label: 0.6)
        qtbot.addWidget(fresh)
        fresh.set_layout(view.layout_data)
        fresh.resize(view.size())
        fresh.show()
        fresh.px_per_s, fresh.selected_clip = view.px_per_s, view.selected_clip
        fresh.scroll_to(view.t0)
        assert fresh._viewport() == view._viewport()
        full = fresh.grab().toImage()
        assert patched == full
        assert patched != before  # the change shows
        before = patched
