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
