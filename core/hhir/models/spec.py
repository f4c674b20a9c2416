"""What names an encoder: a typed, JSON-serialisable spec (kind, model, options)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from hhir.errors import ModelError

ENCODER_KINDS = ("vivit", "hf-text", "hf-ast", "logmel")
MODALITY_OF_KIND = {"vivit": "video", "hf-text": "text", "hf-ast": "audio", "logmel": "audio"}
POOLINGS = ("cls", "mean")


@dataclass(frozen=True)
class EncoderSpec:
    """How to build one encoder.

    Attributes:
        kind: ``vivit`` | ``hf-text`` | ``hf-ast`` | ``logmel``.
        model: A local folder or a Hugging Face id (``hf-*``); for ``vivit`` an optional
            ``.safetensors`` file with its weights (empty = initialise from ``seed``).
        pooling: ``cls`` (the seed's classifier input) or ``mean`` (sentence similarity); ``hf-text`` only.
        n_frames: Frames sampled per clip (``vivit``).
        frame_size: Square frame side in pixels (``vivit``).
        seed: Initialisation seed of the randomly initialised ViViT.
        quantize: Dynamic int8 quantisation of Linear layers (``vivit``), faster on CPU, slightly different.
        max_length: Token limit of ``hf-text``.
    """

    kind: str
    model: str = ""
    pooling: str = "cls"
    n_frames: int = 64
    frame_size: int = 128
    seed: int = 42
    quantize: bool = False
    max_length: int = 512

    def __post_init__(self) -> None:
        if self.kind not in ENCODER_KINDS:
            raise ModelError(f"unknown encoder kind {self.kind!r} (expected one of {', '.join(ENCODER_KINDS)})")
        if self.pooling not in POOLINGS:
            raise ModelError(f"unknown pooling {self.pooling!r} for encoder {self.kind} (expected cls or mean)")
        if self.n_frames < 2 or self.n_frames % 2:
            raise ModelError(f"encoder {self.kind}: n_frames must be an even number >= 2, got {self.n_frames}")
        if self.frame_size < 16 or self.frame_size % 16:
            raise ModelError(f"encoder {self.kind}: frame_size must be a multiple of 16, got {self.frame_size}")

    @property
    def modality(self) -> str:
        return MODALITY_OF_KIND[self.kind]

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object, where: str) -> EncoderSpec:
        """Parse a spec; ``where`` names the file and field for error messages."""
        if not isinstance(data, dict):
            raise ModelError(f"{where}: expected an object with at least 'kind'")
        known = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ModelError(f"{where}: unknown field(s) {', '.join(unknown)}")
        if "kind" not in data:
            raise ModelError(f"{where}: missing field 'kind'")
        for name, value in data.items():
            _check_type(value, known[name], f"{where}.{name}")
        try:
            return cls(**data)
        except ModelError as exc:
            raise ModelError(f"{where}: {exc}") from None


def _check_type(value: object, annotation: str, where: str) -> None:
    expected = {"str": str, "int": int, "bool": bool}[annotation]
    ok = isinstance(value, expected) and (expected is bool or not isinstance(value, bool))
    if not ok:
        raise ModelError(f"{where}: expected {annotation}, got {type(value).__name__}")
