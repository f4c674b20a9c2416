"""Gather what an export needs from the store, applying the export filters once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hhir.errors import HHIRError
from hhir.exchange.clock import video_clock
from hhir.exchange.model import ExportData, ExportOptions, VideoData
from hhir.exchange.naming import assign_splits, scene_names
from hhir.scoring.shown import shown_predictions
from hhir.scoring.truth import judged_annotations
from hhir.types import Annotation, Target, Video

if TYPE_CHECKING:
    from hhir.store import Store


def collect(store: Store, options: ExportOptions) -> ExportData:
    """Read the videos, structure, labels and (optionally) predictions an export writes.

    Raises:
        HHIRError: when a requested video id does not exist or nothing is left to export.
    """
    videos = _select_videos(store, options.video_ids)
    names = scene_names([(v.id, v.path) for v in videos])
    splits = assign_splits([v.fingerprint or names[v.id] for v in videos], options.test_fraction)
    # A video with a side in the project's fixed split keeps it: its test videos are never exported
    # as training data (formats know train and test only, so validation videos export as train).
    for fingerprint, side in store.video_sides().items():
        if fingerprint in splits:
            splits[fingerprint] = "test" if side.side == "test" else "train"
    data = tuple(
        _video_data(store, v, names[v.id], splits[v.fingerprint or names[v.id]], options) for v in videos
    )
    return ExportData(labels=tuple(store.labels()), videos=data)


def _select_videos(store: Store, video_ids: tuple[int, ...]) -> list[Video]:
    videos = store.videos()
    if not video_ids:
        return sorted(videos, key=lambda v: v.id)
    known = {v.id: v for v in videos}
    missing = [i for i in video_ids if i not in known]
    if missing:
        raise HHIRError(f"{store.name}: no video with id {', '.join(map(str, missing))}")
    return [known[i] for i in sorted(set(video_ids))]


def _video_data(store: Store, video: Video, name: str, split: str, options: ExportOptions) -> VideoData:
    # The one truth rule: a label left alone on a reviewed clip is exported as absent (and unknown on
    # clips reviewed before the label existed), as training reads it.
    annotations = judged_annotations(store, video.id, options.annotator)
    clips = store.clips(video.id)
    reviewed = frozenset(store.reviewed(video.id, options.annotator))
    if options.reviewed_only:
        clips = [c for c in clips if Target(video.id, c.id) in reviewed]
        annotations = _reviewed_annotations(annotations, reviewed)
    predictions = shown_predictions(store, video.id) if options.with_predictions else None
    return VideoData(
        video=video,
        name=name,
        split=split,
        shots=tuple(store.shots(video.id)),
        clips=tuple(clips),
        transcript=tuple(store.transcript(video.id)),
        annotations=tuple(sorted(annotations, key=_annotation_order)),
        reviewed=reviewed,
        predictions=predictions,
        clock=video_clock(video),
        reviewers=tuple(sorted(((t, name) for name, times in store.review_times(video.id, options.annotator).items()
                                for t in times if t in reviewed), key=lambda r: (r[0].clip_id or -1, r[1]))),
    )


def _reviewed_annotations(annotations: list[Annotation], reviewed: frozenset[Target]) -> list[Annotation]:
    return [a for a in annotations if a.target in reviewed]


def _annotation_order(a: Annotation) -> tuple:
    return (a.target.clip_id if a.target.clip_id is not None else -1, a.annotator, a.label)


def require_content(data: ExportData, fmt: str) -> None:
    """Refuse an export with no video at all, so an empty project is an error, not an empty file."""
    if not data.videos:
        raise HHIRError(f"nothing to export as {fmt}: the project has no (matching) videos")
