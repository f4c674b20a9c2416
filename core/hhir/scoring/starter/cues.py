"""The starter's cue vector: a fixed layout of named real signals for one clip."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from hhir.scoring.starter.audio import AUDIO_CUES
from hhir.scoring.starter.text import TEXT_CUES
from hhir.scoring.starter.visual import VISUAL_CUES

CUE_NAMES: tuple[str, ...] = AUDIO_CUES + VISUAL_CUES + TEXT_CUES


@dataclass(frozen=True)
class ClipCues:
    """One clip's cues, by name (the field order is ``CUE_NAMES``)."""

    has_audio: float
    speech_fraction: float
    active_fraction: float
    level_median_dbfs: float
    level_p95_dbfs: float
    peak_over_median_db: float
    pitch_median_hz: float
    end_rise_semitones: float
    has_frames: float
    people_max: float
    people_mean: float
    faces_max: float
    motion_energy: float
    movers: float
    mover_pairs: float
    camera_travel: float
    word_count: float
    question_marks: float
    question_openers: float
    exclamations: float

    @classmethod
    def from_array(cls, row: np.ndarray) -> ClipCues:
        row = np.asarray(row, dtype=np.float64).ravel()
        if row.size != len(CUE_NAMES):
            raise ValueError(f"a cue vector has {len(CUE_NAMES)} values ({', '.join(CUE_NAMES)}), got {row.size}")
        return cls(*(float(v) for v in row))


assert tuple(f.name for f in fields(ClipCues)) == CUE_NAMES, "ClipCues must follow CUE_NAMES"
