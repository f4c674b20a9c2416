"""The zero-shot starter ranks the right label higher on real inputs built for it."""

from __future__ import annotations

import json
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from hhir.scoring import starter
from hhir.scoring.starter import CUE_NAMES, ClipCues, clip_cues
from hhir.types import LabelDef

ROOT = Path(__file__).resolve().parents[2]
LABELS = [LabelDef(**d) for d in json.loads((ROOT / "resources/labels/default.json").read_text())["labels"]]


def _speech(tmp_path: Path, text: str, amplitude: int = 100, pitch: int = 50) -> np.ndarray:
    """espeak-ng speech at a given amplitude/pitch, resampled to 16 kHz float32."""
    wav = tmp_path / f"speech-{amplitude}-{pitch}-{abs(hash(text))}.wav"
    subprocess.run(["espeak-ng", "-a", str(amplitude), "-p", str(pitch), "-w", str(wav), "--", text],
                   check=True, capture_output=True)
    with wave.open(str(wav)) as w:
        rate, raw = w.getframerate(), w.readframes(w.getnframes())
    x = np.frombuffer(raw, np.int16).astype(np.float32) / 32768
    n = int(len(x) * 16000 / rate)
    return np.interp(np.linspace(0, len(x) - 1, n), np.arange(len(x)), x).astype(np.float32)


def _scores(cases: list[tuple[np.ndarray | None, np.ndarray, str]], labels=LABELS) -> list[dict[str, float]]:
    cues = np.stack([clip_cues(f, a, t) for f, a, t in cases])
    return starter.predict(cues, [t for _, _, t in cases], labels)[1]


def test_question_scores_asks_above_a_statement(tmp_path: Path) -> None:
    q, s = "Where did you put the keys?", "I put the keys on the table."
    asked, told = _scores([(None, _speech(tmp_path, q), q), (None, _speech(tmp_path, s), s)])
    assert asked["asks"] >= 0.6 > told["asks"]
    assert asked["asks"] > told["asks"] + 0.3


def test_shouting_scores_yells_above_calm_speech(tmp_path: Path) -> None:
    text = "Get out of here right now"
    calm = _speech(tmp_path, text, amplitude=30)
    shout = _speech(tmp_path, text, amplitude=200, pitch=80)
    loud, quiet = _scores([(None, shout, text), (None, calm, text)])
    assert loud["yells at"] >= 0.6 > quiet["yells at"]
    loud_cues, quiet_cues = ClipCues.from_array(clip_cues(None, shout, text)), ClipCues.from_array(clip_cues(None, calm, text))
    assert loud_cues.level_p95_dbfs > quiet_cues.level_p95_dbfs + 10


def test_silence_scores_no_interaction_and_dialogue_scores_talks_to(tmp_path: Path) -> None:
    line = "Hello there. How was your day? It was fine, thank you."
    dialogue, silence = _scores([(None, _speech(tmp_path, line), line), (None, np.zeros(48000, np.float32), "")])
    assert silence["no_interaction"] >= 0.6 > dialogue["no_interaction"]
    assert dialogue["talks to"] >= 0.6 > silence["talks to"]
    speech = ClipCues.from_array(clip_cues(None, _speech(tmp_path, line), line))
    assert speech.speech_fraction > 0.3 and 70 < speech.pitch_median_hz < 300


def test_a_label_the_user_adds_gets_scores_from_its_description(tmp_path: Path) -> None:
    hugs = LabelDef("hugs", "two people hug, holding each other in their arms")
    texts = ["Come here and give me a big hug, I missed you.", "The invoice is due on Monday."]
    warm, cold = _scores([(None, None, t) for t in texts], labels=LABELS + [hugs])
    assert set(warm) == {label.name for label in LABELS} | {"hugs"}
    assert warm["hugs"] > cold["hugs"] + 0.1
    assert all(0.0 <= v <= 1.0 for v in warm.values())


def test_scene_is_the_highest_clip_score_and_shapes_are_checked(tmp_path: Path) -> None:
    texts = ["Are you coming?", ""]
    cues = np.stack([clip_cues(None, np.zeros(16000, np.float32), t) for t in texts])
    scene, clips = starter.predict(cues, texts, LABELS)
    assert scene == {n: max(c[n] for c in clips) for n in scene}
    with pytest.raises(ValueError, match="2 cue vectors but 1"):
        starter.predict(cues, texts[:1], LABELS)
    assert starter.predict(np.zeros((0, len(CUE_NAMES))), [], LABELS) == ({label.name: 0.0 for label in LABELS}, [])


