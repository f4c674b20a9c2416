"""The typed manifest of a model bundle and its JSON form, validated before anything is built.

``manifest.json`` is the only non-weight file of a bundle, and it decides the size of the networks
built from it: every number is checked against sane bounds by a pydantic schema (the dataclasses'
``Annotated`` constraints, strict types, unknown fields refused) before any tensor is allocated.
JSON nesting and number length are limited by pydantic's parser. The first problem is reported as
one line, ``<file>: <field.path>: <what is wrong>``.

``format_version`` says which networks a bundle holds. Version 2 is the seed's own classifier and
ViViT (:mod:`hhir.models.lstm`, :mod:`hhir.models.vivit`, the seed's state-dict keys). Version 1
bundles held networks rebuilt from a description, with other keys and other video features: they
are refused with what to do, never loaded into a different network.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError

from hhir.errors import ModelError
from hhir.models.schema import STRICT, first_problem
from hhir.models.spec import EncoderSpec

FORMAT_VERSION = 2
ARCHITECTURE = "seed MultimodalLSTM + seed Video_ViT (factorised self-attention)"
MANIFEST = "manifest.json"
CLASSIFIER_FILE = "classifier.safetensors"
VIVIT_FILE = "vivit.safetensors"
WEIGHT_FILES = (CLASSIFIER_FILE, VIVIT_FILE)
TRAINING_FILE = "training.json"  # how a trained bundle was trained (split, history): hashed like the weights
LIGHT_HEAD_FILE = "light_head.safetensors"  # the light head fitted beside the classifier (hhir.models.light_head)
PREDICTORS = ("seed classifier", "light head")
HASHED_FILES = (*WEIGHT_FILES, TRAINING_FILE, LIGHT_HEAD_FILE)
MODALITIES = ("video", "text", "audio")
KINDS = ("starter", "trained", "imported")
DEFAULT_THRESHOLD = 0.6

# Bounds: generous for any real model, small enough that nothing a manifest claims can exhaust memory.
MAX_FEATURE_DIM = 4096
MAX_HIDDEN_DIM = 1024
MAX_LABELS = 256
Name = Annotated[str, Field(max_length=400)]
Count = Annotated[int, Field(ge=0, le=10**9)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


@dataclass(frozen=True)
class EncoderRecord:
    """One encoder the classifier was trained on: its spec, stable id, output size and weight hash."""

    __pydantic_config__ = STRICT
    modality: Name
    spec: EncoderSpec
    id: Name
    dim: Annotated[int, Field(ge=1, le=MAX_FEATURE_DIM)]
    weights_sha256: Annotated[str, Field(max_length=64)] = ""


@dataclass(frozen=True)
class ClipSettings:
    """How clips were cut and sampled: ``size`` shots per clip, every ``stride`` shots."""

    __pydantic_config__ = STRICT
    size: Annotated[int, Field(ge=1, le=64)] = 3
    stride: Annotated[int, Field(ge=1, le=64)] = 1
    n_frames: Annotated[int, Field(ge=2, le=512)] = 64
    frame_size: Annotated[int, Field(ge=16, le=256)] = 128


@dataclass(frozen=True)
class ClassifierConfig:
    """Hyper-parameters of :class:`~hhir.models.lstm.MultimodalLSTM` (input sizes come from the encoders).

    The defaults are the seed's; with 2 layers the weights have exactly the seed's keys.
    """

    __pydantic_config__ = STRICT
    hidden_dim: Annotated[int, Field(ge=1, le=MAX_HIDDEN_DIM)] = 512
    num_heads: Annotated[int, Field(ge=1, le=64)] = 8
    num_layers: Annotated[int, Field(ge=1, le=4)] = 2
    dropout: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.3
    attn_dropout: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.4


@dataclass(frozen=True)
class AnnotationSummary:
    """What the classifier learned from."""

    __pydantic_config__ = STRICT
    videos: Count = 0
    clips: Count = 0
    annotations: Count = 0
    annotators: tuple[Name, ...] = ()
    digest: Name = ""


@dataclass(frozen=True)
class SplitSummary:
    """How the annotated scenes were split (counts of scenes)."""

    __pydantic_config__ = STRICT
    method: Name = ""
    seed: Annotated[int, Field(ge=0, le=2**63)] = 0
    train: Count = 0
    validation: Count = 0
    test: Count = 0


@dataclass(frozen=True)
class Provenance:
    """Where a bundle comes from: parent bundle, source file, training data, split and metrics."""

    __pydantic_config__ = STRICT
    parent: Name | None = None
    source: Name = ""
    annotations: AnnotationSummary | None = None
    split: SplitSummary | None = None
    metrics: dict[Name, Annotated[float, Field(ge=-1e12, le=1e12)]] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    """Everything about a bundle except its weights. ``thresholds`` align with ``labels``."""

    __pydantic_config__ = STRICT
    id: Name
    kind: Name
    created_at: Name
    labels: Annotated[tuple[Name, ...], Field(max_length=MAX_LABELS)]
    thresholds: Annotated[tuple[float, ...], Field(max_length=MAX_LABELS)]
    encoders: Annotated[tuple[EncoderRecord, ...], Field(max_length=3)]
    clip: ClipSettings
    classifier: ClassifierConfig
    provenance: Provenance = Provenance()
    files: Annotated[dict[Name, Annotated[str, Field(max_length=64)]], Field(max_length=4)] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    # Which of the bundle's networks gives its scores: the seed's classifier, or the light head that
    # training fits beside it when the light head is better held out at the project's data size.
    predictor: Name = "seed classifier"

    def encoder(self, modality: str) -> EncoderRecord:
        return next(e for e in self.encoders if e.modality == modality)

    def threshold(self, label: str) -> float:
        return self.thresholds[self.labels.index(label)]

    def to_json(self) -> str:
        return json.dumps(_to_plain(self), indent=2, sort_keys=False) + "\n"


_ADAPTER = TypeAdapter(Manifest)
_VERSION = TypeAdapter(dict[str, Any])


def manifest_from_json(text: str, path: Path) -> Manifest:
    """Parse and validate ``manifest.json`` text; ModelError names ``path`` and the field.

    Nothing here allocates more than the text itself: sizes are bounded before a network is built.
    """
    _check_version(text, path)
    try:
        manifest = _ADAPTER.validate_json(text, strict=True)
    except ValidationError as exc:
        raise ModelError(f"{path}: {first_problem(exc, 'manifest')}") from None
    except ModelError as exc:  # an EncoderSpec's own consistency check
        raise ModelError(f"{path}: manifest.encoders: {exc}") from None
    _check_semantics(manifest, path)
    return manifest


def _check_version(text: str, path: Path) -> None:
    try:
        data = _VERSION.validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] == "json_invalid":
            raise ModelError(f"{path}: not valid JSON ({first['msg'].removeprefix('Invalid JSON: ')})") from None
        raise ModelError(f"{path}: manifest: expected an object") from None
    version = data.get("format_version", FORMAT_VERSION)
    if version == 1:
        raise ModelError(f"{path}: this bundle (format 1) holds the networks of an earlier version, whose "
                         f"classifier and ViViT differ from the paper's; loading it would give other features. "
                         f"Retrain it (hhir train) or re-import the seed checkpoint (hhir models import-seed); "
                         f"until then `hhir models rollback` activates another model")
    if version != FORMAT_VERSION:
        raise ModelError(f"{path}: format_version {str(version)[:40]} is not supported "
                         f"(this version reads {FORMAT_VERSION}: {ARCHITECTURE})")


def _check_semantics(m: Manifest, path: Path) -> None:
    def fail(field_name: str, problem: str) -> None:
        raise ModelError(f"{path}: {field_name}: {problem}")

    if m.kind not in KINDS:
        fail("kind", f"must be one of {', '.join(KINDS)}, got {m.kind!r}")
    if not m.labels or len(set(m.labels)) != len(m.labels):
        fail("labels", "must be a non-empty list of distinct names")
    if len(m.thresholds) != len(m.labels):
        fail("thresholds", f"has {len(m.thresholds)} values for {len(m.labels)} labels")
    if any(not 0.0 <= t <= 1.0 for t in m.thresholds):
        fail("thresholds", "every threshold must lie in [0, 1]")
    if tuple(e.modality for e in m.encoders) != MODALITIES:
        fail("encoders", "must list the video, text and audio encoders, in that order")
    for e in m.encoders:
        if e.spec.modality != e.modality:
            fail(f"encoders.{e.modality}", f"a {e.spec.kind} encoder cannot be the {e.modality} encoder")
    if (2 * m.classifier.hidden_dim) % m.classifier.num_heads:
        fail("classifier", f"{m.classifier.num_heads} heads do not divide the width {2 * m.classifier.hidden_dim}")
    if m.predictor not in PREDICTORS:
        fail("predictor", f"must be one of {', '.join(PREDICTORS)}, got {m.predictor!r}")
    if m.predictor == "light head" and LIGHT_HEAD_FILE not in m.files:
        fail("predictor", f"the light head predicts, but the bundle has no {LIGHT_HEAD_FILE}")
    unknown = sorted(set(m.files) - set(HASHED_FILES))
    if unknown or CLASSIFIER_FILE not in m.files:
        fail("files", f"must name {CLASSIFIER_FILE} (and optionally {VIVIT_FILE}, {TRAINING_FILE}, {LIGHT_HEAD_FILE}), got {sorted(m.files)}")


def _to_plain(value: Any) -> Any:
    if isinstance(value, EncoderSpec):
        return value.to_json()
    if dataclasses.is_dataclass(value):
        return {f.name: _to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_plain(v) for k, v in value.items()}
    return value
