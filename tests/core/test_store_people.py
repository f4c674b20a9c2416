"""People in the project database: stored as analysis found them, edited by a person, undone."""

from __future__ import annotations

import pytest

from hhir.errors import StoreError
from hhir.store import Store
from hhir.types import PersonBox, PersonTrack, SpeechTurn, VideoInfo


def _video(store: Store) -> int:
    info = VideoInfo(path="/v.mp4", fingerprint="fp-people", duration_s=10.0, fps=10.0, frame_count=100, width=640, height=360, has_audio=True)
    return store.add_video(info).id


def _track(shot: int, frames: range, x: float) -> PersonTrack:
    boxes = tuple(PersonBox(f, x, 0.2, x + 0.2, 0.9, 0.8, "detector", (x, 0.2, x + 0.1, 0.3, *([0.5] * 12))) for f in frames)
    return PersonTrack(0, 0, shot, boxes)


@pytest.fixture
def project(store):
    """Runs on SQLite and on the tests' PostgreSQL server (the ``store`` fixture of conftest)."""
    video_id = _video(store)
    found = [_track(0, range(0, 40, 10), 0.1), _track(0, range(0, 40, 10), 0.6), _track(1, range(50, 90, 10), 0.1)]
    store.set_people(video_id, found, [[0, 2], [1]], "people-v1:test")
    return store, video_id


def _state(store: Store, video_id: int):
    return store.characters(video_id), store.person_tracks(video_id)


def test_stored_as_found(project):
    store, video_id = project
    chars, tracks = _state(store, video_id)
    assert [(c.number, c.name, c.confirmed) for c in chars] == [(1, None, False), (2, None, False)]
    assert [(t.shot_index, t.start_frame, t.end_frame, t.character_id) for t in tracks] == [
        (0, 0, 30, chars[0].id), (0, 0, 30, chars[1].id), (1, 50, 80, chars[0].id)]
    assert tracks[0].boxes[0].face is not None and len(tracks[0].boxes[0].face) == 16
    assert tracks[0].box_at(15) == pytest.approx((0.1, 0.2, 0.3, 0.9))
    assert tracks[0].box_at(31) is None
    assert store.stage_done(video_id, "people", "people-v1:test")


def test_name_merge_split_undo_redo(project):
    store, video_id = project
    before = _state(store, video_id)
    first, second = before[0]
    change = store.name_character(first.id, "  Ana  ", "alice")
    assert change.kind == "people" and "Ana" in change.description
    assert store.characters(video_id)[0].name == "Ana" and store.characters(video_id)[0].confirmed
    named = _state(store, video_id)
    store.merge_characters(first.id, second.id, "alice")
    chars, tracks = _state(store, video_id)
    assert [c.id for c in chars] == [first.id] and {t.character_id for t in tracks} == {first.id}
    assert all(t.assigned_by == "alice" for t in tracks if t.shot_index == 0 and t.boxes[0].x0 > 0.5)
    store.undo(video_id, "alice")
    assert _state(store, video_id) == named
    store.undo(video_id, "alice")
    assert _state(store, video_id) == before
    store.redo(video_id, "alice")
    assert _state(store, video_id) == named
    assert store.stage_done(video_id, "people", "user")


def test_split_character_into_a_new_one(project):
    store, video_id = project
    chars, tracks = _state(store, video_id)
    before = (chars, tracks)
    store.split_character([tracks[2].id], "bob")
    chars, tracks = _state(store, video_id)
    assert [c.number for c in chars] == [1, 2, 3] and tracks[2].character_id == chars[2].id and chars[2].confirmed
    store.undo(video_id)
    assert _state(store, video_id) == before


def test_split_and_merge_tracks(project):
    store, video_id = project
    before = _state(store, video_id)
    track = before[1][0]
    _, new_id = store.split_track(track.id, 20, "alice")
    tracks = {t.id: t for t in store.person_tracks(video_id)}
    assert [b.frame for b in tracks[track.id].boxes] == [0, 10, 19]  # ends on the cut, interpolated there
    assert tracks[track.id].boxes[-1].box == pytest.approx(track.box_at(19))
    assert [b.frame for b in tracks[new_id].boxes] == [20, 30] and tracks[new_id].character_id is None
    store.merge_tracks(track.id, new_id, "alice")
    tracks = {t.id: t for t in store.person_tracks(video_id)}
    assert new_id not in tracks and [b.frame for b in tracks[track.id].boxes] == [0, 10, 19, 20, 30]
    store.undo(video_id)
    store.undo(video_id)
    assert _state(store, video_id) == before
    _, tail = store.split_track(track.id, 15, "alice")  # between two stored boxes: both parts end on the cut
    tracks = {t.id: t for t in store.person_tracks(video_id)}
    assert [b.frame for b in tracks[track.id].boxes] == [0, 10, 14] and [b.frame for b in tracks[tail].boxes] == [15, 20, 30]


def test_bad_edits_change_nothing(project):
    store, video_id = project
    before = _state(store, video_id)
    tracks = before[1]
    with pytest.raises(StoreError, match="same shot"):
        store.merge_tracks(tracks[0].id, tracks[2].id, "a")
    with pytest.raises(StoreError, match="can only be split"):
        store.split_track(tracks[0].id, 0, "a")
    with pytest.raises(StoreError, match="no character"):
        store.name_character(9999, "x", "a")
    with pytest.raises(StoreError, match="empty"):
        store.name_character(before[0][0].id, "   ", "a")
    assert _state(store, video_id) == before
    assert store.history(video_id) == (None, None)


def test_speech_turns_link_to_tracks_and_characters(project):
    store, video_id = project
    chars, tracks = _state(store, video_id)
    store.set_speech_turns(video_id, [SpeechTurn(0, video_id, 0.5, 2.0, 0, tracks[0].id, chars[0].id, 0.9),
                                      SpeechTurn(0, video_id, 2.5, 3.0, 1)], "voices-v1")
    turns = store.speech_turns(video_id)
    assert [(t.speaker, t.track_id, t.character_id) for t in turns] == [(0, tracks[0].id, chars[0].id), (1, None, None)]
    with pytest.raises(StoreError, match="ends"):
        store.set_speech_turns(video_id, [SpeechTurn(0, video_id, 3.0, 2.0, 0)], "voices-v1")
    assert len(store.speech_turns(video_id)) == 2
