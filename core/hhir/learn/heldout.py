"""``hhir evaluate``: a bundle's metrics on the project's held-out annotated scenes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hhir.errors import HHIRError
from hhir.learn.dataset import collect
from hhir.learn.evaluation import Evaluation, evaluate_records
from hhir.learn.split import read_split
from hhir.learn.train import trained_on
from hhir.thresholds import DEFAULT_THRESHOLD


@dataclass(frozen=True)
class BundleEvaluation:
    """Metrics of one bundle; ``note`` says which videos were used and why."""

    model_id: str
    evaluation: Evaluation
    note: str
    skipped: tuple[str, ...]


def evaluate_bundle(store, bundle_path: str | Path, annotator: str | None = None,
                    threshold: float = DEFAULT_THRESHOLD) -> BundleEvaluation:
    """Evaluate a bundle on annotated videos it did not train on.

    Held out means the test part of the bundle's stored split plus annotated videos the split never
    saw, less any video this model or one of its ancestors (it warm-started from them) trained on;
    when there are none, the validation part (said so in ``note``). A bundle without a stored split
    (imported) is evaluated on every annotated video.

    Raises:
        ModelError: the bundle's labels or encoders do not match the project's.
        HHIRError: no annotated video with cached features to evaluate on.
    """
    from hhir.models.bundle import ModelBundle

    bundle = ModelBundle.load(bundle_path, with_vivit=False)
    labels = [label.name for label in store.labels()]
    ids = {e.modality: e.id for e in bundle.manifest.encoders}
    bundle.check_compatible([ids["video"], ids["text"], ids["audio"]], labels)
    data = collect(store, list(bundle.labels), ids, annotator)
    split = read_split(bundle_path)
    records, part, note = list(data.records), "all", "every annotated video (the bundle has no stored split)"
    if split is not None:
        seen = trained_on(store, bundle.id) | set(split.train)
        unseen = [r for r in records if split.part(r.video.fingerprint) in ("test", None)]
        held = [r for r in unseen if r.video.fingerprint not in seen]
        part, note = "held-out", "test videos of the stored split and videos annotated since"
        if len(held) < len(unseen):
            note += f" ({len(unseen) - len(held)} left out: an ancestor model trained on them)"
        if not held:
            held = [r for r in records if split.part(r.video.fingerprint) == "validation"]
            part, note = "validation", "no held-out video: the validation videos of the stored split"
        records = held
    # What the bundle predicts with, at the thresholds it uses: the light head's when it won.
    predictor = bundle.light_head if bundle.light_head is not None else bundle.classifier
    result = evaluate_records(predictor, records, list(bundle.labels), part, threshold,
                              np.asarray(bundle.manifest.thresholds))
    if result is None:
        raise HHIRError(f"model {bundle.id}: no annotated {part} video with cached features to evaluate on"
                        + (f" ({'; '.join(data.skipped)})" if data.skipped else ""))
    return BundleEvaluation(bundle.id, result, note, data.skipped)
