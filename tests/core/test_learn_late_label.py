"""An active model trained before a label existed: the starter scores that label, and says so."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from learn_factory import SMALL, build_project, load_encoders

from hhir.learn.options import TrainOptions
from hhir.learn.train import train
from hhir.learn.versions import activate
from hhir.pipeline.predict import predict_video
from hhir.pipeline.result import video_result
from hhir.scoring import starter
from hhir.types import LabelDef


def test_a_label_the_active_model_lacks_is_scored_by_the_starter_and_marked(tmp_path: Path, caplog) -> None:
    encoders = load_encoders()
    store = build_project(tmp_path / "p.sqlite3", encoders, n_videos=3, seed=7)
    model = train(store, TrainOptions(**SMALL, validation_fraction=0.0, test_fraction=0.0), encoders=encoders)
    activate(store, model.model.id)
    store.add_label(LabelDef("hugs", "two people embrace each other"))
    video = store.videos()[0]
    clips = store.clips(video.id)
    rng = np.random.default_rng(0)
    store.put_features([(video.fingerprint, c.start_s, c.end_s, starter.CUES_ID,
                         rng.random(len(starter.CUE_NAMES)).astype(np.float32)) for c in clips])
    with caplog.at_level(logging.WARNING):
        preds = predict_video(store, video.id)
    assert f"model {model.model.id} has no output for hugs: scored with the zero-shot starter" in caplog.text
    assert preds.model.id == model.model.id
    assert all(0.0 <= preds.clips[c.id]["hugs"] <= 1.0 for c in clips) and "hugs" in preds.scene
    shown = video_result(store, video.id)["predictions"]["model"]
    assert shown == {"id": model.model.id, "kind": "trained", "starter_labels": ["hugs"]}
    # A video without the starter's cues keeps the model's labels and says why hugs has no score.
    other = store.videos()[1]
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        again = predict_video(store, other.id)
    assert "the starter's cues are not cached" in caplog.text and "hugs" not in again.scene
