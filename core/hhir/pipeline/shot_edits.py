"""Shots a person corrected: stored with the rebuilt clips in one transaction and one undo step
named after what changed ("split of shot 4 at 00:20.5")."""

from __future__ import annotations

from hhir.pipeline.options import AnalysisOptions
from hhir.types import Clip, Shot

USER_SET = "user"  # same value as hhir.pipeline.run.USER_SET: a stage a person set


def clock(seconds: float) -> str:
    """``mm:ss.s`` (``h:mm:ss.s`` past an hour), as undo descriptions name times."""
    minutes, secs = divmod(max(seconds, 0.0), 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}:{minutes:02d}:{secs:04.1f}" if hours else f"{minutes:02d}:{secs:04.1f}"


def describe_shot_edit(old: list[Shot], new: list[Shot]) -> str:
    """What turned ``old`` into ``new``: a split, a merge, a moved cut, or "shot correction"."""
    old_cuts = [s.start_frame for s in old[1:]]
    new_cuts = [s.start_frame for s in new[1:]]
    added = sorted(set(new_cuts) - set(old_cuts))
    removed = sorted(set(old_cuts) - set(new_cuts))
    seconds = {s.start_frame: s.start_s for s in [*old, *new]}
    if len(added) == 1 and not removed:
        shot = next(s for s in old if s.start_frame < added[0] < s.end_frame)
        return f"split of shot {shot.index + 1} at {clock(seconds[added[0]])}"
    if len(removed) == 1 and not added:
        first = next(s for s in old if s.end_frame == removed[0])
        return f"merge of shots {first.index + 1} and {first.index + 2}"
    if len(added) == 1 and len(removed) == 1:
        return f"move of the cut at {clock(seconds[removed[0]])} to {clock(seconds[added[0]])}"
    return "shot correction" if old else "shots set"


def replace_shots(store, video_id: int, shots: list[Shot], options: AnalysisOptions = AnalysisOptions(),
                  description: str | None = None) -> list[Clip]:
    """Store shots a person corrected or imported, keep them from re-detection, and rebuild the
    clips, all in one transaction (a reader never sees new shots with old clips) and one undo step.

    Features of the new clips are computed by the next analysis of the video, which computes only
    what is missing (clips whose time range is new) and predicts again.

    Raises:
        ValueError: the shots do not tile the video from frame 0 (``validate_shots``).
    """
    from hhir.segment.shots import validate_shots

    validate_shots(shots)
    name = description or describe_shot_edit(store.shots(video_id), shots)
    params = options.key("detector", "threshold", "clip_size", "clip_stride")
    _change, clips = store.edit_shots(video_id, shots, options.clip_size, options.clip_stride, params, name)
    return clips


def refresh_clips(store, video_id: int, options: AnalysisOptions = AnalysisOptions(),
                  progress=None, cancel=None) -> int:
    """Features of the clips that have none yet (those a shot edit or its undo created) and the
    video's suggestions again, so no clip is left without scores; returns how many clips were new.

    Cached features are kept: only the changed clips go through the encoders (one decode pass
    over just their frames).

    Raises:
        MediaError: the video file is missing or unreadable (the clips stay, without new scores).
        Cancelled: ``cancel`` was set; what was computed is cached.
    """
    from pathlib import Path

    import numpy as np

    from hhir.errors import MediaError
    from hhir.jobs import CancelToken, no_progress, sub_progress
    from hhir.pipeline.feature_cache import compute_features, feature_id
    from hhir.pipeline.predict import predict_video
    from hhir.scoring.encoders import encoders_for

    progress, cancel = progress or no_progress, cancel or CancelToken()
    video = store.video(video_id)
    path = Path(video.path)
    if not path.is_file():
        raise MediaError(path, "file not found: the new clips get their suggestions once it is back")
    clips = store.clips(video_id)
    encoders = encoders_for(store, options.profile, options.model_bundle)
    wanted = [(c.start_s, c.end_s, feature_id(encoders.text.id, "text", c.text)) for c in clips]
    new = len(clips) - len(store.cached_feature_keys(video.fingerprint, wanted))
    audio: list[np.ndarray] = []

    def samples() -> np.ndarray:  # decoded once, and only if a clip needs it
        if not audio:
            from hhir.media.audio import extract_audio

            audio.append(extract_audio(path) if video.has_audio else np.zeros(0, np.float32))
        return audio[0]

    progress(0.0, f"Features of {new} new clip(s)")
    compute_features(store, video, path, clips, samples, encoders, sub_progress(progress, 0.0, 0.9), cancel)
    cancel.check()
    predict_video(store, video_id, options, sub_progress(progress, 0.9, 1.0), cancel, encoders=encoders)
    progress(1.0, "Suggestions for the new clips")
    return new
