"""Match imported records to the project and write them, never silently over a person's work.

Everything is checked before anything is written: unknown labels, videos or clips that match
nothing, and contradictions inside the file raise :class:`ImportFormatError` naming the place in
the file. Then each (video, annotator) group is written with one ``annotate_many`` call.
An imported state that differs from the project's for the same clip, label and annotator is a
:class:`Conflict`: reported and left alone unless ``replace`` is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hhir.errors import ImportFormatError
from hhir.exchange.clock import frame_span, half_frame, video_clock
from hhir.exchange.model import ClipRef, Conflict, ImportData, ImportOptions, ImportReport, LabelRecord, ReviewRecord, VideoRef
from hhir.exchange.naming import sanitize, scene_names, seed_scene_keys, video_stem
from hhir.types import AnnotationState, Clip, Target, Video

if TYPE_CHECKING:
    from hhir.media.timebase import TimeBase
    from hhir.store import Store

_Key = tuple[Target, str, str]  # target, label, annotator


@dataclass
class Resolver:
    """Finds the project's video and clip for an imported reference (cached per video)."""

    store: Store
    options: ImportOptions

    def __post_init__(self) -> None:
        self._videos = self.store.videos()
        names = scene_names([(v.id, v.path) for v in self._videos])
        seed_keys = seed_scene_keys(names)
        self._by_name: dict[str, Video] = {}
        for v in self._videos:
            for key in (names[v.id], seed_keys[v.id], sanitize(video_stem(v.path)), video_stem(v.path)):
                self._by_name.setdefault(key.lower(), v)
        self._clips: dict[int, list[Clip]] = {}
        self._clocks: dict[int, TimeBase] = {}

    def video(self, ref: VideoRef, where: str) -> Video:
        if ref.fingerprint:
            found = self.store.video_by_fingerprint(ref.fingerprint)
            if found is not None:
                return found
        if ref.name and ref.name.lower() in self._by_name:
            return self._by_name[ref.name.lower()]
        if self.options.video_id is not None:
            return self.store.video(self.options.video_id)
        if len(self._videos) == 1 and not ref.fingerprint and not ref.name:
            return self._videos[0]
        named = ref.name or ref.fingerprint or "(unnamed)"
        raise ImportFormatError(f"{where}: no video in the project matches {named!r} (pass a video id)")

    def clip(self, video: Video, ref: ClipRef, where: str) -> Clip:
        """The clip whose start and end are each within half a frame of ``ref``'s, on the stream's
        own clock (what exports write); files written before exports used it, on ``frame / fps``."""
        clips = self._clips.setdefault(video.id, self.store.clips(video.id))
        if ref.start_s >= 0 and ref.end_s >= 0:
            if video.id not in self._clocks:
                self._clocks[video.id] = video_clock(video)
            clock = self._clocks[video.id]
            for timed in (clock, None):
                matching = [c for c in clips if self._matches(timed, video.fps, c, ref)]
                if matching:
                    return matching[0]
        elif ref.index >= 0:
            found = next((c for c in clips if c.index == ref.index), None)
            if found is not None:
                return found
        span = f"{ref.start_s:.3f}-{ref.end_s:.3f} s" if ref.start_s >= 0 else f"index {ref.index}"
        raise ImportFormatError(f"{where}: no clip of video {video.id} matches {span}")

    @staticmethod
    def _matches(clock: TimeBase | None, fps: float, clip: Clip, ref: ClipRef) -> bool:
        start, end = frame_span(clock, clip.start_frame, clip.end_frame, fps)
        return (abs(start - ref.start_s) <= half_frame(clock, clip.start_frame, fps)
                and abs(end - ref.end_s) <= half_frame(clock, max(clip.end_frame - 1, 0), fps))


def resolve_labels(store: Store, data: ImportData, options: ImportOptions,
                   resolver: Resolver | None = None) -> dict[_Key, tuple[AnnotationState, str]]:
    """Every label record as (target, label, annotator) -> (state, where); raises on any problem."""
    known = {label.name for label in store.labels()}
    resolver = resolver or Resolver(store, options)
    items: dict[_Key, tuple[AnnotationState, str]] = {}
    for record in data.labels:
        if record.label not in known:
            raise ImportFormatError(f"{record.where}: unknown label {record.label!r} (known: {', '.join(sorted(known))})")
        key = (_target(resolver, record), record.label, options.annotator or record.annotator)
        previous = items.get(key)
        if previous is not None and previous[0] != record.state:
            raise ImportFormatError(f"{record.where}: contradicts {previous[1]} for label {record.label!r}")
        items[key] = (record.state, record.where)
    return items


