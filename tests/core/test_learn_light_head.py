"""The light head learns from a few clips' features and round-trips through safetensors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hhir.learn.light_head import LightHead, fit_light_head, pooled


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
