"""The ``--json`` object of one analyzed video."""

from __future__ import annotations

from typing import Any


def video_result(store, video_id: int, model_id: str | None = None) -> dict[str, Any]:
    """Everything stored about one video in the CLI's JSON shape.

    ``predictions`` is ``null`` when no model has scored the video; otherwise it names the model.
    """
    video = store.video(video_id)
    clips = store.clips(video_id)
    predictions = _predictions(store, video_id, clips, model_id)
    return {
        "path": video.path,
        "duration_s": round(video.duration_s, 3),
        "fps": video.fps,
        "frame_count": video.frame_count,
        "width": video.width,
        "height": video.height,
        "has_audio": video.has_audio,
        "shots": [
            {"index": s.index, "start_frame": s.start_frame, "end_frame": s.end_frame,
             "start_s": round(s.start_s, 3), "end_s": round(s.end_s, 3)}
            for s in store.shots(video_id)
        ],
        "clips": [
            {"index": c.index, "first_shot": c.first_shot, "last_shot": c.last_shot,
             "start_s": round(c.start_s, 3), "end_s": round(c.end_s, 3), "text": c.text}
            for c in clips
        ],
        "transcript": [
            {"start_s": round(t.start_s, 3), "end_s": round(t.end_s, 3), "text": t.text} for t in store.transcript(video_id)
        ],
        "predictions": predictions,
        "people": people_summary(store, video_id),
    }


def people_summary(store, video_id: int) -> list[dict[str, Any]]:
    """Each character: number, name, confirmed, and the frames of each of its tracks, by shot."""
    tracks = store.person_tracks(video_id)
    return [
        {"person": c.number, "name": c.name, "confirmed": c.confirmed,
         "tracks": [{"id": t.id, "shot": t.shot_index, "start_frame": t.start_frame, "end_frame": t.end_frame}
                    for t in tracks if t.character_id == c.id]}
        for c in store.characters(video_id)
    ]


def _predictions(store, video_id: int, clips, model_id: str | None) -> dict[str, Any] | None:
    preds = store.predictions(video_id, model_id)
    if preds is None:
        from hhir.scoring import starter

        preds = store.predictions(video_id, starter.MODEL_ID) if model_id is None else None
    if preds is None:
        return None
    index_of = {c.id: c.index for c in clips}
    from hhir.pipeline.fallback import starter_labels

    return {
        # starter_labels: labels this model has no output for, scored by the zero-shot starter instead.
        "model": {"id": preds.model.id, "kind": preds.model.kind, "starter_labels": starter_labels(store, preds.model)},
        "scene": {k: round(v, 4) for k, v in preds.scene.items()},
        "clips": [
            {"clip": index_of[cid], "scores": {k: round(v, 4) for k, v in scores.items()}}
            for cid, scores in sorted(preds.clips.items(), key=lambda kv: index_of.get(kv[0], 0))
            if cid in index_of
        ],
    }
