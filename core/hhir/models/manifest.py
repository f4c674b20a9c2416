"""The typed manifest of a model bundle and its JSON form, validated field by field.

``manifest.json`` is the only non-weight file of a bundle. Parsing checks every field's presence
and type and reports the first problem as ``<file>: <field.path>: <what is wrong>``.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hhir.errors import ModelError
from hhir.models.spec import EncoderSpec

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CLASSIFIER_FILE = "classifier.safetensors"
VIVIT_FILE = "vivit.safetensors"
WEIGHT_FILES = (CLASSIFIER_FILE, VIVIT_FILE)
TRAINING_FILE = "training.json"  # how a trained bundle was trained (split, history): hashed like the weights
HASHED_FILES = (*WEIGHT_FILES, TRAINING_FILE)
MODALITIES = ("video", "text", "audio")
KINDS = ("starter", "trained", "imported")


@dataclass(frozen=True)
class EncoderRecord:
    """One encoder the classifier was trained on: its spec, stable id, output size and weight hash."""

    modality: str
    spec: EncoderSpec
    id: str
    dim: int
    weights_sha256: str = ""


@dataclass(frozen=True)
class ClipSettings:
    """How clips were cut and sampled: ``size`` shots per clip, every ``stride`` shots."""

    size: int = 3
    stride: int = 1
    n_frames: int = 64
    frame_size: int = 128


@dataclass(frozen=True)
class ClassifierConfig:
    """Hyper-parameters of :class:`~core.models.lstm.MultimodalLSTM` (input sizes come from the encoders)."""

    hidden_dim: int = 512
    num_heads: int = 8
    num_layers: int = 2
    dropout: float = 0.3


@dataclass(frozen=True)
class AnnotationSummary:
    """What the classifier learned from."""

    videos: int = 0
    clips: int = 0
    annotations: int = 0
    annotators: tuple[str, ...] = ()
    digest: str = ""


@dataclass(frozen=True)
class SplitSummary:
    """How the annotated scenes were split (counts of scenes)."""

    method: str = ""
    seed: int = 0
    train: int = 0
    validation: int = 0
    test: int = 0


@dataclass(frozen=True)
class Provenance:
    """Where a bundle comes from: parent bundle, source file, training data, split and metrics."""

    parent: str | None = None
    source: str = ""
    annotations: AnnotationSummary | None = None
    split: SplitSummary | None = None
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    """Everything about a bundle except its weights. ``thresholds`` align with ``labels``."""

    id: str
    kind: str
    created_at: str
    labels: tuple[str, ...]
    thresholds: tuple[float, ...]
    encoders: tuple[EncoderRecord, ...]
    clip: ClipSettings
    classifier: ClassifierConfig
    provenance: Provenance = Provenance()
    files: dict[str, str] = field(default_factory=dict)  # weight file name -> sha256
    format_version: int = FORMAT_VERSION

    def encoder(self, modality: str) -> EncoderRecord:
        return next(e for e in self.encoders if e.modality == modality)

    def threshold(self, label: str) -> float:
        return self.thresholds[self.labels.index(label)]

    def to_json(self) -> str:
        return json.dumps(_to_plain(self), indent=2, sort_keys=False) + "\n"


def manifest_from_json(text: str, path: Path) -> Manifest:
    """Parse and validate ``manifest.json`` text; ModelError names ``path`` and the field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelError(f"{path}: not valid JSON ({exc})") from None
    if isinstance(data, dict) and data.get("format_version", FORMAT_VERSION) != FORMAT_VERSION:
        raise ModelError(f"{path}: format_version {data.get('format_version')!r} is not supported "
                         f"(this version reads {FORMAT_VERSION})")
    manifest = _parse(Manifest, data, f"{path}: manifest")
    _check_semantics(manifest, path)
    return manifest


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
        if e.spec.modality != e.modality or e.dim <= 0:
            fail(f"encoders.{e.modality}", f"a {e.spec.kind} encoder with dim {e.dim} cannot be the {e.modality} encoder")
    unknown = sorted(set(m.files) - set(HASHED_FILES))
    if unknown or CLASSIFIER_FILE not in m.files:
        fail("files", f"must name {CLASSIFIER_FILE} (and optionally {VIVIT_FILE}, {TRAINING_FILE}), got {sorted(m.files)}")


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


def _parse(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ModelError(f"{where}: expected an object, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise ModelError(f"{where}: unknown field(s) {', '.join(unknown)}")
    values = {}
    for name, f in names.items():
        if name in data:
            values[name] = _value(hints[name], data[name], f"{where}.{name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ModelError(f"{where}: missing field '{name}'")
    return cls(**values)


def _value(tp: Any, value: Any, where: str) -> Any:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in args:
            return None
        return _value(next(a for a in args if a is not type(None)), value, where)
    if tp is EncoderSpec:
        return EncoderSpec.from_json(value, where)
    if dataclasses.is_dataclass(tp):
        return _parse(tp, value, where)
    if origin is tuple:
        if not isinstance(value, list):
            raise ModelError(f"{where}: expected a list, got {type(value).__name__}")
        return tuple(_value(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise ModelError(f"{where}: expected an object, got {type(value).__name__}")
        return {k: _value(args[1], v, f"{where}.{k}") for k, v in value.items()}
    return _scalar(tp, value, where)


def _scalar(tp: Any, value: Any, where: str) -> Any:
    if tp is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, tp) and (tp is bool or not isinstance(value, bool)):
        return value
    raise ModelError(f"{where}: expected {tp.__name__}, got {type(value).__name__} {value!r:.40}")
