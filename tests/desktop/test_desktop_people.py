"""The people in the window, driven by keys on a project analyzed from a generated two-person video:
the boxes painted over the player at the frame shown, Tab selection, P naming (then the CLI lists
the name, and undo brings the old one back), the lanes under the timeline, a track split and merge."""

from __future__ import annotations

import shutil

import pytest
from people_media import make_people_video
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def analyzed_project(tmp_path_factory):
    """One analysis for the module (the people stage included); each test gets its own copy."""
    from hhir.pipeline import AnalysisOptions, analyze
    from hhir.store import Store

    folder = tmp_path_factory.mktemp("people-app")
    video = make_people_video(folder / "two people.mp4")
    with Store(folder / "project.hhir") as store:
        video_id = analyze(store, video, AnalysisOptions())
        assert len(store.characters(video_id)) == 2
    return folder / "project.hhir", video_id


@pytest.fixture
def window(analyzed_project, open_window, tmp_path, qtbot):
    source, video_id = analyzed_project
    db = tmp_path / "project.hhir"
    shutil.copy(source, db)
    w = open_window(db)
    w.open_video(video_id)
    qtbot.waitUntil(lambda: w.player.player.duration() > 0, timeout=20_000)
    w.player.seek_frame(10)  # shot 0: both people
    qtbot.waitUntil(lambda: len(w.people.on_screen) == 2, timeout=10_000)
    # the overlay, in the video widget's place, has settled where the layout put it
    qtbot.waitUntil(lambda: w.people.overlay.geometry() == w.player.video.geometry(), timeout=5000)
    qtbot.wait(200)
    qtbot.waitUntil(lambda: w.people.overlay.geometry() == w.player.video.geometry(), timeout=5000)
    w.activateWindow()
    w.player.setFocus()
    return w


def _key(qtbot, w, key, modifier=Qt.KeyboardModifier.NoModifier):
    """A key press on the window, as a user makes it (shortcuts need the window active: a closed
    dialog hands activation back, which the offscreen platform does only when asked)."""
    from PySide6.QtWidgets import QApplication

    if QApplication.activeWindow() is not w:
        w.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)
    qtbot.keyClick(w.focusWidget() or w, key, modifier)


def _overlay_pixel(w, x: float, y: float) -> QColor:
    """The colour at overlay pixel (x, y) in a grab of the whole player."""
    overlay = w.people.overlay
    image = w.player.grab().toImage()
    ratio = image.devicePixelRatio()
    at = overlay.mapTo(w.player, overlay.rect().topLeft())
    return image.pixelColor(int((at.x() + x) * ratio), int((at.y() + y) * ratio))


def _same(a: QColor, b: QColor) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < 30


