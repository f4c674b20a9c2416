"""What names an encoder: a typed, JSON-serialisable spec (kind, model, options)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Annotated

from pydantic import Field, TypeAdapter, ValidationError

from hhir.errors import ModelError
from hhir.models.schema import STRICT, first_problem

ENCODER_KINDS = ("vivit", "hf-text", "hf-ast", "logmel")
MODALITY_OF_KIND = {"vivit": "video", "hf-text": "text", "hf-ast": "audio", "logmel": "audio"}
POOLINGS = ("cls", "mean")


class SpecError(ModelError, ValueError):
    """An inconsistent spec; a ValueError too, so that schema validation reports it with its field path."""


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

    __pydantic_config__ = STRICT
    kind: Annotated[str, Field(max_length=40)]
    model: Annotated[str, Field(max_length=4096)] = ""
    pooling: Annotated[str, Field(max_length=40)] = "cls"
    # at most the seed ViViT's 512 frames (its pos_embedding) and 256 px (a 1 GB pos_embedding beyond)
    n_frames: Annotated[int, Field(ge=2, le=512)] = 64
    frame_size: Annotated[int, Field(ge=16, le=256)] = 128
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 42
    quantize: bool = False
    max_length: Annotated[int, Field(ge=1, le=8192)] = 512

    def __post_init__(self) -> None:
        if self.kind not in ENCODER_KINDS:
            raise SpecError(f"unknown encoder kind {self.kind!r} (expected one of {', '.join(ENCODER_KINDS)})")
        if self.pooling not in POOLINGS:
            raise SpecError(f"unknown pooling {self.pooling!r} for encoder {self.kind} (expected cls or mean)")
        if self.n_frames < 2 or self.n_frames % 2:
            raise SpecError(f"encoder {self.kind}: n_frames must be an even number >= 2, got {self.n_frames}")
        if self.frame_size < 16 or self.frame_size % 16:
            raise SpecError(f"encoder {self.kind}: frame_size must be a multiple of 16, got {self.frame_size}")

    @property
    def modality(self) -> str:
        return MODALITY_OF_KIND[self.kind]

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object, where: str) -> EncoderSpec:
        """Parse a spec (strict types, bounded numbers); ``where`` names the file and field for error messages."""
        if isinstance(data, dict) and "kind" not in data:
            raise ModelError(f"{where}: missing field 'kind'")
        try:
            return _ADAPTER.validate_json(json.dumps(data), strict=True)
        except ValidationError as exc:
            raise ModelError(_located(where, exc)) from None
        except ModelError as exc:
            raise ModelError(f"{where}: {exc}") from None


def _located(where: str, exc: ValidationError) -> str:
    problem = first_problem(exc, "")
    return f"{where}{problem}" if problem.startswith(".") else f"{where}: {problem.removeprefix(': ')}"


_ADAPTER = TypeAdapter(EncoderSpec)
