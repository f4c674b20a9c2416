"""The imported seed checkpoint gives exactly the seed class's outputs; unsafe checkpoints are refused."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn as nn

from hhir.errors import ModelError
from hhir.models.bundle import ModelBundle
from hhir.types import DEFAULT_LABELS
from hhir.models.seed import import_seed


# --- the seed's class definition, as its research notebook wrote it (from the paper's description) ---
class SeedMultimodalLSTM(nn.Module):
    def __init__(self, video_dim=1024, text_dim=768, audio_dim=768, hidden_dim=512, num_labels=7, num_heads=8):
        super(SeedMultimodalLSTM, self).__init__()
        self.lstm_video = nn.LSTM(video_dim, hidden_dim, num_layers=2, batch_first=True, bidirectional=True, dropout=0.3)
        self.lstm_text = nn.LSTM(text_dim, hidden_dim, num_layers=2, batch_first=True, bidirectional=True, dropout=0.3)
        self.lstm_audio = nn.LSTM(audio_dim, hidden_dim, num_layers=2, batch_first=True, bidirectional=True, dropout=0.3)
        self.cross_attn_vt = nn.MultiheadAttention(hidden_dim * 2, num_heads, batch_first=True)
        self.cross_attn_va = nn.MultiheadAttention(hidden_dim * 2, num_heads, batch_first=True)
        self.cross_attn_ta = nn.MultiheadAttention(hidden_dim * 2, num_heads, batch_first=True)
        self.norm_vt = nn.LayerNorm(hidden_dim * 2)
        self.norm_va = nn.LayerNorm(hidden_dim * 2)
        self.norm_ta = nn.LayerNorm(hidden_dim * 2)
        self.fc = nn.Sequential(
            nn.Linear(hidden_dim * 6, 1024), nn.ReLU(), nn.Dropout(0.3),
            nn.Linear(1024, 512), nn.ReLU(), nn.Dropout(0.3),
            nn.Linear(512, 256), nn.ReLU(), nn.Dropout(0.3),
            nn.Linear(256, num_labels),
        )

    def forward(self, video, text, audio):
        v, _ = self.lstm_video(video)
        t, _ = self.lstm_text(text)
        a, _ = self.lstm_audio(audio)
        vt, _ = self.cross_attn_vt(v, t, t)
        vt = self.norm_vt(v + vt)
        va, _ = self.cross_attn_va(v, a, a)
        va = self.norm_va(v + va)
        ta, _ = self.cross_attn_ta(t, a, a)
        ta = self.norm_ta(t + ta)
        x = torch.cat([vt.mean(dim=1), va.mean(dim=1), ta.mean(dim=1)], dim=1)
        return self.fc(x)
# --- end of the seed's class ---


@pytest.fixture(scope="module")
def seed_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> tuple[SeedMultimodalLSTM, Path]:
    torch.manual_seed(7)
    model = SeedMultimodalLSTM().eval()
    path = tmp_path_factory.mktemp("seed") / "weights_2.pth"
    torch.save(model.state_dict(), path)
    return model, path


@pytest.fixture(scope="module")
def imported(seed_checkpoint, tmp_path_factory: pytest.TempPathFactory) -> ModelBundle:
    _, path = seed_checkpoint
    folder = tmp_path_factory.mktemp("bundles") / "seed"
    import_seed(path, folder, include_vivit=False)
    return ModelBundle.load(folder)


def test_imported_classifier_matches_seed_outputs(seed_checkpoint, imported: ModelBundle) -> None:
    seed_model, _ = seed_checkpoint
    gen = torch.Generator().manual_seed(3)
    video, text, audio = (torch.randn(3, 5, d, generator=gen) for d in (1024, 768, 768))
    video[2, 3:] = 0  # zero-padded, as the seed batches scenes
    with torch.inference_mode():
        expected = seed_model(video, text, audio)
        got = imported.classifier(video, text, audio)
    assert got.shape == (3, 7)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=0)


def test_imported_predict_matches_seed_sigmoid(seed_checkpoint, imported: ModelBundle) -> None:
    seed_model, _ = seed_checkpoint
    rng = np.random.default_rng(0)
    feats = [rng.normal(size=(4, d)).astype(np.float32) for d in (1024, 768, 768)]
    scene, clips = imported.predict(*feats)
    with torch.inference_mode():
        seed_scene = torch.sigmoid(seed_model(*(torch.from_numpy(f)[None] for f in feats)))[0]
        seed_clip1 = torch.sigmoid(seed_model(*(torch.from_numpy(f[1:2])[None] for f in feats)))[0]
    assert list(scene) == list(imported.labels)
    np.testing.assert_allclose(list(scene.values()), seed_scene.numpy(), atol=1e-5)
    assert len(clips) == 4
    np.testing.assert_allclose(list(clips[1].values()), seed_clip1.numpy(), atol=1e-5)


def test_imported_manifest_records_source_and_paper_encoders(seed_checkpoint, imported: ModelBundle) -> None:
    m = imported.manifest
    assert m.kind == "imported"
    assert m.labels == ("asks", "gives to", "talks to", "walks with", "watches", "yells at", "no_interaction")
    assert "weights_2.pth" in m.provenance.source
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
    torch.save({"fc.0.weight": _RunsCode(marker)}, evil)
    plain_pickle = tmp_path / "plain.pth"
    plain_pickle.write_bytes(pickle.dumps({"x": _RunsCode(marker)}))
    for path in (evil, plain_pickle):
        with pytest.raises(ModelError) as err:
            import_seed(path, tmp_path / "out", include_vivit=False)
        assert str(path) in str(err.value)
    assert not marker.exists()
    assert not (tmp_path / "out").exists()


def test_mismatched_keys_are_named(tmp_path: Path, seed_checkpoint) -> None:
    seed_model, _ = seed_checkpoint
    state = dict(seed_model.state_dict())
    state.pop("norm_ta.weight")
    state["extra_head.weight"] = torch.zeros(3)
    path = tmp_path / "broken.pth"
    torch.save(state, path)
    with pytest.raises(ModelError, match=r"missing keys: norm\.ta\.weight.*unexpected keys: extra_head\.weight") as err:
        import_seed(path, tmp_path / "out", include_vivit=False)
    assert str(path) in str(err.value)


def test_wrong_hidden_size_is_reported(tmp_path: Path) -> None:
    torch.manual_seed(0)
    small = SeedMultimodalLSTM(hidden_dim=64, num_heads=4)
    path = tmp_path / "small.pth"
    torch.save(small.state_dict(), path)
    with pytest.raises(ModelError, match="wrong shapes"):
        import_seed(path, tmp_path / "out", include_vivit=False)
    bundle = import_seed(path, tmp_path / "ok", hidden_dim=64, num_heads=4, include_vivit=False)
    assert bundle.manifest.classifier.hidden_dim == 64


def test_not_a_checkpoint(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"\x00not a checkpoint")
    with pytest.raises(ModelError, match="junk.pth"):
        import_seed(junk, tmp_path / "out", include_vivit=False)
    with pytest.raises(ModelError, match="does not exist"):
        import_seed(tmp_path / "missing.pth", tmp_path / "out", include_vivit=False)


def test_cli_import_seed_writes_beside_the_project_and_activates(seed_checkpoint, tmp_path: Path, capsys) -> None:
    from hhir.cli import main
    from hhir.store import Store

    _, path = seed_checkpoint
    db = tmp_path / "project" / "p.sqlite"
    assert main(["models", "import-seed", str(path), "--db", str(db)]) == 0
    with Store(db) as store:
        active = store.active_model()
        assert active is not None and active.kind == "imported"
        assert Path(active.path).parent == db.parent / "models"
    assert ModelBundle.load(active.path).labels == tuple(DEFAULT_LABELS)
    assert main(["models", "list", "--db", str(db)]) == 0
    assert active.id in capsys.readouterr().out
