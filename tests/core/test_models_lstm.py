"""MultimodalLSTM: masking makes padded scenes score like unpadded ones; mask=None keeps the seed's maths."""

from __future__ import annotations

import pytest
import torch

from hhir.models.lstm import MultimodalLSTM


@pytest.fixture(scope="module")
def model() -> MultimodalLSTM:
    torch.manual_seed(0)
    return MultimodalLSTM(video_dim=12, text_dim=10, audio_dim=8, hidden_dim=16, num_labels=5, num_heads=4).eval()


def _scene(t: int, seed: int) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    return [torch.randn(1, t, d, generator=gen) for d in (12, 10, 8)]


def _padded(parts: list[torch.Tensor], total: int) -> list[torch.Tensor]:
    return [torch.cat([p, torch.zeros(1, total - p.shape[1], p.shape[2])], dim=1) for p in parts]


def test_output_shape_and_dims_from_arguments(model: MultimodalLSTM) -> None:
    out = model(*[torch.randn(2, 3, d) for d in (12, 10, 8)])
    assert out.shape == (2, 5)
    assert model.visual_lstm.input_size == 12 and model.audio_lstm.input_size == 8 and model.num_labels == 5


def test_mask_makes_padding_irrelevant(model: MultimodalLSTM) -> None:
    short, long_ = _scene(2, 1), _scene(5, 2)
    batch = [torch.cat([a, b]) for a, b in zip(_padded(short, 5), long_)]
    mask = torch.tensor([[True, True, False, False, False], [True] * 5])
    with torch.inference_mode():
        alone = model(*short)
        masked = model(*batch, mask=mask)
        unmasked = model(*batch)
    torch.testing.assert_close(masked[0], alone[0], atol=1e-5, rtol=0)
    torch.testing.assert_close(masked[1], model(*long_)[0], atol=1e-5, rtol=0)
    # without a mask the zero padding changes the scene (the seed's behaviour)
    assert not torch.allclose(unmasked[0], alone[0], atol=1e-4)


def test_full_mask_equals_no_mask(model: MultimodalLSTM) -> None:
    parts = _scene(4, 3)
    with torch.inference_mode():
        torch.testing.assert_close(model(*parts, mask=torch.ones(1, 4, dtype=torch.bool)), model(*parts), atol=1e-5, rtol=0)


def test_bad_masks_are_rejected(model: MultimodalLSTM) -> None:
    parts = _scene(3, 4)
    with pytest.raises(ValueError, match="prefix"):
        model(*parts, mask=torch.tensor([[True, False, True]]))
    with pytest.raises(ValueError, match="at least one clip"):
        model(*parts, mask=torch.zeros(1, 3, dtype=torch.bool))


def test_masked_training_step_learns(model: MultimodalLSTM) -> None:
    torch.manual_seed(5)
    net = MultimodalLSTM(video_dim=12, text_dim=10, audio_dim=8, hidden_dim=16, num_labels=5, num_heads=4)
    feats = [torch.randn(4, 3, d) for d in (12, 10, 8)]
    target = torch.randint(0, 2, (4, 5)).float()
    mask = torch.tensor([[1, 1, 1], [1, 1, 0], [1, 0, 0], [1, 1, 1]], dtype=torch.bool)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-2)
    losses = []
    for _ in range(30):
        loss = torch.nn.functional.binary_cross_entropy_with_logits(net(*feats, mask=mask), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
