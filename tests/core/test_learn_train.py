"""Retraining from a real project database with cached clip features; evaluation and versions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hhir.errors import HHIRError, ModelError
from hhir.jobs import Cancelled, CancelToken
from hhir.learn.heldout import evaluate_bundle
from hhir.learn.options import TrainOptions
from hhir.learn.split import read_split
from hhir.learn.train import models_dir, train
from hhir.learn.versions import activate, rollback
from hhir.store import Store
from hhir.types import AnnotationState, LabelDef, Target
from learn_factory import SMALL, build_project


@pytest.fixture(autouse=True, scope="module")
def one_thread(encoders):
    """After loading the encoders (which use every core): tiny models only lose time to thread waits."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def encoders():
    from hhir.scoring.encoders import profile_encoders

    return profile_encoders("offline")


def test_train_learns_registers_a_bundle_and_is_reproducible(tmp_path: Path, encoders) -> None:
    store = build_project(tmp_path / "p.sqlite3", encoders, n_videos=3)
    epochs = []
    options = TrainOptions(**SMALL, validation_fraction=0.0, test_fraction=0.0)
    first = train(store, options, encoders=encoders, on_epoch=epochs.append)
    assert first.evaluation("train").clip.macro_f1 >= 0.95  # a small set is fit almost perfectly
    assert first.evaluation("train").scene.macro_f1 >= 0.95
    assert [e.epoch for e in epochs] == [e.epoch for e in first.history]
    assert (first.path / "manifest.json").is_file() and (first.path / "training.json").is_file()
    assert store.model(first.model.id).kind == "trained" and store.active_model() is None
    assert first.model.metrics["train.clip.macro_f1"] == first.evaluation("train").clip.macro_f1
    assert len(read_split(first.path).train) == 3
    again = train(store, options, encoders=encoders)
    assert again.model.id != first.model.id
    assert again.evaluations == first.evaluations and again.thresholds == first.thresholds
    assert [(e.train_loss, e.validation_loss) for e in again.history] == [(e.train_loss, e.validation_loss) for e in first.history]


def test_evaluate_uses_held_out_videos_and_rejects_a_mismatched_label_set(tmp_path: Path, encoders) -> None:
    store = build_project(tmp_path / "p.sqlite3", encoders, seed=1)
    result = train(store, TrainOptions(**SMALL), encoders=encoders)
    split = read_split(result.path)
    parts = [set(split.train), set(split.validation), set(split.test)]
    assert [len(p) for p in parts] == [3, 1, 1]  # by video: every clip of a video on one side
    report = evaluate_bundle(store, result.path)
    assert report.evaluation.part == "held-out" and report.evaluation.videos == len(result.split.test)
    assert report.evaluation.scene == result.evaluation("test").scene
    assert [lm.threshold for lm in report.evaluation.scene_tuned.per_label] == list(result.thresholds)
    store.add_label(LabelDef("hugs", "two people hug"))
    with pytest.raises(ModelError, match="label set differs"):
        evaluate_bundle(store, result.path)


def test_cancel_leaves_no_bundle(tmp_path: Path, encoders) -> None:
    store = build_project(tmp_path / "p.sqlite3", encoders, n_videos=2)
    token = CancelToken()
    with pytest.raises(Cancelled):
        train(store, TrainOptions(**SMALL), encoders=encoders, cancel=token,
              on_epoch=lambda e: token.cancel() if e.epoch == 2 else None)
    folder = models_dir(store)
    assert not folder.exists() or list(folder.iterdir()) == []
    assert store.models() == []


