"""The light head learns from a few clips' features and round-trips through safetensors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hhir.models.light_head import LightHead, fit_light_head, pooled


def _features(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Video/text/audio features where label 0 lives in the text, label 1 in the audio; label 2 never occurs."""
    y = rng.integers(0, 2, (n, 3)).astype(float)
    y[:, 2] = 0
    video = rng.normal(0, 1, (n, 16))
    text = rng.normal(0, 1, (n, 8)) + 2.0 * y[:, :1]
    audio = rng.normal(0, 1, (n, 4)) - 2.0 * y[:, 1:2]
    return video, text, audio, y


def test_fits_from_few_clips_and_keeps_an_absent_label_low(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    v, t, a, y = _features(rng, 30)
    head = fit_light_head(pooled(v, t, a), y, np.ones_like(y, bool), ["asks", "yells at", "gives to"])
    tv, tt, ta, ty = _features(rng, 200)
    p = head.predict(tv, tt, ta)
    assert ((p[:, 0] >= 0.5) == ty[:, 0].astype(bool)).mean() > 0.85
    assert ((p[:, 1] >= 0.5) == ty[:, 1].astype(bool)).mean() > 0.85
    assert p[:, 2].max() < 0.1  # never seen positive: a low constant, no coefficients
    assert not head.coef[2].any()
    head.save(tmp_path / "head.safetensors")
    back = LightHead.load(tmp_path / "head.safetensors")
    assert back.labels == ("asks", "yells at", "gives to")
    np.testing.assert_allclose(back.predict(tv, tt, ta), p, atol=1e-5)


def test_unknown_entries_are_left_out_and_sequences_are_mean_pooled() -> None:
    rng = np.random.default_rng(1)
    v, t, a, y = _features(rng, 40)
    known = np.ones_like(y, bool)
    flipped = y.copy()
    flipped[:20, 0] = 1 - flipped[:20, 0]  # wrong, but unknown: must not matter
    known[:20, 0] = False
    masked = fit_light_head(pooled(v, t, a), flipped, known, ["a", "b", "c"])
    clean = fit_light_head(pooled(v[20:], t[20:], a[20:]), y[20:], np.ones_like(y[20:], bool), ["a", "b", "c"])
    assert np.sign(masked.coef[0, 16:24].sum()) == np.sign(clean.coef[0, 16:24].sum()) == 1.0
    seq = pooled(v[:4, None].repeat(3, axis=1), t[:4, None].repeat(3, axis=1), a[:4, None].repeat(3, axis=1))
    np.testing.assert_allclose(seq, pooled(v[:4], t[:4], a[:4]))


def test_a_corrupt_head_file_is_refused(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    save_file({"coef": np.zeros((2, 3), np.float32), "intercept": np.zeros(2, np.float32),
               "mean": np.zeros(3, np.float32), "scale": np.ones(3, np.float32)},
              str(tmp_path / "bad.safetensors"), metadata={"labels": "only-one"})
    with pytest.raises(ValueError, match="2 label rows but 1 label names"):
        LightHead.load(tmp_path / "bad.safetensors")


def _bundle_with_head(tmp_path: Path, predictor: str, head_labels: list[str] | None = None):
    import torch

    from hhir.models.bundle import ModelBundle
    from hhir.models.manifest import LIGHT_HEAD_FILE, ClassifierConfig, ClipSettings, EncoderRecord
    from hhir.models.spec import EncoderSpec

    labels = ["asks", "yells at", "gives to"]
    rng = np.random.default_rng(2)
    v, t, a, y = _features(rng, 40)
    head = fit_light_head(pooled(v, t, a), y, np.ones_like(y, bool), head_labels or labels)
    records = [EncoderRecord("video", EncoderSpec("vivit", n_frames=8), "v", 16, "a"),
               EncoderRecord("text", EncoderSpec("hf-text", model="/m", pooling="mean"), "t", 8, "b"),
               EncoderRecord("audio", EncoderSpec("logmel"), "l", 4)]
    torch.manual_seed(0)
    bundle = ModelBundle.create("trained", labels, records, ClipSettings(n_frames=8), ClassifierConfig(hidden_dim=8, num_heads=2))
    bundle = bundle.with_manifest(predictor=predictor)
    bundle.save(tmp_path / "bundle", extra={LIGHT_HEAD_FILE: head.to_bytes()})
    return head, (v[:5], t[:5], a[:5])


def test_a_bundle_whose_light_head_won_predicts_with_it(tmp_path: Path) -> None:
    from hhir.models.bundle import ModelBundle

    head, (v, t, a) = _bundle_with_head(tmp_path, "light head")
    loaded = ModelBundle.load(tmp_path / "bundle")
    scene, clips = loaded.predict(v, t, a)
    np.testing.assert_allclose([list(c.values()) for c in clips], head.predict(v, t, a), atol=1e-6)
    np.testing.assert_allclose(list(scene.values()), head.predict(v[None], t[None], a[None])[0], atol=1e-6)


def test_the_seed_classifier_still_predicts_unless_the_head_won(tmp_path: Path) -> None:
    from hhir.models.bundle import ModelBundle

    head, (v, t, a) = _bundle_with_head(tmp_path, "seed classifier")
    loaded = ModelBundle.load(tmp_path / "bundle")
    assert loaded.light_head is None
    _, clips = loaded.predict(v, t, a)
    assert not np.allclose([list(c.values()) for c in clips], head.predict(v, t, a), atol=1e-3)


def test_a_light_head_for_other_labels_is_refused(tmp_path: Path) -> None:
    from hhir.errors import ModelError
    from hhir.models.bundle import ModelBundle

    _bundle_with_head(tmp_path, "light head", head_labels=["watches", "asks", "gives to"])
    with pytest.raises(ModelError, match="light head's labels"):
        ModelBundle.load(tmp_path / "bundle")
