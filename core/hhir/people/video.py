"""People in one video: detect on sampled frames, track per shot, group the tracks into characters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hhir.jobs import CancelToken, ProgressFn, no_progress
from hhir.people.records import CharacterGroup, PeopleOptions, Track
from hhir.types import Shot


@dataclass(frozen=True)
class PeopleResult:
    """The tracks of a video (shot by shot) and the suggested characters (indices into ``tracks``)."""

    tracks: list[Track]
    characters: list[CharacterGroup]
    sampled_frames: int


def sample_plan(shots: list[Shot], fps: float, samples_per_s: float) -> dict[int, int]:
    """Frame index -> shot index of the frames to detect on: evenly spaced inside each shot, its first
    and last frame included, so every track can reach the shot's edges."""
    step = max(1, round(fps / samples_per_s)) if fps > 0 else 1
    plan: dict[int, int] = {}
    for shot in shots:
        last = shot.end_frame - 1
        if last < shot.start_frame:
            continue
        for frame in [*range(shot.start_frame, last + 1, step), last]:
            plan[frame] = shot.index
    return plan


def _frames(path: Path, wanted: set[int], width: int, cancel: CancelToken) -> Iterator[tuple[int, np.ndarray]]:
    """The wanted decoded frames (display order index), shrunk to ``width`` (never enlarged)."""
    from hhir.media.frames import decoded_frames, shrunk_size
    from hhir.media.scale import to_bgr

    for index, frame in decoded_frames(path, wanted, cancel):
        yield index, to_bgr(frame, *shrunk_size(frame, width))


def find_people(path: str | Path, shots: list[Shot], fps: float, options: PeopleOptions = PeopleOptions(),
                progress: ProgressFn = no_progress, cancel: CancelToken | None = None) -> PeopleResult:
    """Detect, track and group the people of a video whose shots are known.

    Args:
        path: the video file.
        shots: its shots (tracks never cross their boundaries).
        fps: its frame rate (sets the sampling step).
        options: sampling and detector settings.
        progress: receives ``(fraction, message)``.
        cancel: checked after every sampled frame.
    """
    from hhir.people.characters import group_tracks
    from hhir.people.detector import detect
    from hhir.people.tracker import ShotTracker

    cancel = cancel or CancelToken()
    plan = sample_plan(shots, fps, options.samples_per_s)
    tracks: list[Track] = []
    tracker: ShotTracker | None = None
    for n, (frame, bgr) in enumerate(_frames(Path(path), set(plan), options.width, cancel)):
        shot = plan[frame]
        if tracker is None or tracker.shot_index != shot:
            tracks.extend(tracker.finish() if tracker else [])
            tracker = ShotTracker(shot)
        tracker.add(frame, detect(bgr, frame, options))
        if n % 10 == 0:
            progress(n / max(1, len(plan)), "Finding people")
    tracks.extend(tracker.finish() if tracker else [])
    return PeopleResult(tracks, group_tracks(tracks, options.group_distance), len(plan))
