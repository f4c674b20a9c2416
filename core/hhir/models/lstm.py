"""The seed paper's fusion classifier, with optional masking for variable-length scenes.

A scene is the ordered sequence of its clips' features. Each modality passes through its own
2-layer bidirectional LSTM; the three streams meet in pairwise cross-attention (video↔text,
video↔audio, text↔audio; residual + LayerNorm), are averaged over time, concatenated and mapped
to one logit per label by an MLP.

With ``mask=None`` the forward pass is exactly the seed's: sequences are zero-padded and the mean
runs over every step, padding included. With a mask, padded steps are packed out of the LSTMs,
dropped from the attention keys and excluded from the mean, so a short scene padded in a batch
gets the same scores as when run alone.
"""

from __future__ import annotations

import torch
from torch import nn


class MultimodalLSTM(nn.Module):
    """BiLSTM per modality, pairwise cross-attention, mean over time, MLP head.

    Args:
        video_dim: Size of a clip's video feature.
        text_dim: Size of a clip's text feature.
        audio_dim: Size of a clip's audio feature.
        hidden_dim: LSTM hidden size per direction (outputs are ``2 * hidden_dim``).
        num_labels: Number of output logits.
        num_heads: Attention heads of each cross-attention.
        num_layers: Stacked LSTM layers per modality.
        dropout: Dropout between LSTM layers and in the MLP (inactive in eval mode).
    """

    def __init__(
        self,
        video_dim: int = 1024,
        text_dim: int = 768,
        audio_dim: int = 768,
        hidden_dim: int = 512,
        num_labels: int = 7,
        num_heads: int = 8,
        num_layers: int = 2,
        dropout: float = 0.3,
    ) -> None:
        super().__init__()
        width = 2 * hidden_dim
        self.rnn = nn.ModuleDict({m: _bilstm(d, hidden_dim, num_layers, dropout) for m, d in
                                  (("video", video_dim), ("text", text_dim), ("audio", audio_dim))})
        self.attn = nn.ModuleDict({p: nn.MultiheadAttention(width, num_heads, batch_first=True) for p in _PAIRS})
        self.norm = nn.ModuleDict({p: nn.LayerNorm(width) for p in _PAIRS})
        self.head = _mlp(3 * width, num_labels, dropout)

    def forward(
        self, video: torch.Tensor, text: torch.Tensor, audio: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Scene logits.

        Args:
            video: ``(B, T, Dv)`` clip features.
            text: ``(B, T, Dt)``.
            audio: ``(B, T, Da)``.
            mask: ``(B, T)`` bool, True for real clips (a prefix of each row); None = seed behaviour.

        Returns:
            ``(B, num_labels)`` logits.
        """
        lengths = None if mask is None else _lengths(mask)
        seq = {m: self._run_lstm(m, x, lengths) for m, x in (("video", video), ("text", text), ("audio", audio))}
        pad = None if mask is None else ~mask
        fused = [self._cross(p, seq[_MOD[p[0]]], seq[_MOD[p[1]]], pad) for p in _PAIRS]
        pooled = [_mean(x, mask) for x in fused]
        return self.head(torch.cat(pooled, dim=-1))

    def _run_lstm(self, modality: str, x: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
        lstm = self.rnn[modality]
        if lengths is None:
            return lstm(x)[0]
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = lstm(packed)
        return nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])[0]

    def _cross(self, pair: str, query: torch.Tensor, keys: torch.Tensor, pad: torch.Tensor | None) -> torch.Tensor:
        attended, _ = self.attn[pair](query, keys, keys, key_padding_mask=pad, need_weights=False)
        return self.norm[pair](query + attended)


_PAIRS = ("vt", "va", "ta")
_MOD = {"v": "video", "t": "text", "a": "audio"}


def _bilstm(input_dim: int, hidden_dim: int, num_layers: int, dropout: float) -> nn.LSTM:
    return nn.LSTM(input_dim, hidden_dim, num_layers=num_layers, batch_first=True, bidirectional=True,
                   dropout=dropout if num_layers > 1 else 0.0)


def _mlp(input_dim: int, num_labels: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(input_dim, 1024), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(1024, 512), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(512, 256), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(256, num_labels),
    )


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
