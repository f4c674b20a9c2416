"""The seed paper's fusion classifier, module for module, with optional masking for batched scenes.

A scene is the ordered sequence of its clips' features. Exactly as the seed's ``MultimodalLSTM``
(same module names, so a seed checkpoint loads with ``strict=True`` and no renaming):

- ``visual_lstm``, ``text_lstm``, ``audio_lstm``: 2-layer bidirectional LSTMs (no dropout between layers);
- ``cross_attn_vt``, ``cross_attn_va``, ``cross_attn_ta``: one :class:`CrossAttention` block each
  (``multihead_attn`` with 8 heads and dropout 0.4, then ``norm``), applied in sequence and shared:
  ``v = vt(v, t); v = va(v, a); t = ta(t, a); t = vt(t, v); a = va(a, v); a = ta(a, t)``, each line
  using what the lines above produced;
- the mean over time of v, t and a, concatenated (6h);
- ``fusion_fc1..3`` (Linear → ReLU → LayerNorm → Dropout 0.3; 6h → 1024 → 512 → 256), ``output_layer``.

With ``mask=None`` the forward pass is the seed's: the mean runs over every step, padding included.
A mask is what we add for our batching of scenes of different lengths: padded steps are packed out
of the LSTMs, dropped from the attention keys and excluded from the mean, so a short scene padded
in a batch scores as it does alone (and alone, mask or not, as in the seed).
"""

from __future__ import annotations

import torch
from torch import nn

SEED_HEADS = 8
SEED_LAYERS = 2
SEED_ATTN_DROPOUT = 0.4
SEED_FUSION_DROPOUT = 0.3
FUSION_WIDTHS = (1024, 512, 256)
OUTPUT_KEYS = ("output_layer.weight", "output_layer.bias")


class CrossAttention(nn.Module):
    """``norm(dropout(attn(x, ctx, ctx)) + x)``: the seed's cross-attention block."""

    def __init__(self, width: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.multihead_attn = nn.MultiheadAttention(width, heads, dropout=dropout, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.norm = nn.LayerNorm(width)

    def forward(self, x: torch.Tensor, context: torch.Tensor, pad: torch.Tensor | None = None) -> torch.Tensor:
        attended, _ = self.multihead_attn(x, context, context, key_padding_mask=pad, need_weights=False)
        return self.norm(self.dropout(attended) + x)


class MultimodalLSTM(nn.Module):
    """The seed's classifier; at the default heads and layers its state dict has exactly the seed's keys.

    Args:
        video_dim: Size of a clip's video feature (1024 for the seed's ViViT).
        text_dim: Size of a clip's text feature (768 for BERT).
        audio_dim: Size of a clip's audio feature (768 for AST).
        hidden_dim: LSTM hidden size per direction (outputs are ``2 * hidden_dim``; the seed used 512).
        num_labels: Number of output logits.
        num_heads: Attention heads of each cross-attention (the seed's 8; smaller for tests).
        num_layers: Stacked LSTM layers per modality (the seed's 2; other values change the keys).
        dropout: Dropout of the fusion layers (the seed's 0.3; inactive in eval mode).
        attn_dropout: Dropout of the cross-attention blocks (the seed's 0.4).
    """

    def __init__(
        self,
        video_dim: int = 1024,
        text_dim: int = 768,
        audio_dim: int = 768,
        hidden_dim: int = 512,
        num_labels: int = 7,
        num_heads: int = SEED_HEADS,
        num_layers: int = SEED_LAYERS,
        dropout: float = SEED_FUSION_DROPOUT,
        attn_dropout: float = SEED_ATTN_DROPOUT,
    ) -> None:
        super().__init__()
        width = 2 * hidden_dim
        self.visual_lstm = _bilstm(video_dim, hidden_dim, num_layers)
        self.text_lstm = _bilstm(text_dim, hidden_dim, num_layers)
        self.audio_lstm = _bilstm(audio_dim, hidden_dim, num_layers)
        self.cross_attn_vt = CrossAttention(width, num_heads, attn_dropout)
        self.cross_attn_va = CrossAttention(width, num_heads, attn_dropout)
        self.cross_attn_ta = CrossAttention(width, num_heads, attn_dropout)
        sizes = (3 * width, *FUSION_WIDTHS)
        self.fusion_fc1, self.fusion_fc2, self.fusion_fc3 = (
            _fusion(sizes[i], sizes[i + 1], dropout) for i in range(len(FUSION_WIDTHS)))
        self.output_layer = nn.Linear(FUSION_WIDTHS[-1], num_labels)

    @property
    def num_labels(self) -> int:
        return self.output_layer.out_features

    def forward(
        self, video: torch.Tensor, text: torch.Tensor, audio: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Scene logits.

        Args:
            video: ``(B, T, Dv)`` clip features.
            text: ``(B, T, Dt)``.
            audio: ``(B, T, Da)``.
            mask: ``(B, T)`` bool, True for real clips (a prefix of each row); None = the seed's behaviour.

        Returns:
            ``(B, num_labels)`` logits.
        """
        lengths = None if mask is None else _lengths(mask)
        v = _run_lstm(self.visual_lstm, video, lengths)
        t = _run_lstm(self.text_lstm, text, lengths)
        a = _run_lstm(self.audio_lstm, audio, lengths)
        pad = None if mask is None else ~mask.bool()
        v = self.cross_attn_vt(v, t, pad)
        v = self.cross_attn_va(v, a, pad)
        t = self.cross_attn_ta(t, a, pad)
        t = self.cross_attn_vt(t, v, pad)
        a = self.cross_attn_va(a, v, pad)
        a = self.cross_attn_ta(a, t, pad)
        fused = torch.cat([_mean(x, mask) for x in (v, t, a)], dim=-1)
        return self.output_layer(self.fusion_fc3(self.fusion_fc2(self.fusion_fc1(fused))))


def _bilstm(input_dim: int, hidden_dim: int, num_layers: int) -> nn.LSTM:
    return nn.LSTM(input_dim, hidden_dim, num_layers=num_layers, batch_first=True, bidirectional=True)


def _fusion(n_in: int, n_out: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(nn.Linear(n_in, n_out), nn.ReLU(), nn.LayerNorm(n_out), nn.Dropout(dropout))


def _run_lstm(lstm: nn.LSTM, x: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
    if lengths is None:
        return lstm(x)[0]
    packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    out, _ = lstm(packed)
    return nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])[0]


def _lengths(mask: torch.Tensor) -> torch.Tensor:
    lengths = mask.sum(dim=1)
    if bool((lengths == 0).any()):
        raise ValueError("every scene in the batch needs at least one clip (a mask row is all False)")
    prefix = torch.arange(mask.shape[1], device=mask.device)[None, :] < lengths[:, None]
    if not torch.equal(prefix, mask.bool()):
        raise ValueError("mask must mark a prefix of each sequence (real clips first, padding after)")
    return lengths


def _mean(x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    if mask is None:
        return x.mean(dim=1)
    weights = mask.to(x.dtype).unsqueeze(-1)
    return (x * weights).sum(dim=1) / weights.sum(dim=1)
