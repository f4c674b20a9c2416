"""Model bundles: round trip, atomic save, manifest validation, hashes, compatibility."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hhir.errors import ModelError
from hhir.models import bundle_io
from hhir.models.bundle import ModelBundle
from hhir.models.manifest import ClassifierConfig, ClipSettings, EncoderRecord, Provenance
from hhir.models.profiles import get_profile
from hhir.models.spec import EncoderSpec

LABELS = ("asks", "talks to", "no_interaction")


def _records(vivit_dim: int = 24) -> list[EncoderRecord]:
    return [
        EncoderRecord("video", EncoderSpec("vivit", n_frames=64), "vivit-64f128-abc", vivit_dim, "abc"),
        EncoderRecord("text", EncoderSpec("hf-text", model="/m/minilm", pooling="mean"), "hf-text-minilm-mean-def", 16, "def"),
        EncoderRecord("audio", EncoderSpec("logmel"), "logmel-v1-208", 8),
    ]


def _bundle(**kw) -> ModelBundle:
    import torch

    torch.manual_seed(0)
    return ModelBundle.create("trained", LABELS, _records(), ClipSettings(n_frames=64),
                              ClassifierConfig(hidden_dim=8, num_heads=2), provenance=Provenance(
                                  parent="starter-1", metrics={"macro_f1": 0.5}), **kw)


def _features(n: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n, d)).astype(np.float32) for d in (24, 16, 8)]


def test_round_trip_gives_identical_predictions(tmp_path: Path) -> None:
    b = _bundle(vivit_state={"w": __import__("torch").arange(6.0)})
    feats = _features(4)
    before = b.predict(*feats)
    b.save(tmp_path / "m")
    loaded = ModelBundle.load(tmp_path / "m")
    assert loaded.predict(*feats) == before
    assert loaded.manifest == b.manifest
    assert loaded.manifest.provenance.metrics == {"macro_f1": 0.5}
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["classifier.safetensors", "manifest.json", "vivit.safetensors"]
    assert loaded.vivit_state["w"].tolist() == [0, 1, 2, 3, 4, 5]
    assert loaded.encoder_specs()["video"].model == str(tmp_path / "m" / "vivit.safetensors")
    info = loaded.model_info()
    assert (info.id, info.kind, info.parent, info.path) == (b.id, "trained", "starter-1", str(tmp_path / "m"))


def test_predict_scene_and_each_clip_alone(tmp_path: Path) -> None:
    b = _bundle()
    feats = _features(3)
    scene, clips = b.predict(*feats)
    assert list(scene) == list(LABELS) and all(0 <= p <= 1 for p in scene.values())
    assert len(clips) == 3
    alone, _ = b.predict(*(f[2:3] for f in feats))
    assert clips[2] == pytest.approx(alone, abs=1e-6)
    with pytest.raises(ModelError, match="feature sizes"):
        b.predict(*_features(2)[:2], np.zeros((2, 9), np.float32))
    with pytest.raises(ModelError, match="at least one clip"):
        b.predict(*(f[:0] for f in feats))


def test_interrupted_save_leaves_no_partial_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    b = _bundle(vivit_state={"w": __import__("torch").zeros(3)})
    real = bundle_io.save_tensors
    calls = []

    def failing(state, path):
        calls.append(path.name)
        if path.name == "vivit.safetensors":
            raise OSError(28, "No space left on device")
        return real(state, path)

    monkeypatch.setattr(bundle_io, "save_tensors", failing)
    with pytest.raises(OSError):
        b.save(tmp_path / "m")
    assert calls == ["classifier.safetensors", "vivit.safetensors"]
    assert list(tmp_path.iterdir()) == []


def test_interrupted_overwrite_keeps_the_old_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = _bundle()
    old.save(tmp_path / "m")
    monkeypatch.setattr(bundle_io, "save_tensors", lambda state, path: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        _bundle().save(tmp_path / "m")
    assert [p.name for p in tmp_path.iterdir()] == ["m"]
    assert ModelBundle.load(tmp_path / "m").id == old.id


def test_damaged_weights_are_detected(tmp_path: Path) -> None:
    _bundle().save(tmp_path / "m")
    weights = tmp_path / "m" / "classifier.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError, match=r"classifier\.safetensors: weights are damaged"):
        ModelBundle.load(tmp_path / "m")


@pytest.mark.parametrize(("edit", "message"), [
    (lambda m: m.pop("labels"), r"manifest: missing field 'labels'"),
    (lambda m: m.update(thresholds=[0.5, 0.5]), r"thresholds: has 2 values for 3 labels"),
    (lambda m: m.update(thresholds=[0.5, 0.5, 1.5]), r"thresholds: every threshold"),
    (lambda m: m["clip"].update(size="three"), r"manifest\.clip\.size: input should be a valid integer, got str 'three'"),
    (lambda m: m["encoders"][1]["spec"].update(pooling="max"), r"encoders\[1\]\.spec: unknown pooling 'max'"),
    (lambda m: m["encoders"].reverse(), r"encoders: must list the video, text and audio"),
    (lambda m: m.update(kind="magic"), r"kind: must be one of"),
    (lambda m: m.update(format_version=99), r"format_version 99 is not supported"),
    (lambda m: m["files"].update({"../../etc/passwd": "x"}), r"files: must name classifier\.safetensors"),
    (lambda m: m.update(surprise=1), r"unknown field\(s\) surprise"),
])
def test_manifest_validation_names_file_and_field(tmp_path: Path, edit, message: str) -> None:
    _bundle().save(tmp_path / "m")
    path = tmp_path / "m" / "manifest.json"
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    with pytest.raises(ModelError, match=message) as err:
        ModelBundle.load(tmp_path / "m")
    assert str(path) in str(err.value)


def test_not_a_bundle(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a model bundle"):
        ModelBundle.load(tmp_path)
    (tmp_path / "manifest.json").write_text("{oops")
    with pytest.raises(ModelError, match="manifest.json: not valid JSON"):
        ModelBundle.load(tmp_path)


def test_check_compatible() -> None:
    b = _bundle()
    b.check_compatible(["vivit-64f128-abc", "hf-text-minilm-mean-def", "logmel-v1-208"], list(reversed(LABELS)))
    b.check_compatible(["vivit-64f128-abc-int8", "hf-text-minilm-mean-def", "logmel-v1-208"], LABELS)
    with pytest.raises(ModelError, match=r"label set differs \(model lacks \['yells at'\]"):
        b.check_compatible(["vivit-64f128-abc", "hf-text-minilm-mean-def", "logmel-v1-208"], [*LABELS, "yells at"])
    with pytest.raises(ModelError, match=r"text encoder differs \(model: hf-text-minilm-mean-def, given: hf-text-bert"):
        b.check_compatible(["vivit-64f128-abc", "hf-text-bert-cls-123", "logmel-v1-208"], LABELS)
    with pytest.raises(ModelError, match="video encoder differs .*vivit 64 frames.*vivit 256 frames"):
        b.check_compatible(get_profile("paper"), LABELS)


def test_bundle_carries_the_vivit_it_was_trained_with(tmp_path: Path) -> None:
    from hhir.models.bundle import record_of
    from hhir.models.encoders import load_encoder

    encoders = [load_encoder(EncoderSpec("vivit", n_frames=4, frame_size=32, seed=9)),
                load_encoder(EncoderSpec("logmel")), load_encoder(EncoderSpec("logmel"))]
    records = [record_of(encoders[0]), _records()[1], record_of(encoders[2])]
    b = ModelBundle.create("trained", LABELS, records, ClipSettings(n_frames=4, frame_size=32),
                           ClassifierConfig(hidden_dim=8, num_heads=2), vivit_state=encoders[0].state_dict())
    b.save(tmp_path / "m")
    video = load_encoder(ModelBundle.load(tmp_path / "m").encoder_specs()["video"])
    assert video.id == encoders[0].id == b.manifest.encoder("video").id
    frames = np.random.default_rng(0).integers(0, 256, (1, 4, 32, 32, 3), dtype=np.uint8)
    np.testing.assert_array_equal(video.encode(frames), encoders[0].encode(frames))
