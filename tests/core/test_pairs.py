"""Pair suggestions (hhir.scoring.pairs, the analysis' pairs stage) on a generated scene stored in a
real project: each cue, its evidence text, and that a decision is never overwritten on re-analysis."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import pytest

from hhir.pipeline.pairs import pairs_stage
from hhir.scoring.pairs import confidence_of
from hhir.store import Store
from hhir.store.repo_interactions import SUGGESTER
from hhir.types import Interaction, PersonBox, PersonTrack, SpeechTurn, TranscriptSegment
from test_exchange_helpers import FPS, add_scene

SHOT = 40  # frames a shot; 6 shots


def _track(shot: int, x0: float, dx_per_frame: float = 0.0, face: bool = True) -> PersonTrack:
    """A person through one whole shot, sampled every 10 frames (as the people stage stores them)."""
    frames = [*range(shot * SHOT, (shot + 1) * SHOT, 10), (shot + 1) * SHOT - 1]
    boxes = []
    for f in frames:
        x = x0 + dx_per_frame * (f - shot * SHOT)
        boxes.append(PersonBox(f, x, 0.2, x + 0.2, 0.9, 0.9, "detector", (x, 0.2, x + 0.1, 0.3, *([0.5] * 12)) if face else None))
    return PersonTrack(0, 0, shot, tuple(boxes))


@pytest.fixture
def scene(tmp_path: Path):
    """Ana asks Ben where the station is (shot 0, Ana alone), Ben answers (shot 1, Ben alone), Ana
    thanks him by name (shot 2), speaks on in a two-shot where Ben listens (shot 3); in shot 4 they
    walk right together, in shot 5 they go apart."""
    store = Store(tmp_path / "p.sqlite")
    video = add_scene(store, "/media/dialogue.mp4", "fp-d", n_shots=6, shot_frames=SHOT)
    tracks = [_track(0, 0.4), _track(1, 0.4), _track(2, 0.4), _track(3, 0.1), _track(3, 0.6),
              _track(4, 0.0, 0.004), _track(4, 0.3, 0.004), _track(5, 0.3, -0.004), _track(5, 0.5, 0.004)]
    ana, ben = [0, 2, 3, 5, 7], [1, 4, 6, 8]
    store.set_people(video.id, tracks, [ana, ben], "test", names={0: "Ana", 1: "Ben"})
    s = SHOT / FPS  # seconds a shot
    store.set_transcript(video.id, [TranscriptSegment(0.2, s - 0.1, "Where is the station?"),
                                    TranscriptSegment(s + 0.1, 2 * s - 0.2, "Next to the bridge."),
                                    TranscriptSegment(2 * s + 0.1, 3 * s - 0.1, "Thank you, Ben."),
                                    TranscriptSegment(3 * s + 0.2, 4 * s - 0.2, "I was lost all morning.")])
    # voices only (no turn linked to a face): who speaks is found from who is shown alone
    store.set_speech_turns(video.id, [SpeechTurn(0, video.id, 0.2, s - 0.1, 0), SpeechTurn(0, video.id, s + 0.1, 2 * s - 0.2, 1),
                                      SpeechTurn(0, video.id, 2 * s + 0.1, 3 * s - 0.1, 0),
                                      SpeechTurn(0, video.id, 3 * s + 0.2, 4 * s - 0.2, 0)], "test")
    yield store, video
    store.close()


def _find(found: list[Interaction], actor: int, label: str, target: int) -> list[Interaction]:
    return [i for i in found if (i.actor_id, i.label, i.target_id) == (actor, label, target)]


def test_each_cue_suggests_its_pair_with_the_cue_text(scene) -> None:
    store, video = scene
    ana, ben = (c.id for c in store.characters(video.id))
    added, skipped = pairs_stage(store, video)
    found = store.interactions(video.id)
    assert added == len(found) > 0 and skipped == 0
    assert all(i.source == "suggestion" and i.state == "unreviewed" and i.annotator == SUGGESTER for i in found)
    # a question by Ana followed by Ben's answer: Ana asks Ben, over her question, the question quoted
    (asks,) = _find(found, ana, "asks", ben)
    assert (asks.start_frame, asks.end_frame) == (round(0.2 * FPS), round((SHOT / FPS - 0.1) * FPS))
    assert "Where is the station?" in (asks.evidence or "") and "Ben speaks next" in (asks.evidence or "")
    assert not _find(found, ben, "asks", ana)  # "Next to the bridge." is no question
    # Ben answers: he talks to Ana (the previous speaker, and the next)
    assert any("Ana spoke just before" in (i.evidence or "") for i in _find(found, ben, "talks to", ana))
    # "Thank you, Ben.": his name said
    assert any("says 'Ben'" in (i.evidence or "") for i in _find(found, ana, "talks to", ben))
    # the two-shot: Ben's face on screen, silent, while Ana speaks; never Ana watching herself speak
    watches = _find(found, ben, "watches", ana)
    assert watches and all(w.start_frame >= 3 * SHOT and w.end_frame <= 4 * SHOT for w in watches)
    assert "silent" in (watches[0].evidence or "") and not _find(found, ana, "watches", ben)
    # walking together in shot 4, both ways; not in shot 5, where they go apart
    walks = _find(found, ana, "walks with", ben) + _find(found, ben, "walks with", ana)
    assert len(walks) == 2 and all(w.start_frame >= 4 * SHOT and w.end_frame <= 5 * SHOT for w in walks)
    assert "move together" in (walks[0].evidence or "")
    # every suggestion carries its calibrated confidence
    assert all(0 < (confidence_of(i.evidence) or 0) < 1 for i in found)
    assert not [i for i in found if i.label == "gives to"]  # no sound cue for it: never suggested


def test_reverse_shot_names_the_listener(scene) -> None:
    store, video = scene
    ana, ben = (c.id for c in store.characters(video.id))
    s = SHOT / FPS
    # Ana's voice goes on over Ben's shot 1 (he no longer answers): the listener shown is whom she talks to
    store.set_speech_turns(video.id, [SpeechTurn(0, video.id, 0.2, 2 * s - 0.2, 0)], "test")
    store.set_transcript(video.id, [TranscriptSegment(0.2, 2 * s - 0.2, "I came by the bridge this morning.")])
    pairs_stage(store, video)
    talks = _find(store.interactions(video.id), ana, "talks to", ben)
    assert talks and "Ben shown alone" in (talks[0].evidence or "") and "reverse shot" in (talks[0].evidence or "")


def test_reanalysis_replaces_only_suggestions_and_never_a_decision(scene) -> None:
    store, video = scene
    ana, ben = (c.id for c in store.characters(video.id))
    pairs_stage(store, video)
    first = store.interactions(video.id)
    (asks,) = _find(first, ana, "asks", ben)
    (watch,) = _find(first, ben, "watches", ana)
    store.set_interaction(asks.id, "alice", state="present")  # accepted: alice's decision now
    store.set_interaction(watch.id, "alice", state="absent")  # rejected
    _change, own = store.add_interaction(video.id, ben, "talks to", "character", ana, 0, 10, "bob", state="absent")
    # bob's own record over Ben's answer: the suggestion of the same pair there must not come back
    answer = next(i for i in _find(first, ben, "talks to", ana) if i.start_frame >= SHOT)
    store.set_interaction(own, "bob", start_frame=answer.start_frame, end_frame=answer.end_frame)
    added, skipped = pairs_stage(store, video)
    again = store.interactions(video.id)
    assert skipped >= 3 and added == len(first) - skipped
    kept = {i.id: i for i in again}
    assert kept[asks.id].state == "present" and kept[asks.id].annotator == "alice"
    assert kept[watch.id].state == "absent" and kept[own].annotator == "bob"
    assert len(_find(again, ana, "asks", ben)) == 1 and len(_find(again, ben, "watches", ana)) == 1
    assert not [i for i in _find(again, ben, "talks to", ana) if i.annotator == SUGGESTER and i.start_frame < answer.end_frame
                and i.end_frame > answer.start_frame]
    # the untouched suggestions were replaced, not doubled
    untouched = sorted((i.actor_id, i.label, i.target_id, i.start_frame) for i in again if i.annotator == SUGGESTER)
    before = sorted((i.actor_id, i.label, i.target_id, i.start_frame) for i in first
                    if i.id not in (asks.id, watch.id, answer.id))
    assert untouched == before
    # a suggestion is no decision: it implies no clip label, and is no undo step
    assert not [a for a in store.annotations(video.id) if a.annotator == SUGGESTER]


def test_walking_with_a_panning_camera_is_found_against_the_background(tmp_path: Path) -> None:
    """Two people standing still on the picture while the background slides by (the camera follows
    them) walk together; the same two in front of a still background do not."""
    from media_factory import make_video

    rng = np.random.default_rng(7)
    texture = (rng.random((240, 640)) > 0.5).astype(np.uint8) * 200 + 20
    texture = np.repeat(np.repeat(texture[::8, ::8], 8, 0), 8, 1)[:240, :640]

    def draw(index: int, local: int, height: int, width: int) -> np.ndarray:
        shift = 6 * index if index < 50 else 0  # shot 0: the camera pans right; shot 1: still
        frame = np.roll(texture, -shift, axis=1)[:height, :width]
        rgb = np.repeat(frame[:, :, None], 3, axis=2).copy()
        for x0 in (0.2, 0.6):  # two people, still on the picture
            rgb[int(0.2 * height):int(0.9 * height), int(x0 * width):int((x0 + 0.2) * width)] = (180, 120, 90)
        return rgb

    path = make_video(tmp_path / "walk.mp4", [(50, draw), (50, draw)], size=(320, 240), audio=False)
    store = Store(tmp_path / "p.sqlite")
    try:
        video = add_scene(store, str(path), "fp-w", n_shots=2, shot_frames=50)
        frames = [[*range(shot * 50, shot * 50 + 50, 12), shot * 50 + 49] for shot in (0, 1)]
        still = [PersonTrack(0, 0, shot, tuple(PersonBox(f, x0, 0.2, x0 + 0.2, 0.9, 0.9) for f in frames[shot]))
                 for shot in (0, 1) for x0 in (0.2, 0.6)]
        store.set_people(video.id, still, [[0, 2], [1, 3]], "test", names={0: "Ana", 1: "Ben"})
        pairs_stage(store, video)  # no video file: the boxes' motion on the picture only
        assert not [i for i in store.interactions(video.id) if i.label == "walks with"]
        pairs_stage(store, video, path)
        walks = [i for i in store.interactions(video.id) if i.label == "walks with"]
        assert len(walks) == 2 and all(w.end_frame <= 50 for w in walks)
        assert "against the background" in (walks[0].evidence or "")
    finally:
        store.close()
