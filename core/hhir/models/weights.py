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


def load_checked(model: Any, state: dict[str, Any], where: str) -> None:
    """``model.load_state_dict(state)`` after naming every missing, unexpected or mis-shaped key."""
    expected = model.state_dict()
    missing, unexpected = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
    wrong = sorted(f"{k} {tuple(state[k].shape)} != {tuple(expected[k].shape)}"
                   for k in set(expected) & set(state) if tuple(expected[k].shape) != tuple(state[k].shape))
    problems = [f"{label}: {', '.join(keys)}" for label, keys in
                (("missing keys", missing), ("unexpected keys", unexpected), ("wrong shapes", wrong)) if keys]
    if problems:
        raise ModelError(f"{where}: weights do not fit the model ({'; '.join(problems)})")
    model.load_state_dict(state)
