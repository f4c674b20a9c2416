"""The seed's video encoder: a ViViT with factorised self-attention, randomly initialised.

The seed never trained it: features are a fixed random projection of the pixels, so what matters
is that training and inference use the *same* network. It is built from a fixed seed (42, as the
seed's demo does) and its weights travel in every model bundle (``vivit.safetensors``), hashed.

Shape: frames ``(B, T, S, S, 3)`` uint8 BGR (as OpenCV decodes; the seed fed BGR /255) → tubelets
of 2 frames × 16×16 pixels embedded to 1024-d, plus one CLS token per tubelet time step. Each of the
6 blocks runs spatial self-attention (tokens of one time step), then temporal self-attention (one
spatial position across time), then the MLP (2048), all pre-LayerNorm with residuals. The output is
the final CLS tokens averaged over time (1024-d).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class SelfAttention(nn.Module):
    """Multi-head self-attention from plain Linear layers (so dynamic int8 quantisation reaches them)."""

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(q, k, v)
        return self.proj(out.transpose(1, 2).reshape(b, n, d))


class FactorisedBlock(nn.Module):
    """Spatial attention, then temporal attention, then MLP; tokens ``(B, t, n, d)``."""

    def __init__(self, dim: int, heads: int, mlp_dim: int) -> None:
        super().__init__()
        self.norm_space, self.attn_space = nn.LayerNorm(dim), SelfAttention(dim, heads)
        self.norm_time, self.attn_time = nn.LayerNorm(dim), SelfAttention(dim, heads)
        self.norm_mlp = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), nn.GELU(), nn.Linear(mlp_dim, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, n, d = x.shape
        s = x.reshape(b * t, n, d)
        s = s + self.attn_space(self.norm_space(s))
        m = s.view(b, t, n, d).transpose(1, 2).reshape(b * n, t, d)
        m = m + self.attn_time(self.norm_time(m))
        m = m + self.mlp(self.norm_mlp(m))
        return m.view(b, n, t, d).transpose(1, 2)


class ViViT(nn.Module):
    """Factorised self-attention ViViT returning a ``dim``-d clip embedding.

    Args:
        n_frames: Frames per clip (even).
        frame_size: Frame side in pixels (multiple of ``patch``).
        tubelet: Frames per tubelet.
        patch: Patch side in pixels.
        dim: Token width and output size.
        depth: Number of factorised blocks.
        heads: Attention heads.
        mlp_dim: Hidden size of each block's MLP.
    """

    def __init__(self, n_frames: int = 64, frame_size: int = 128, tubelet: int = 2, patch: int = 16,
                 dim: int = 1024, depth: int = 6, heads: int = 8, mlp_dim: int = 2048) -> None:
        super().__init__()
        self.n_frames, self.frame_size, self.dim = n_frames, frame_size, dim
        self.embed = nn.Conv3d(3, dim, kernel_size=(tubelet, patch, patch), stride=(tubelet, patch, patch))
        n_space, n_time = (frame_size // patch) ** 2, n_frames // tubelet
        self.cls = nn.Parameter(torch.randn(1, 1, 1, dim) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, n_time, n_space + 1, dim) * 0.02)
        self.blocks = nn.ModuleList(FactorisedBlock(dim, heads, mlp_dim) for _ in range(depth))
        self.norm = nn.LayerNorm(dim)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        """``(B, T, S, S, 3)`` uint8 (or float 0..255) → ``(B, dim)``."""
        x = frames.to(torch.float32).div(255.0).permute(0, 4, 1, 2, 3)
        x = self.embed(x).flatten(3).permute(0, 2, 3, 1)  # (B, t, n, d)
        cls = self.cls.expand(x.shape[0], x.shape[1], 1, -1)
        x = torch.cat([cls, x], dim=2) + self.pos
        for block in self.blocks:
            x = block(x)
        return self.norm(x[:, :, 0]).mean(dim=1)


def build_vivit(n_frames: int = 64, frame_size: int = 128, seed: int = 42, **sizes: int) -> ViViT:
    """A ViViT initialised from ``seed`` without disturbing the caller's random state."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return ViViT(n_frames=n_frames, frame_size=frame_size, **sizes).eval()


def quantize_int8(model: ViViT) -> nn.Module:
    """Dynamic int8 quantisation of every Linear layer (weights int8, activations quantised on the fly).

    The weights are packed for oneDNN where this torch build has it: on x86 CPUs its dynamic int8
    Linear ran the ViViT in about 0.75× the CPU time of the default fbgemm packing (same outputs up
    to int8 rounding: cosine 0.99992 between the two). Packed weights keep their own kernels, so the
    process-wide engine is put back afterwards.
    """
    import warnings

    import torch.backends.quantized as qbackend
    from torch.ao.quantization import quantize_dynamic

    previous = qbackend.engine
    with warnings.catch_warnings():
        # torch announces the deprecation of its quantised tensor types; they still work in the pinned version
        warnings.filterwarnings("ignore", message=".*quantize_per_tensor.*", category=UserWarning)
        warnings.filterwarnings("ignore", message=".*quantiz.*deprecated.*")
        try:
            if "onednn" in qbackend.supported_engines:
                qbackend.engine = "onednn"
            return quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)
        finally:
            qbackend.engine = previous
