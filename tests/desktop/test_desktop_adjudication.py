"""Adjudication of who does what to whom in the real window, on a project analysed from the
generated two-person video where two annotators (alice, bob) recorded interactions that differ:
D steps to each disagreement, the dock shows both versions side by side, Ctrl+1 / Ctrl+2 accept one,
Ctrl+Return records the adjudicator's own made with the usual keys; each decision is kept apart
from the annotators' records, named after the adjudicator, and undone by Ctrl+Z. And a click on a
box selects the actor, then whom, as Tab does."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from test_desktop_interactions import _at
from test_desktop_people import _key, analyzed_project, window  # noqa: F401 (the fixtures)

pytestmark = pytest.mark.slow
CTRL = Qt.KeyboardModifier.ControlModifier


def _click(qtbot, w, point: QPoint) -> None:
    qtbot.mouseClick(w.people.overlay, Qt.MouseButton.LeftButton, pos=point)


def _centre(w, person) -> QPoint:
    return w.people.overlay.box_rect(person.box).center().toPoint()


def test_d_reaches_each_interaction_disagreement_and_the_dock_decides_it(window, qtbot, capsys):  # noqa: F811 (the fixture)
    from hhir.cli import main

    w = window
    video = w.session.data.video
    me = w.session.annotator
    assert me not in ("alice", "bob")
    left, right = w.people.on_screen
    a, b = left.character.id, right.character.id
    first, second = (label.name for label in w.session.labels[:2])
    add = w.store.add_interaction
    add(video.id, a, first, "character", b, 5, 15, "alice")
    add(video.id, a, second, "character", b, 5, 16, "bob")  # the label differs
    add(video.id, b, first, "character", a, 20, 28, "alice")
    add(video.id, b, first, "group", None, 20, 28, "bob")  # whom differs
    add(video.id, a, first, "offscreen", None, 92, 100, "bob")  # alice has none: presence
    w.session.reload()  # teammates' edits show on a re-read
    adjudication = w.interactions.adjudication
    assert [d.parts for d in adjudication.disputes] == [("label",), ("target",), ("presence",)]
    said: list[str] = []
    w.session.status_reported.connect(said.append)

    _at(qtbot, w, 0)
    _key(qtbot, w, Qt.Key.Key_D)
    assert adjudication.current is not None and adjudication.current.parts == ("label",)
    qtbot.waitUntil(lambda: w.player.current_frame() == 5, timeout=5000)
    panel = adjudication.panel
    assert panel.isVisible()
    (box_a, text_a, _), (box_b, text_b, _) = panel.sides
    assert (box_a.title(), box_b.title()) == ("alice", "bob")
    assert f" {first} " in text_a.text() and "5-15" in text_a.text()
    assert f" {second} " in text_b.text() and "5-16" in text_b.text()
    assert "label" in panel.title.text() and panel.decision.text() == "Not decided yet"

    _key(qtbot, w, Qt.Key.Key_2, CTRL)  # bob's version is the decision
    (decision,) = w.store.interaction_adjudications(video.id)
    assert (decision.actor_id, decision.label, decision.target_id, decision.start_frame, decision.end_frame) == (a, second, b, 5, 16)
    assert (decision.annotator, decision.source, decision.state) == ("@adjudicated", f"adjudication:{me}", "present")
    assert len(w.store.interactions(video.id)) == 5  # the annotators' own records are as they were
    assert "5-16" in panel.decision.text()

    _key(qtbot, w, Qt.Key.Key_D)  # the next undecided one: whom
    assert adjudication.current.parts == ("target",)
    qtbot.waitUntil(lambda: w.player.current_frame() == 20, timeout=5000)
    w.player.setFocus()
    # the adjudicator's own version, with the usual keys: actor (a click), label key, whom (a click), Ctrl+Return
    people = {o.character.id: o for o in w.people.on_screen}
    _click(qtbot, w, _centre(w, people[b]))
    _key(qtbot, w, Qt.Key.Key_2)
    _click(qtbot, w, _centre(w, people[a]))
    _key(qtbot, w, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not w.interactions.making()
    own = [d for d in w.store.interaction_adjudications(video.id) if d.id != decision.id]
    assert [(d.actor_id, d.label, d.target_id, d.start_frame, d.evidence) for d in own] == [(b, second, a, 20, "adjudicator's own")]
    assert len(w.store.interactions(video.id)) == 5  # not an annotation of the adjudicator's
    assert adjudication.current.decision is not None

    _key(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undone: undecided again
    assert [d.id for d in w.store.interaction_adjudications(video.id)] == [decision.id]
    assert adjudication.current is not None and adjudication.current.decision is None

    _key(qtbot, w, Qt.Key.Key_D)  # presence: bob's record, alice has none
    assert adjudication.current.parts == ("presence",)
    assert "no such interaction" in text_a.text()
    _key(qtbot, w, Qt.Key.Key_1, CTRL)  # alice's: there is no such interaction
    absent = [d for d in w.store.interaction_adjudications(video.id) if d.state == "absent"]
    assert [(d.target_kind, d.start_frame, d.end_frame) for d in absent] == [("offscreen", 92, 100)]

    _key(qtbot, w, Qt.Key.Key_D)  # back round to the one still undecided
    assert adjudication.current.parts == ("target",)
    _key(qtbot, w, Qt.Key.Key_1, CTRL)
    assert all(d.decision is not None for d in adjudication.disputes)
    said.clear()
    _key(qtbot, w, Qt.Key.Key_D)  # nothing left: the clips' own D answers
    assert "No disagreements left in this video" in said
    capsys.readouterr()
    assert main(["disagreements", "--db", str(w.store.path)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "interaction frames" in line]
    assert len(lines) == 3 and not any("not adjudicated" in line for line in lines)


def test_a_click_on_a_box_selects_the_actor_then_whom(window, qtbot):  # noqa: F811 (the fixture)
    w = window
    video = w.session.data.video
    overlay = w.people.overlay
    left, right = w.people.on_screen
    _click(qtbot, w, _centre(w, right))  # the actor, by mouse
    assert w.people.selected == right.track.id
    assert overlay.selected == right.track.id  # painted as selected
    _key(qtbot, w, Qt.Key.Key_1)  # the keys act on the picture after a click
    assert w.interactions.making() and w.interactions.keys.draft.actor_id == right.character.id
    _click(qtbot, w, _centre(w, right))  # the actor is not whom
    assert w.interactions.keys.draft.target_id is None
    _click(qtbot, w, _centre(w, left))  # whom, by mouse
    assert w.interactions.keys.draft.target_id == left.character.id and w.people.selected == left.track.id
    _key(qtbot, w, Qt.Key.Key_Return)
    (record,) = w.store.interactions(video.id)
    assert (record.actor_id, record.target_id, record.annotator) == (right.character.id, left.character.id, w.session.annotator)
    # a click off every box: nobody selected, the label keys act on the clip again
    area = overlay.box_rect((0.0, 0.0, 1.0, 1.0))
    off = QPoint(int(area.center().x()), int(area.top()) + 4)
    assert overlay.track_at(off.toPointF()) is None
    _click(qtbot, w, off)
    assert w.people.selected is None


def test_d_takes_clips_and_interactions_in_time_order(window, qtbot):  # noqa: F811 (the fixture)
    from hhir.types import AnnotationState, Target

    w = window
    video = w.session.data.video
    left, right = w.people.on_screen
    a, b = left.character.id, right.character.id
    label = w.session.labels[0].name
    clip = next(c for c in w.session.data.clips if c.start_frame > 10)  # a clip starting after the first disagreement
    target = Target(video.id, clip.id)
    w.store.annotate(target, label, AnnotationState.PRESENT, "alice")
    w.store.annotate(target, label, AnnotationState.ABSENT, "bob")
    w.store.add_interaction(video.id, a, label, "character", b, 5, 15, "alice")
    w.store.add_interaction(video.id, a, label, "group", None, 5, 15, "bob")
    w.store.add_interaction(video.id, b, label, "offscreen", None, clip.start_frame + 2, clip.start_frame + 9, "bob")
    w.session.reload()
    adjudication = w.interactions.adjudication
    assert target in w.session.disputed and len(adjudication.disputes) == 2
    _at(qtbot, w, 0)
    _key(qtbot, w, Qt.Key.Key_D)
    assert adjudication.current.parts == ("target",) and adjudication.panel.isVisible()
    _key(qtbot, w, Qt.Key.Key_D)  # the clip, which starts before the next interaction's disagreement
    assert w.session.selected == target and adjudication.current is None and not adjudication.panel.isVisible()
    _key(qtbot, w, Qt.Key.Key_D)
    assert adjudication.current.parts == ("presence",)
    _key(qtbot, w, Qt.Key.Key_D, Qt.KeyboardModifier.ShiftModifier)  # and back
    assert w.session.selected == target and adjudication.current is None
