"""Who does what to whom from the keyboard, in the real window, on a project analysed from the
generated two-person video: Tab selects the actor, a label's key starts the interaction, Tab the
target (G the group, O someone off-screen), ``[`` ``]`` its span, Enter records it; the CLI lists
the record, Ctrl+Z removes it, and with nobody selected the label keys act on the clip again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from test_desktop_people import _key, analyzed_project, window  # noqa: F401 (the fixtures)

pytestmark = pytest.mark.slow


def _listed(w, capsys) -> str:
    from hhir.cli import main

    capsys.readouterr()
    assert main(["interactions", "list", str(w.session.data.video.id), "--db", str(w.store.path)]) == 0
    return capsys.readouterr().out


def _at(qtbot, w, frame: int) -> None:
    w.player.seek_frame(frame)
    qtbot.waitUntil(lambda: w.player.current_frame() == frame, timeout=5000)
    w.player.setFocus()


def test_tab_label_tab_enter_records_who_does_what_to_whom_and_ctrl_z_removes_it(window, qtbot, capsys):  # noqa: F811 (the imported fixture)
    w = window
    video = w.session.data.video
    left, right = w.people.on_screen
    label = w.session.labels[0].name
    speed = w.player.speed
    assert not w.registry.shortcut_conflicts()  # one action per key: the second meanings are diverted
    _key(qtbot, w, Qt.Key.Key_Tab)  # the actor: the left person
    assert w.people.selected == left.track.id
    _key(qtbot, w, Qt.Key.Key_1)  # starts an interaction at the playhead (frame 10), not the clip's label
    assert w.interactions.making() and w.interactions.keys.draft.start_frame == 10
    assert w.interactions.keys.draft.actor_id == left.character.id
    _key(qtbot, w, Qt.Key.Key_Tab)  # the target: the other person (the actor is skipped)
    assert w.people.selected == right.track.id
    assert w.interactions.keys.draft.target_id == right.character.id
    _key(qtbot, w, Qt.Key.Key_Tab)  # only one other person: Tab stays on them
    assert w.interactions.keys.draft.target_id == right.character.id
    _at(qtbot, w, 17)
    _key(qtbot, w, Qt.Key.Key_BracketRight)  # the end, through frame 17: not the playback speed
    assert w.player.speed == speed
    _at(qtbot, w, 12)
    _key(qtbot, w, Qt.Key.Key_BracketLeft)  # the start at 12
    _key(qtbot, w, Qt.Key.Key_Return)  # recorded (and not "reviewed, next")
    assert not w.interactions.making()
    stored = w.store.interactions(video.id)
    assert len(stored) == 1
    record = stored[0]
    assert (record.actor_id, record.label, record.target_kind, record.target_id) == (
        left.character.id, label, "character", right.character.id)
    assert (record.start_frame, record.end_frame, record.annotator) == (12, 18, w.session.annotator)
    out = _listed(w, capsys)
    assert label in out and "12" in out and "18" in out
    # the actor stays selected; the list shows their interaction
    assert w.people.selected == left.track.id
    assert w.interactions.list.ids == [record.id]

    # the common case: label key, Tab, Enter (three keys); the span runs a second from the playhead
    _at(qtbot, w, 20)
    _key(qtbot, w, Qt.Key.Key_2)
    _key(qtbot, w, Qt.Key.Key_Tab)
    _key(qtbot, w, Qt.Key.Key_Return)
    second = [i for i in w.store.interactions(video.id) if i.id != record.id]
    assert len(second) == 1
    assert (second[0].label, second[0].start_frame, second[0].end_frame) == (
        w.session.labels[1].name, 20, 20 + round(video.fps))

    # G: the group; O: someone off-screen
    _key(qtbot, w, Qt.Key.Key_1)
    _key(qtbot, w, Qt.Key.Key_G)
    _key(qtbot, w, Qt.Key.Key_Return)
    _key(qtbot, w, Qt.Key.Key_1)
    _key(qtbot, w, Qt.Key.Key_O)
    _key(qtbot, w, Qt.Key.Key_Return)
    kinds = sorted(i.target_kind for i in w.store.interactions(video.id))
    assert kinds == ["character", "character", "group", "offscreen"]

    # Ctrl+Z removes them one by one, the last first
    for left_over in (3, 2, 1, 0):
        _key(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert len(w.store.interactions(video.id)) == left_over
    assert label not in _listed(w, capsys)


def test_escape_drops_the_draft_then_the_selection_and_the_label_keys_act_on_the_clip_again(window, qtbot):  # noqa: F811 (the imported fixture)
    w = window
    video = w.session.data.video
    label = w.session.labels[0].name
    target = w.session.selected
    before = w.session.state(label)
    _key(qtbot, w, Qt.Key.Key_Tab)
    _key(qtbot, w, Qt.Key.Key_1)
    assert w.interactions.making()
    assert w.session.state(label) == before  # the clip's label is untouched
    # Enter before whom is chosen records nothing, and does not mark the clip reviewed or move on
    reviewed = w.session.data.reviewed
    _key(qtbot, w, Qt.Key.Key_Return)
    assert w.interactions.making() and w.session.selected == target and w.session.data.reviewed == reviewed
    assert w.store.interactions(video.id) == []
    _key(qtbot, w, Qt.Key.Key_Escape)  # drops the interaction; the person stays selected
    assert not w.interactions.making() and w.people.selected is not None
    _key(qtbot, w, Qt.Key.Key_Escape)  # clears the selection
    assert w.people.selected is None
    _key(qtbot, w, Qt.Key.Key_1)  # the clip's label, as before
    assert w.session.state(label, target) is not None and w.session.state(label, target) != before
    assert w.store.interactions(video.id) == []
    # with nothing being made, [ and ] are the playback speed again
    speed = w.player.speed
    _key(qtbot, w, Qt.Key.Key_BracketRight)
    assert w.player.speed > speed


def test_the_list_jumps_to_an_interaction_and_delete_removes_it(window, qtbot):  # noqa: F811 (the imported fixture)
    w = window
    video = w.session.data.video
    _key(qtbot, w, Qt.Key.Key_Tab)
    _at(qtbot, w, 5)
    _key(qtbot, w, Qt.Key.Key_1)
    _key(qtbot, w, Qt.Key.Key_Tab)
    _key(qtbot, w, Qt.Key.Key_Return)
    (record,) = w.store.interactions(video.id)
    listing = w.interactions.list
    # the list is the selected person's, as actor or target
    _key(qtbot, w, Qt.Key.Key_Tab)  # the target, the right person
    assert listing.ids == [record.id]
    _key(qtbot, w, Qt.Key.Key_1)
    _key(qtbot, w, Qt.Key.Key_G)
    _key(qtbot, w, Qt.Key.Key_Return)
    group = next(i for i in w.store.interactions(video.id) if i.target_kind == "group")
    assert listing.ids == [record.id, group.id]
    _key(qtbot, w, Qt.Key.Key_Tab)  # back to the left person: not their interaction
    assert listing.ids == [record.id]
    _at(qtbot, w, 25)
    assert listing.ids == [record.id]
    listing.setFocus()
    listing.setCurrentRow(0)
    qtbot.waitUntil(lambda: w.player.current_frame() == record.start_frame, timeout=5000)
    qtbot.keyClick(listing, Qt.Key.Key_Delete)
    assert [i.id for i in w.store.interactions(video.id)] == [group.id]
    assert listing.count() == 0
    w.player.setFocus()
    _key(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert sorted(i.id for i in w.store.interactions(video.id)) == sorted([record.id, group.id])


def _parts(store, video_id: int) -> list[tuple]:
    """The interactions, characters by person number (a fresh project numbers them alike)."""
    number = {c.id: c.number for c in store.characters(video_id)}
    return sorted((number[i.actor_id], i.label, i.target_kind, number.get(i.target_id), i.start_frame, i.end_frame, i.state,
                   i.annotator) for i in store.interactions(video_id))


def test_a_scene_annotated_from_the_keys_alone_goes_out_in_four_formats_and_comes_back_unchanged(
        window, analyzed_project, qtbot, tmp_path, capsys):  # noqa: F811 (the imported fixtures)
    import shutil

    from hhir.cli import main
    from hhir.store import Store

    w = window
    video = w.session.data.video
    me = w.session.annotator
    labels = [label.name for label in w.session.labels[:3]]
    # whole seconds (10 fps): the AVA file, a row per second, brings them back exactly
    _at(qtbot, w, 10)
    _key(qtbot, w, Qt.Key.Key_Tab)  # actor: the left person (A)
    a = w.people.selected_person().character
    _key(qtbot, w, Qt.Key.Key_1)  # from the playhead, 10
    _key(qtbot, w, Qt.Key.Key_Tab)  # whom: the right person (B)
    b = w.people.selected_person().character
    _at(qtbot, w, 29)
    _key(qtbot, w, Qt.Key.Key_BracketRight)  # through frame 29: the span ends at 30
    _key(qtbot, w, Qt.Key.Key_Return)
    _at(qtbot, w, 100)  # shot 3 (B's box from frame 95): B on the left, A on the right
    for _ in range(2):  # Tab to B
        _key(qtbot, w, Qt.Key.Key_Tab)
        if w.people.selected_person().character.id == b.id:
            break
    assert w.people.selected_person().character.id == b.id
    _key(qtbot, w, Qt.Key.Key_2)
    _key(qtbot, w, Qt.Key.Key_G)  # to the group; a second from the playhead
    _key(qtbot, w, Qt.Key.Key_Return)
    _at(qtbot, w, 114)
    _key(qtbot, w, Qt.Key.Key_1)  # B again (still selected)
    _key(qtbot, w, Qt.Key.Key_Tab)
    _at(qtbot, w, 119)
    _key(qtbot, w, Qt.Key.Key_BracketRight)
    _at(qtbot, w, 110)
    _key(qtbot, w, Qt.Key.Key_BracketLeft)  # the start moved back to 110
    _key(qtbot, w, Qt.Key.Key_Return)
    _at(qtbot, w, 20)
    for _ in range(2):  # Tab to A (B's track of shot 3 left the picture)
        _key(qtbot, w, Qt.Key.Key_Tab)
        if w.people.selected_person().character.id == a.id:
            break
    _key(qtbot, w, Qt.Key.Key_3)
    _key(qtbot, w, Qt.Key.Key_O)  # to someone off-screen
    _at(qtbot, w, 29)
    _key(qtbot, w, Qt.Key.Key_BracketRight)
    _key(qtbot, w, Qt.Key.Key_Return)
    made = _parts(w.store, video.id)
    na, nb = a.number, b.number
    assert made == sorted([(na, labels[0], "character", nb, 10, 30, "present", me), (nb, labels[1], "group", None, 100, 110, "present", me),
                           (nb, labels[0], "character", na, 110, 120, "present", me), (na, labels[2], "offscreen", None, 20, 30, "present", me)])

    source, _video_id = analyzed_project  # the analysed project before anyone annotated: a fresh one
    db = str(w.store.path)
    for fmt, suffix in (("vidor", "json"), ("ava", "csv"), ("eaf", "eaf"), ("labelstudio", "json")):
        out = tmp_path / f"scene.{fmt}.{suffix}"
        assert main(["interactions", "export", str(video.id), str(out), "--format", fmt, "--db", db]) == 0
        fresh = tmp_path / f"fresh-{fmt}.hhir"
        shutil.copy(source, fresh)
        capsys.readouterr()
        assert main(["interactions", "import", str(video.id), str(out), "--format", fmt, "--annotator", me, "--db", str(fresh)]) == 0, \
            capsys.readouterr().err
        with Store(fresh) as store:
            assert _parts(store, video.id) == made, fmt
