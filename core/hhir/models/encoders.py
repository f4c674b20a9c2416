"""Feature encoders behind one protocol, built lazily from an :class:`EncoderSpec`.

Every encoder has a stable ``id`` (kind, settings and a hash of the weights in use, so cached
features never mix two networks), its output ``dim`` read from the loaded model, its
``modality``, and ``encode(batch) -> np.ndarray (n, dim)`` float32:

- video batches: uint8 ``(n, T, S, S, 3)`` BGR frames;
- text batches: ``list[str]``;
- audio batches: ``list[np.ndarray]`` of 16 kHz mono float32.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np

from hhir.errors import ModelError
from hhir.models.spec import EncoderSpec

log = logging.getLogger(__name__)

VIDEO_BATCH = 1  # ViViT: per clip; batches do not lower the CPU per clip (fp32 3.60, 3.54, 3.65 s at 1, 2, 4)
TEXT_BATCH = 32
AUDIO_BATCH = 8
AST_MIN_SAMPLES = 1600  # AST's filterbank needs at least one 25 ms window; pad shorter clips to 0.1 s


class Encoder(Protocol):
    """A loaded feature encoder."""

    id: str
    dim: int
    modality: str

    def encode(self, batch: Any) -> np.ndarray: ...


def use_all_cores() -> None:
    """Let torch use every core once (the default can be lower inside containers)."""
    import torch

    wanted = max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)


def load_encoder(spec: EncoderSpec) -> Encoder:
    """Build the encoder a spec names (weights from local files only; see :mod:`hhir.models.hf`).

    Raises:
        ModelError: missing model, unreadable weights, or weights that do not fit the spec.
    """
    use_all_cores()
    builders = {"vivit": VivitEncoder, "hf-text": HFTextEncoder, "hf-ast": ASTEncoder, "logmel": LogMelEncoder}
    return builders[spec.kind](spec)


class LazyEncoder:
    """An encoder that loads on first use: ``id``, ``dim`` and ``spec`` come without loading when known.

    The id of an encoder loaded before with the same weights is recalled (:mod:`hhir.models.encoder_ids`),
    so finding cached features costs no model load; anything else (``encode``, ``model``,
    ``state_dict``) loads it once.
    """

    def __init__(self, spec: EncoderSpec) -> None:
        from hhir.models.encoder_ids import recall

        self.spec = spec
        self.modality = spec.modality
        self._known = recall(spec)
        self._encoder: Encoder | None = None

    @property
    def loaded(self) -> bool:
        return self._encoder is not None

    @property
    def id(self) -> str:
        return self._known["id"] if self._known and not self.loaded else self.encoder.id

    @property
    def dim(self) -> int:
        return int(self._known["dim"]) if self._known and not self.loaded else int(self.encoder.dim)

    @property
    def weights_sha256(self) -> str:
        return self._known["weights_sha256"] if self._known and not self.loaded else self.encoder.weights_sha256

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            from hhir.models.encoder_ids import remember

            self._encoder = load_encoder(self.spec)
            remember(self.spec, self._encoder)
        return self._encoder

    def encode(self, batch: Any) -> np.ndarray:
        return self.encoder.encode(batch)

    def __getattr__(self, name: str) -> Any:  # model, state_dict, tokenizer...: the loaded encoder's
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.encoder, name)


def lazy_encoder(spec: EncoderSpec) -> LazyEncoder:
    """An encoder for ``spec`` that is loaded only when features have to be computed."""
    return LazyEncoder(spec)


class VivitEncoder:
    """The seed's randomly initialised ViViT (optionally int8), from a weights file or the seed."""

    modality = "video"

    def __init__(self, spec: EncoderSpec) -> None:
        from hhir.models.hf import state_dict_hash
        from hhir.models.vivit import quantize_int8

        self.spec = spec
        model = _fp32_vivit(spec)
        self.weights_sha256 = state_dict_hash(model)
        self.dim = model.dim
        self.id = f"vivit-{spec.n_frames}f{spec.frame_size}-{self.weights_sha256[:12]}" + ("-int8" if spec.quantize else "")
        # in place: the hash above was taken from the fp32 weights, which nothing needs afterwards
        self.model = quantize_int8(model, inplace=True) if spec.quantize else model
        from hhir.memory import release_free_memory

        release_free_memory()  # the fp32 Linear weights quantisation replaced (about 275 MB) are free

    def state_dict(self) -> dict[str, Any]:
        """fp32 weights (also of a quantised encoder, which keeps the float model for saving)."""
        return self.model.state_dict() if not self.spec.quantize else _fp32_vivit(self.spec).state_dict()

    def encode(self, batch: np.ndarray) -> np.ndarray:
        import torch

        s = self.spec
        expected = (s.n_frames, s.frame_size, s.frame_size, 3)
        if batch.ndim != 5 or tuple(batch.shape[1:]) != expected or batch.dtype != np.uint8:
            raise ModelError(f"{self.id}: expected uint8 frames (n, {', '.join(map(str, expected))}), "
                             f"got {batch.dtype} {tuple(batch.shape)}")
        out = [np.zeros((0, self.dim), np.float32)]
        with torch.inference_mode():
            for i in range(0, len(batch), VIDEO_BATCH):
                out.append(self.model(torch.from_numpy(np.ascontiguousarray(batch[i:i + VIDEO_BATCH]))).numpy())
        return np.concatenate(out).astype(np.float32, copy=False)


