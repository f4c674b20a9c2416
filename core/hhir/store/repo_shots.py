"""Shot corrections as one transaction and one undo step: shots, rebuilt clips, their texts, the
stage marks, and every decision and review mark of the clips that changed.

The rule (docs/internals.md, "Shot edits keep every decision"):

- a clip whose time range did not change keeps its row, hence its id, decisions, review marks and
  scores; only its position numbers follow the new shots;
- the clips whose range changed ("gone") are paired one to one with the new clips ("added") by the
  time they share, most first; each gone clip's decisions and review marks move, rows and all, to
  its pair;
- a decision whose gone clip found no pair (a merge leaves one fewer clip) goes to the new clip that
  covers most of its range and has no decision by that person on that label; if that clip already
  holds the same decision, the two are one and the same decision; only a decision no new clip
  overlaps, or whose every overlapping clip holds a different decision of that person on that label,
  is kept aside (an orphan with its time range, listed by the label panel to reattach);
- scene-level decisions are not on a clip and never move.

Each side of the undo step records its region: the clips it has and the other lacks, with their
ids, and the decision and review rows on them (kept-aside ones too), by row id. Undo and redo put
exactly those rows back (same ids, clip ids included), so undoing an edit gives the state before it
row for row; a decision someone made meanwhile on a clip that goes away follows the rule above.

The work follows the size of the edit, not of the film: clips are matched by their time range
through a dictionary, unchanged clips are renumbered with a few set-based UPDATEs, and only the
added clips get texts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from hhir.store import repo_media, rows
from hhir.store.common import same_range
from hhir.store.schema import AnnotationRow, ClipRow, ReviewRow, SegmentRow, ShotRow
from hhir.types import Clip, Shot

USER_SET = "user"  # the shots stage's params when a person set the shots (see hhir.pipeline.run)
CHUNK = rows.CHUNK


@dataclass(frozen=True)
class ShotsKey:
    video_id: int
    clip_size: int
    clip_stride: int
    clips_params: str  # the clips stage's params the rebuilt clips are marked with


@dataclass(frozen=True)
class ShotsValue:
    shots: list[list[float]]  # [start_frame, end_frame, start_s, end_s] per shot
    # [start_s, end_s, annotator, reviewed_at] of removed clips' review marks: steps logged before
    # regions were recorded (their annotations come back through the orphan mechanism)
    reviews: list[list] = field(default_factory=list)
    region: dict[str, list[list]] | None = None  # see Region.encode


@dataclass
class Region:
    """The clips one side of a shot edit has and the other lacks, with the rows on them."""

    clips: list[list] = field(default_factory=list)  # [id, start_s, end_s]
    annotations: list[list] = field(default_factory=list)  # see _ann_fields: id first
    reviews: list[list] = field(default_factory=list)  # [id, clip start_s, clip end_s, annotator, reviewed_at]

    def encode(self) -> dict[str, list[list]]:
        return {"clips": self.clips, "annotations": self.annotations, "reviews": self.reviews}

    @staticmethod
    def decode(data: dict[str, Any] | None) -> Region | None:
        if data is None:
            return None
        return Region(list(data.get("clips", [])), list(data.get("annotations", [])), list(data.get("reviews", [])))


def encode_shots(shots: list[Shot]) -> list[list[float]]:
    return [[s.start_frame, s.end_frame, s.start_s, s.end_s] for s in shots]


def _decode_shots(value: ShotsValue) -> list[Shot]:
    return [Shot(i, int(a), int(b), float(sa), float(sb)) for i, (a, b, sa, sb) in enumerate(value.shots)]


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


class _Ranges:
    """Items by time range, matched as ``same_range`` does (within ``common.TIME_TOLERANCE_S``): by the
    exact numbers first (a clip kept from the same shots has them), else by milliseconds."""

    def __init__(self) -> None:
        self._exact: dict[tuple[float, float], list[Any]] = {}
        self._by_ms: dict[tuple[int, int], list[Any]] | None = None

    def add(self, start_s: float, end_s: float, item: Any) -> None:
        self._exact.setdefault((start_s, end_s), []).append(item)
        self._by_ms = None

    def pop(self, start_s: float, end_s: float, range_of) -> Any | None:
        items = self._exact.get((start_s, end_s))
        if items:
            return self._take(items.pop(), range_of)
        if self._by_ms is None:
            self._by_ms = {}
            for group in self._exact.values():
                for item in group:
                    a, b = range_of(item)
                    self._by_ms.setdefault((_ms(a), _ms(b)), []).append(item)
        a, b = _ms(start_s), _ms(end_s)
        for da in (0, -1, 1):
            for db in (0, -1, 1):
                for item in self._by_ms.get((a + da, b + db), ()):
                    if same_range(*range_of(item), start_s, end_s):
                        self._exact[range_of(item)].remove(item)
                        return self._take(item, range_of)
        return None

    def _take(self, item: Any, range_of) -> Any:
        if self._by_ms is not None:
            a, b = range_of(item)
            self._by_ms[(_ms(a), _ms(b))].remove(item)
        return item


def _ann_fields(row: AnnotationRow, start_s: float | None, end_s: float | None) -> list:
    return [row.id, start_s, end_s, row.label, row.state, row.annotator, row.source, row.created_at,
            row.updated_at, bool(row.orphan)]


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


@dataclass
class _Plan:
    new: list[Clip]
    kept: list[tuple[Any, Clip]]  # (old row tuple, new clip)
    added: list[Clip]
    gone: list[Any]  # old row tuples


def _plan(s: Session, video_id: int, new: list[Clip]) -> _Plan:
    cols = (ClipRow.id, ClipRow.start_s, ClipRow.end_s, ClipRow.index, ClipRow.first_shot, ClipRow.last_shot,
            ClipRow.start_frame, ClipRow.end_frame, ClipRow.text)
    old = s.execute(select(*cols).where(ClipRow.video_id == video_id)).all()
    ranges = _Ranges()
    for row in old:
        ranges.add(row.start_s, row.end_s, row)
    kept, added = [], []
    for clip in new:
        row = ranges.pop(clip.start_s, clip.end_s, lambda r: (r.start_s, r.end_s))
        if row is None:
            added.append(clip)
        else:
            kept.append((row, clip))
    kept_ids = {row.id for row, _ in kept}
    return _Plan(new, kept, added, [r for r in old if r.id not in kept_ids])


def _renumber(s: Session, kept: list[tuple[Any, Clip]]) -> None:
    """Unchanged clips take their new position numbers: one UPDATE per shift, not per clip."""
    groups: dict[tuple[int, int, int], list[int]] = {}
    exact: list[dict[str, Any]] = []
    for row, clip in kept:
        if (row.start_frame, row.end_frame) != (clip.start_frame, clip.end_frame):
            exact.append({"_id": row.id, "index": clip.index, "first_shot": clip.first_shot, "last_shot": clip.last_shot,
                          "start_frame": clip.start_frame, "end_frame": clip.end_frame})
            continue
        shift = (clip.index - row.index, clip.first_shot - row.first_shot, clip.last_shot - row.last_shot)
        if shift != (0, 0, 0):
            groups.setdefault(shift, []).append(row.id)
    table = ClipRow.__table__
    for (di, df, dl), ids in groups.items():
        for chunk in _chunks(ids):
            s.execute(update(table).where(table.c.id.in_(chunk)).values(
                index=table.c.index + di, first_shot=table.c.first_shot + df, last_shot=table.c.last_shot + dl))
    if exact:
        from sqlalchemy import bindparam

        s.execute(update(table).where(table.c.id == bindparam("_id")).values(
            index=bindparam("index"), first_shot=bindparam("first_shot"), last_shot=bindparam("last_shot"),
            start_frame=bindparam("start_frame"), end_frame=bindparam("end_frame")), exact)


def _set_shots(s: Session, video_id: int, shots: list[Shot]) -> None:
    """Store ``shots``: a shot whose frames did not change keeps its row (renumbered with one UPDATE
    per shift), the others are deleted or inserted; so a split of a long film writes a few rows."""
    table = ShotRow.__table__
    old = s.execute(select(table.c.id, table.c.index, table.c.start_frame, table.c.end_frame, table.c.start_s,
                           table.c.end_s).where(table.c.video_id == video_id)).all()
    by_frames = {(r.start_frame, r.end_frame, r.start_s, r.end_s): r for r in old}
    shifts: dict[int, list[int]] = {}
    new_rows = []
    for shot in shots:
        row = by_frames.pop((shot.start_frame, shot.end_frame, shot.start_s, shot.end_s), None)
        if row is None:
            new_rows.append({"video_id": video_id, "index": shot.index, "start_frame": shot.start_frame,
                             "end_frame": shot.end_frame, "start_s": shot.start_s, "end_s": shot.end_s})
        elif row.index != shot.index:
            shifts.setdefault(shot.index - row.index, []).append(row.id)
    for chunk in _chunks([r.id for r in by_frames.values()]):
        s.execute(delete(table).where(table.c.id.in_(chunk)))
    # (video, index) is unique and SQLite checks it row by row: move the shifted rows to negative
    # numbers first, then flip them back
    for shift, ids in shifts.items():
        for chunk in _chunks(ids):
            s.execute(update(table).where(table.c.id.in_(chunk)).values(index=-(table.c.index + shift) - 1))
    if shifts:
        s.execute(update(table).where(table.c.video_id == video_id, table.c.index < 0).values(index=-table.c.index - 1))
    if new_rows:
        s.execute(insert(table), new_rows)


def _free_id(s: Session, model: type, wanted: int | None) -> int | None:
    """``wanted`` when no row of ``model`` has it (so undo/redo give rows their old ids), else None."""
    if wanted is None or s.get(model, wanted) is not None:
        return None
    return wanted


def _insert_clips(s: Session, video_id: int, added: list[Clip], ids_by_range: _Ranges) -> list[Clip]:
    from hhir.segment.clips import clip_text

    segments: list[Any] = []
    if added:  # only the transcript lines the new clips overlap, as plain columns
        lo, hi = min(c.start_s for c in added), max(c.end_s for c in added)
        cols = (SegmentRow.start_s, SegmentRow.end_s, SegmentRow.text)
        segments = list(s.execute(select(*cols).where(SegmentRow.video_id == video_id, SegmentRow.end_s > lo, SegmentRow.start_s < hi)))
    stored = []
    for clip in added:
        text = clip_text(clip, segments)
        wanted = ids_by_range.pop(clip.start_s, clip.end_s, lambda c: (c[1], c[2]))
        row = ClipRow(video_id=video_id, index=clip.index, first_shot=clip.first_shot, last_shot=clip.last_shot,
                      start_s=float(clip.start_s), end_s=float(clip.end_s), start_frame=int(clip.start_frame),
                      end_frame=int(clip.end_frame), text=text)
        free = _free_id(s, ClipRow, None if wanted is None else int(wanted[0]))
        if free is not None:
            row.id = free
        s.add(row)
        stored.append((row, clip))
    s.flush()
    return [Clip(index=c.index, first_shot=c.first_shot, last_shot=c.last_shot, start_s=c.start_s, end_s=c.end_s,
                 start_frame=c.start_frame, end_frame=c.end_frame, text=r.text, id=r.id) for r, c in stored]


def _rows_on(s: Session, model: type, clip_ids: list[int]) -> list[Any]:
    found: list[Any] = []
    for chunk in _chunks(sorted(clip_ids)):
        found += s.scalars(select(model).where(model.clip_id.in_(chunk)))
    return found


class _Mover:
    """Moves the rows of gone clips onto added clips by the rule in the module docstring."""

    def __init__(self, s: Session, video_id: int, gone: list[Any], added: list[Clip], neighbours: list[Clip]) -> None:
        self.s, self.video_id = s, video_id
        self.range = {g.id: (g.start_s, g.end_s) for g in gone}
        self.neighbours = neighbours  # every new clip overlapping a gone one (added or kept)
        pairs = sorted(
            ((_overlap((g.start_s, g.end_s), (c.start_s, c.end_s)), abs(g.start_s - c.start_s) + abs(g.end_s - c.end_s), g.id, c.id)
             for g in gone for c in added if _overlap((g.start_s, g.end_s), (c.start_s, c.end_s)) > 0),
            key=lambda p: (-p[0], p[1], p[2], p[3]))
        self.pair: dict[int, int] = {}
        taken: set[int] = set()
        for _, _, g, c in pairs:
            if g not in self.pair and c not in taken:
                self.pair[g] = c
                taken.add(c)
        ids = [c.id for c in neighbours]
        self.slots: dict[tuple[int, str, str], AnnotationRow] = {}
        for row in _rows_on(s, AnnotationRow, [i for i in ids if i is not None]):
            self.slots[(row.clip_id, row.label, row.annotator)] = row
        self.reviewed: set[tuple[int, str]] = set()
        for review in _rows_on(s, ReviewRow, [i for i in ids if i is not None]):
            self.reviewed.add((review.clip_id, review.annotator))
        self.kept_aside = 0

    def _candidates(self, gone_id: int) -> list[Clip]:
        span = self.range[gone_id]
        paired = self.pair.get(gone_id)
        near = [c for c in self.neighbours if _overlap(span, (c.start_s, c.end_s)) > 0]
        near.sort(key=lambda c: (c.id != paired, -_overlap(span, (c.start_s, c.end_s)),
                                 abs(span[0] - c.start_s) + abs(span[1] - c.end_s)))
        return near

    def move_annotation(self, row: AnnotationRow, gone_id: int) -> int | None:
        """Move ``row`` off gone clip ``gone_id``; returns the clip it went to (None: kept aside or merged)."""
        for clip in self._candidates(gone_id):
            there = self.slots.get((clip.id, row.label, row.annotator))
            if there is None:
                row.clip_id, row.orphan, row.start_s, row.end_s = clip.id, False, clip.start_s, clip.end_s
                self.slots[(clip.id, row.label, row.annotator)] = row
                return clip.id
            if there.state == row.state:  # the same decision is already there: they are one
                self.s.delete(row)
                return None
        start_s, end_s = self.range[gone_id]
        row.clip_id, row.orphan, row.start_s, row.end_s = None, True, start_s, end_s
        self.kept_aside += 1
        return None

    def move_review(self, review: ReviewRow, gone_id: int, went_to: list[int]) -> None:
        """The review mark goes with the decisions: to the pair, else where most of them went."""
        targets = ([self.pair[gone_id]] if gone_id in self.pair else []) + sorted(set(went_to), key=went_to.count, reverse=True)
        for clip_id in targets:
            if (clip_id, review.annotator) not in self.reviewed:
                review.clip_id = clip_id
                self.reviewed.add((clip_id, review.annotator))
                return
        self.s.delete(review)  # that clip is already reviewed by them: one mark is enough


def _region(s: Session, clips: list[tuple[int, float, float]], orphans: list[AnnotationRow]) -> Region:
    """The rows on ``clips`` (id, start, end) and the given orphan rows, as a region to log."""
    span = {cid: (a, b) for cid, a, b in clips}
    region = Region(clips=[[cid, a, b] for cid, a, b in clips])
    for row in _rows_on(s, AnnotationRow, list(span)):
        region.annotations.append(_ann_fields(row, *span[row.clip_id]))
    for row in orphans:
        region.annotations.append(_ann_fields(row, row.start_s, row.end_s))
    for review in _rows_on(s, ReviewRow, list(span)):
        region.reviews.append([review.id, *span[review.clip_id], review.annotator, review.reviewed_at])
    return region


@dataclass
class Rebuilt:
    clips: list[Clip]
    before: Region  # the rows of the clips that went away, as they were
    after: Region  # the rows of the clips that came, as they are now
    kept_aside: int = 0


def rebuild(s: Session, key: ShotsKey, shots: list[Shot], target: Region | None = None, leaving: Region | None = None,
            legacy_reviews: list[list] | None = None) -> Rebuilt:
    """Store ``shots`` and rebuild the clips, moving decisions and review marks by the rule.

    ``target`` (undo/redo): the region of the state being restored; its rows are put back exactly,
    and rows of ``leaving`` (the region of the state left) that ``target`` lacks are removed.
    """
    from hhir.segment.clips import build_clips

    video_id = key.video_id
    plan = _plan(s, video_id, build_clips(shots, size=key.clip_size, stride=key.clip_stride))
    orphans = list(s.scalars(select(AnnotationRow).where(AnnotationRow.video_id == video_id, AnnotationRow.orphan.is_(True))))
    returning = [o for o in orphans if any(same_range(o.start_s, o.end_s, c.start_s, c.end_s) for c in plan.added)]
    before = _region(s, [(g.id, g.start_s, g.end_s) for g in plan.gone], returning if target is None else orphans)

    _set_shots(s, video_id, shots)
    _renumber(s, plan.kept)
    wanted_ids = _Ranges()
    for clip in (target.clips if target else []):
        wanted_ids.add(clip[1], clip[2], clip)
    added = _insert_clips(s, video_id, plan.added, wanted_ids)
    by_range = _Ranges()
    for clip in added:
        by_range.add(clip.start_s, clip.end_s, clip)

    gone_ids = [g.id for g in plan.gone]
    if target is not None:
        _restore(s, video_id, target, leaving or Region(), added)
    mover = _Mover(s, video_id, plan.gone, added, _neighbours(plan, added))
    went: dict[tuple[int, str], list[int]] = {}  # (gone clip, annotator) -> the clips their decisions went to
    for row in _rows_on(s, AnnotationRow, gone_ids):  # the rows still on gone clips: the rule moves them
        gone_id, annotator = row.clip_id, row.annotator
        clip_id = mover.move_annotation(row, gone_id)
        if clip_id is not None:
            went.setdefault((gone_id, annotator), []).append(clip_id)
    s.flush()
    for review in _rows_on(s, ReviewRow, gone_ids):
        mover.move_review(review, review.clip_id, went.get((review.clip_id, review.annotator), []))
    if target is None:
        for orphan in returning:  # a decision kept aside earlier whose clip's range is back
            clip = next((c for c in added if same_range(c.start_s, c.end_s, orphan.start_s, orphan.end_s)), None)
            if clip is not None and (clip.id, orphan.label, orphan.annotator) not in mover.slots:
                orphan.clip_id, orphan.orphan = clip.id, False
                mover.slots[(clip.id, orphan.label, orphan.annotator)] = orphan
    s.flush()
    for chunk in _chunks(gone_ids):
        s.execute(delete(ClipRow).where(ClipRow.id.in_(chunk)))
    if legacy_reviews:
        _restore_legacy_reviews(s, video_id, added, legacy_reviews)
    repo_media.mark_stage(s, video_id, "shots", USER_SET)
    repo_media.mark_stage(s, video_id, "clips", key.clips_params)
    s.flush()
    now_orphans = list(s.scalars(select(AnnotationRow).where(AnnotationRow.video_id == video_id, AnnotationRow.orphan.is_(True))))
    if target is None:  # the orphans this edit made, or whose state it logged before
        logged, earlier = {a[0] for a in before.annotations}, {o.id for o in orphans}
        now_orphans = [o for o in now_orphans if o.id in logged or o.id not in earlier]
    after = _region(s, [(c.id, c.start_s, c.end_s) for c in added], now_orphans)
    kept = {c.index: c for c in added}
    for row, clip in plan.kept:
        kept[clip.index] = Clip(index=clip.index, first_shot=clip.first_shot, last_shot=clip.last_shot, start_s=row.start_s,
                                end_s=row.end_s, start_frame=clip.start_frame, end_frame=clip.end_frame, text=row.text, id=row.id)
    return Rebuilt([kept[i] for i in sorted(kept)], before, after, mover.kept_aside)


def _neighbours(plan: _Plan, added: list[Clip]) -> list[Clip]:
    """New clips (added, and unchanged ones with their ids) overlapping any gone clip."""
    if not plan.gone:
        return list(added)
    lo, hi = min(g.start_s for g in plan.gone), max(g.end_s for g in plan.gone)
    near = list(added)
    for row, clip in plan.kept:
        if row.start_s < hi and row.end_s > lo:
            near.append(Clip(index=clip.index, first_shot=clip.first_shot, last_shot=clip.last_shot, start_s=row.start_s,
                             end_s=row.end_s, start_frame=clip.start_frame, end_frame=clip.end_frame, id=row.id))
    return near


def _restore(s: Session, video_id: int, target: Region, leaving: Region, added: list[Clip]) -> None:
    """Put the rows of ``target`` back exactly (by id) and remove those only ``leaving`` had."""
    def clip_for(start_s: float | None, end_s: float | None) -> int | None:
        return next((c.id for c in added if same_range(c.start_s, c.end_s, start_s, end_s)), None)

    wanted = {int(a[0]) for a in target.annotations}
    for a in leaving.annotations:
        if int(a[0]) not in wanted:
            row = s.get(AnnotationRow, int(a[0]))
            if row is not None:
                s.delete(row)
    s.flush()
    for ann_id, start_s, end_s, label, state, annotator, source, created_at, updated_at, orphan in target.annotations:
        clip_id = None if orphan else clip_for(start_s, end_s)
        row = s.get(AnnotationRow, int(ann_id))
        if row is None:
            row = AnnotationRow(video_id=video_id, is_scene=False, label=label, annotator=annotator)
            row.id = _free_id(s, AnnotationRow, int(ann_id))
            s.add(row)
        row.clip_id, row.orphan = clip_id, clip_id is None
        row.start_s, row.end_s = start_s, end_s
        row.state, row.source, row.created_at, row.updated_at = state, source, created_at, updated_at
    s.flush()
    wanted_reviews = {int(r[0]) for r in target.reviews}
    for r in leaving.reviews:
        if int(r[0]) not in wanted_reviews:
            row = s.get(ReviewRow, int(r[0]))
            if row is not None:
                s.delete(row)
    s.flush()
    for review_id, start_s, end_s, annotator, reviewed_at in target.reviews:
        clip_id = clip_for(start_s, end_s)
        if clip_id is None:
            continue
        review = s.get(ReviewRow, int(review_id))
        if review is None:
            review = ReviewRow(video_id=video_id, annotator=annotator)
            review.id = _free_id(s, ReviewRow, int(review_id))
            s.add(review)
        review.clip_id, review.reviewed_at = clip_id, reviewed_at
    s.flush()


def _restore_legacy_reviews(s: Session, video_id: int, clips: list[Clip], reviews: list[list]) -> None:
    """Review marks logged by time range (steps recorded before regions were)."""
    for start_s, end_s, annotator, reviewed_at in reviews:
        clip = next((c for c in clips if same_range(c.start_s, c.end_s, start_s, end_s)), None)
        if clip is None:
            continue
        taken = select(ReviewRow.id).where(ReviewRow.clip_id == clip.id, ReviewRow.annotator == annotator)
        if s.scalar(taken) is None:
            s.add(ReviewRow(video_id=video_id, clip_id=clip.id, annotator=annotator, reviewed_at=reviewed_at))


def write_shots(video: rows.VideoRows, key: ShotsKey, value: ShotsValue | None, leaving: ShotsValue | None = None) -> None:
    """Undo/redo side: put the shots of ``value`` back, rebuild the clips and restore the region."""
    if value is None:
        return
    target = Region.decode(value.region)
    left = Region.decode(leaving.region) if leaving is not None else None
    rebuild(video.s, key, _decode_shots(value), target, left, legacy_reviews=value.reviews if target is None else None)


