"""The paper's classifier, exactly: checkpoints saved by the seed's own code import and reproduce its logits.

The fixtures in ``tests/fixtures/seed/`` were made by running the seed repository's own classes
(see its README): key lists of the full-size models, and a small ``MultimodalLSTM`` with inputs and
the logits it gave in eval mode.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from hhir.errors import ModelError
from hhir.models.bundle import ModelBundle
from hhir.models.lstm import MultimodalLSTM
from hhir.models.seed_checkpoint import import_seed
from hhir.types import DEFAULT_LABELS

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed"
H16 = SEED / "classifier_h16"


def _keys(name: str) -> list[str]:
    return [line for line in (SEED / name).read_text().splitlines() if line.strip()]


def _listing(module: torch.nn.Module) -> list[str]:
    return [f"{k} {tuple(v.shape)}" for k, v in module.state_dict().items()]


@pytest.fixture(scope="module")
def h16_bundle(tmp_path_factory: pytest.TempPathFactory) -> ModelBundle:
    folder = tmp_path_factory.mktemp("bundles") / "h16"
    import_seed(H16 / "weights.pth", folder, include_vivit=False)
    return ModelBundle.load(folder)


@pytest.fixture(scope="module")
def h16_data() -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    return load_file(H16 / "inputs.safetensors"), load_file(H16 / "expected.safetensors")["logits"]


def test_full_size_classifier_has_exactly_the_seeds_keys_and_shapes() -> None:
    with torch.device("meta"):
        model = MultimodalLSTM(hidden_dim=512, num_labels=7)
    assert _listing(model) == _keys("keys_classifier_full.txt")


def test_seed_checkpoint_loads_strictly_and_gives_the_seeds_logits(h16_data) -> None:
    inputs, expected = h16_data
    model = MultimodalLSTM(hidden_dim=16, num_labels=7).eval()
    model.load_state_dict(torch.load(H16 / "weights.pth", weights_only=True), strict=True)
    with torch.inference_mode():
        got = model(inputs["visual"], inputs["text"], inputs["audio"])
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=0)


def test_imported_bundle_scene_probabilities_equal_the_seeds(h16_bundle: ModelBundle, h16_data) -> None:
    inputs, expected = h16_data
    assert h16_bundle.manifest.classifier.hidden_dim == 16  # read from the checkpoint's shapes
    for scene in range(3):  # scene 2 is zero-padded after its third clip, as the seed pads: fed as the seed fed it
        probs, _ = h16_bundle.predict(*(inputs[m][scene].numpy() for m in ("visual", "text", "audio")))
        assert list(probs) == list(DEFAULT_LABELS)
        np.testing.assert_allclose(list(probs.values()), torch.sigmoid(expected[scene]).numpy(), atol=1e-5, rtol=0)


def test_mask_makes_a_padded_scene_score_as_it_does_alone(h16_bundle: ModelBundle, h16_data) -> None:
    inputs, _ = h16_data
    model = h16_bundle.classifier
    video, text, audio = inputs["visual"], inputs["text"], inputs["audio"]
    mask = torch.ones(3, 5, dtype=torch.bool)
    mask[2, 3:] = False
    with torch.inference_mode():
        batched = model(video, text, audio, mask)
        alone = model(video[2:, :3], text[2:, :3], audio[2:, :3])
        alone_masked = model(video[2:, :3], text[2:, :3], audio[2:, :3], torch.ones(1, 3, dtype=torch.bool))
        unmasked = model(video[:2], text[:2], audio[:2])
    torch.testing.assert_close(batched[2:], alone, atol=1e-5, rtol=0)
    torch.testing.assert_close(alone_masked, alone, atol=1e-5, rtol=0)
    torch.testing.assert_close(batched[:2], unmasked, atol=1e-5, rtol=0)  # full rows: mask = no mask


def test_dataparallel_prefix_is_stripped(tmp_path: Path, h16_data) -> None:
    inputs, expected = h16_data
    state = torch.load(H16 / "weights.pth", weights_only=True)
    path = tmp_path / "parallel.pth"
    torch.save({f"module.{k}": v for k, v in state.items()}, path)
    bundle = import_seed(path, tmp_path / "b", include_vivit=False)
    probs, _ = bundle.predict(*(inputs[m][0].numpy() for m in ("visual", "text", "audio")))
    np.testing.assert_allclose(list(probs.values()), torch.sigmoid(expected[0]).numpy(), atol=1e-5, rtol=0)


def test_imported_manifest_records_source_architecture_and_paper_encoders(h16_bundle: ModelBundle) -> None:
    from hhir.models.manifest import FORMAT_VERSION

    m = h16_bundle.manifest
    assert m.kind == "imported" and m.format_version == FORMAT_VERSION == 2
    assert "weights.pth" in m.provenance.source
    assert [(e.modality, e.spec.kind, e.dim) for e in m.encoders] == [
        ("video", "vivit", 1024), ("text", "hf-text", 768), ("audio", "hf-ast", 768)]
    assert m.encoder("video").spec.n_frames == 256
    assert m.thresholds == (0.6,) * 7


class _RunsCode:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_checkpoint_that_runs_code_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = tmp_path / "weights_2.pth"
    torch.save({"output_layer.weight": _RunsCode(marker)}, evil)
    plain_pickle = tmp_path / "plain.pth"
    plain_pickle.write_bytes(pickle.dumps({"x": _RunsCode(marker)}))
    for path in (evil, plain_pickle):
        with pytest.raises(ModelError) as err:
            import_seed(path, tmp_path / "out", include_vivit=False)
        assert str(path) in str(err.value)
    assert not marker.exists()
    assert not (tmp_path / "out").exists()


def test_state_dict_that_does_not_fit_is_refused_naming_the_keys(tmp_path: Path) -> None:
    state = torch.load(H16 / "weights.pth", weights_only=True)
    state.pop("cross_attn_ta.norm.weight")
    state["extra_head.weight"] = torch.zeros(3)
    state["fusion_fc2.0.bias"] = torch.zeros(7)
    path = tmp_path / "broken.pth"
    torch.save(state, path)
    with pytest.raises(ModelError, match=r"missing keys: cross_attn_ta\.norm\.weight; unexpected keys: extra_head\.weight; "
                                         r"wrong shapes: fusion_fc2\.0\.bias \(7,\) != \(512,\)") as err:
        import_seed(path, tmp_path / "out", include_vivit=False)
    assert str(path) in str(err.value)
    assert not (tmp_path / "out").exists()


def test_a_state_dict_of_another_model_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.pth"
    torch.save(torch.nn.Linear(3, 2).state_dict(), path)
    with pytest.raises(ModelError, match=r"other\.pth: not a seed MultimodalLSTM checkpoint \(missing keys: visual_lstm"):
        import_seed(path, tmp_path / "out", include_vivit=False)


def test_label_count_comes_from_the_checkpoint(tmp_path: Path) -> None:
    torch.manual_seed(1)
    path = tmp_path / "three.pth"
    torch.save(MultimodalLSTM(hidden_dim=8, num_labels=3).state_dict(), path)
    with pytest.raises(ModelError, match="the checkpoint has 3 outputs; give 3 label names"):
        import_seed(path, tmp_path / "out", include_vivit=False)
    bundle = import_seed(path, tmp_path / "ok", labels=["a", "b", "c"], include_vivit=False)
    assert bundle.labels == ("a", "b", "c") and bundle.manifest.classifier.hidden_dim == 8


def test_not_a_checkpoint(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"\x00not a checkpoint")
    with pytest.raises(ModelError, match="junk.pth"):
        import_seed(junk, tmp_path / "out", include_vivit=False)
    with pytest.raises(ModelError, match="does not exist"):
        import_seed(tmp_path / "missing.pth", tmp_path / "out", include_vivit=False)


@pytest.mark.slow
def test_cli_imports_a_full_size_seed_checkpoint_and_predicts(tmp_path: Path, capsys) -> None:
    """hidden 512, 7 labels (~48M parameters), saved as the seed saves: torch.save(model.state_dict())."""
    from hhir.cli import main
    from hhir.store import Store

    torch.manual_seed(5)
    seed_shaped = MultimodalLSTM(hidden_dim=512, num_labels=7).eval()
    assert _listing(seed_shaped) == _keys("keys_classifier_full.txt")
    path = tmp_path / "weights_2.pth"
    torch.save(seed_shaped.state_dict(), path)
    db = tmp_path / "project" / "p.sqlite"
    assert main(["models", "import-seed", str(path), "--no-vivit", "--db", str(db)]) == 0
    with Store(db) as store:
        active = store.active_model()
    assert active is not None and active.kind == "imported"
    bundle = ModelBundle.load(active.path)
    assert bundle.manifest.classifier.hidden_dim == 512 and bundle.labels == tuple(DEFAULT_LABELS)
    rng = np.random.default_rng(0)
    feats = [rng.normal(size=(4, d)).astype(np.float32) for d in (1024, 768, 768)]
    scene, clips = bundle.predict(*feats)
    with torch.inference_mode():
        want = torch.sigmoid(seed_shaped(*(torch.from_numpy(f)[None] for f in feats)))[0]
    np.testing.assert_allclose(list(scene.values()), want.numpy(), atol=1e-5, rtol=0)
    assert len(clips) == 4
