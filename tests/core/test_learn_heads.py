"""Every training run fits the light head too and says which of the three models is best held out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hhir.learn.heads import HeadComparison
from hhir.models.light_head import LightHead
from hhir.learn.options import TrainOptions
from hhir.learn.train import train
from hhir.models.bundle import ModelBundle
from hhir.models.manifest import LIGHT_HEAD_FILE
from hhir.scoring.starter import MODEL_ID as STARTER_ID
from hhir.store import Store
from hhir.types import ModelInfo
from learn_factory import build_project

SMALL = dict(hidden_dim=8, num_heads=2, num_layers=1, dropout=0.0, batch_size=4, lr=1e-2, epochs=15, patience=15, threads=1)


@pytest.fixture(scope="module")
def encoders():
    from hhir.scoring.encoders import profile_encoders

    return profile_encoders("offline")


def _project(path: Path, encoders, n_videos: int = 6) -> Store:
    """Videos of 4 annotated clips whose cached features carry their labels, and starter scores that
    carry nothing (a constant 0.5)."""
    store = build_project(path, encoders, n_videos, seed=3, rate=0.4)
    labels = [label.name for label in store.labels()]
    starter = store.register_model(ModelInfo(STARTER_ID, "starter"))
    for video in store.videos():
        clips = store.clips(video.id)
        store.set_predictions(starter.id, video.id, {n: 0.5 for n in labels}, {c.id: {n: 0.5 for n in labels} for c in clips})
    return store


def test_training_compares_seed_classifier_light_head_and_starter_on_held_out_clips(tmp_path: Path, encoders) -> None:
    store = _project(tmp_path / "p.sqlite3", encoders)
    result = train(store, TrainOptions(**SMALL, validation_fraction=0.2, test_fraction=0.2), encoders=encoders)
    c = result.comparison
    assert c is not None and c["part"] == "test"
    assert c["held_out_clips"] == 4 * len(result.split.test) and c["train_clips"] == 4 * len(result.split.train)
    assert c["starter_f1"] is not None and c["seed_f1"] is not None
    assert c["light_f1"] > c["starter_f1"]  # the features carry the labels, the starter's constant does not
    assert c["winner"] in ("seed classifier", "light head") and c["winner"] != "starter"
    recorded = json.loads((result.path / "training.json").read_text())["comparison"]
    assert recorded == c
    head = LightHead.load(result.path / LIGHT_HEAD_FILE)
    assert head.labels == result.labels
    assert LIGHT_HEAD_FILE in ModelBundle.load(result.path).manifest.files  # hashed with the weights
    (result.path / LIGHT_HEAD_FILE).write_bytes(b"tampered")
    with pytest.raises(Exception, match=LIGHT_HEAD_FILE.replace(".", r"\.")):
        ModelBundle.load(result.path)
    store.close()


def test_a_tie_goes_to_the_starter_and_nothing_held_out_says_so() -> None:
    tie = HeadComparison("test", 10, 40, 0.5, 0.6, 0.6)
    assert tie.winner == "starter"
    assert "light head 0.60, starter 0.60 — starter is best" in tie.summary()
    nothing = HeadComparison("", 0, 12, None, None, None)
    assert nothing.winner == "" and nothing.summary().startswith("No held-out annotated clips")
    assert HeadComparison("validation", 8, 20, 0.7, 0.4, None).winner == "seed classifier"


def test_the_training_verdict_names_the_winner_and_the_place_on_the_learning_curve() -> None:
    from hhir.learn.heads import verdict

    text = verdict(HeadComparison("test", 20, 45, 0.41, 0.55, 0.62).as_dict())
    assert "starter is best" in text and "Keep the current model" in text
    assert "at 50 training clips the seed classifier reached 0.64 and the light head 0.85" in text
    assert "this project trained on 45" in text
    assert "light head is better than the seed classifier" in verdict(HeadComparison("test", 20, 150, 0.5, 0.8, 0.7).as_dict())
    assert verdict(None) == ""


def test_evaluate_scores_what_the_bundle_predicts_with_at_its_thresholds(tmp_path: Path, encoders) -> None:
    """When the light head wins, ``hhir evaluate`` and the bundle's recorded figures are the light
    head's at its own thresholds, not the seed classifier's at the head's thresholds."""
    import numpy as np

    from hhir.learn.dataset import collect
    from hhir.learn.heldout import evaluate_bundle
    from hhir.learn.loop import predict_samples
    from hhir.learn.metrics import evaluate

    store = _project(tmp_path / "p.sqlite3", encoders, n_videos=8)
    # One epoch at a tiny learning rate: the seed's classifier learns nothing, the light head wins.
    options = TrainOptions(**{**SMALL, "epochs": 1, "lr": 1e-6}, validation_fraction=0.25, test_fraction=0.25)
    result = train(store, options, encoders=encoders)
    assert result.comparison["winner"] == "light head"
    bundle = ModelBundle.load(result.path, with_vivit=False)
    assert bundle.light_head is not None
    labels = list(bundle.labels)
    ids = {e.modality: e.id for e in bundle.manifest.encoders}
    test = [r for r in collect(store, labels, ids).records if r.video.fingerprint in result.split.test]
    clips = [s for r in test for s in r.clip_samples()]
    # The bundle's own predict (what analysis uses) on each held-out clip alone.
    head_scores = np.array([[bundle.predict(s.video, s.text, s.audio)[1][0][n] for n in labels] for s in clips])
    truth, known = np.stack([s.target for s in clips]), np.stack([s.known for s in clips])
    expected = evaluate(truth, head_scores, labels, np.asarray(bundle.manifest.thresholds), known=known).macro_f1

    evaluated = evaluate_bundle(store, result.path).evaluation
    assert evaluated.part == "held-out"
    assert evaluated.clip_tuned.macro_f1 == pytest.approx(expected, abs=1e-12)
    recorded = next(e for e in result.evaluations if e.part == "test")
    assert recorded.clip_tuned.macro_f1 == pytest.approx(expected, abs=1e-12)  # what `models list` shows
    seed = evaluate(truth, predict_samples(bundle.classifier, clips), labels, np.asarray(bundle.manifest.thresholds), known=known).macro_f1
    assert seed != pytest.approx(expected)  # the defect: the seed classifier was scored instead
    store.close()
