"""Labels the active model cannot score: the zero-shot starter scores them, and says so.

A model trained before a label was added ("hugs") has no output for it. ``activate`` refuses such
a model, but a model can be active already, or named with ``--model``; then the label would get no
score at all, silently. Instead the starter scores it and the result names it as a starter score.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)


def bundle_labels(path: str | Path) -> list[str] | None:
    """The labels a bundle folder's manifest lists (None when it cannot be read; loading reports why)."""
    try:
        return [str(n) for n in json.loads((Path(path) / "manifest.json").read_text(encoding="utf-8"))["labels"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def starter_labels(store, model) -> list[str]:
    """Project labels that ``model`` (a ModelInfo) has no output for, so the starter scores them."""
    if model.kind == "starter" or not model.path:
        return []
    known = bundle_labels(model.path)
    return [] if known is None else [label.name for label in store.labels() if label.name not in known]


def fill_missing(store, video, clips, bundle_id: str, missing: list[str], scene: dict, per_clip: list[dict], tracks=None) -> bool:
    """Add starter scores for ``missing`` labels to a model's ``scene`` / ``per_clip`` scores in place.

    Returns False (and logs why) when the starter's cues are not cached for this video.
    """
    from hhir.pipeline.feature_cache import cached_clip_features
    from hhir.scoring import starter

    log.warning("model %s has no output for %s: scored with the zero-shot starter", bundle_id, ", ".join(missing))
    cues = cached_clip_features(store, video, clips, {"cues": starter.CUES_ID})
    if cues is None:
        log.warning("video %s: the starter's cues are not cached, so %s get no score", video.id, ", ".join(missing))
        return False
    labels = [label for label in store.labels() if label.name in missing]
    from hhir.scoring.starter.people import with_people

    s_scene, s_clips = starter.predict(with_people(cues["cues"], clips, tracks), [c.text for c in clips], labels)
    scene.update({n: s_scene[n] for n in missing if n in s_scene})
    for mine, theirs in zip(per_clip, s_clips):
        mine.update({n: theirs[n] for n in missing if n in theirs})
    return True
