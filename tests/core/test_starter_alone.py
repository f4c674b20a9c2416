"""No interaction suggested where the picture shows one person: ``hhir analyze`` on a real video.

Four shots of the people test video's photographs (``people_media``): one person alone and silent;
the same person alone saying a hand-over line; two people with the same line; two people silent.
The starter's scores are the ones analysis stores, with its people counts from the tracks. The
rule (docs/suggestions.md): with one person or nobody in the picture, "walks with", "watches" and
"gives to" are ruled out (their other person would be seen), and the spoken labels only stand with
a sentence spoken to someone off screen (a phone call, a listener out of the shot).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from media_factory import make_video
from people_media import SIZE, scene

from hhir.pipeline import AnalysisOptions, analyze
from hhir.store import Store
from hhir.thresholds import DEFAULT_THRESHOLD

ROOT = Path(__file__).resolve().parents[2]
LINE = "Here you go, this is for you."
FPS, FRAMES = 10.0, 40  # 4 s shots
SHOTS = [
    (FRAMES, scene([("A", 0.3)], (90, 110, 140))),
    (FRAMES, scene([("A", 0.3)], (150, 120, 90))),
    (FRAMES, scene([("A", 0.02), ("B", 0.52)], (80, 140, 90))),
    (FRAMES, scene([("B", 0.05), ("A", 0.55)], (130, 130, 130))),
]


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("alone")
    path = make_video(folder / "alone and together.mp4", SHOTS, fps=FPS, size=SIZE,
                      speech=[(4.8, LINE), (8.8, LINE)])
    store = Store(folder / "p.hhir")
    try:
        video_id = analyze(store, path, AnalysisOptions(clip_size=1, voices=False))
        from hhir.scoring import starter

        clips = store.clips(video_id)
        preds = store.predictions(video_id, starter.MODEL_ID)

        why = starter.clip_reasons(store, store.video(video_id), clips)
        yield clips, preds, why, store.person_tracks(video_id)
    finally:
        store.close()


def test_one_clip_per_shot_and_the_tracks_see_who_is_there(scored):
    clips, preds, _, tracks = scored
    assert preds is not None and preds.model.kind == "starter"
    assert [(c.first_shot, c.last_shot) for c in clips] == [(0, 0), (1, 1), (2, 2), (3, 3)]
    per_shot = [len({t.id for t in tracks if t.shot_index == i}) for i in range(4)]
    assert per_shot == [1, 1, 2, 2]
    assert "here you go" in clips[1].text.lower() and "here you go" in clips[2].text.lower()


def test_no_interaction_is_suggested_where_one_person_is_seen(scored):
    clips, preds, why, _ = scored
    interactions = [n for n in preds.clips[clips[0].id] if n != "no_interaction"]
    alone_silent, alone_speaking, two_speaking, _ = (preds.clips[c.id] for c in clips)
    assert max(alone_silent[n] for n in interactions) < DEFAULT_THRESHOLD <= alone_silent["no_interaction"]
    # Alone with a hand-over line: the person it is handed to would be in the picture.
    for name in ("gives to", "walks with", "watches"):
        assert alone_speaking[name] < DEFAULT_THRESHOLD, (name, alone_speaking)
        assert "ruled out: 1 person seen" in why[clips[1].id][name]
    # The same words with two people seen: the hand-over cue is alive, only the picture ruled it out.
    assert two_speaking["gives to"] >= DEFAULT_THRESHOLD, two_speaking
    assert "ruled out" not in why[clips[2].id]["gives to"]


def test_the_rule_holds_whatever_the_text_and_spares_a_sentence_to_someone_off_screen():
    from starter_media import voice

    from hhir.scoring import starter
    from hhir.scoring.starter import CUE_NAMES, clip_cues
    from hhir.types import LabelDef

    labels = [LabelDef(**d) for d in json.loads((ROOT / "resources/labels/default.json").read_text())["labels"]]

    texts = ["Mm-hmm.", "Walk with me, we can watch them and give them this.", "Walk with me, we can watch them and give them this."]
    rows = []
    for text, seen in zip(texts, (1.0, 1.0, 2.0)):
        vec = clip_cues(None, voice(text), text)
        vec[CUE_NAMES.index("has_frames")], vec[CUE_NAMES.index("people_max")] = 1.0, seen
        rows.append(vec)
    out = starter.explain(np.stack(rows), texts, labels)
    hum, alone, two = out.clips
    assert max(v for n, v in hum.items() if n != "no_interaction") <= 0.05  # a hum is nobody spoken to
    assert max(alone[n] for n in ("walks with", "watches", "gives to")) <= 0.05
    assert not out.ruled[1, [label.name for label in labels].index("talks to")]  # a sentence: maybe to someone off screen
    assert not out.ruled[2].any()
    raw = starter.explain(np.stack(rows), texts, labels, calibrated=False)
    assert (raw.logits[out.ruled] <= -4.0).all() and out.ruled[0].sum() == len(labels) - 1