def test_visual_cues_measure_motion_and_reject_bad_frames() -> None:
    rng = np.random.default_rng(0)
    still = np.repeat(rng.integers(0, 255, (1, 96, 96, 3), dtype=np.uint8), 8, axis=0)
    moving = rng.integers(0, 255, (8, 96, 96, 3), dtype=np.uint8)
    c_still, c_moving = ClipCues.from_array(clip_cues(still, None, "")), ClipCues.from_array(clip_cues(moving, None, ""))
    assert c_still.has_frames == 1.0 and c_still.motion_energy == 0.0
    assert c_moving.motion_energy > 0.1
    assert c_still.people_max == 0 and c_still.faces_max == 0  # noise has neither people nor faces
    assert ClipCues.from_array(clip_cues(None, None, "")).has_frames == 0.0
    with pytest.raises(ValueError, match="uint8"):
        clip_cues(still.astype(np.float32), None, "")


def test_cue_vector_layout() -> None:
    vec = clip_cues(None, None, "Why? Why not! What is it?")
    assert vec.dtype == np.float32 and vec.shape == (len(CUE_NAMES),)
    cues = ClipCues.from_array(vec)
    assert (cues.question_marks, cues.exclamations, cues.question_openers) == (2, 1, 3)
    assert cues.has_audio == 0.0
    with pytest.raises(ValueError, match="cue vector"):
        ClipCues.from_array(vec[:3])


# --- Each cue on generated media with known content -------------------------------------------------

def _explain(cases: list[tuple[np.ndarray | None, np.ndarray | None, str]]) -> starter.StarterScores:
    """Score the cases as the clips of one film."""
    return starter.explain(np.stack([clip_cues(f, a, t) for f, a, t in cases]), [t for _, _, t in cases], LABELS)


def test_asks_needs_a_question_not_just_speech() -> None:
    from starter_media import voice

    told = "I think we should go home now."
    asked = "Should we go home now?"
    out = _explain([(None, voice(told), told), (None, voice(asked), asked)])
    statement, question = out.clips
    assert statement["talks to"] >= 0.6, "the statement is speech"
    assert statement["asks"] < 0.3 < 0.6 <= question["asks"]
    assert out.reasons[1]["asks"] == "question: 'Should we go home now?'"
    assert out.reasons[0]["asks"].startswith("no question")


def test_rising_pitch_at_the_end_is_question_evidence_without_punctuation() -> None:
    from hhir.scoring.starter.audio import end_rise

    rate = 16000
    t = np.arange(int(0.8 * rate)) / rate
    # A voiced tone held at 150 Hz, gliding up an octave over its last 150 ms (a question's ending) ...
    up = 150 * np.where(t < 0.65, 1.0, 2 ** ((t - 0.65) / 0.15))
    rising = (0.3 * np.sin(2 * np.pi * np.cumsum(up) / rate)).astype(np.float32)
    # ... and the same gliding down (a statement's ending).
    down = 150 * np.where(t < 0.65, 1.0, 2 ** (-(t - 0.65) / 0.3))
    falling = (0.3 * np.sin(2 * np.pi * np.cumsum(down) / rate)).astype(np.float32)
    c_up, c_down = (ClipCues.from_array(clip_cues(None, a, "")) for a in (rising, falling))
    assert c_up.end_rise_semitones > 4 and c_down.end_rise_semitones < -2
    assert end_rise(np.zeros(10, bool), np.zeros(10)) == 0.0
    text = "so you are coming"  # no '?' and no interrogative opening: only the pitch says question
    out = _explain([(None, np.concatenate([rising] * 3), text), (None, np.concatenate([falling] * 3), text)])
    # Pitch alone lifts "asks" but, as calibrated on the dev set (where endings also rose in
    # statements), not over the threshold: a suggestion needs the question in the words too.
    assert out.clips[1]["asks"] + 0.1 < out.clips[0]["asks"] < 0.6
    assert out.reasons[0]["asks"].startswith("rising pitch")


def test_yelling_is_loud_against_the_films_own_dialogue() -> None:
    from starter_media import voice

    lines = ["We should talk about the rent.", "I paid my half last week.", "Then who paid the rest of it?",
             "Your brother did, I think."]
    shout = "Get out of my house!"
    normal = _explain([(None, voice(s), s) for s in lines] + [(None, voice(shout, amplitude=200, pitch=80), shout)])
    assert normal.clips[-1]["yells at"] >= 0.6
    assert max(c["yells at"] for c in normal.clips[:-1]) < 0.3
    assert "against this film's dialogue" in normal.reasons[-1]["yells at"]
    # A quiet film: its loudest line is louder than the rest, but no shout.
    quiet = _explain([(None, voice(s, amplitude=20), s) for s in lines] + [(None, voice(lines[0], amplitude=40), lines[0])])
    assert max(c["yells at"] for c in quiet.clips) < 0.3


