"""Encoder ids without loading the encoders, remembered across runs.

An encoder's id carries a hash of the weights in use, so computing it means loading the model (for
the seeded ViViT: building it, and quantising it). A re-analysis of a fully cached video needs only
the ids, to find its cached features: loading three encoders for that took 10.8 s of a 12.4 s run.

So the id, dim and weight hash of every loaded encoder are remembered in the user data folder,
keyed by everything that decides the weights: the spec, the size and modification time of every
weight file, the installed torch/transformers versions and the source of the code that builds the
network. Any change gives a new key, hence a fresh load; a stale id is never used.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
from pathlib import Path
from typing import Any

from hhir.models.spec import EncoderSpec

log = logging.getLogger(__name__)
MEMO_FILE = "encoder-ids.json"
_CODE = {"vivit": ("hhir.models.vivit", "hhir.models.encoders"), "hf-text": ("hhir.models.encoders",),
         "hf-ast": ("hhir.models.encoders",), "logmel": ("hhir.models.logmel", "hhir.models.encoders")}
_MAX_FILES = 200  # a model folder holds a handful of files; a huge folder is not stamped (always loaded)


def memo_key(spec: EncoderSpec) -> str | None:
    """What decides an encoder's weights, hashed; None when it cannot be told without loading."""
    files = _weight_files(spec)
    if files is None:
        return None
    try:
        stats = [(str(f), st.st_size, st.st_mtime_ns) for f in files for st in (f.stat(),)]
    except OSError:  # a missing weight file: loading reports it
        return None
    stamp = {
        "spec": spec.to_json(),
        "files": stats,
        "versions": [_version(p) for p in ("torch", "transformers", "safetensors")],
        "code": [_source_hash(m) for m in _CODE[spec.kind]],
    }
    return hashlib.sha256(json.dumps(stamp, sort_keys=True).encode()).hexdigest()


def recall(spec: EncoderSpec) -> dict[str, Any] | None:
    """``{"id", "dim", "weights_sha256"}`` of an encoder loaded before with exactly these weights, else None."""
    key = memo_key(spec)
    entry = _read().get(key) if key else None
    ok = isinstance(entry, dict) and isinstance(entry.get("id"), str) and isinstance(entry.get("dim"), int)
    return entry if ok and isinstance(entry.get("weights_sha256"), str) else None


def remember(spec: EncoderSpec, encoder: Any) -> None:
    """Note a loaded encoder's id, dim and weight hash for later runs (best effort: a failed write is logged)."""
    key = memo_key(spec)
    if key is None:
        return
    memo = _read()
    memo[key] = {"id": encoder.id, "dim": int(encoder.dim), "weights_sha256": encoder.weights_sha256}
    try:
        from hhir.fsutil import write_text

        path = _memo_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, json.dumps(dict(list(memo.items())[-200:]), indent=1) + "\n")
    except OSError as exc:
        log.info("encoder ids not remembered (%s)", exc)


def _weight_files(spec: EncoderSpec) -> list[Path] | None:
    if spec.kind == "logmel":
        return []
    if spec.kind == "vivit":
        return [Path(spec.model).absolute()] if spec.model else []
    folder = _model_folder(spec.model)
    if folder is None:
        return None
    found = sorted(p.resolve() for p in folder.rglob("*") if p.is_file())
    return found if len(found) <= _MAX_FILES else None


def _model_folder(model: str) -> Path | None:
    from hhir.models.hf import looks_like_path

    path = Path(model).expanduser()
    if looks_like_path(model) or path.is_dir():
        return path if path.is_dir() else None
    try:
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(model, "config.json")
    except ValueError:
        return None
    return Path(found).parent if isinstance(found, str) else None


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return ""


def _source_hash(module: str) -> str:
    spec = importlib.util.find_spec(module)
    origin = spec.origin if spec else None
    return hashlib.sha256(Path(origin).read_bytes()).hexdigest() if origin and os.path.isfile(origin) else ""


def _memo_path() -> Path:
    from hhir.appdirs import user_data_dir

    return user_data_dir() / MEMO_FILE


def _read() -> dict[str, Any]:
    try:
        data = json.loads(_memo_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
