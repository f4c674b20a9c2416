"""What ELAN and BORIS users reach for, through the real window's keys: Home/End, a go-to box for a
frame or a time, steps of N frames, playback below 0.25x, and the edit history as a table that goes
to a step's clip and exports as a CSV event log. The picture on screen is read back from the video
sink (each generated frame shows its own index)."""

from __future__ import annotations

import csv

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from test_desktop_player import _shown_code

CTRL = Qt.KeyboardModifier.ControlModifier


def _ready(window, qtbot):
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(lambda: window.player.player.duration() > 0, timeout=20_000)
    window.timeline.setFocus()


def _key(window, qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(QApplication.focusWidget() or window, key, modifier)


def _frame(window, qtbot, frame):
    assert window.player.current_frame() == frame
    assert f"frame {frame:>6d}" in window.player.readout.text()


def test_home_end_go_to_and_n_frame_steps(tmp_path, open_window, qtbot):
    from media_factory import make_timed_video

    from hhir.media.probe import probe
    from hhir.store import Store

    times = [i / 25 for i in range(150)]
    film = make_timed_video(tmp_path / "coded.mp4", times, audio=False)
    db = tmp_path / "p.sqlite3"
    with Store(db) as store:
        video_id = store.add_video(probe(film)).id
    window = open_window(db)
    window.open_video(video_id)
    _ready(window, qtbot)

    _key(window, qtbot, Qt.Key.Key_End)
    _frame(window, qtbot, 149)
    qtbot.waitUntil(lambda: _shown_code(window.player) == 149, timeout=10_000)
    _key(window, qtbot, Qt.Key.Key_Home)
    _frame(window, qtbot, 0)

    window.player.step.setValue(25)
    _key(window, qtbot, Qt.Key.Key_Right, CTRL)
    _key(window, qtbot, Qt.Key.Key_Right, CTRL)
    _frame(window, qtbot, 50)
    _key(window, qtbot, Qt.Key.Key_Left, CTRL)
    _frame(window, qtbot, 25)
    qtbot.waitUntil(lambda: _shown_code(window.player) == 25, timeout=10_000)

    _key(window, qtbot, Qt.Key.Key_G, CTRL)  # the go-to box takes the keys...
    assert QApplication.focusWidget() is window.player.goto
    qtbot.keyClicks(window.player.goto, "112")  # ... digits included (not label keys here)
    _key(window, qtbot, Qt.Key.Key_Return)
    _frame(window, qtbot, 112)
    qtbot.waitUntil(lambda: _shown_code(window.player) == 112, timeout=10_000)
    assert QApplication.focusWidget() is window.timeline  # and gives them back
    _key(window, qtbot, Qt.Key.Key_G, CTRL)
    qtbot.keyClicks(window.player.goto, "00:02.5")  # a time: frame 62 is shown from 2.48 s
    _key(window, qtbot, Qt.Key.Key_Return)
    _frame(window, qtbot, 62)
    _key(window, qtbot, Qt.Key.Key_G, CTRL)
    qtbot.keyClicks(window.player.goto, "later")
    _key(window, qtbot, Qt.Key.Key_Return)
    assert "'later' is not a frame number or a time" in window.statusBar().currentMessage()
    _frame(window, qtbot, 62)
    _key(window, qtbot, Qt.Key.Key_Escape)  # Escape leaves the box and gives the keys back
    assert QApplication.focusWidget() is window.timeline
    speeds = []
    for _ in range(8):  # the slowest preset is below 0.25x
        _key(window, qtbot, Qt.Key.Key_BracketLeft)
        speeds.append(window.player.speed)
    assert round(min(speeds), 3) == 0.1 and "0.1×" in window.player.readout.text()


def test_the_edit_history_is_a_table_that_goes_to_a_step_and_exports_an_event_log(filled_db, open_window, qtbot, tmp_path):
    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    _ready(window, qtbot)
    session = window.session
    first, third = session.data.clips[0], session.data.clips[2]
    session.select_clip(first.id)
    _key(window, qtbot, Qt.Key.Key_1)
    session.select_clip(third.id)
    _key(window, qtbot, Qt.Key.Key_2)
    _key(window, qtbot, Qt.Key.Key_N)
    _key(window, qtbot, Qt.Key.Key_Z, CTRL)  # the review is undone: still listed, as undone

    _key(window, qtbot, Qt.Key.Key_H, CTRL)
    table = window.history.table
    assert QApplication.focusWidget() is table
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    who = session.annotator
    assert [(r[2], r[3], r[4]) for r in rows] == [
        (who, "reviewed (clip 3)", "undone"),
        (who, "gives to: present (clip 3)", ""),
        (who, "asks: present (clip 1)", ""),
    ]
    assert all(r[1].startswith("20") for r in rows)  # when: a date and time
    _key(window, qtbot, Qt.Key.Key_Down)  # the row of clip 3's label...
    _key(window, qtbot, Qt.Key.Key_Down)  # ... then clip 1's: the selection goes there
    assert session.selected.clip_id == first.id
    assert window.labels.title.text().startswith("Clip 1 —")
    assert first.start_s <= window.player.position_s < first.end_s  # the playhead is in that clip

    out = tmp_path / "event log.csv"
    window.history.export_to(out)
    with open(out, newline="", encoding="utf-8") as f:
        log = list(csv.DictReader(f))
    assert [(e["step"], e["annotator"], e["description"], e["state"]) for e in log] == [
        ("1", who, "asks: present (clip 1)", "done"),
        ("2", who, "gives to: present (clip 3)", "done"),
        ("3", who, "reviewed (clip 3)", "undone"),
    ]
    assert log[0]["targets"] == f"clip:{first.id}" and log[0]["kind"] == "annotate"
