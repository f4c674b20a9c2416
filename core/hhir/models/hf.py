"""Loading Hugging Face models from local folders or the local cache, never from the network.

Downloads are off unless ``HHIR_ALLOW_DOWNLOAD=1`` is set: a blocked network would otherwise make
``from_pretrained`` hang on retries. A model that is not available gives a ModelError that names it
and says how to provide a local folder.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from pathlib import Path
from typing import Any, Callable

from hhir.appdirs import downloads_allowed
from hhir.errors import ModelError


def how_to_provide(model: str, modality: str) -> str:
    return (f"{modality} model {model!r} is not available on this machine: on a connected machine run "
            f"`huggingface-cli download {model} --local-dir <folder>`, copy the folder here and set the "
            f"profile's {modality} model to it")


def load_pretrained(loader: Callable[..., Any], model: str, modality: str) -> Any:
    """Call ``loader(model, local_files_only=...)`` and turn "not found" into a clear ModelError."""
    if not model:
        raise ModelError(f"no {modality} model given (an empty model name or folder)")
    if looks_like_path(model) and not Path(model).expanduser().is_dir():
        raise ModelError(f"{model}: {modality} model folder does not exist")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # its per-load progress bars would clutter the CLI and the logs
    try:
        source = str(Path(model).expanduser()) if looks_like_path(model) else model
        return loader(source, local_files_only=not downloads_allowed())
    except OSError as exc:
        raise ModelError(f"{how_to_provide(model, modality)} ({_first_line(exc)})") from None
    except (ValueError, KeyError) as exc:
        raise ModelError(f"{model}: not a usable {modality} model ({_first_line(exc)})") from None
    except pickle.UnpicklingError:
        # torch's weights-only loader refused a pickle that names code: never retried unsafely.
        raise ModelError(f"{model}: the {modality} model's weights are a pickle that would run code "
                         "(pytorch_model.bin); refusing it: give the folder a model.safetensors instead") from None


def shared_tokenizer(source: str, local_files_only: bool = True) -> Any:
    """The tokenizer of a model folder or id, loaded once per process (see :func:`shared_model`)."""
    return _shared("tokenizer", source, local_files_only)


def shared_model(source: str, local_files_only: bool = True) -> Any:
    """A transformers model in eval mode, loaded once per process and shared by its users.

    The text encoder and the starter's sentence similarity both run MiniLM: loading it once instead of
    twice saves its load (about 2.6 CPU s) and a second copy of its weights. Users only run it under
    ``torch.inference_mode()``; none changes its weights.
    """
    return _shared("model", source, local_files_only)


@functools.lru_cache(maxsize=4)
def _shared(kind: str, source: str, local_files_only: bool) -> Any:
    from transformers import AutoModel, AutoTokenizer

    if kind == "tokenizer":
        return AutoTokenizer.from_pretrained(source, local_files_only=local_files_only)
    return AutoModel.from_pretrained(source, local_files_only=local_files_only).eval()


def looks_like_path(model: str) -> bool:
    """Hub ids contain '/' too (``MIT/ast-…``); only absolute or explicitly relative names are paths."""
    return Path(model).is_absolute() or model.startswith(("./", "../", "~"))


def hf_problem(model: str, modality: str) -> str | None:
    """Cheap availability check (no weights loaded): None when the model's config is found locally."""
    if looks_like_path(model) and not Path(model).expanduser().is_dir():
        return f"{model}: {modality} model folder does not exist"
    if Path(model).is_dir():
        return None if (Path(model) / "config.json").is_file() else f"{model}: no config.json in {modality} model folder"
    from huggingface_hub import try_to_load_from_cache

    try:
        found = try_to_load_from_cache(model, "config.json")
    except ValueError:  # not a valid repo id
        found = None
    return None if isinstance(found, str) else how_to_provide(model, modality)


def state_dict_hash(module: Any) -> str:
    """sha256 over parameter names, shapes, dtypes and bytes: a stable id for the weights in use."""
    digest = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        t = tensor.detach().cpu().contiguous()
        digest.update(f"{name}|{tuple(t.shape)}|{t.dtype}|".encode())
        digest.update(t.view(-1).view(dtype=_byte_dtype()).numpy().tobytes() if t.numel() else b"")
    return digest.hexdigest()


def _byte_dtype() -> Any:
    import torch

    return torch.uint8


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
