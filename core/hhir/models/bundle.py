"""A model bundle: a folder with ``manifest.json``, ``classifier.safetensors`` and optionally
``vivit.safetensors`` (the randomly initialised video encoder the classifier was trained with).

Saving is atomic: everything is written and fsynced into a hidden sibling folder, which then
replaces the target by rename, so an interrupted save never leaves a half-written bundle.
Loading reads safetensors only (no pickle) and checks every weight file's sha256 against the
manifest.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from hhir.errors import ModelError
from hhir.models.manifest import (CLASSIFIER_FILE, LIGHT_HEAD_FILE, MANIFEST, MODALITIES, VIVIT_FILE, ClassifierConfig,
                                  ClipSettings, EncoderRecord, Manifest, Provenance, manifest_from_json)
from hhir.models.weights import check_fits, file_sha256, load_checked, read_safetensors, safetensors_shapes, shapes_of
from hhir.types import ModelInfo

if TYPE_CHECKING:
    from hhir.models.lstm import MultimodalLSTM
    from hhir.models.profiles import Profile

log = logging.getLogger(__name__)


class ModelBundle:
    """A classifier with everything needed to use it on new videos.

    Args:
        manifest: The bundle's manifest (labels, thresholds, encoders, settings, provenance).
        classifier: The fusion classifier; its input sizes match the manifest's encoder dims.
        vivit_state: fp32 ViViT weights to carry in the bundle, or None.
        path: The folder it was loaded from or saved to, if any.
    """

    def __init__(self, manifest: Manifest, classifier: MultimodalLSTM,
                 vivit_state: dict[str, Any] | None = None, path: Path | None = None,
                 vivit_file: Path | None = None) -> None:
        self.manifest = manifest
        self.classifier = classifier.eval()
        self._vivit_state = vivit_state
        self._vivit_file = vivit_file  # read on first use: analysis needs only the file's path
        self.path = path
        self.light_head = None  # set when the manifest says the light head predicts (hhir.models.light_head)

    @property
    def vivit_state(self) -> dict[str, Any] | None:
        """fp32 ViViT weights carried by the bundle (read from its file when first asked for), or None."""
        if self._vivit_state is None and self._vivit_file is not None:
            self._vivit_state = read_safetensors(self._vivit_file, "ViViT")
        return self._vivit_state

    @vivit_state.setter
    def vivit_state(self, state: dict[str, Any] | None) -> None:
        self._vivit_state, self._vivit_file = state, None

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def labels(self) -> tuple[str, ...]:
        return self.manifest.labels

    @classmethod
    def create(cls, kind: str, labels: Sequence[str], encoders: Sequence[EncoderRecord], clip: ClipSettings,
               config: ClassifierConfig = ClassifierConfig(), classifier: MultimodalLSTM | None = None,
               vivit_state: dict[str, Any] | None = None, provenance: Provenance = Provenance(),
               thresholds: Sequence[float] | None = None) -> ModelBundle:
        """A new bundle (not yet saved); builds a fresh classifier when none is given."""
        from hhir.thresholds import DEFAULT_THRESHOLD

        created = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        manifest = Manifest(
            id=f"{kind}-{created.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}", kind=kind,
            created_at=created.isoformat(), labels=tuple(labels),
            thresholds=tuple(thresholds) if thresholds is not None else (DEFAULT_THRESHOLD,) * len(labels),
            encoders=tuple(encoders), clip=clip, classifier=config, provenance=provenance,
        )
        return cls(manifest, classifier or build_classifier(manifest), vivit_state)

    def with_manifest(self, **changes: Any) -> ModelBundle:
        """The same weights under an updated manifest (e.g. tuned thresholds, metrics)."""
        return ModelBundle(replace(self.manifest, **changes), self.classifier, self._vivit_state, self.path,
                           self._vivit_file)

    def save(self, folder: str | Path, extra: dict[str, str | bytes] | None = None) -> Path:
        """Write the bundle to ``folder`` atomically (replacing an existing bundle there).

        ``extra``: more files (name -> text or bytes, e.g. ``training.json``), hashed in the manifest
        like the weights so an edited one is refused on load.
        """
        from hhir.models.bundle_io import atomic_folder, save_tensors

        target = Path(folder)
        with atomic_folder(target) as tmp:
            files = {CLASSIFIER_FILE: save_tensors(self.classifier.state_dict(), tmp / CLASSIFIER_FILE)}
            if self.vivit_state is not None:
                files[VIVIT_FILE] = save_tensors(self.vivit_state, tmp / VIVIT_FILE)
            for name, text in (extra or {}).items():
                _write_synced(tmp / name, text)
                files[name] = file_sha256(tmp / name)
            self.manifest = replace(self.manifest, files=files)
            _write_synced(tmp / MANIFEST, self.manifest.to_json())
        self.path = target
        return target

    @classmethod
    def load(cls, folder: str | Path, with_vivit: bool = True) -> ModelBundle:
        """Read a bundle, verifying weight hashes. ModelError names the file and the problem."""
        folder = Path(folder)
        manifest_path = folder / MANIFEST
        if not manifest_path.is_file():
            raise ModelError(f"{folder}: not a model bundle (no {MANIFEST})")
        try:
            manifest = manifest_from_json(manifest_path.read_text(encoding="utf-8"), manifest_path)
        except (OSError, UnicodeDecodeError) as exc:
            raise ModelError(f"{manifest_path}: cannot read ({exc})") from None
        for name, sha in manifest.files.items():
            _verify(folder / name, sha)
        weights = folder / CLASSIFIER_FILE
        # shapes first, on torch's meta device (no memory): a manifest cannot make us build what the file lacks
        check_fits(shapes_of(build_classifier(manifest, device="meta").state_dict()),
                   safetensors_shapes(weights, "classifier"), str(weights))
        classifier = build_classifier(manifest)
        load_checked(classifier, read_safetensors(weights, "classifier"), str(weights))
        vivit = folder / VIVIT_FILE if with_vivit and VIVIT_FILE in manifest.files else None
        bundle = cls(manifest, classifier, None, folder, vivit_file=vivit)
        if manifest.predictor == "light head":
            bundle.light_head = _light_head(folder / LIGHT_HEAD_FILE, manifest)
        return bundle

    def encoder_specs(self) -> dict[str, Any]:
        """modality -> EncoderSpec to load the exact encoders this bundle expects (ViViT from the bundle)."""
        specs = {e.modality: e.spec for e in self.manifest.encoders}
        if self.path is not None and VIVIT_FILE in self.manifest.files:
            specs["video"] = replace(specs["video"], model=str(self.path / VIVIT_FILE))
        return specs

    def predict(self, video: np.ndarray, text: np.ndarray, audio: np.ndarray) -> tuple[dict[str, float], list[dict[str, float]]]:
        """Probabilities for the scene (all clips in order) and for each clip alone.

        Args:
            video: ``(n, Dv)`` features of the scene's n clips, in time order.
            text: ``(n, Dt)``.
            audio: ``(n, Da)``.
        """
        import torch

        n = self._check_inputs(video, text, audio)
        if self.light_head is not None:
            scene_row = self.light_head.predict(*(np.asarray(x)[None] for x in (video, text, audio)))[0]
            clip_rows = self.light_head.predict(video, text, audio) if n else np.zeros((0, len(self.labels)))
            return self._named(scene_row.tolist()), [self._named(row) for row in clip_rows.tolist()]
        feats = [torch.as_tensor(np.asarray(x, np.float32)) for x in (video, text, audio)]
        with torch.inference_mode():
            scene = torch.sigmoid(self.classifier(*(f.unsqueeze(0) for f in feats)))[0]
            clips = torch.sigmoid(self.classifier(*(f.unsqueeze(1) for f in feats))) if n else torch.zeros(0, len(self.labels))
        return self._named(scene.tolist()), [self._named(row) for row in clips.tolist()]

    def check_compatible(self, encoders: Profile | Sequence[str], labels: Sequence[str]) -> None:
        """Raise ModelError unless this bundle fits the given encoders (a profile or encoder ids) and labels."""
        problems = _label_problems(self.labels, labels) + _encoder_problems(self.manifest, encoders)
        if problems:
            raise ModelError(f"model {self.id} does not fit: " + "; ".join(problems))

    def model_info(self) -> ModelInfo:
        """The record to register in a project's store."""
        m = self.manifest
        return ModelInfo(id=m.id, kind=m.kind, path=str(self.path or ""), parent=m.provenance.parent,
                         created_at=m.created_at, metrics=dict(m.provenance.metrics))

    def _check_inputs(self, video: np.ndarray, text: np.ndarray, audio: np.ndarray) -> int:
        shapes = [np.shape(x) for x in (video, text, audio)]
        dims = tuple(self.manifest.encoder(m).dim for m in MODALITIES)
        if any(len(s) != 2 for s in shapes) or len({s[0] for s in shapes}) != 1:
            raise ModelError(f"model {self.id}: features must be (n, dim) with the same n, got {shapes}")
        if tuple(s[1] for s in shapes) != dims:
            raise ModelError(f"model {self.id}: feature sizes {[s[1] for s in shapes]} differ from its encoders' {list(dims)}")
        if shapes[0][0] == 0:
            raise ModelError(f"model {self.id}: a scene needs at least one clip")
        return shapes[0][0]

    def _named(self, probs: list[float]) -> dict[str, float]:
        return {label: float(p) for label, p in zip(self.labels, probs)}


