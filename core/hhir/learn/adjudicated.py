"""The team rule on top of the annotators' truth: adjudicated decisions first, then agreement.

Rule (docs/teams.md): for a clip or scene label an adjudicator decided, the decision is the
training target and the annotators' votes on it are not counted; everywhere else the annotators'
votes decide as ``hhir.scoring.truth`` says (agreement or majority; a tie stays unknown, so a
disagreement nobody adjudicated is left out of training rather than guessed).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from hhir.scoring.truth import Truth
from hhir.types import AnnotationState, Clip


def apply_adjudications(truth: Truth, clips: list[Clip], labels: list[str], adjudications: list) -> Truth:
    """``truth`` with every adjudicated (target, label) set to the adjudicator's decision.

    Args:
        truth: one video's truth from :func:`hhir.scoring.truth.video_truth`.
        clips: that video's clips, in the order of ``truth``'s rows.
        labels: label names, in the order of ``truth``'s columns.
        adjudications: ``hhir.store.team.Adjudication`` records of this video.
    """
    if not adjudications:
        return truth
    row = {clip.id: i for i, clip in enumerate(clips)}
    column = {name: j for j, name in enumerate(labels)}
    clip_target, clip_known = truth.clip_target.copy(), truth.clip_known.copy()
    scene_target, scene_known = truth.scene_target.copy(), truth.scene_known.copy()
    for decision in adjudications:
        j = column.get(decision.label)
        if j is None:
            continue
        value = np.float32(decision.state == AnnotationState.PRESENT)
        if decision.target.clip_id is None:
            scene_target[j], scene_known[j] = value, True
        elif decision.target.clip_id in row:
            i = row[decision.target.clip_id]
            clip_target[i, j], clip_known[i, j] = value, True
    return replace(truth, clip_target=clip_target, clip_known=clip_known, scene_target=scene_target, scene_known=scene_known)


def by_video(store) -> dict[int, list]:
    """The project's adjudications grouped by video id (``{}`` for a store without any)."""
    out: dict[int, list] = {}
    for decision in store.adjudications():
        out.setdefault(decision.target.video_id, []).append(decision)
    return out
