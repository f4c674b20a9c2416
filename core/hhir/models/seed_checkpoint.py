"""Import a checkpoint saved by the seed's own code (``weights_2.pth``, a raw ``MultimodalLSTM`` state dict).

The file is read with ``torch.load(weights_only=True)``: torch's restricted unpickler accepts
tensors and plain containers only, so a checkpoint whose unpickling would run code is refused
before anything runs. :class:`~hhir.models.lstm.MultimodalLSTM` has the seed's module names, so the
state dict loads as it is (``strict=True``; only a ``module.`` prefix from ``nn.DataParallel`` is
stripped). Hidden size and label count are read from the tensors' shapes. The result is written as
a model bundle (safetensors, no pickle) with the paper's encoders: the seed's ViViT (seed 42; the
seed trained with an unseeded ViViT that was never saved, so the demo's seeded one is the closest
available), bert-base-uncased CLS and AST.
"""

from __future__ import annotations

import pickle
import stat
import warnings
import zipfile
from pathlib import Path
from typing import Any, Sequence

from hhir.errors import ModelError
from hhir.models.bundle import ModelBundle
from hhir.models.manifest import MAX_HIDDEN_DIM, MAX_LABELS, ClassifierConfig, ClipSettings, EncoderRecord, Provenance
from hhir.models.profiles import paper_profile
from hhir.models.weights import file_sha256, load_checked
from hhir.types import DEFAULT_LABELS

# what the paper's encoders give: ViViT 1024, BERT-base 768, AST 768
PAPER_DIMS = {"video": 1024, "text": 768, "audio": 768}
_LSTM = {"video": "visual_lstm", "text": "text_lstm", "audio": "audio_lstm"}
_OUTPUT = "output_layer.weight"


def load_seed_state(pth_path: str | Path) -> dict[str, Any]:
    """The checkpoint's tensors, loaded without running any code from the file."""
    import torch

    path = Path(pth_path)
    _check_regular_file(path)
    try:
        with warnings.catch_warnings():
            # a plain pickle (protocol != 2) is still checked by the restricted unpickler; the note is noise
            warnings.filterwarnings("ignore", message="Detected pickle protocol", category=UserWarning)
            state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        if _wants_code(exc):
            raise ModelError(f"{path}: refused: the checkpoint holds more than plain weights (loading it would "
                             f"run code from the file): {_reason(exc)}") from None
        raise ModelError(f"{path}: not a readable PyTorch checkpoint ({_what_it_is(path)}: {_reason(exc)})") from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError) as exc:
        raise ModelError(f"{path}: not a readable PyTorch checkpoint ({_first_line(exc)})") from None
    except Exception as exc:  # noqa: BLE001 - damaged bytes reach torch's reader as any error (IndexError, KeyError,
        # UnicodeDecodeError, ValueError...): each means the same to the user, a file that is no checkpoint
        raise ModelError(f"{path}: not a readable PyTorch checkpoint ({_what_it_is(path)}: "
                         f"{type(exc).__name__} {_first_line(exc)})") from None
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if (not isinstance(state, dict) or not all(isinstance(k, str) for k in state)
            or not all(isinstance(v, torch.Tensor) for v in state.values())):
        raise ModelError(f"{path}: expected a state dict of tensors (torch.save(model.state_dict(), ...))")
    return state


def _check_regular_file(path: Path) -> None:
    """A checkpoint is a regular file: a FIFO would block the reader, a device (``/dev/zero``) never ends."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ModelError(f"{path}: checkpoint file does not exist") from None
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the checkpoint ({exc.strerror or exc})") from None
    if stat.S_ISDIR(mode):
        raise ModelError(f"{path}: a folder, not a checkpoint file")
    if not stat.S_ISREG(mode):
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) \
            else "a socket" if stat.S_ISSOCK(mode) else "not a regular file"
        raise ModelError(f"{path}: {kind}, not a checkpoint file")
    if path.stat().st_size == 0:
        raise ModelError(f"{path}: the checkpoint file is empty (0 bytes)")


def _wants_code(exc: pickle.UnpicklingError) -> bool:
    """torch's restricted unpickler refuses a global (a function or class the pickle would call) by
    naming it; any other refusal is a stream that is not a pickle at all (text, random bytes)."""
    text = str(exc)
    return "GLOBAL" in text or "global" in text.split("WeightsUnpickler error:")[-1].lower()


def _reason(exc: BaseException) -> str:
    """The line of torch's long message that says what was wrong."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("Trying to load", "Unsupported", "Unsupported operand")) or "GLOBAL" in line:
            return line[:200]
    return (lines[-1] if lines else type(exc).__name__)[:200]


