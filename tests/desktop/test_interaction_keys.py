"""Who -> whom from the keyboard, on a real project: keystrokes in, interactions stored and undoable."""

from __future__ import annotations

from pathlib import Path

import pytest

from hhir.store import Store
from hhir.types import PersonBox, PersonTrack, Shot, VideoInfo
from hhir_studio.interaction_keys import InteractionKeys


@pytest.fixture
def keys(tmp_path: Path):
    store = Store(tmp_path / "p.sqlite")
    info = VideoInfo(path="/v.mp4", fingerprint="fp-k", duration_s=10.0, fps=10.0, frame_count=100, width=640, height=360, has_audio=False)
    vid = store.add_video(info).id
    store.set_shots(vid, [Shot(0, 0, 100, 0.0, 10.0)])
    tracks = [PersonTrack(0, vid, 0, tuple(PersonBox(f, x, 0.1, x + 0.2, 0.9, 0.9) for f in range(0, 100, 10))) for x in (0.1, 0.4, 0.7)]
    store.set_people(vid, tracks, [[0], [1], [2]], "t", {0: "Ana", 1: "Ben", 2: "Cy"})
    ids = [c.id for c in store.characters(vid)]

    def commit(d) -> int:
        return store.add_interaction(vid, d.actor_id, d.label, d.target_kind, d.target_id, d.start_frame, d.end_frame, "alice")[1]

    def adjust(iid: int, start: int, end: int) -> None:
        store.set_interaction(iid, "alice", start_frame=start, end_frame=end)

    handler = InteractionKeys(commit, adjust, 10.0, 100, {c.id: c.name or "" for c in store.characters(vid)})
    yield handler, store, vid, ids
    store.close()


def _stored(store: Store, vid: int) -> list[tuple]:
    return [(i.actor_id, i.label, i.target_kind, i.target_id, i.start_frame, i.end_frame, i.annotator) for i in store.interactions(vid)]


def test_three_keystrokes_after_the_actor(keys) -> None:
    handler, store, vid, (ana, ben, cy) = keys
    on_frame = [ana, ben, cy]
    handler.tab(on_frame)  # the actor: Ana
    strokes = [lambda: handler.label("asks", 20), lambda: handler.tab(on_frame), lambda: handler.enter(20)]
    for press in strokes:
        press()
    assert _stored(store, vid) == [(ana, "asks", "character", ben, 20, 30, "alice")]  # paused: a one-second span
    # the actor stays selected: the next one by Ana is again three keys, G for the group, while playing to frame 44
    handler.label("talks to", 35)
    handler.group()
    assert "recorded Ana talks to group, frames 35-45" in handler.enter(44)
    assert _stored(store, vid)[1] == (ana, "talks to", "group", None, 35, 45, "alice")
    store.undo(vid, "alice")
    assert len(_stored(store, vid)) == 1


def test_tab_skips_the_actor_and_brackets_set_the_span(keys) -> None:
    handler, store, vid, (ana, ben, cy) = keys
    handler.select(cy)  # a click on Cy's box
    handler.label("yells at", 50)
    assert "is the actor" in handler.select(cy)
    handler.tab([ana, ben, cy], -1)  # backwards, skipping Cy: Ben
    handler.tab([ana, ben, cy], -1)  # then Ana
    handler.start_here(52)
    handler.end_here(60)
    handler.enter(75)
    assert _stored(store, vid) == [(cy, "yells at", "character", ana, 52, 61, "alice")]
    # after Enter, [ and ] move the recorded interaction
    handler.end_here(70)
    handler.start_here(48)
    assert _stored(store, vid) == [(cy, "yells at", "character", ana, 48, 71, "alice")]
    # O, Escape, and Enter without a target record nothing
    handler.label("watches", 80)
    assert "choose whom" in handler.enter(90)
    handler.offscreen()
    handler.escape()
    assert handler.enter(90) == "nothing to record"
    assert len(_stored(store, vid)) == 1


def test_nothing_happens_without_an_actor(keys) -> None:
    handler, store, vid, _ = keys
    assert "select who acts" in handler.label("asks", 0)
    assert "first a label" in handler.group()
    assert handler.enter(0) == "nothing to record"
    assert handler.end_here(5) == "nothing to adjust yet"
    assert _stored(store, vid) == []
