"""Import the seed paper's checkpoint (``weights_2.pth``, a raw ``MultimodalLSTM`` state dict).

The file is read with ``torch.load(weights_only=True)``: torch's restricted unpickler accepts
tensors and plain containers only, so a checkpoint whose unpickling would run code is refused
before anything runs. The seed's module names are mapped onto :class:`MultimodalLSTM`'s, and the
result is written as a model bundle (safetensors, no pickle) with the paper's encoders: ViViT
(seed 42; the seed trained with an unseeded ViViT that was never saved, so the demo's seeded one
is the closest available), bert-base-uncased CLS and AST.
"""

from __future__ import annotations

import pickle
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any, Sequence

from hhir.errors import ModelError
from hhir.models.bundle import ModelBundle
from hhir.models.manifest import ClassifierConfig, ClipSettings, EncoderRecord, Provenance
from hhir.models.profiles import paper_profile
from hhir.models.weights import file_sha256, load_checked
from hhir.types import DEFAULT_LABELS

# seed prefix -> our prefix; the seed's cross-attention/norm names end in the modality pair
_RENAMES = (
    (re.compile(r"^lstm_(video|text|audio)\."), r"rnn.\1."),
    (re.compile(r"^cross_attn_(vt|va|ta)\."), r"attn.\1."),
    (re.compile(r"^norm_(vt|va|ta)\."), r"norm.\1."),
    (re.compile(r"^fc\."), "head."),
)


def load_seed_state(pth_path: str | Path) -> dict[str, Any]:
    """The checkpoint's tensors, loaded without running any code from the file."""
    import torch

    path = Path(pth_path)
    if not path.is_file():
        raise ModelError(f"{path}: checkpoint file does not exist")
    try:
        with warnings.catch_warnings():
            # a plain pickle (protocol != 2) is still checked by the restricted unpickler; the note is noise
            warnings.filterwarnings("ignore", message="Detected pickle protocol", category=UserWarning)
            state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise ModelError(f"{path}: refused: the checkpoint holds more than plain weights (loading it would "
                         f"run code from the file): {str(exc).strip().splitlines()[-1][:200]}") from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError) as exc:
        raise ModelError(f"{path}: not a readable PyTorch checkpoint ({str(exc).splitlines()[0][:200]})") from None
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ModelError(f"{path}: expected a state dict of tensors (torch.save(model.state_dict(), ...))")
    return state


def convert_seed_keys(state: dict[str, Any]) -> dict[str, Any]:
    """Rename the seed's keys (``lstm_video.``, ``cross_attn_vt.``, ``norm_vt.``, ``fc.``) to ours."""
    out = {}
    for key, value in state.items():
        key = key.removeprefix("module.")  # saved from nn.DataParallel
        for pattern, repl in _RENAMES:
            key = pattern.sub(repl, key)
        out[key] = value
    return out


def import_seed(pth_path: str | Path, out_dir: str | Path, labels: Sequence[str] = DEFAULT_LABELS,
                hidden_dim: int = 512, num_heads: int = 8, n_frames: int = 256,
                include_vivit: bool = True) -> ModelBundle:
    """Convert a seed checkpoint into a saved model bundle.

    Args:
        pth_path: ``weights_2.pth`` or a compatible state dict.
        out_dir: Bundle folder to write (replaced atomically).
        labels: Label names in the seed's output order.
        hidden_dim: LSTM hidden size the checkpoint was trained with.
        num_heads: Cross-attention heads.
        n_frames: Frames per clip for the ViViT (256 as in the paper's training).
        include_vivit: Save the ViViT weights in the bundle (about 300 MB).

    Raises:
        ModelError: unreadable or unsafe checkpoint, or weights that do not fit (names the keys).
    """
    path = Path(pth_path)
    state = convert_seed_keys(load_seed_state(path))
    dims = _input_dims(state, path)
    records, vivit_state = _paper_encoders(dims, n_frames, include_vivit)
    config = ClassifierConfig(hidden_dim=hidden_dim, num_heads=num_heads)
    provenance = Provenance(source=f"seed checkpoint {path.name} sha256:{file_sha256(path)}")
    bundle = ModelBundle.create("imported", labels, records, ClipSettings(n_frames=n_frames), config,
                                vivit_state=vivit_state, provenance=provenance)
    load_checked(bundle.classifier, state, str(path))
    bundle.save(out_dir)
    return bundle


def _input_dims(state: dict[str, Any], path: Path) -> dict[str, int]:
    dims = {}
    for modality in ("video", "text", "audio"):
        key = f"rnn.{modality}.weight_ih_l0"
        if key not in state:
            raise ModelError(f"{path}: not a seed MultimodalLSTM checkpoint (missing key lstm_{modality}.weight_ih_l0)")
        dims[modality] = int(state[key].shape[1])
    return dims


def _paper_encoders(dims: dict[str, int], n_frames: int, include_vivit: bool) -> tuple[list[EncoderRecord], dict | None]:
    from dataclasses import replace

    from hhir.models.encoders import VivitEncoder, short_name

    profile = paper_profile()
    video_spec = replace(profile.video, n_frames=n_frames)
    vivit = VivitEncoder(video_spec)
    if vivit.dim != dims["video"]:
        raise ModelError(f"the checkpoint expects {dims['video']}-d video features, the ViViT gives {vivit.dim}")
    records = [
        EncoderRecord("video", video_spec, vivit.id, vivit.dim, vivit.weights_sha256),
        # The text/audio weight hashes are unknown until those models are present; ids name the models.
        EncoderRecord("text", profile.text, f"hf-text-{short_name(profile.text.model)}-cls", dims["text"]),
        EncoderRecord("audio", profile.audio, f"hf-ast-{short_name(profile.audio.model)}", dims["audio"]),
    ]
    return records, (vivit.state_dict() if include_vivit else None)
