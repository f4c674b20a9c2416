"""Settings of one analysis run."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hhir.people.records import PeopleOptions


@dataclass(frozen=True)
class AnalysisOptions:
    """What an analysis run does. Every field that changes a stage's output is part of its key.

    Attributes:
        profile: ``offline`` (default), ``paper`` or a folder with a ``profile.json``.
        clip_size: shots per clip window (the seed uses 3).
        clip_stride: shots between window starts (the seed uses 1).
        detector: PySceneDetect detector name (``adaptive``, ``content``, ``threshold``, ``histogram``).
        threshold: detector threshold; ``None`` keeps the detector's default.
        model_bundle: a bundle folder to predict with instead of the project's active model.
        feature_batch: clips per encoder batch.
        people: find the people on screen (tracks per shot, characters across the video).
        people_samples_per_s: frames the people detectors look at per second of video.
        people_tiles: 1 (whole frames) or 2 (also a 2×2 grid of tiles: small people in wide shots, 5× the cost).
        voices: find who speaks when (speech turns, one voice per speaker), linked to the people on screen.
        pairs: suggest who does what to whom, with each suggestion's cue (needs the people).
    """

    profile: str = "offline"
    clip_size: int = 3
    clip_stride: int = 1
    detector: str = "adaptive"
    threshold: float | None = None
    model_bundle: str | None = None
    feature_batch: int = 4
    people: bool = True
    people_samples_per_s: float = 2.0
    people_tiles: int = 1
    voices: bool = True
    pairs: bool = True

    def people_options(self) -> PeopleOptions:
        """The people stage's settings (``hhir.people.records.PeopleOptions``)."""
        from hhir.people.records import PeopleOptions

        return PeopleOptions(samples_per_s=self.people_samples_per_s, tiles=self.people_tiles)

    def key(self, *fields: str) -> str:
        """A short stable hash of the named fields, used to tell whether a stored stage is current."""
        values = {name: asdict(self)[name] for name in fields}
        return hashlib.sha1(json.dumps(values, sort_keys=True).encode(), usedforsecurity=False).hexdigest()[:16]