def test_versions_activate_and_roll_back_along_parents(tmp_path: Path, encoders) -> None:
    store = build_project(tmp_path / "p.sqlite3", encoders, n_videos=3, seed=2)
    parent = train(store, TrainOptions(**SMALL), encoders=encoders)
    activate(store, parent.model.id)
    assert store.active_model().id == parent.model.id
    assert store.predictions(1).model.id == parent.model.id  # recomputed with the active model
    child = train(store, TrainOptions(**SMALL, seed=3), encoders=encoders)
    assert child.model.parent == parent.model.id
    activate(store, child.model.id)
    before = store.predictions(1, parent.model.id).clips
    # the new model's predictions (a light head that won on the same data may score alike) ...
    assert store.predictions(1).model.id == child.model.id and store.predictions(1).clips.keys() == before.keys()
    assert store.predictions(1, parent.model.id).clips == before  # ... and the old ones kept, by model
    assert rollback(store).id == parent.model.id
    assert rollback(store) is None  # the parent had no parent: back to the starter
    with pytest.raises(HHIRError, match="starter is already in use"):
        rollback(store)
    with pytest.raises(HHIRError, match="no model 'nope'"):
        activate(store, "nope")


def test_a_new_label_trains_a_new_head_and_old_models_no_longer_fit(tmp_path: Path, encoders) -> None:
    store = build_project(tmp_path / "p.sqlite3", encoders, n_videos=3, seed=4)
    parent = train(store, TrainOptions(**SMALL), encoders=encoders)
    activate(store, parent.model.id)
    store.add_label(LabelDef("hugs", "two people hug"))
    clip = store.clips(1)[0]
    store.annotate(Target(1, clip.id), "hugs", AnnotationState.PRESENT, "ann")
    with pytest.raises(ModelError, match=r"label set differs \(model lacks \['hugs'\]"):
        activate(store, parent.model.id)
    child = train(store, TrainOptions(**SMALL), encoders=encoders)
    assert child.model.parent == parent.model.id
    assert child.evaluation("train").scene.per_label[-1].label == "hugs"
    activate(store, child.model.id)
    assert "hugs" in store.predictions(1).clips[clip.id]
    with pytest.raises(ModelError, match="label set differs"):
        rollback(store)


def test_nothing_to_train_on_is_a_clear_error(tmp_path: Path, encoders) -> None:
    store = Store(tmp_path / "empty.sqlite3")
    with pytest.raises(HHIRError, match="no annotated clips"):
        train(store, TrainOptions(**SMALL), encoders=encoders)


def test_train_from_an_exported_manifest(tmp_path: Path, encoders) -> None:
    from hhir.exchange import export
    from hhir.exchange.manifest_read import read_manifest
    from hhir.exchange.model import ExportOptions
    from hhir.learn.from_manifest import train_from_manifest
    from hhir.models.bundle import ModelBundle

    store = build_project(tmp_path / "p.sqlite3", encoders, n_videos=4, seed=5)
    ids = encoders.ids()
    export(store, "manifest", tmp_path / "ds", ExportOptions(test_fraction=0.25, encoders=tuple(ids.items())))
    options = TrainOptions(**SMALL, validation_fraction=0.0)
    result = train_from_manifest(tmp_path / "ds", options, out_dir=tmp_path / "bundles", encoders=encoders)
    test = {r.fingerprint for r in read_manifest(tmp_path / "ds").rows if r.split == "test"}
    assert set(result.split.test) == test and len(test) == 1 and len(result.split.train) == 3
    assert result.evaluation("train").clip.macro_f1 >= 0.95
    assert result.evaluation("test") is not None
    assert ModelBundle.load(result.path).labels == tuple(label.name for label in store.labels())
    # Without naming encoders the export carries the project's own (the profile's) features too.
    export(store, "manifest", tmp_path / "default", ExportOptions())
    assert read_manifest(tmp_path / "default").encoders == ids
    other = (("video", "other-v"), ("text", "other-t"), ("audio", "other-a"))
    export(store, "manifest", tmp_path / "other", ExportOptions(encoders=other))
    with pytest.raises(HHIRError, match="video features come from encoder other-v"):
        train_from_manifest(tmp_path / "other", options, out_dir=tmp_path / "bundles", encoders=encoders)
    shutil.copytree(tmp_path / "default", tmp_path / "bare")
    (tmp_path / "bare" / "features.safetensors").unlink()  # the rows without their features
    with pytest.raises(HHIRError, match="no cached features"):
        train_from_manifest(tmp_path / "bare", options, out_dir=tmp_path / "bundles", encoders=encoders)
