"""Retraining from a project's annotations: a new, registered model bundle.

The default recipe is the seed paper's (see :class:`~core.learn.options.TrainOptions`). The new
bundle records its parent model, the annotation set it saw, the split by video, its
hyper-parameters, every epoch and its metrics; ``training.json`` inside the bundle holds what the
manifest's flat fields cannot. The bundle is written to a hidden folder and renamed into place only
when complete, so a cancelled or failed run leaves nothing behind.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from hhir.errors import HHIRError
from hhir.jobs import CancelToken, ProgressFn, no_progress, sub_progress
from hhir.learn.dataset import Collected, SceneRecord, collect, digest, to_samples
from hhir.learn.evaluation import Evaluation, evaluate_records, scene_scores
from hhir.learn.heads import LIGHT_HEAD_FILE, HeadComparison, compare, fit_head, head_thresholds
from hhir.learn.loop import FitResult, fit, run_with_torch_seed
from hhir.learn.metrics import tune_thresholds
from hhir.learn.options import FRESH_HIDDEN_DIM, TrainingEpoch, TrainOptions
from hhir.learn.project_split import project_split
from hhir.learn.split import Split, read_split
from hhir.models.manifest import TRAINING_FILE
from hhir.learn.warm import warm_start
from hhir.types import ModelInfo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainResult:
    """A finished training run."""

    model: ModelInfo
    path: Path
    history: tuple[TrainingEpoch, ...]
    best_epoch: int
    thresholds: tuple[float, ...]
    evaluations: tuple[Evaluation, ...]
    split: Split
    skipped: tuple[str, ...]
    seconds: float
    labels: tuple[str, ...] = ()  # the order of ``thresholds`` and of the model's outputs
    # Seed classifier vs light head vs starter on the same held-out clips (hhir.learn.heads.HeadComparison.as_dict)
    comparison: dict | None = None

    def evaluation(self, part: str) -> Evaluation | None:
        return next((e for e in self.evaluations if e.part == part), None)


def models_dir(store) -> Path:
    """Where a project's trained bundles live: ``models/`` next to its database file; for a team
    project on a server, a per-database folder under the user data folder (bundles are files)."""
    if getattr(store, "path", None) is None:
        from hhir import appdirs

        url = store.location.url
        if not url.database:  # postgresql:///?service=NAME: the service file names the server
            return appdirs.user_data_dir() / "servers" / f"service-{url.query['service']}" / "models"
        return appdirs.user_data_dir() / "servers" / f"{url.host or 'local'}-{url.port or 5432}-{url.database}" / "models"
    return Path(store.path).parent / "models"


def train(store, options: TrainOptions = TrainOptions(), progress: ProgressFn = no_progress,
          cancel: CancelToken | None = None, on_epoch: Callable[[TrainingEpoch], None] | None = None,
          out_dir: str | Path | None = None, encoders=None) -> TrainResult:
    """Train a new classifier on the project's annotations and register it (not activated).

    Args:
        store: the project (``hhir.store.Store``).
        options: hyper-parameters and data choices.
        progress: ``(fraction, message)`` callback; messages carry epoch, loss and validation F1.
        cancel: checked after every batch; a cancelled run raises ``Cancelled`` and writes nothing.
        on_epoch: receives a :class:`TrainingEpoch` after each epoch (for live curves).
        out_dir: folder for bundles (default :func:`models_dir`).
        encoders: an already loaded ``hhir.scoring.encoders.EncoderSet`` whose cached features to
            use (default: the active model's encoders, else the profile's).

    Raises:
        HHIRError: nothing to train on (no annotations with cached features).
    """
    started = time.perf_counter()
    labels = [label.name for label in store.labels()]
    progress(0.0, "Loading encoders")
    parent, encoders = _parent_and_encoders(store, options, encoders)
    data = collect(store, labels, encoders.ids(), options.annotator)
    # The project's fixed sides: a video held out once stays held out for every later model.
    split = project_split(store, [r.video.fingerprint for r in data.records], options.seed,
                          options.validation_fraction, options.test_fraction, trained_on=trained_on(store))
    return run_training(data, split, labels, encoders, parent, options, Path(out_dir) if out_dir else models_dir(store),
                        progress, cancel, on_epoch, store, started)


def run_training(data: Collected, split: Split, labels: list[str], encoders, parent, options: TrainOptions,
                 out_dir: Path, progress: ProgressFn = no_progress, cancel: CancelToken | None = None,
                 on_epoch: Callable[[TrainingEpoch], None] | None = None, store=None,
                 started: float | None = None) -> TrainResult:
    """Fit, tune, evaluate and save a bundle from collected data (registered when ``store`` is given)."""
    from hhir.models.bundle import ModelBundle

    started, cancel = started or time.perf_counter(), cancel or CancelToken()
    parts = {name: [r for r in data.records if r.video.fingerprint in getattr(split, name)]
             for name in ("train", "validation", "test")}
    bundle = _new_bundle(ModelBundle, labels, encoders, options, parent, data)
    train_samples, val_samples = to_samples(parts["train"], options.clip_samples), to_samples(parts["validation"], False)
    if not train_samples:
        raise HHIRError("no annotated clips or scenes with cached features to train on")
    result = fit(bundle.classifier, train_samples, val_samples, labels, options,
                 sub_progress(progress, 0.02, 0.95), cancel, on_epoch)
    thresholds = _thresholds(bundle.classifier, parts["validation"], options.threshold, len(labels))
    evaluations = tuple(e for name, recs in parts.items()
                        if (e := evaluate_records(bundle.classifier, recs, labels, name, options.threshold, thresholds)))
    progress(0.96, "Fitting the light head")
    head = fit_head(parts["train"], labels)
    comparison = compare(parts, labels, bundle.classifier, thresholds, head, store, options.threshold)
    if head is not None and comparison.winner == "light head":  # better held out at this data size: it predicts
        bundle = bundle.with_manifest(predictor="light head")
        thresholds = head_thresholds(parts, head, labels, options.threshold)
        # The bundle's figures (``models list``, its metrics record) are those of what it predicts with.
        evaluations = tuple(e for name, recs in parts.items()
                            if (e := evaluate_records(head, recs, labels, name, options.threshold, thresholds)))
    cancel.check()
    progress(0.97, "Saving model")
    info, path = _save(store, bundle, data, split, options, result, thresholds, evaluations, parent, out_dir,
                       time.perf_counter() - started, comparison, head)
    progress(1.0, f"Trained {info.id}")
    return TrainResult(info, path, result.history, result.best_epoch, tuple(thresholds), evaluations, split,
                       data.skipped, time.perf_counter() - started, tuple(labels), comparison.as_dict())


def _parent_and_encoders(store, options: TrainOptions, encoders):
    """The active trained/imported bundle (the parent) and the encoders whose features to use."""
    from hhir.scoring.active import active_bundle
    from hhir.scoring.encoders import encoders_for

    return active_bundle(store), encoders or encoders_for(store, options.profile)


def _new_bundle(bundle_cls, labels: list[str], encoders, options: TrainOptions, parent, data: Collected):
    from hhir.models.manifest import ClassifierConfig, ClipSettings, EncoderRecord
    from hhir.segment.clips import clip_window

    records = [EncoderRecord(m, e.spec, e.id, e.dim, getattr(e, "weights_sha256", ""))
               for m, e in (("video", encoders.video), ("text", encoders.text), ("audio", encoders.audio))]
    # The window the training clips were cut with, not today's defaults: a model trained on 4-shot
    # clips must say 4, whatever the analysis settings are now.
    size, stride = clip_window(r.clips for r in data.records) or (ClipSettings.size, ClipSettings.stride)
    clip = ClipSettings(size, stride, encoders.n_frames, encoders.frame_size)
    config = ClassifierConfig(_hidden_dim(options, parent), options.num_heads, options.num_layers, options.dropout)
    bundle = run_with_torch_seed(lambda: bundle_cls.create("trained", labels, records, clip, config), options.seed)
    if parent is not None:
        warm_start(bundle.classifier, parent, labels)
    # A ViViT loaded from a weights file travels with the bundle; a seeded one is rebuilt from its seed.
    bundle.vivit_state = encoders.video.state_dict() if encoders.video.spec.kind == "vivit" and encoders.video.spec.model else None
    return bundle


def _hidden_dim(options: TrainOptions, parent) -> int:
    if options.hidden_dim is not None:
        return options.hidden_dim
    return parent.manifest.classifier.hidden_dim if parent is not None else FRESH_HIDDEN_DIM


def _thresholds(model, validation: list[SceneRecord], default: float, n_labels: int) -> np.ndarray:
    target, known, scores = scene_scores(model, validation)
    if not len(target):
        return np.full(n_labels, default)
    return tune_thresholds(target, scores, known, default=default)


def _save(store, bundle, data: Collected, split: Split, options: TrainOptions, result: FitResult,
          thresholds: np.ndarray, evaluations: tuple[Evaluation, ...], parent, out_dir: Path,
          seconds: float, comparison: HeadComparison | None = None, head=None) -> tuple[ModelInfo, Path]:
    from dataclasses import replace

    from hhir.models.manifest import AnnotationSummary, Provenance, SplitSummary

    rows = data.rows
    metrics = {"best_epoch": float(result.best_epoch), "epochs": float(len(result.history)), "seconds": seconds}
    for e in evaluations:
        metrics |= e.flat()
    provenance = Provenance(
        parent=parent.id if parent is not None else None, source="hhir train",
        annotations=AnnotationSummary(len(data.records), sum(len(r.clips) for r in data.records), len(rows),
                                      data.annotators, digest(rows)),
        split=SplitSummary("fixed per project video, seeded", options.seed, len(split.train), len(split.validation), len(split.test)),
        metrics=metrics)
    bundle = bundle.with_manifest(thresholds=tuple(float(t) for t in thresholds), provenance=provenance)
    target = out_dir / bundle.id
    # training.json is hashed in the manifest with the weights: an edited split is refused on load.
    training = _training_record(options, split, rows, result, evaluations)
    if comparison is not None:
        training["comparison"] = comparison.as_dict()
    extra: dict[str, str | bytes] = {TRAINING_FILE: json.dumps(training, indent=1)}
    if head is not None:  # the light head's weights travel in the bundle, hashed like the rest
        extra[LIGHT_HEAD_FILE] = head.to_bytes()
    bundle.save(target, extra=extra)
    info = replace(bundle.model_info(), path=str(target))
    return (store.register_model(info, label_set=list(bundle.labels)) if store is not None else info), target


def _training_record(options, split, rows, result: FitResult, evaluations) -> dict:
    return {
        "options": options.as_dict(),
        "split": asdict(split),
        "annotations": [list(r) for r in rows],
        "pos_weight": list(result.pos_weight),
        "history": [{**asdict(e), "validation": e.validation.as_dict() if e.validation else None} for e in result.history],
        "evaluations": [e.as_dict() for e in evaluations],
    }


def trained_on(store, model_id: str | None = None) -> set[str]:
    """Fingerprints a model trained on, with its ancestors' (every model of the project when None)."""
    models = {m.id: m for m in store.models()}
    chain = list(models.values()) if model_id is None else []
    while model_id is not None and model_id in models and models[model_id] not in chain:
        chain.append(models[model_id])
        model_id = models[model_id].parent
    out: set[str] = set()
    for model in chain:
        split = read_split(model.path) if model.path else None
        out |= set(split.train) if split is not None else set()
    return out