def test_walks_with_needs_two_figures_moving_side_by_side(tmp_path: Path) -> None:
    from media_factory import make_video
    from starter_media import figures_rgb

    from hhir.media.frames import sample_frames

    kinds = ["together", "apart", "alone", "empty"]
    shots = [(60, lambda _g, t, h, w, k=k: figures_rgb(k, t, h, w)) for k in kinds]
    path = make_video(tmp_path / "walkers.mp4", shots, size=(320, 240), audio=False)
    ranges = [(i * 60, i * 60 + 60) for i in range(len(kinds))]
    frames = dict(sample_frames(path, ranges, 32, size=128))  # decoded H.264, as the pipeline samples
    out = _explain([(frames[i], None, "") for i in range(len(kinds))])
    together, apart, alone, empty = out.clips
    assert together["walks with"] >= 0.6 > max(apart["walks with"], alone["walks with"], empty["walks with"])
    assert out.reasons[0]["walks with"] == "2 figures moving against the background, 1 pairs side by side"
    assert alone["no_interaction"] >= 0.6 and empty["no_interaction"] >= 0.6
    assert together["no_interaction"] < 0.5


def test_moving_camera_is_not_counted_as_figures() -> None:
    from hhir.scoring.starter.movers import motion_cues

    rng = np.random.default_rng(1)
    texture = rng.integers(0, 255, (128, 256, 3), dtype=np.uint8)
    pan = np.stack([texture[:, i * 2:i * 2 + 128] for i in range(40)])  # the whole picture slides
    movers, pairs, _, travel = motion_cues(np.ascontiguousarray(pan))
    assert (movers, pairs) == (0.0, 0.0)
    assert travel == pytest.approx(78 / 128, abs=0.05)  # 39 steps of 2 pixels: measured, then aligned away


def test_talks_to_needs_speech_and_watches_does_not_need_silence() -> None:
    from starter_media import figures_frames, voice

    line = "Hello there, how was your day at work?"
    two = figures_frames("together")
    speech_two, silent_two, speech_nobody = _explain([
        (two, voice(line), line), (two, None, ""), (figures_frames("empty"), voice(line), line)]).clips
    assert speech_two["talks to"] >= 0.6 > silent_two["talks to"]
    assert speech_nobody["talks to"] < speech_two["talks to"]
    # "watches": two people seen is the evidence, speech or not (in a dialogue the listener watches
    # the speaker); one person with speech is not. Face counts are the cue; no generated picture
    # fools OpenCV's face cascade, so the cue vector is set directly.
    rows = []
    for faces, text in ((2, ""), (2, line), (1, line), (0, line)):
        vec = clip_cues(None, voice(text) if text else None, text)
        vec[CUE_NAMES.index("has_frames")], vec[CUE_NAMES.index("faces_max")] = 1.0, float(faces)
        rows.append(vec)
    out = starter.explain(np.stack(rows), ["", line, line, line], LABELS)
    silent_two, dialogue_two, speaker_alone, nobody = (c["watches"] for c in out.clips)
    assert min(silent_two, dialogue_two) >= 0.6 > max(speaker_alone, nobody), [c["watches"] for c in out.clips]
    assert out.reasons[0]["watches"] == "2 people or faces seen, no speech"
    assert out.reasons[1]["watches"] == "2 people or faces seen, with speech"


def test_no_interaction_for_silence_and_nobody_and_reasons_for_every_label() -> None:
    out = _explain([(None, np.zeros(48000, np.float32), "")])
    assert out.clips[0]["no_interaction"] >= 0.6
    assert set(out.reasons[0]) == {label.name for label in LABELS}
    assert all(out.reasons[0].values())
    raw = starter.explain(np.stack([clip_cues(None, None, "")]), [""], LABELS, calibrated=False)
    assert raw.logits.shape == (1, len(LABELS))


