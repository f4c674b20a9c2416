"""The paper's video encoder, exactly: the seed's Video_ViT weights give the seed's features."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from hhir.models.encoders import load_encoder
from hhir.models.spec import EncoderSpec
from hhir.models.vivit import ViViT, build_vivit, quantize_int8

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed"
SMALL = SEED / "vivit_small"
# Video_ViT(image_size=32, frames=8, image_patch_size=16, frame_patch_size=2, dim=64, depth 2, heads=2, mlp_dim=128)
SMALL_SIZES = dict(n_frames=8, frame_size=32, frames=8, tubelet=2, patch=16, dim=64, depth=2, heads=2, mlp_dim=128)


def _small() -> ViViT:
    model = ViViT(**SMALL_SIZES).eval()
    model.load_state_dict(load_file(SMALL / "weights.safetensors"), strict=True)
    return model


def test_full_size_vivit_has_exactly_the_seeds_keys_and_shapes() -> None:
    with torch.device("meta"):
        model = ViViT()  # as the demo builds it: frames=512, image 128, dim 1024, depth 6, 8 heads of 64
    listing = [f"{k} {tuple(v.shape)}" for k, v in model.state_dict().items()]
    assert listing == [line for line in (SEED / "keys_vivit_full.txt").read_text().splitlines() if line.strip()]
    assert model.state_dict()["factorized_transformer.layers.0.0.to_qkv.weight"].shape == (3 * 8 * 64, 1024)


def test_seed_weights_give_the_seeds_features_in_fp32() -> None:
    video = load_file(SMALL / "inputs.safetensors")["video"]  # (B, C, F, H, W), BGR / 255
    expected = load_file(SMALL / "expected.safetensors")["features"]
    with torch.inference_mode():
        got = _small().extract_features(video)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=0)


def test_our_frame_layout_is_the_seeds_layout() -> None:
    """Decoded uint8 (B, T, S, S, 3) BGR frames give the features of the seed's (B, C, F, H, W) / 255."""
    frames = np.random.default_rng(3).integers(0, 256, (2, 8, 32, 32, 3), dtype=np.uint8)
    seed_layout = torch.from_numpy(frames).permute(0, 4, 1, 2, 3).float() / 255.0
    model = _small()
    with torch.inference_mode():
        torch.testing.assert_close(model(torch.from_numpy(frames)), model.extract_features(seed_layout), atol=1e-5, rtol=0)


def test_the_encoder_loads_seed_weights_from_a_file(tmp_path: Path) -> None:
    """Through the project's encoder: a full-width ViViT file is used as it is (64 frames of a 512-frame embedding)."""
    spec = EncoderSpec("vivit", n_frames=4, frame_size=32, seed=9)
    seeded = build_vivit(4, 32, seed=9)
    save_file({k: v.contiguous() for k, v in seeded.state_dict().items()}, str(tmp_path / "v.safetensors"))
    enc = load_encoder(EncoderSpec("vivit", n_frames=4, frame_size=32, model=str(tmp_path / "v.safetensors")))
    frames = np.random.default_rng(4).integers(0, 256, (2, 4, 32, 32, 3), dtype=np.uint8)
    with torch.inference_mode():
        want = seeded(torch.from_numpy(frames)).numpy()
    np.testing.assert_allclose(enc.encode(frames), want, atol=1e-5, rtol=0)
    assert enc.id == load_encoder(spec).id and enc.dim == 1024


def test_int8_stays_close_to_fp32_per_clip() -> None:
    fp32 = build_vivit(8, 64)
    int8 = quantize_int8(fp32)
    frames = torch.from_numpy(np.random.default_rng(5).integers(0, 256, (3, 8, 64, 64, 3), dtype=np.uint8))
    with torch.inference_mode():
        a, b = fp32(frames), int8(frames)
    cosine = torch.nn.functional.cosine_similarity(a, b, dim=1)
    assert cosine.shape == (3,) and bool((cosine > 0.99).all()), cosine
    assert not torch.equal(a, b)  # it is a different computation, not the fp32 one


def test_int8_in_place_gives_the_same_network_as_a_copy() -> None:
    """The encoder quantises in place (no second fp32 copy at its memory peak): same outputs, exactly."""
    frames = torch.from_numpy(np.random.default_rng(6).integers(0, 256, (2, 8, 64, 64, 3), dtype=np.uint8))
    copied = quantize_int8(build_vivit(8, 64))
    source = build_vivit(8, 64)
    in_place = quantize_int8(source, inplace=True)
    assert in_place is source and not any(type(m) is torch.nn.Linear for m in source.modules())
    with torch.inference_mode():
        assert torch.equal(copied(frames), in_place(frames))
