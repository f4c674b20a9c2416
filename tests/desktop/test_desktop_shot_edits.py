"""Shot edits in the real window, driven by the keyboard: they are the annotator's own edits, stored
at once even while another video is being analyzed (only their rescoring queues), and they keep the
annotator's decisions, review marks included."""

from __future__ import annotations

from PySide6.QtCore import Qt

from hhir.types import AnnotationState
from hhir_studio.jobs import JobState

CTRL = Qt.KeyboardModifier.ControlModifier


def _focus(window, qtbot):
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.timeline.setFocus()


def _press(window, qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(window.timeline, key, modifier)


def test_shot_edits_labels_and_undo_never_wait_behind_an_analysis(filled_db, open_window, qtbot, tmp_path):
    from media_factory import make_video

    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    other = make_video(tmp_path / "another film.mp4", ((60, None), (60, None)), speech=[(0.5, "Where are you going?")])
    (analysis,) = window.analyze([str(other)])
    assert analysis.state is JobState.RUNNING  # the other video is being analyzed from now on
    _focus(window, qtbot)

    window.player.seek(2.0)  # frame 50, inside shot 2 (frames 40-75)
    _press(window, qtbot, Qt.Key.Key_X)
    # stored and shown at once: no "Rebuild clips" job waits for the analysis to end
    assert [s.start_frame for s in window.session.data.shots] == [0, 40, 50, 75, 120, 150]
    assert len(window.timeline.layout_data.clips) == 4
    assert window.statusBar().currentMessage() == "Split of shot 2 at 00:02.0: every label kept"
    assert window.registry.action("edit.undo").text() == "&Undo split of shot 2 at 00:02.0"

    window.session.select_clip(window.session.data.clips[1].id)
    _press(window, qtbot, Qt.Key.Key_1)  # a label key
    assert window.session.state("asks") is AnnotationState.PRESENT
    _press(window, qtbot, Qt.Key.Key_Z, CTRL)  # undo the label...
    assert window.session.state("asks") is None
    _press(window, qtbot, Qt.Key.Key_Z, CTRL)  # ... and the split
    assert [s.start_frame for s in window.session.data.shots] == [0, 40, 75, 120, 150]
    assert window.statusBar().currentMessage() == "Undid split of shot 2 at 00:02.0"
    assert analysis.state is JobState.RUNNING  # all of it happened while the analysis ran
    # only the rescoring of the changed clips waits its turn behind the analysis
    assert [j.state for j in window.runner.jobs() if j.spec.title == "Suggestions for the changed clips"] == [JobState.QUEUED]

    analysis.cancel()
    qtbot.waitUntil(lambda: not any(j.active for j in window.runner.jobs()), timeout=120_000)


def test_a_split_and_a_merge_on_a_reviewed_clip_keep_its_decisions_and_review(filled_db, open_window, qtbot):
    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    session = window.session
    _focus(window, qtbot)
    session.select_clip(session.data.clips[0].id)  # shots 1-3, 0.0-4.8 s: the split changes it
    for key in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_2, Qt.Key.Key_3):  # asks present, gives to absent, talks to present
        _press(window, qtbot, key)
    _press(window, qtbot, Qt.Key.Key_N)  # reviewed, next
    before = {(a.label, a.state) for a in window.store.annotations(video_id)}
    assert len(before) == 3

    window.player.seek(2.0)
    _press(window, qtbot, Qt.Key.Key_X)
    assert window.statusBar().currentMessage() == "Split of shot 2 at 00:02.0: every label kept"
    assert window.store.orphan_annotations(video_id) == []
    moved = window.store.annotations(video_id)
    assert {(a.label, a.state) for a in moved} == before
    (clip_id,) = {a.target.clip_id for a in moved}
    session.select_clip(clip_id)  # what the annotator sees on the clip their decisions went to
    assert window.labels.title.text().endswith("✓ reviewed")
    assert window.labels.buttons["asks"].text().endswith("present")
    assert window.labels.buttons["watches"].text() == "✘  absent (reviewed)"
    assert not window.labels.aside.isVisible()

    window.player.seek(2.0)
    _press(window, qtbot, Qt.Key.Key_M)  # merge shot 3 (50-75) with the next
    assert window.store.orphan_annotations(video_id) == []
    assert {(a.label, a.state) for a in window.store.annotations(video_id)} == before
    assert len(window.store.reviewed(video_id, session.annotator)) == 1


def test_a_decision_kept_aside_is_listed_in_the_label_panel_and_put_back(filled_db, open_window, qtbot):
    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    session = window.session
    _focus(window, qtbot)
    for clip, presses in zip(session.data.clips, (1, 2, 1)):  # asks: present, absent, present
        session.select_clip(clip.id)
        for _ in range(presses):
            _press(window, qtbot, Qt.Key.Key_1)
    window.player.seek(0.5)  # shot 1: merged with shot 2, three clips become two
    _press(window, qtbot, Qt.Key.Key_M)
    assert "1 label(s) kept aside" in window.statusBar().currentMessage()
    panel = window.labels
    assert panel.aside.isVisible() and panel.aside.count() == 1
    assert panel.aside.item(0).text().startswith("asks: absent, 00:01.600–00:06.000")
    second = session.data.clips[1]
    session.select_clip(second.id)  # the clip the annotator says it belongs to
    qtbot.mouseClick(panel.put_back, Qt.MouseButton.LeftButton)
    assert window.store.orphan_annotations(video_id) == [] and not panel.aside.isVisible()
    assert session.state("asks") is AnnotationState.ABSENT
    _press(window, qtbot, Qt.Key.Key_Z, CTRL)  # undoable like any edit
    assert panel.aside.count() == 1 and session.state("asks") is AnnotationState.PRESENT