class HFTextEncoder:
    """A transformers text model (BERT, MiniLM…), CLS or attention-masked mean pooling."""

    modality = "text"

    def __init__(self, spec: EncoderSpec) -> None:
        from hhir.models.hf import load_pretrained, shared_model, shared_tokenizer, state_dict_hash

        self.spec = spec
        # shared: the starter's sentence similarity runs the same MiniLM (hhir.scoring.starter.text)
        self.tokenizer = load_pretrained(shared_tokenizer, spec.model, "text")
        self.model = load_pretrained(shared_model, spec.model, "text")
        self.dim = int(self.model.config.hidden_size)
        self.weights_sha256 = state_dict_hash(self.model)
        self.id = f"hf-text-{short_name(spec.model)}-{spec.pooling}-{self.weights_sha256[:12]}"

    def encode(self, batch: Sequence[str]) -> np.ndarray:
        import torch

        texts = [t if isinstance(t, str) else "" for t in batch]
        out = [np.zeros((0, self.dim), np.float32)]
        limit = min(self.spec.max_length, getattr(self.tokenizer, "model_max_length", 512) or 512)
        with torch.inference_mode():
            for i in range(0, len(texts), TEXT_BATCH):
                tokens = self.tokenizer(texts[i:i + TEXT_BATCH], padding=True, truncation=True,
                                        max_length=limit, return_tensors="pt")
                hidden = self.model(**tokens).last_hidden_state
                out.append(_pool(hidden, tokens["attention_mask"], self.spec.pooling).float().numpy())
        return np.concatenate(out).astype(np.float32, copy=False)


class ASTEncoder:
    """Audio Spectrogram Transformer: last hidden state averaged over tokens (the seed's audio feature)."""

    modality = "audio"

    def __init__(self, spec: EncoderSpec) -> None:
        from transformers import ASTFeatureExtractor, ASTModel

        from hhir.models.hf import load_pretrained, state_dict_hash

        self.spec = spec
        self.extractor = load_pretrained(ASTFeatureExtractor.from_pretrained, spec.model, "audio")
        self.model = load_pretrained(ASTModel.from_pretrained, spec.model, "audio").eval()
        self.dim = int(self.model.config.hidden_size)
        self.weights_sha256 = state_dict_hash(self.model)
        self.id = f"hf-ast-{short_name(spec.model)}-{self.weights_sha256[:12]}"

    def encode(self, batch: Sequence[np.ndarray]) -> np.ndarray:
        import torch

        waves = [_padded(np.asarray(a, np.float32).reshape(-1), AST_MIN_SAMPLES) for a in batch]
        out = [np.zeros((0, self.dim), np.float32)]
        with torch.inference_mode():
            for i in range(0, len(waves), AUDIO_BATCH):
                inputs = self.extractor(waves[i:i + AUDIO_BATCH], sampling_rate=16000, return_tensors="pt")
                hidden = self.model(**inputs).last_hidden_state
                out.append(hidden.mean(dim=1).float().numpy())
        return np.concatenate(out).astype(np.float32, copy=False)


class LogMelEncoder:
    """The weight-free audio descriptor of :mod:`hhir.models.logmel`."""

    modality = "audio"

    def __init__(self, spec: EncoderSpec) -> None:
        from hhir.models.logmel import DIM

        self.spec = spec
        self.dim = DIM
        self.weights_sha256 = ""
        self.id = f"logmel-v1-{DIM}"

    def encode(self, batch: Sequence[np.ndarray]) -> np.ndarray:
        from hhir.models.logmel import encode_logmel

        rows = [encode_logmel(a) for a in batch]
        return np.stack(rows).astype(np.float32) if rows else np.zeros((0, self.dim), np.float32)


def _pool(hidden: Any, attention_mask: Any, pooling: str) -> Any:
    if pooling == "cls":
        return hidden[:, 0]
    weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)


def _padded(wave: np.ndarray, minimum: int) -> np.ndarray:
    return wave if len(wave) >= minimum else np.pad(wave, (0, minimum - len(wave)))


def short_name(model: str) -> str:
    """A readable model name for ids: the folder name (its parent's for a generic ``model`` folder) or hub name."""
    path = Path(model)
    name = path.parent.name if path.name.lower() in ("model", "models", "weights") and path.parent.name else path.name
    name = name or model
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:40]


def _fp32_vivit(spec: EncoderSpec) -> Any:
    """The fp32 ViViT of a spec: from its weights file (shapes checked first, nothing initialised) or its seed."""
    from hhir.models.vivit import build_vivit
    from hhir.models.weights import check_fits, read_safetensors, safetensors_shapes, shapes_of

    if not spec.model:
        return build_vivit(spec.n_frames, spec.frame_size, spec.seed)
    import torch

    path = Path(spec.model)
    with torch.device("meta"):  # shapes only: the file's tensors become the weights
        model = build_vivit(spec.n_frames, spec.frame_size, spec.seed)
    check_fits(shapes_of(model.state_dict()), safetensors_shapes(path, "ViViT"), str(path))
    model.load_state_dict(read_safetensors(path, "ViViT"), strict=True, assign=True)
    return model.eval()