def resolve_reviews(resolver: Resolver, data: ImportData, options: ImportOptions) -> set[tuple[Target, str]]:
    """Every review record as (target, annotator); raises when one matches no clip."""
    return {(_target(resolver, r), options.annotator or r.annotator) for r in data.reviewed}


def _target(resolver: Resolver, record: LabelRecord | ReviewRecord) -> Target:
    video = resolver.video(record.video, record.where)
    if record.clip is None:
        return Target(video.id)
    return Target(video.id, resolver.clip(video, record.clip, record.where).id)


def write_labels(
    store: Store, items: dict[_Key, tuple[AnnotationState, str]], fmt: str, path: str, options: ImportOptions,
    reviews: set[tuple[Target, str]] | None = None,
) -> ImportReport:
    """Write resolved items, one ``annotate_many`` per (video, annotator), then mark the reviews;
    report conflicts.

    An absent label on a target its annotator reviewed (in the file or already here) is what the
    review itself says (:mod:`hhir.scoring.truth`): it is not written as an explicit mark, so a
    reviewed clip exported and imported is the same reviewed clip, not a clip of absent marks.
    """
    reviews = reviews or set()
    groups: dict[tuple[int, str], list[tuple[Target, str, AnnotationState | None]]] = {}
    conflicts: list[Conflict] = []
    unchanged = replaced = 0
    existing = _existing(store, {(t.video_id, a) for t, _, a in items})
    had = _review_times(store, {t.video_id for t, _ in reviews} | {t.video_id for t, _, _ in items})
    label_times = store.label_times()
    new_reviews = sorted((r for r in reviews if r[0] not in had.get(r[1], {})), key=lambda r: (r[0].video_id, r[0].clip_id or -1, r[1]))
    fresh = set(new_reviews)
    for (target, label, annotator), (state, where) in items.items():
        before = existing.get((target, label, annotator))
        if before == state:
            unchanged += 1
            continue
        if before is None and state is AnnotationState.ABSENT and (
                (target, annotator) in fresh or _covers(had.get(annotator, {}).get(target), label_times.get(label))):
            unchanged += 1  # the review says it
            continue
        if before is not None:
            conflicts.append(Conflict(target, label, before.value, state.value, annotator, where))
            if not options.replace:
                continue
            replaced += 1
        groups.setdefault((target.video_id, annotator), []).append((target, label, state))
    for (_, annotator), group in sorted(groups.items()):
        store.annotate_many(group, annotator, source=f"import:{fmt}")
    for target, annotator in new_reviews:
        store.set_reviewed(target, annotator)
    written = sum(len(g) for g in groups.values())
    videos = tuple(sorted({t.video_id for t, _, _ in items} | {t.video_id for t, _ in reviews}))
    return ImportReport(fmt, path, written, unchanged, tuple(conflicts), replaced, videos=videos, reviews_written=len(new_reviews))


def _review_times(store: Store, video_ids: set[int]) -> dict[str, dict[Target, str]]:
    found: dict[str, dict[Target, str]] = {}
    for video_id in video_ids:
        for annotator, times in store.review_times(video_id).items():
            found.setdefault(annotator, {}).update(times)
    return found


def _covers(reviewed_at: str | None, label_created: str | None) -> bool:
    from hhir.scoring.truth import review_covers

    return reviewed_at is not None and review_covers(reviewed_at, label_created)


def _existing(store: Store, groups: set[tuple[int, str]]) -> dict[_Key, AnnotationState]:
    found: dict[_Key, AnnotationState] = {}
    for video_id, annotator in groups:
        for a in store.annotations(video_id, annotator):
            found[(a.target, a.label, a.annotator)] = a.state
    return found


def import_labels(store: Store, data: ImportData, fmt: str, path: str, options: ImportOptions) -> ImportReport:
    """Resolve then write: the whole file is validated before the first write."""
    resolver = Resolver(store, options)
    items = resolve_labels(store, data, options, resolver)
    return write_labels(store, items, fmt, path, options, resolve_reviews(resolver, data, options))