def test_boxes_are_painted_where_the_stored_boxes_are_and_follow_the_frame(window, qtbot):
    from hhir_studio.people.overlay import BOX, picture_rect

    w = window
    overlay = w.people.overlay
    # the overlay takes the video widget's place (whose native window nothing can be drawn over)
    assert overlay.isVisible() and not w.player.video.isVisible()
    qtbot.waitUntil(lambda: overlay.geometry() == w.player.video.geometry(), timeout=5000)
    video = w.session.data.video
    area = picture_rect(overlay.width(), overlay.height(), video.width, video.height)
    tracks = {t.id: t for t in w.store.person_tracks(video.id)}
    shown = w.people.on_screen
    assert sorted(o.track.shot_index for o in shown) == [0, 0]
    # the overlay shows the frame itself (the video widget's native picture would hide a
    # transparent widget): the grab's middle pixel is the frame's
    qtbot.waitUntil(lambda: overlay.picture is not None or overlay._picture() is not None, timeout=10_000)
    picture = overlay.picture
    middle = picture.pixelColor(picture.width() // 2, picture.height() // 8)
    assert _same(_overlay_pixel(w, area.center().x(), area.y() + area.height() / 8), middle)
    for person in shown:
        # frame 10 is a stored box; the overlay paints exactly it, mapped onto the picture
        x0, y0, x1, y1 = tracks[person.track.id].box_at(10)
        left, top = area.x() + x0 * area.width(), area.y() + y0 * area.height()
        bottom = area.y() + y1 * area.height()
        assert _same(_overlay_pixel(w, left + 1, (top + bottom) / 2), BOX), (person.label, left)
        assert not _same(_overlay_pixel(w, left - 6, (top + bottom) / 2), BOX)
    # an interpolated frame (between the samples 10 and 15): the box there is the interpolation
    _key(qtbot, w, Qt.Key.Key_Right)
    _key(qtbot, w, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: w.player.current_frame() == 12, timeout=5000)
    person = w.people.on_screen[0]
    stored = {b.frame for b in person.track.boxes}
    assert 12 not in stored and person.box == tracks[person.track.id].box_at(12)
    # shot 1 has one person; the toggle hides and shows the boxes
    w.player.seek_frame(45)
    qtbot.waitUntil(lambda: len(w.people.on_screen) == 1, timeout=5000)
    x0, y0, x1, y1 = w.people.on_screen[0].box
    middle_y = area.y() + (y0 + y1) / 2 * area.height()
    left = area.x() + x0 * area.width()
    assert _same(_overlay_pixel(w, left + 1, middle_y), BOX)
    _key(qtbot, w, Qt.Key.Key_V)
    assert not overlay.isVisible() and not w.registry.action("people.boxes").isChecked() and w.player.video.isVisible()
    assert not _same(_overlay_pixel(w, left + 1, middle_y), BOX)
    _key(qtbot, w, Qt.Key.Key_V)
    assert overlay.isVisible() and _same(_overlay_pixel(w, left + 1, middle_y), BOX)


def test_tab_selects_the_people_in_turn_and_p_names_the_character_once(window, qtbot, capsys):
    from hhir.cli import main
    from hhir_studio.people.overlay import BOX, SELECTED, picture_rect

    w = window
    overlay = w.people.overlay
    video = w.session.data.video
    area = picture_rect(overlay.width(), overlay.height(), video.width, video.height)
    left_person, right_person = w.people.on_screen  # left to right
    assert w.people.selected is None
    _key(qtbot, w, Qt.Key.Key_Tab)
    assert w.people.selected == left_person.track.id
    x0, y0, _x1, y1 = left_person.box
    assert _same(_overlay_pixel(w, area.x() + x0 * area.width() + 2, area.y() + (y0 + y1) / 2 * area.height()), SELECTED)
    _key(qtbot, w, Qt.Key.Key_Tab)
    assert w.people.selected == right_person.track.id
    assert _same(_overlay_pixel(w, area.x() + x0 * area.width() + 1, area.y() + (y0 + y1) / 2 * area.height()), BOX)
    _key(qtbot, w, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert w.people.selected == left_person.track.id
    # in a panel Tab keeps moving the focus; back on the picture it selects people again
    from PySide6.QtWidgets import QAbstractItemView

    before = w.videos.findChild(QAbstractItemView)
    before.setFocus()
    assert w.focusWidget() is before
    _key(qtbot, w, Qt.Key.Key_Tab)
    assert w.focusWidget() is not before and w.people.selected == left_person.track.id
    w.player.setFocus()

    character = left_person.character
    _key(qtbot, w, Qt.Key.Key_P)
    dialog = w.people.name_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(dialog.edit.hasFocus, timeout=5000)
    qtbot.keyClicks(dialog.edit, "Grace")
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.people.snapshot.character(character.id).name == "Grace", timeout=60_000)
    # every track of that character is named, on this frame's box and in other shots
    assert w.people.on_screen[0].label == "Grace"
    named = [t for t in w.people.snapshot.tracks if t.character_id == character.id]
    assert len(named) == 3 and w.people.lanes.lanes[character.number - 1].label == "Grace"
    stored = w.store.characters(video.id)
    assert [c.annotator for c in stored if c.id == character.id] == [w.session.annotator]

    assert main(["people", "list", str(video.id), "--db", str(w.store.path)]) == 0
    assert "Grace" in capsys.readouterr().out

    # type-ahead: the second character is offered the names already given
    _key(qtbot, w, Qt.Key.Key_Tab)
    assert w.people.selected == right_person.track.id
    _key(qtbot, w, Qt.Key.Key_P)
    dialog = w.people.name_dialog
    assert dialog.windowTitle() == f"Name {right_person.label}"
    qtbot.waitUntil(dialog.edit.hasFocus, timeout=5000)
    qtbot.keyClicks(dialog.edit, "gr")
    assert dialog.edit.text().lower() == "grace"  # completed inline
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)  # takes the completion, as written
    assert dialog.name() == "Grace" and dialog.isVisible()
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Escape)  # not this one: cancelled, nothing written
    assert not dialog.isVisible()
    assert [c.name for c in w.store.characters(video.id)].count("Grace") == 1

    _key(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.people.snapshot.character(character.id).name is None, timeout=10_000)
    assert w.store.characters(video.id)[character.number - 1].name is None
    assert main(["people", "list", str(video.id), "--db", str(w.store.path)]) == 0
    assert "Grace" not in capsys.readouterr().out