def record_of(encoder: Any) -> EncoderRecord:
    """The manifest record of a loaded encoder (from :func:`hhir.models.encoders.load_encoder`)."""
    return EncoderRecord(encoder.modality, encoder.spec, encoder.id, int(encoder.dim), encoder.weights_sha256)


def build_classifier(manifest: Manifest, device: str | None = None) -> MultimodalLSTM:
    """A MultimodalLSTM sized from the manifest's encoders and labels (``device="meta"``: shapes only)."""
    import torch

    from hhir.models.lstm import MultimodalLSTM

    c = manifest.classifier
    dims = {e.modality: e.dim for e in manifest.encoders}
    with torch.device(device or "cpu"):
        return MultimodalLSTM(video_dim=dims["video"], text_dim=dims["text"], audio_dim=dims["audio"],
                              hidden_dim=c.hidden_dim, num_labels=len(manifest.labels), num_heads=c.num_heads,
                              num_layers=c.num_layers, dropout=c.dropout, attn_dropout=c.attn_dropout).eval()


def _label_problems(have: Sequence[str], want: Sequence[str]) -> list[str]:
    missing, extra = sorted(set(want) - set(have)), sorted(set(have) - set(want))
    if not missing and not extra:
        return []
    return [f"label set differs (model lacks {missing or 'none'}, project lacks {extra or 'none'})"]


