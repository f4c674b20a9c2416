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


def _saved_manifest(tmp_path: Path) -> tuple[Path, dict]:
    _bundle().save(tmp_path / "m")
    path = tmp_path / "m" / "manifest.json"
    return path, json.loads(path.read_text())


@pytest.mark.parametrize(("edit", "message"), [
    (lambda m: m["classifier"].update(hidden_dim=200000), r"manifest\.classifier\.hidden_dim: input should be less than or equal to 1024"),
    (lambda m: m["encoders"][0].update(dim=10**11), r"manifest\.encoders\[0\]\.dim: input should be less than or equal to 4096"),
    (lambda m: m["encoders"][0]["spec"].update(n_frames=2**30),
     r"manifest\.encoders\[0\]\.spec\.n_frames: input should be less than or equal to 512"),
    (lambda m: m["clip"].update(n_frames=2**30), r"manifest\.clip\.n_frames: input should be less than or equal to 512"),
    (lambda m: m["classifier"].update(num_heads=0), r"manifest\.classifier\.num_heads: input should be greater than or equal to 1"),
    (lambda m: m["classifier"].update(num_heads=3), r"classifier: 3 heads do not divide the width 16"),
    (lambda m: m["encoders"][0]["spec"].update(frame_size=2**20), r"spec\.frame_size: input should be less than or equal to 256"),
    (lambda m: m.update(labels=[f"l{i}" for i in range(10_000)]), r"manifest\.labels: tuple should have at most 256 items"),
])
def test_manifest_numbers_are_bounded_before_anything_is_built(tmp_path: Path, monkeypatch, edit, message: str) -> None:
    import hhir.models.bundle as bundle_module

    path, data = _saved_manifest(tmp_path)
    edit(data)
    path.write_text(json.dumps(data))
    built = []
    monkeypatch.setattr(bundle_module, "build_classifier", lambda *a, **k: built.append(1))
    with pytest.raises(ModelError, match=message) as err:
        ModelBundle.load(tmp_path / "m")
    assert str(path) in str(err.value) and "\n" not in str(err.value)
    assert built == []


@pytest.mark.parametrize(("text", "message"), [
    ("[" * 200_000 + "]" * 200_000, r"not valid JSON \(recursion limit exceeded"),
    (None, r"not valid JSON \(number out of range"),  # a 5,000-digit threshold
    (None, r"manifest\.thresholds\[0\]: input should be a finite number|thresholds: every threshold"),
])
def test_hostile_manifest_text_gives_one_line(tmp_path: Path, text: str | None, message: str) -> None:
    path, data = _saved_manifest(tmp_path)
    if text is None:
        raw = json.dumps(data)
        digits = "9" * 5000 if "range" in message else "1e999"
        text = raw.replace('"thresholds": [0.6', f'"thresholds": [{digits}', 1)
        assert text != raw
    path.write_text(text)
    with pytest.raises(ModelError, match=message) as err:
        ModelBundle.load(tmp_path / "m")
    assert str(path) in str(err.value) and "\n" not in str(err.value) and len(str(err.value)) < 600


def test_a_weights_file_smaller_than_the_manifest_claims_is_refused_before_building(tmp_path: Path) -> None:
    """A manifest within bounds but larger than its weights: shapes are compared on the meta device first."""
    path, data = _saved_manifest(tmp_path)
    data["classifier"]["hidden_dim"] = 1024
    path.write_text(json.dumps(data))
    with pytest.raises(ModelError, match=r"classifier\.safetensors: weights do not fit the model \(wrong shapes: "
                                         r"audio_lstm\.bias_hh_l0 \(32,\) != \(4096,\)"):
        ModelBundle.load(tmp_path / "m")


def test_a_bundle_of_the_earlier_networks_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path, data = _saved_manifest(tmp_path)
    data["format_version"] = 1
    path.write_text(json.dumps(data))
    with pytest.raises(ModelError, match=r"format 1\).*differ from the paper's.*Retrain it \(hhir train\) or re-import "
                                         r"the seed checkpoint \(hhir models import-seed\).*hhir models rollback") as err:
        ModelBundle.load(tmp_path / "m")
    assert str(path) in str(err.value)


def test_saved_bundles_record_their_architecture(tmp_path: Path) -> None:
    from hhir.models.manifest import FORMAT_VERSION

    _, data = _saved_manifest(tmp_path)
    assert data["format_version"] == FORMAT_VERSION == 2
    assert data["classifier"] == {"hidden_dim": 8, "num_heads": 2, "num_layers": 2, "dropout": 0.3, "attn_dropout": 0.4}
