"""Predictions for a video from cached features: the active model bundle, else the zero-shot starter."""

from __future__ import annotations

import hashlib
import json
import logging

from hhir.pipeline.feature_cache import cached_clip_features
from hhir.jobs import CancelToken, ProgressFn, no_progress
from hhir.pipeline.options import AnalysisOptions
from hhir.scoring.active import active_bundle
from hhir.types import ModelInfo, Predictions

log = logging.getLogger(__name__)

def predict_video(
    store, video_id: int, options: AnalysisOptions = AnalysisOptions(), progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None, encoders=None,
) -> Predictions | None:
    """Score a video's scene and clips, store the scores under the model's id and return them.

    Returns ``None`` when the features the model needs are not cached yet (``analyze`` computes them).
    When the model, the clips, their texts, the labels and the features are what the stored scores
    were computed from, those scores are returned as they are (a cached re-analysis loads nothing).
    """
    video, clips = store.video(video_id), store.clips(video_id)
    bundle = active_bundle(store, options.model_bundle)
    progress(0.0, "Predicting interactions")
    from hhir.scoring.starter.people import video_tracks

    tracks = video_tracks(store, video_id)  # the starter's people counts (and the fallback's) come from them
    key = _inputs_key(bundle, encoders, clips, store.labels(), tracks)
    if store.stage_done(video_id, "predictions", key):
        stored = store.predictions(video_id, bundle.id if bundle is not None else _starter_id())
        if stored is not None:
            progress(1.0, f"Predictions of {stored.model.id} are up to date")
            return stored
    if bundle is not None:
        ids = encoders.ids() if encoders is not None else {e.modality: e.id for e in bundle.manifest.encoders}
        feats = cached_clip_features(store, video, clips, ids)
        if feats is None:
            log.info("video %s: features for model %s are not cached yet", video_id, bundle.id)
            return None
        scene, per_clip = bundle.predict(feats["video"], feats["text"], feats["audio"])
        missing = [label.name for label in store.labels() if label.name not in bundle.labels]
        if missing:  # a label added after the model was trained: the starter scores it (and says so)
            from hhir.pipeline.fallback import fill_missing

            fill_missing(store, video, clips, bundle.id, missing, scene, per_clip, tracks)
            progress(0.5, f"model {bundle.id} has no output for {', '.join(missing)}: scored with the starter")
        model = _registered(store, bundle.model_info())
    else:
        from hhir.scoring import starter

        cues = cached_clip_features(store, video, clips, {"cues": starter.CUES_ID})
        if cues is None:
            return None
        from hhir.scoring.starter.people import with_people

        scene, per_clip = starter.predict(with_people(cues["cues"], clips, tracks), [c.text for c in clips], store.labels())
        model = _registered(store, ModelInfo(id=starter.MODEL_ID, kind="starter"))
    store.set_predictions(model.id, video_id, scene, {c.id: s for c, s in zip(clips, per_clip)})
    store.mark_stage(video_id, "predictions", key)
    progress(1.0, f"Predicted with {model.kind} model {model.id}")
    return store.predictions(video_id, model.id)


def _registered(store, info: ModelInfo) -> ModelInfo:
    existing = store.model(info.id)
    return existing if existing is not None else store.register_model(info)


def _starter_id() -> str:
    from hhir.scoring.starter import MODEL_ID

    return MODEL_ID


def _inputs_key(bundle, encoders, clips, labels, tracks=None) -> str:
    """What a video's scores depend on: the model (and its features' encoders), every clip's range
    and text, the labels with their descriptions (the starter reads those), and the people's tracks
    (the starter counts people from them)."""
    if bundle is not None:
        ids = encoders.ids() if encoders is not None else {e.modality: e.id for e in bundle.manifest.encoders}
        model = [bundle.id, bundle.manifest.predictor, sorted(ids.items())]
    else:
        from hhir.scoring import starter

        model = [starter.MODEL_ID, starter.CUES_ID, starter.RULES_ID]
    text = json.dumps([model, [(c.id, c.start_frame, c.end_frame, c.text) for c in clips],
                       [(label.name, label.description) for label in labels],
                       None if tracks is None else [(t.id, [(b.frame, b.box, b.face is not None) for b in t.boxes]) for t in tracks]],
                      ensure_ascii=False)
    return "inputs-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]