def _encoder_problems(manifest: Manifest, encoders: Any) -> list[str]:
    from hhir.models.profiles import Profile

    if isinstance(encoders, Profile):
        pairs = [(r, s) for r, s in zip(manifest.encoders, encoders.specs())]
        return [f"{r.modality} encoder differs (model: {_describe(r.spec)}, profile: {_describe(s)})"
                for r, s in pairs if _describe(r.spec) != _describe(s)]
    ids = list(encoders)
    if len(ids) != len(manifest.encoders):
        return [f"expected {len(manifest.encoders)} encoder ids (video, text, audio), got {len(ids)}"]
    return [f"{r.modality} encoder differs (model: {r.id}, given: {given})"
            for r, given in zip(manifest.encoders, ids) if not _same_encoder(r, given)]


def _same_encoder(record: EncoderRecord, given: str) -> bool:
    # An int8 ViViT is the same network with slightly rounded features (cosine ~0.9998): accepted.
    given, want = given.removesuffix("-int8"), record.id.removesuffix("-int8")
    # An imported record names its model without a weight hash (the model was not present at import).
    return given == want or (not record.weights_sha256 and given.startswith(want + "-"))


def _describe(spec: Any) -> str:
    from hhir.models.encoders import short_name

    if spec.kind == "vivit":
        return f"vivit {spec.n_frames} frames at {spec.frame_size}px"
    if spec.kind == "logmel":
        return "logmel"
    return f"{spec.kind} {short_name(spec.model)} ({spec.pooling})" if spec.kind == "hf-text" else f"{spec.kind} {short_name(spec.model)}"


def _verify(path: Path, sha: str) -> None:
    if not path.is_file():
        raise ModelError(f"{path}: file listed in the manifest is missing")
    if file_sha256(path) != sha:
        what = "weights are" if path.suffix == ".safetensors" else "file is"
        raise ModelError(f"{path}: {what} damaged or changed (sha256 differs from the manifest)")


def _write_synced(path: Path, text: str | bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(text if isinstance(text, bytes) else text.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())


def _light_head(path: Path, manifest: Manifest):
    """The light head a bundle predicts with; its labels must be the manifest's, in order."""
    from hhir.models.light_head import LightHead

    try:
        head = LightHead.load(path)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"{path}: cannot read the light head ({exc})") from None
    if head.labels != tuple(manifest.labels):
        raise ModelError(f"{path}: the light head's labels {list(head.labels)} are not the bundle's {list(manifest.labels)}")
    return head