def _what_it_is(path: Path) -> str:
    """"a text file" for a file of printable UTF-8, else "not a pickle or zip checkpoint"."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
        text = head.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return "not a pickle or zip checkpoint"
    return "a text file" if all(ch.isprintable() or ch in "\r\n\t" for ch in text) else "not a pickle or zip checkpoint"


def strip_parallel_prefix(state: dict[str, Any]) -> dict[str, Any]:
    """The state dict without the ``module.`` prefix ``nn.DataParallel`` adds to every key."""
    return {k.removeprefix("module."): v for k, v in state.items()}


def checkpoint_shape(state: dict[str, Any], path: Path) -> tuple[dict[str, int], int, int]:
    """Input dims per modality, LSTM hidden size and label count, read from the tensors' shapes."""
    needed = [f"{_LSTM[m]}.weight_ih_l0" for m in _LSTM] + [f"{_LSTM['video']}.weight_hh_l0", _OUTPUT]
    missing = [k for k in needed if k not in state or getattr(state[k], "ndim", 0) != 2]
    if missing:
        raise ModelError(f"{path}: not a seed MultimodalLSTM checkpoint (missing keys: {', '.join(missing)})")
    dims = {m: int(state[f"{_LSTM[m]}.weight_ih_l0"].shape[1]) for m in _LSTM}
    hidden = int(state[f"{_LSTM['video']}.weight_hh_l0"].shape[1])
    return dims, hidden, int(state[_OUTPUT].shape[0])


def import_seed(pth_path: str | Path, out_dir: str | Path, labels: Sequence[str] | None = None,
                n_frames: int = 256, include_vivit: bool = True) -> ModelBundle:
    """Convert a seed checkpoint into a saved model bundle.

    Args:
        pth_path: ``weights_2.pth`` or any state dict of the seed's ``MultimodalLSTM`` (any hidden size).
        out_dir: Bundle folder to write (replaced atomically).
        labels: Label names in the seed's output order; None = the seed's seven when it has seven outputs.
        n_frames: Frames per clip for the ViViT (256 as in the paper's training).
        include_vivit: Save the ViViT weights in the bundle (about 275 MB); else it is rebuilt from its seed.

    Raises:
        ModelError: unreadable or unsafe checkpoint, or weights that do not fit (names the keys).
    """
    from hhir.models.lstm import SEED_HEADS, MultimodalLSTM

    path = Path(pth_path)
    state = strip_parallel_prefix(load_seed_state(path))
    dims, hidden, n_labels = checkpoint_shape(state, path)
    labels = _labels(labels, n_labels, path)
    for modality, dim in dims.items():
        if dim != PAPER_DIMS[modality]:
            raise ModelError(f"{path}: the checkpoint expects {dim}-d {modality} features, the paper's "
                             f"{modality} encoder gives {PAPER_DIMS[modality]}")
    if not 1 <= hidden <= MAX_HIDDEN_DIM or n_labels > MAX_LABELS:
        raise ModelError(f"{path}: hidden size {hidden} or {n_labels} outputs beyond what a bundle holds "
                         f"({MAX_HIDDEN_DIM}, {MAX_LABELS})")
    if (2 * hidden) % SEED_HEADS:
        raise ModelError(f"{path}: hidden size {hidden} does not fit the seed's {SEED_HEADS} attention heads")
    classifier = MultimodalLSTM(dims["video"], dims["text"], dims["audio"], hidden_dim=hidden, num_labels=n_labels)
    load_checked(classifier, state, str(path))  # names missing, unexpected and mis-shaped keys
    records, vivit_state = _paper_encoders(n_frames, include_vivit)
    provenance = Provenance(source=f"seed checkpoint {path.name} sha256:{file_sha256(path)}")
    bundle = ModelBundle.create("imported", labels, records, ClipSettings(n_frames=n_frames),
                                ClassifierConfig(hidden_dim=hidden), classifier=classifier,
                                vivit_state=vivit_state, provenance=provenance)
    bundle.save(out_dir)
    return bundle


def _labels(labels: Sequence[str] | None, n_labels: int, path: Path) -> list[str]:
    labels = list(DEFAULT_LABELS if labels is None and n_labels == len(DEFAULT_LABELS) else labels or [])
    if len(labels) != n_labels:
        raise ModelError(f"{path}: the checkpoint has {n_labels} outputs; give {n_labels} label names in its "
                         f"output order (got {len(labels)})")
    return labels


def _paper_encoders(n_frames: int, include_vivit: bool) -> tuple[list[EncoderRecord], dict | None]:
    from dataclasses import replace

    from hhir.models.encoders import VivitEncoder, short_name

    profile = paper_profile()
    video_spec = replace(profile.video, n_frames=n_frames)
    vivit = VivitEncoder(video_spec)
    records = [
        EncoderRecord("video", video_spec, vivit.id, vivit.dim, vivit.weights_sha256),
        # The text/audio weight hashes are unknown until those models are present; ids name the models.
        EncoderRecord("text", profile.text, f"hf-text-{short_name(profile.text.model)}-cls", PAPER_DIMS["text"]),
        EncoderRecord("audio", profile.audio, f"hf-ast-{short_name(profile.audio.model)}", PAPER_DIMS["audio"]),
    ]
    return records, (vivit.state_dict() if include_vivit else None)


def _first_line(exc: BaseException) -> str:
    """The message's first line (an empty file's EOFError has none: then the error's name)."""
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__