def test_a_lane_per_character_shows_when_they_are_on_screen_and_speak(window, qtbot):
    from hhir_studio import theme
    from hhir_studio.timeline.people_lanes import lane_colour

    w = window
    lanes = w.people.lanes
    assert lanes.isVisible() and len(lanes.lanes) == 2
    w.timeline.fit()
    qtbot.waitUntil(lambda: lanes.viewport().px_per_s == w.timeline.px_per_s, timeout=5000)
    image = lanes.grab().toImage()
    ratio = image.devicePixelRatio()
    vp = lanes.viewport()
    for i, lane in enumerate(lanes.lanes):
        shots = sorted(t.shot_index for t in w.people.snapshot.tracks if t.character_id == lane.character.id)
        y = lanes.lane_rect(i).y() + 5
        colour = lane_colour(lane.character.number)
        for shot in range(4):  # 3 s shots; sample the middle of each
            pixel = image.pixelColor(int(vp.x(shot * 3.0 + 1.5) * ratio), int(y * ratio))
            assert _same(pixel, colour) == (shot in shots), (lane.label, shot)

    # speech turns linked to a character show as a band at the bottom of its lane, once stored
    # (the voice analysis' part) and routed to the window as an operation's changes
    from hhir.types import SpeechTurn
    from hhir_studio.operations import OpChanges
    from hhir_studio.timeline.people_lanes import SPEAK_H

    first = lanes.lanes[0].character
    video_id = w.session.data.video.id
    w.store.set_speech_turns(video_id, [SpeechTurn(0, video_id, 0.5, 2.0, 0, None, first.id),
                                        SpeechTurn(0, video_id, 6.5, 8.0, 1, None, None)], "test")
    w.apply_changes(OpChanges(people=(video_id,)))
    assert lanes.lanes[0].speaking == ((0.5, 2.0),) and lanes.lanes[1].speaking == ()
    image = lanes.grab().toImage()
    band = lanes.lane_rect(0).bottom() - SPEAK_H / 2
    assert _same(image.pixelColor(int(vp.x(1.6) * ratio), int(band * ratio)), theme.TEXT)  # the playhead is at 1.0 s
    assert not _same(image.pixelColor(int(vp.x(2.6) * ratio), int(band * ratio)), theme.TEXT)
    assert not _same(image.pixelColor(int(vp.x(7.0) * ratio), int((lanes.lane_rect(1).bottom() - SPEAK_H / 2) * ratio)), theme.TEXT)


def test_a_track_is_split_at_the_playhead_and_joined_again(window, qtbot):
    w = window
    w.player.seek_frame(20)
    qtbot.waitUntil(lambda: w.player.current_frame() == 20 and len(w.people.on_screen) == 2, timeout=5000)
    _key(qtbot, w, Qt.Key.Key_Tab)
    track = w.people.selected_person().track
    before = len(w.store.person_tracks(track.video_id))
    _key(qtbot, w, Qt.Key.Key_X, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(w.people.snapshot.tracks) == before + 1, timeout=60_000)
    head = next(t for t in w.people.snapshot.tracks if t.id == track.id)
    tail = next(t for t in w.people.snapshot.tracks if t.shot_index == 0 and t.start_frame == 20)
    assert head.end_frame == 19 and tail.character_id is None
    # the tail is the selected person's box on this frame: Tab to it, mark it, step back, join
    _key(qtbot, w, Qt.Key.Key_Tab)
    while w.people.selected != tail.id:
        _key(qtbot, w, Qt.Key.Key_Tab)
    _key(qtbot, w, Qt.Key.Key_M, Qt.KeyboardModifier.ShiftModifier)
    assert w.people.marked is not None and w.people.marked.id == tail.id
    w.player.seek_frame(10)
    qtbot.waitUntil(lambda: w.player.current_frame() == 10, timeout=5000)
    while w.people.selected != track.id:
        _key(qtbot, w, Qt.Key.Key_Tab)
    _key(qtbot, w, Qt.Key.Key_M, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(w.people.snapshot.tracks) == before, timeout=60_000)
    joined = next(t for t in w.people.snapshot.tracks if t.id == track.id)
    assert (joined.start_frame, joined.end_frame) == (track.start_frame, track.end_frame)
    # the same box on every frame as before the split (the cut's interpolated box included)
    for frame in range(track.start_frame, track.end_frame + 1):
        assert joined.box_at(frame) == pytest.approx(track.box_at(frame), abs=1e-6), frame


