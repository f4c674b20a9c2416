"""One threshold rule: the active model's tuned value, else the settings, else the seed's 0.6."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hhir.learn.queue import _thresholds
from hhir.models.bundle import ModelBundle
from hhir.models.manifest import ClassifierConfig, ClipSettings, EncoderRecord
from hhir.models.spec import EncoderSpec
from hhir.settings import Settings
from hhir.settings import save as save_settings
from hhir.thresholds import DEFAULT_THRESHOLD, label_threshold, label_thresholds, threshold_lookup
from hhir.types import ModelInfo


def _activate_bundle(store, folder: Path, tuned: dict[str, float]) -> None:
    labels = list(tuned)
    records = [EncoderRecord("video", EncoderSpec("vivit", n_frames=8), "vivit-x", 8, "a"),
               EncoderRecord("text", EncoderSpec("hf-text", model="/m", pooling="mean"), "text-x", 8, "b"),
               EncoderRecord("audio", EncoderSpec("logmel"), "logmel-x", 8)]
    bundle = ModelBundle.create("trained", labels, records, ClipSettings(n_frames=8), ClassifierConfig(hidden_dim=8),
                                thresholds=list(tuned.values()))
    path = bundle.save(folder)
    store.register_model(ModelInfo(id=bundle.id, kind="trained", path=str(path)))
    store.activate(bundle.id)


def test_the_rule_in_order():
    settings = Settings(thresholds={"asks": 0.3}, default_threshold=0.55)
    assert label_threshold("asks", {"asks": 0.42}, settings) == 0.42  # the model's tuned value first
    assert label_threshold("asks", {"watches": 0.42}, settings) == 0.3  # then the label's setting
    assert label_threshold("watches", {}, settings) == 0.55  # then the settings' default
    assert label_threshold("watches") == DEFAULT_THRESHOLD == 0.6  # then the seed's


def test_with_only_the_starter_the_settings_decide(store):
    settings = Settings(thresholds={"asks": 0.25})
    names = [label.name for label in store.labels()]
    assert label_thresholds(store, names, settings) == [0.25 if n == "asks" else DEFAULT_THRESHOLD for n in names]


def test_the_active_models_tuned_thresholds_win_everywhere(store, tmp_path):
    names = [label.name for label in store.labels()]
    tuned = {name: round(0.2 + 0.05 * i, 2) for i, name in enumerate(names)}
    _activate_bundle(store, tmp_path / "bundle", tuned)
    save_settings(Settings(default_threshold=0.9, thresholds={names[0]: 0.95}))  # the user's file loses to tuning
    lookup = threshold_lookup(store)
    assert [lookup(n) for n in names] == [tuned[n] for n in names]
    # the review queue judges uncertainty at the same thresholds
    assert np.allclose(_thresholds(store, names), [tuned[n] for n in names])
    assert lookup("a label the model lacks") == 0.9


def test_an_unreadable_manifest_falls_back_to_the_settings(store, tmp_path):
    names = [label.name for label in store.labels()]
    _activate_bundle(store, tmp_path / "bundle", {n: 0.3 for n in names})
    (tmp_path / "bundle" / "manifest.json").write_text("{not json", encoding="utf-8")
    assert label_thresholds(store, names[:1], Settings(default_threshold=0.7)) == [0.7]
