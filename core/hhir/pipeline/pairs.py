"""The pair suggestions stage: who does what to whom (:mod:`hhir.scoring.pairs`), from the stored
people, speech turns and transcript, after the voices stage.

Cheap (no decoding), so it runs on every analysis, like the clip texts: the untouched suggestions of
the last analysis are replaced, and no decision is overwritten (an annotator's record, or a judged
suggestion, on the same actor, label and target over an overlapping span wins:
:meth:`hhir.store.Store.replace_suggestions`).
"""

from __future__ import annotations

import logging

from hhir.store import Store
from hhir.types import Video

log = logging.getLogger(__name__)


def pairs_stage(store: Store, video: Video) -> tuple[int, int]:
    """Suggest the video's pairs; returns (stored, left out because a decision covers them)."""
    from hhir.scoring.pairs import pair_cues, suggestions

    characters = store.characters(video.id)
    if len(characters) < 2:
        added, skipped = store.replace_suggestions(video.id, [])
        return added, skipped
    cues = pair_cues(characters, store.person_tracks(video.id), store.shots(video.id), store.speech_turns(video.id),
                     store.transcript(video.id), video.fps, video.frame_count)
    labels = [label.name for label in store.labels()]
    added, skipped = store.replace_suggestions(video.id, suggestions(cues, video.id, labels))
    log.info("video %s: %d pair suggestions from %d cues (%d left out: decided already)", video.id, added, len(cues), skipped)
    return added, skipped