def _drop(qtbot, source, items, target):
    """Drag ``items`` of cluster ``source`` onto cluster ``target``: the data Qt's drag carries (the
    view's ``mimeData``), then the enter, move and drop events Qt delivers to the target."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    data = source.mimeData(items)
    where = target.viewport().rect().center()
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    args = (data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    for event in (QDragEnterEvent(where, actions, *args), QDragMoveEvent(where, actions, *args)):
        QApplication.sendEvent(target.viewport(), event)
        if not event.isAccepted():
            return False
    drop = QDropEvent(QPointF(where), actions, *args)
    QApplication.sendEvent(target.viewport(), drop)
    return drop.isAccepted()


def test_the_gallery_shows_each_characters_faces_and_merges_and_splits_them(window, qtbot):
    import numpy as np

    w = window
    gallery = w.people.gallery
    w.people.dock.raise_()
    w.people.dock.show()
    qtbot.waitUntil(lambda: len(gallery.thumbnails) == 6, timeout=60_000)
    first, second = gallery.clusters
    assert first.count() == second.count() == 3
    assert all(not first.item(i).icon().isNull() for i in range(3))

    def mean_colour(view):
        images = [gallery.thumbnails[t].toImage() for t in view.track_ids()]
        return np.array([[np.mean([img.pixelColor(x, y).getRgb()[:3] for x in range(20, 52, 4) for y in range(20, 52, 4)], axis=0)
                          for img in images]])[0]

    # the thumbnails are the people's faces: one character's are alike, and unlike the other's
    a, b = mean_colour(first), mean_colour(second)
    within = max(np.abs(a - a.mean(0)).sum(1).max(), np.abs(b - b.mean(0)).sum(1).max())
    assert np.abs(a.mean(0) - b.mean(0)).sum() > 2 * within

    # split by selection: two of the first character's tracks become a new character
    picked = [first.item(1), first.item(2)]
    for item in picked:
        item.setSelected(True)
    moved = first.track_ids(picked)
    gallery.split_button.click()
    qtbot.waitUntil(lambda: len(w.people.snapshot.characters) == 3, timeout=60_000)
    new = max(w.people.snapshot.characters, key=lambda c: c.number)
    assert sorted(t.id for t in w.people.snapshot.tracks if t.character_id == new.id) == sorted(moved)
    assert len(w.people.lanes.lanes) == 3 and len(gallery.clusters) == 3

    # merge by dragging every thumbnail of the new character back onto the first
    source, target = gallery.cluster(new.id), gallery.clusters[0]
    assert _drop(qtbot, source, [source.item(i) for i in range(source.count())], target)
    qtbot.waitUntil(lambda: len(w.people.snapshot.characters) == 2, timeout=60_000)
    assert gallery.clusters[0].count() == 3 and len(w.people.lanes.lanes) == 2

    # a drag of one thumbnail moves only that track; undo puts it back
    one = gallery.clusters[1]
    track = one.track_ids([one.item(0)])[0]
    assert _drop(qtbot, one, [one.item(0)], gallery.clusters[0])
    qtbot.waitUntil(lambda: gallery.clusters[0].count() == 4, timeout=60_000)
    assert track in gallery.clusters[0].track_ids()
    _key(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: gallery.clusters[0].count() == 3, timeout=10_000)
    assert track in gallery.clusters[1].track_ids()


@pytest.fixture
def x_display():
    """A virtual X screen of 1280x800 with openbox managing its windows (as the focus tests' one)."""
    import os
    import subprocess
    import time
    from pathlib import Path

    if not (shutil.which("Xvfb") and shutil.which("openbox")):
        pytest.skip("needs Xvfb and openbox (make sysdeps)")
    for number in range(200, 260):
        if not Path(f"/tmp/.X{number}-lock").exists():  # noqa: S108 - where X servers keep their display locks
            break
    display = f":{number}"
    xvfb = subprocess.Popen([shutil.which("Xvfb"), display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    wm = subprocess.Popen([shutil.which("openbox")], env={**os.environ, "DISPLAY": display},
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    try:
        yield display
    finally:
        for proc in (wm, xvfb):
            proc.terminate()
            proc.wait(10)


def test_the_boxes_are_seen_on_a_real_x_screen_over_the_video(analyzed_project, tmp_path, x_display):
    """Qt's video widget is a native window that hides anything drawn over it: on a real X server
    (not offscreen), a grab of the screen shows the boxes on the picture, and not once they are off."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from hhir_studio.people.overlay import BOX, SELECTED

    source, video_id = analyzed_project
    db = tmp_path / "project.hhir"
    shutil.copy(source, db)
    here = Path(__file__).resolve().parent
    env = {**os.environ, "DISPLAY": x_display, "QT_QPA_PLATFORM": "xcb", "HHIR_CONFIG_DIR": str(tmp_path / "config")}
    out = subprocess.run([sys.executable, str(here / "x11_people_child.py"), str(db), str(video_id)], env=env,
                         capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(seen["on"]) == 2 and sum(p["selected"] for p in seen["on"]) == 1
    for on, off in zip(seen["on"], seen["off"]):
        colour = SELECTED if on["selected"] else BOX
        assert _same(QColor(*on["edge"]), colour), seen
        assert not _same(QColor(*on["outside"]), colour), seen
        assert not _same(QColor(*off["edge"]), colour), seen  # the video's own picture again
    assert seen["video_visible_off"]
