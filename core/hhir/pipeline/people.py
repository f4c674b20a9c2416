"""The people stage: who is on screen, shot by shot, grouped into characters across the video."""

from __future__ import annotations

import logging
from pathlib import Path

from hhir.jobs import CancelToken, ProgressFn
from hhir.people.records import PeopleOptions, Track
from hhir.store import Store
from hhir.types import PersonBox, PersonTrack, Shot, Video

log = logging.getLogger(__name__)
USER_SET = "user"  # a person edited the people: analysis keeps them (hhir.store.repo_people)


def stage_key(options: PeopleOptions, shots: list[Shot]) -> str:
    """The stage's params: the detector settings and the shots the tracks are cut by."""
    import hashlib

    cuts = ",".join(f"{s.start_frame}-{s.end_frame}" for s in shots)
    return f"{options.key()}:shots-{hashlib.sha1(cuts.encode(), usedforsecurity=False).hexdigest()[:12]}"


def _stored(track: Track) -> PersonTrack:
    """A found track as stored: only its detected boxes (the frames between are interpolated on reading)."""
    boxes = tuple(
        PersonBox(b.frame, *b.box, b.confidence, "detector",
                  None if b.face is None else (*b.face.box, *(v for point in b.face.keypoints for v in point)))
        for b in track.boxes if b.source == "detector"
    )
    return PersonTrack(0, 0, track.shot_index, boxes)


def people_stage(store: Store, video: Video, path: Path, shots: list[Shot], options: PeopleOptions,
                 progress: ProgressFn, cancel: CancelToken) -> bool:
    """Find and store the video's people unless stored for these settings and shots, or edited by a
    person (then kept). Returns True when it ran."""
    key = stage_key(options, shots)
    if store.stage_done(video.id, "people", key) or store.stage_done(video.id, "people", USER_SET):
        return False
    from hhir.people.video import find_people

    progress(0.0, "Finding people")
    result = find_people(path, shots, video.fps, options, progress, cancel)
    store.set_people(video.id, [_stored(t) for t in result.tracks], [list(c.tracks) for c in result.characters], key)
    log.info("video %s: %d tracks, %d characters from %d sampled frames", video.id, len(result.tracks),
             len(result.characters), result.sampled_frames)
    return True