def test_clip_reasons_come_from_the_projects_cached_cues(tmp_path: Path, scene_video: Path) -> None:
    from starter_media import voice

    from hhir.media.probe import probe
    from hhir.segment.clips import build_clips
    from hhir.store import Store
    from hhir.types import Shot

    store = Store(tmp_path / "project.sqlite3")
    try:
        info = probe(scene_video)
        video = store.add_video(info)
        cuts = [0, 40, 75, 120, 150, 200]
        shots = [Shot(i, a, b, a / info.fps, b / info.fps) for i, (a, b) in enumerate(zip(cuts, cuts[1:]))]
        store.set_shots(video.id, shots)
        clips = store.set_clips(video.id, build_clips(shots, 1, 1))
        texts = ["Where is the train station?", "It is next to the old bridge.", "", "", ""]
        store.set_clip_texts(video.id, {c.id: t for c, t in zip(clips, texts) if t})
        clips = store.clips(video.id)
        audio = [voice(t) if t else np.zeros(16000, np.float32) for t in texts]
        store.put_features([(video.fingerprint, c.start_s, c.end_s, starter.CUES_ID, clip_cues(None, a, t))
                            for c, a, t in zip(clips, audio, texts)])
        film = starter.film_context(store, video, clips)
        why = starter.clip_reasons(store, video, clips[:2], film)
        assert why[clips[0].id]["asks"].startswith("question: 'Where is the train station?'")
        assert not why[clips[1].id]["asks"].startswith("question")  # a statement: no question in its words
        assert set(why[clips[0].id]) == {label.name for label in store.labels()}
        assert starter.clip_reasons(store, video, [], film) == {}
    finally:
        store.close()


# --- "walks with" against the background, "gives to" ------------------------------------------------

def _followed(n_frames: int = 64, size: int = 128, speed: float = 2.0) -> np.ndarray:
    """A camera that follows two figures: the textured ground slides by ``speed`` pixels a frame,
    the figures stay in the middle of the picture."""
    rng = np.random.default_rng(5)
    ground = np.clip(rng.normal(120, 40, (size, size * 4, 3)), 0, 255).astype(np.uint8)
    ground = np.repeat(np.repeat(ground[::4, ::4], 4, axis=0), 4, axis=1)[:size, : size * 4]  # coarse texture
    frames = []
    for t in range(n_frames):
        x = int(t * speed)
        frame = ground[:, x:x + size].copy()
        for cx in (52, 70):
            frame[50:100, cx - 6:cx + 6] = (30, 30, 40)
        frames.append(frame)
    return np.stack(frames)


def _still_closeup(n_frames: int = 64, size: int = 128) -> np.ndarray:
    """A still camera on a textured face that nods and sways a couple of pixels in place."""
    rng = np.random.default_rng(0)
    ground = rng.integers(60, 90, (size, size, 3)).astype(np.uint8)
    face = rng.integers(0, 255, (50, 40, 3)).astype(np.uint8)
    frames = []
    for t in range(n_frames):
        frame = ground.copy()
        dx, dy = int(2 * np.sin(t / 3)), int(2 * np.cos(t / 4))
        frame[40 + dy:90 + dy, 44 + dx:84 + dx] = face
        frames.append(frame)
    return np.stack(frames)


def test_walks_with_measures_motion_against_the_background() -> None:
    from hhir.scoring.starter.movers import motion_cues

    followed, still = motion_cues(_followed()), motion_cues(_still_closeup())
    assert followed[3] > 0.5  # the camera travelled more than half the frame's width
    assert still[:2] == (0.0, 0.0) and still[3] == 0.0  # a nod is no figure travelling; the camera stood
    rows = []
    for frames, people in ((_followed(), 2.0), (_followed(), 1.0), (_still_closeup(), 2.0)):
        vec = clip_cues(frames, None, "")
        vec[CUE_NAMES.index("people_max")] = people  # the people count is the detector's (set here)
        rows.append(vec)
    out = starter.explain(np.stack(rows), ["", "", ""], LABELS)
    pair_followed, one_followed, closeup = (c["walks with"] for c in out.clips)
    assert pair_followed >= 0.6 > max(one_followed, closeup), [c["walks with"] for c in out.clips]
    assert out.reasons[0]["walks with"].startswith("the camera travels") and "2 people seen" in out.reasons[0]["walks with"]
    assert out.reasons[2]["walks with"] == "fewer than two figures moving against the background"


def test_gives_to_hears_a_hand_over() -> None:
    from starter_media import voice

    from hhir.scoring.starter.text import handing

    assert handing("Here you go, it's yours.") == "Here you go"
    assert handing("Could you pass me the salt?") == "pass me"
    assert handing("I walked home in the rain.") == ""
    lines = ["Here you go, this is for you.", "I walked home in the rain."]
    rows = []
    for text in lines:
        vec = clip_cues(None, voice(text), text)
        vec[CUE_NAMES.index("has_frames")], vec[CUE_NAMES.index("people_max")] = 1.0, 2.0
        rows.append(vec)
    out = starter.explain(np.stack(rows), lines, LABELS)
    gave, told = (c["gives to"] for c in out.clips)
    assert gave >= 0.6 > 0.3 > told
    assert out.reasons[0]["gives to"] == "handing over in the words: 'Here you go', 2 people seen"
