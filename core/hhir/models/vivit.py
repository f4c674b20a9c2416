"""The seed's video encoder, module for module: ``Video_ViT`` with factorised self-attention.

The seed never trained it: features are a fixed random projection of the pixels, so what matters
is that training and inference use the *same* network. We build it from a fixed seed (42, as the
seed's demo does) and keep its weights in every model bundle (``vivit.safetensors``), hashed.

The seed's structure, with its state-dict keys (so its weights load with ``strict=True``):

- ``to_patch_embedding``: tubelets ``b c (f 2) (h 16) (w 16) → b f (h w) (2·16·16·c)`` (frame, row,
  column, channel innermost), then LayerNorm(patch_dim) → Linear(patch_dim, dim) → LayerNorm(dim);
- ``pos_embedding`` ``(1, frames/2, patches, dim)``, sized by the constructor's ``frames`` and sliced
  to the input's length, added before ``spatial_cls_token`` is put in front of every time step;
- ``factorized_transformer``: per layer, spatial attention over the tokens of one time step, then
  temporal attention over one token position across time steps (the CLS position too), then a
  FeedForward, each pre-LayerNorm with a residual; a final LayerNorm. Attention is ``heads × 64``
  wide (``to_qkv`` without bias, softmax(q·kᵀ/8), ``to_out``), whatever ``dim`` is;
- the output is the CLS token of the first time step, ``x[:, 0, 0]``.

Dropouts (0.3; 0.4 in the FeedForward) only act in training mode, which this encoder never uses.
The demo builds it with ``frames=512`` and feeds 64 frames; the paper's training fed 256.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

SEED_FRAMES = 512  # the demo's constructor argument: pos_embedding covers 256 tubelet steps
DIM_HEAD = 64
SEED_DROPOUT = 0.3
SEED_FF_DROPOUT = 0.4


class Attention(nn.Module):
    """Pre-norm multi-head self-attention, ``heads × 64`` wide, from plain Linear layers (int8 reaches them)."""

    def __init__(self, dim: int, heads: int, dim_head: int = DIM_HEAD, dropout: float = SEED_DROPOUT) -> None:
        super().__init__()
        inner = heads * dim_head
        self.heads = heads
        self.norm = nn.LayerNorm(dim)
        self.to_qkv = nn.Linear(dim, 3 * inner, bias=False)
        self.to_out = nn.Sequential(nn.Linear(inner, dim), nn.Dropout(dropout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, _ = x.shape
        q, k, v = self.to_qkv(self.norm(x)).view(b, n, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(q, k, v)  # softmax(q·kᵀ / sqrt(64)) · v, as the seed's
        return self.to_out(out.transpose(1, 2).reshape(b, n, -1))


class FeedForward(nn.Module):
    """LayerNorm → Linear → GELU → Dropout → Linear → Dropout (keys ``net.0``, ``net.1``, ``net.4``)."""

    def __init__(self, dim: int, mlp_dim: int, dropout: float = SEED_FF_DROPOUT) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, mlp_dim), nn.GELU(), nn.Dropout(dropout),
                                 nn.Linear(mlp_dim, dim), nn.Dropout(dropout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class FactorisedTransformer(nn.Module):
    """Layers of (spatial attention, temporal attention, FeedForward) over tokens ``(B, t, n, d)``."""

    def __init__(self, dim: int, depth: int, heads: int, mlp_dim: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(dim)  # registered first, as in the seed (its key comes before the layers')
        self.layers = nn.ModuleList(
            nn.ModuleList([Attention(dim, heads), Attention(dim, heads), FeedForward(dim, mlp_dim)])
            for _ in range(depth))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, n, d = x.shape
        for space, time, ff in self.layers:
            s = x.reshape(b * t, n, d)
            s = space(s) + s
            m = s.view(b, t, n, d).transpose(1, 2).reshape(b * n, t, d)
            m = time(m) + m
            m = ff(m) + m
            x = m.view(b, n, t, d).transpose(1, 2)
        return self.norm(x)


class TubeletEmbedding(nn.Module):
    """Tubelets of ``tubelet`` frames × ``patch``² pixels, flattened (frame, row, column, channel) and embedded."""

    def __init__(self, patch: int, tubelet: int, dim: int, channels: int = 3) -> None:
        super().__init__()
        self.patch, self.tubelet = patch, tubelet
        patch_dim = channels * tubelet * patch * patch
        # index 0 is the seed's einops Rearrange (no weights); kept as Identity so the keys stay .1/.2/.3
        self.to_patch_embedding = nn.Sequential(nn.Identity(), nn.LayerNorm(patch_dim), nn.Linear(patch_dim, dim),
                                                nn.LayerNorm(dim))

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        """``(B, F, H, W, C)`` float → ``(B, F/tubelet, patches, dim)``."""
        b, f, h, w, c = frames.shape
        p, pf = self.patch, self.tubelet
        x = frames.reshape(b, f // pf, pf, h // p, p, w // p, p, c).permute(0, 1, 3, 5, 2, 4, 6, 7)
        return self.to_patch_embedding(x.reshape(b, f // pf, (h // p) * (w // p), pf * p * p * c))


class ViViT(nn.Module):
    """The seed's ``Video_ViT`` (factorised self-attention), returning the ``dim``-d CLS feature.

    Args:
        n_frames: Frames per clip this encoder is fed (even, at most ``frames``).
        frame_size: Frame side in pixels (multiple of ``patch``).
        frames: The seed's constructor ``frames``: sizes ``pos_embedding`` (512 as in the demo).
        tubelet: Frames per tubelet (the seed's ``frame_patch_size``).
        patch: Patch side in pixels (``image_patch_size``).
        dim: Token width and output size.
        depth: Number of factorised layers.
        heads: Attention heads (each 64 wide).
        mlp_dim: Hidden size of each FeedForward.
    """

    def __init__(self, n_frames: int = 64, frame_size: int = 128, frames: int = SEED_FRAMES, tubelet: int = 2,
                 patch: int = 16, dim: int = 1024, depth: int = 6, heads: int = 8, mlp_dim: int = 2048) -> None:
        super().__init__()
        if n_frames > frames or n_frames % tubelet or frame_size % patch:
            raise ValueError(f"ViViT: {n_frames} frames of {frame_size}px do not fit frames={frames}, "
                             f"tubelet={tubelet}, patch={patch}")
        self.n_frames, self.frame_size, self.dim = n_frames, frame_size, dim
        self.pos_embedding = nn.Parameter(torch.randn(1, frames // tubelet, (frame_size // patch) ** 2, dim))
        self.spatial_cls_token = nn.Parameter(torch.randn(1, 1, dim))
        self.to_patch_embedding = TubeletEmbedding(patch, tubelet, dim)
        self.dropout = nn.Dropout(SEED_DROPOUT)
        self.factorized_transformer = FactorisedTransformer(dim, depth, heads, mlp_dim)

    def extract_features(self, video: torch.Tensor) -> torch.Tensor:
        """The seed's entry point: ``(B, C, F, H, W)`` float (BGR / 255) → ``(B, dim)``."""
        return self._features(video.permute(0, 2, 3, 4, 1))

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        """Our decoded frames: ``(B, T, S, S, 3)`` uint8 BGR (or float 0..255) → ``(B, dim)``; = BGR / 255 as the seed fed."""
        return self._features(frames.to(torch.float32).div(255.0))

    def _features(self, frames: torch.Tensor) -> torch.Tensor:
        x = self.to_patch_embedding(frames)
        b, t, n, _ = x.shape
        x = x + self.pos_embedding[:, :t, :n]
        x = torch.cat([self.spatial_cls_token.expand(b, t, 1, -1), x], dim=2)
        x = self.factorized_transformer(self.dropout(x))
        return x[:, 0, 0]


def build_vivit(n_frames: int = 64, frame_size: int = 128, seed: int = 42, **sizes: int) -> ViViT:
    """A ViViT initialised from ``seed`` without disturbing the caller's random state."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return ViViT(n_frames=n_frames, frame_size=frame_size, **sizes).eval()


def quantize_int8(model: ViViT, inplace: bool = False) -> nn.Module:
    """Dynamic int8 quantisation of every Linear layer (weights int8, activations quantised on the fly).

    ``inplace=True`` swaps the Linear layers of ``model`` itself instead of quantising a deep copy:
    the same int8 weights, without a second fp32 copy of the network (about 275 MB) at the peak, and
    the fp32 weights are freed as soon as the caller drops them.

    The weights are packed for oneDNN where this torch build has it: on x86 CPUs its dynamic int8
    Linear ran the ViViT in about 0.75× the CPU time of the default fbgemm packing (same outputs up
    to int8 rounding). Packed weights keep their own kernels, so the process-wide engine is put back
    afterwards. The tubelet embedding's Linear is quantised too; the features stay close to fp32
    (cosine per clip is measured in ``bench/`` and checked in the tests).
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
            return quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8, inplace=inplace)
        finally:
            qbackend.engine = previous
