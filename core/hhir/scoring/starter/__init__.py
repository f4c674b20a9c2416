"""The zero-shot starter: scene and clip scores for every label before any model is trained.

It scores from real signals: speech, loudness and pitch of the clip's audio, people, faces and
motion in a few of its frames, question marks and question words in its transcript, and the
similarity between the transcript and each label's description. Its predictions are stored under
the model id :data:`MODEL_ID` with kind ``starter`` and are replaced once a trained bundle is active.

Typical use::

    cues = np.stack([clip_cues(frames, audio_slice, text) for ...])
    scene, per_clip = predict(cues, texts, store.labels())
    why = explain(cues, texts, store.labels()).reasons   # per clip: {label: "question: '...'"}

Files: ``cues`` (the cue vector's layout), ``audio``, ``visual`` (with ``movers``) and ``text`` (the
cues of each modality), ``scoring`` (cues to scores) and ``calibration`` (Platt scaling).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hhir.scoring.starter.audio import audio_cues
from hhir.scoring.starter.cues import CUE_NAMES, ClipCues
from hhir.scoring.starter.calibration import calibrate
from hhir.scoring.starter.scoring import RULED_OUT_SCORE, Film, clip_logits
from hhir.scoring.starter.text import TEXT_CUES, similarity, text_cues
from hhir.scoring.starter.visual import visual_cues
from hhir.types import LabelDef

MODEL_ID = "starter-v1"
KIND = "starter"
CUES_ID = "starter-cues-v3"  # feature-cache key of the cue vectors: change it when CUE_NAMES changes
RULES_ID = "starter-rules-v2"  # what stored starter scores were computed with: change it when a rule or PLATT changes

__all__ = ["CUES_ID", "CUE_NAMES", "KIND", "MODEL_ID", "RULES_ID", "ClipCues",
            "StarterScores", "clip_cues", "clip_reasons", "explain", "film_context", "predict"]
_TEXT_SLICE = slice(len(CUE_NAMES) - len(TEXT_CUES), len(CUE_NAMES))


def clip_cues(frames: np.ndarray | None, audio: np.ndarray | None, text: str) -> np.ndarray:
    """The cue vector of one clip (float32, ``len(CUE_NAMES)`` values, in that order).

    Args:
        frames: ``(T, H, W, 3)`` uint8 BGR frames sampled from the clip, or None.
        audio: the clip's slice of the 16 kHz mono float32 track (empty or None: no audio).
        text: the clip's transcript text.
    """
    return np.concatenate([audio_cues(audio), visual_cues(frames), text_cues(text)]).astype(np.float32)


@dataclass(frozen=True)
class StarterScores:
    """Starter scores of one film's clips, and why.

    ``scene``: the highest clip score per label; ``clips``: one score dict per clip, in [0, 1];
    ``reasons``: per clip, the cue behind each label's score (e.g. ``"question: 'Where are you going?'"``);
    ``logits``: the uncalibrated ``(n_clips, n_labels)`` rule sums (what the calibration is fitted on);
    ``ruled``: bool ``(n_clips, n_labels)``, where a label is ruled out (one person or nobody seen:
    :func:`hhir.scoring.starter.scoring.ruled_out`), its score held low whatever the calibration.
    """

    scene: dict[str, float]
    clips: list[dict[str, float]]
    reasons: list[dict[str, str]]
    logits: np.ndarray
    ruled: np.ndarray


def explain(cues: np.ndarray, texts: list[str], labels: list[LabelDef], calibrated: bool = True,
            film: Film | None = None) -> StarterScores:
    """Starter scores for one film's clips, each with its reason.

    The text cues are recomputed from ``texts``, so cached cue vectors stay right after a
    transcript correction. Pass every clip of the film: loudness is judged against the film's own
    dialogue level.

    Args:
        cues: ``(n_clips, len(CUE_NAMES))`` from :func:`clip_cues`.
        texts: each clip's text.
        labels: the project's label set; a label's ``description`` (or its name when empty) is
            what the clip text is compared with.
        calibrated: apply the fitted Platt scaling (:mod:`hhir.scoring.starter.calibration`).
        film: the film's context when ``cues`` are only some of its clips (default: measured on ``cues``).
    """
    cues = np.asarray(cues, dtype=np.float32).reshape(-1, len(CUE_NAMES)) if np.size(cues) else np.zeros((0, len(CUE_NAMES)), np.float32)
    if len(cues) != len(texts):
        raise ValueError(f"{len(cues)} cue vectors but {len(texts)} clip texts")
    cues = cues.copy()
    if len(texts):
        cues[:, _TEXT_SLICE] = np.stack([text_cues(t) for t in texts])
    names = [label.name for label in labels]
    sims = similarity(list(texts), [label.description or label.name for label in labels]) if len(texts) else np.zeros((0, len(names)))
    logits, reasons, ruled = clip_logits([ClipCues.from_array(row) for row in cues], list(texts), sims, names, film)
    per_clip = calibrate(logits, names, None if calibrated else {})
    per_clip = np.where(ruled, np.minimum(per_clip, RULED_OUT_SCORE), per_clip)  # whatever the fitted scaling
    clip_dicts = [{n: float(v) for n, v in zip(names, row)} for row in per_clip]
    scene = {n: float(per_clip[:, j].max()) if len(per_clip) else 0.0 for j, n in enumerate(names)}
    return StarterScores(scene, clip_dicts, reasons, logits, ruled)


def predict(cues: np.ndarray, texts: list[str], labels: list[LabelDef]) -> tuple[dict[str, float], list[dict[str, float]]]:
    """Starter scores for one film's clips: scene scores (the highest clip score per label) and one
    score dict per clip, in [0, 1]. See :func:`explain`, which also says why."""
    result = explain(cues, texts, labels)
    return result.scene, result.clips


def _cached_cues(store, video, clips) -> list[tuple[object, np.ndarray]]:
    found = store.features(video.fingerprint, [(c.start_s, c.end_s, CUES_ID) for c in clips])
    rows = [(c, found.get((c.start_s, c.end_s, CUES_ID))) for c in clips]
    rows = [(c, v) for c, v in rows if v is not None and np.size(v) == len(CUE_NAMES)]
    from hhir.scoring.starter.people import video_tracks, with_people

    tracks = video_tracks(store, video.id) if rows else None
    if tracks is None:
        return rows
    counted = with_people(np.stack([v for _, v in rows]), [c for c, _ in rows], tracks)
    return [(c, row) for (c, _), row in zip(rows, counted)]


def film_context(store, video, clips) -> Film:
    """The film-level context of the starter's rules (its dialogue level) from the cached cue
    vectors of ``clips`` (all of the video's clips; one bulk read)."""
    return Film.of([ClipCues.from_array(v) for _, v in _cached_cues(store, video, clips)])


def clip_reasons(store, video, clips, film: Film | None = None) -> dict[int, dict[str, str]]:
    """The cue behind each starter score of ``clips`` (``{clip id: {label: reason}}``), from their
    cached cue vectors; clips whose cues are not cached yet are left out.

    Args:
        store: the project.
        video: the clips' video.
        clips: the clips wanted.
        film: :func:`film_context` of the whole video (default: measured on ``clips`` alone, which
            is right only when they are all of its clips).
    """
    rows = _cached_cues(store, video, clips)
    if not rows:
        return {}
    result = explain(np.stack([v for _, v in rows]), [c.text for c, _ in rows], store.labels(), film=film)
    return {c.id: why for (c, _), why in zip(rows, result.reasons)}
