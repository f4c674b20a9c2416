"""Reading and checking safetensors weight files (never pickle)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from hhir.errors import ModelError


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_safetensors(path: Path, what: str) -> dict[str, Any]:
    """All tensors of a safetensors file; ModelError naming the file when it is missing or damaged."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    if not path.is_file():
        raise ModelError(f"{path}: {what} weights file does not exist")
    try:
        return load_file(str(path))
    except (SafetensorError, OSError) as exc:
        raise ModelError(f"{path}: not a readable safetensors file ({exc})") from None


def safetensors_shapes(path: Path, what: str) -> dict[str, tuple[int, ...]]:
    """Every tensor's shape from a safetensors header, without reading the tensors."""
    from safetensors import SafetensorError, safe_open

    if not path.is_file():
        raise ModelError(f"{path}: {what} weights file does not exist")
    try:
        with safe_open(str(path), framework="pt") as handle:
            return {k: tuple(handle.get_slice(k).get_shape()) for k in handle.keys()}  # noqa: SIM118 - safetensors' handle is no dict
    except (SafetensorError, OSError) as exc:
        raise ModelError(f"{path}: not a readable safetensors file ({exc})") from None


def check_fits(expected: dict[str, tuple[int, ...]], given: dict[str, tuple[int, ...]], where: str) -> None:
    """ModelError naming every missing, unexpected or mis-shaped key of ``given`` against ``expected``."""
    missing, unexpected = sorted(set(expected) - set(given)), sorted(set(given) - set(expected))
    wrong = sorted(f"{k} {given[k]} != {expected[k]}" for k in set(expected) & set(given) if expected[k] != given[k])
    problems = [f"{label}: {', '.join(keys)}" for label, keys in
                (("missing keys", missing), ("unexpected keys", unexpected), ("wrong shapes", wrong)) if keys]
    if problems:
        raise ModelError(f"{where}: weights do not fit the model ({'; '.join(problems)})")


def shapes_of(state: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    return {k: tuple(v.shape) for k, v in state.items()}


def load_checked(model: Any, state: dict[str, Any], where: str) -> None:
    """``model.load_state_dict(state, strict=True)`` after naming every missing, unexpected or mis-shaped key."""
    check_fits(shapes_of(model.state_dict()), shapes_of(state), where)
    model.load_state_dict(state, strict=True)
