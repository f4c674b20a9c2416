"""The review session: which video is open, what is selected, and the edits a user makes.

Views take the session in ``__init__`` and subscribe to its signals; every edit goes straight to
the Store (one committed transaction). A label or review edit then updates the open video's states
in place from what was written (a film has ~20,000 clips and ~140,000 scores: re-reading them per
key press took seconds); structural changes, undo/redo and finished jobs re-read the video. Views
can tell the two apart: after an in-place edit ``shots``, ``clips``, ``segments`` and
``predictions`` are the very same objects as before. It holds no widgets.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from PySide6.QtCore import QObject, QTimer, Signal

from hhir.settings import Settings
from hhir.errors import HHIRError
from hhir.store import Change, OrphanAnnotation, Store, VideoState
from hhir.thresholds import label_threshold, tuned_thresholds
from hhir.types import (
    Annotation,
    AnnotationState,
    Clip,
    LabelDef,
    ModelInfo,
    Predictions,
    Shot,
    Target,
    TranscriptSegment,
    Video,
)
from hhir_studio.labels import logic

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VideoSnapshot:
    """One video's rows, read together after every change."""

    video: Video
    shots: list[Shot]
    clips: list[Clip]
    segments: list[TranscriptSegment]
    predictions: Predictions | None
    states: dict[tuple[Target, str], AnnotationState] = field(default_factory=dict)
    reviewed: frozenset[Target] = frozenset()
    _by_id: dict[int, Clip] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {c.id: c for c in self.clips})

    def clip(self, clip_id: int | None) -> Clip | None:
        return self._by_id.get(clip_id) if clip_id is not None else None

    def same_structure(self, other: VideoSnapshot | None) -> bool:
        """True when ``other`` differs from this only in annotation states and review marks."""
        return other is not None and all(getattr(self, name) is getattr(other, name)
                                         for name in ("video", "shots", "clips", "segments", "predictions"))

    def scores(self, target: Target) -> dict[str, float]:
        if self.predictions is None:
            return {}
        if target.clip_id is None:
            return dict(self.predictions.scene)
        return dict(self.predictions.clips.get(target.clip_id, {}))


class ReviewSession(QObject):
    """Current video, selected target (a clip, or the scene) and every user edit."""

    videos_changed = Signal()
    video_opened = Signal(int)
    data_changed = Signal()
    selection_changed = Signal()
    status_reported = Signal(str)
    structure_changed = Signal(int)  # a shot edit, or its undo/redo, rebuilt a video's clips
    preview_changed = Signal()  # the clip read ahead of its video came (or went): see open_in_background
    _read_done = Signal(object)  # from the reading thread of open_in_background, to the UI thread

    def __init__(self, store: Store, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = settings
        self.labels: list[LabelDef] = store.labels()
        self.data: VideoSnapshot | None = None
        self.selected: Target | None = None
        self._ranked: list[Target] | None = None  # the review queue of the open video, read once per (re)load
        self._tuned: dict[str, float] = tuned_thresholds(store)  # the active model's; re-read on (re)load
        # Targets of the open video where annotators disagree and no adjudicator decided yet.
        self.disputed: frozenset[Target] = frozenset()
        # The clip open_in_background shows while its video is read (one clip, no shots): only the
        # label panel draws it; every other view waits for ``data``.
        self.preview: VideoSnapshot | None = None
        self.preview_target: Target | None = None
        self._reader: threading.Thread | None = None
        # Work a view does on a freshly read snapshot (the timeline's layout) that may run on the
        # reading thread too; its result for the snapshot being opened is ``prepared``.
        self.prepare: Callable[[VideoSnapshot], object] | None = None
        self.prepared: tuple[VideoSnapshot, object] | None = None
        self._read_done.connect(self._opened_in_background)

    # --- reading -------------------------------------------------------------------------
    @property
    def annotator(self) -> str:
        return self.settings.annotator_name()

    def open_video(self, video_id: int) -> None:
        """Make ``video_id`` current and select its first unreviewed clip (else the scene)."""
        self.data = self._read(video_id)
        self._read_disputed(video_id)  # apart from the snapshot's one read: it is only a marker
        self._ranked = None
        self.selected = None
        self.video_opened.emit(video_id)
        self.data_changed.emit()
        self.select(self.next_unreviewed(1) or Target(video_id, None))

    def open_in_background(self, video_id: int, clip_id: int) -> None:
        """Open ``video_id`` with ``clip_id`` selected, as the app starts on the project's last state,
        without making the window wait for the whole film (~20,000 clips and ~140,000 scores): the
        clip alone is read first (a few indexed rows) and shown as ``preview``; the video is read on
        a thread and then opened exactly as :meth:`open_video` opens it, with that clip selected (the
        first unreviewed one when the clip is gone). Edits wait for it: ``selected`` is None until then."""
        from hhir.scoring.shown import SHOWN_MODELS

        self.stop_opening()
        state = self.store.clip_state(video_id, clip_id, self.annotator, models=SHOWN_MODELS)
        if state is not None:
            self._tuned = tuned_thresholds(_ActiveModel(state.active_model))
            self.preview, self.preview_target = _snapshot(state), Target(video_id, clip_id)
            self.preview_changed.emit()
        self._reader = threading.Thread(target=self._read_behind, args=(video_id, clip_id), name="hhir-open-video", daemon=True)
        # started on the next turn of the event loop, after the clip is painted: the read holds the
        # interpreter's lock most of the time and would only slow that paint down
        QTimer.singleShot(0, self._start_reading)

    def _start_reading(self) -> None:
        reader = self._reader
        if reader is not None and reader.ident is None:
            reader.start()

    def stop_opening(self) -> None:
        """Wait for the read of :meth:`open_in_background` (the store must stay open for it) and
        drop its result: the window is closing, or another video is being opened that way."""
        reader, self._reader = self._reader, None
        if reader is not None and reader.ident is not None:
            reader.join()

    def _read_behind(self, video_id: int, clip_id: int) -> None:
        """The reading thread: the video's snapshot and its disputed targets, or the error."""
        from hhir.scoring.shown import SHOWN_MODELS

        try:
            state = self.store.video_state(video_id, self.annotator, models=SHOWN_MODELS)
            snapshot = _snapshot(state)
            result: object = (threading.current_thread(), video_id, clip_id, state.active_model, snapshot,
                              self._disputed_of(video_id), self.prepare(snapshot) if self.prepare is not None else None)
        except HHIRError as exc:  # shown by the UI thread's own read of it (open_video)
            result = (threading.current_thread(), video_id, clip_id, None, exc, frozenset(), None)
        self._read_done.emit(result)

    def _opened_in_background(self, result: tuple[threading.Thread, int, int, ModelInfo | None, VideoSnapshot | HHIRError,
                                                  frozenset[Target], object]) -> None:
        reader, video_id, clip_id, active_model, snapshot, disputed, prepared = result
        if reader is not self._reader:  # dropped by stop_opening
            return
        self._reader = None
        had_preview, self.preview, self.preview_target = self.preview is not None, None, None
        if self.data is not None:  # another video was opened meanwhile: it stays
            if had_preview:
                self.preview_changed.emit()
            return
        if isinstance(snapshot, HHIRError):
            self.open_video(video_id)  # reads again here: the error reaches the user the usual way
            return
        self._tuned = tuned_thresholds(_ActiveModel(active_model))
        self.data = snapshot
        self.disputed = disputed
        self._ranked = None
        self.selected = None
        self.prepared = (snapshot, prepared) if self.prepare is not None else None
        try:
            self.video_opened.emit(video_id)
            self.data_changed.emit()
        finally:
            self.prepared = None
        if had_preview:
            self.preview_changed.emit()
        chosen = Target(video_id, clip_id) if self.data.clip(clip_id) is not None else None
        self.select(chosen or self.next_unreviewed(1) or Target(video_id, None))

    def reload(self, keep_scores: bool = False) -> None:
        """Re-read the open video (after an edit or a finished job).

        ``keep_scores``: after this session's own shot edit, or its undo or redo. Scores belong to
        clips by id and such an edit only deletes those of the clips that went (new clips have none
        until they are scored in the background, which reloads the video when it is done), so the
        scores already read are kept for the clips still there instead of read again: ~14,000 rows
        on a 2,000-shot film, a third of the edit's time on the UI thread."""
        if self.data is None:
            return
        kept = self.data.predictions if keep_scores else None
        self.data = self._read(self.data.video.id, kept)
        self._read_disputed(self.data.video.id)
        self._ranked = None
        if self.selected is not None and self.selected.clip_id is not None and self.data.clip(self.selected.clip_id) is None:
            self.selected = Target(self.data.video.id, None)  # clips were rebuilt under us
            self.selection_changed.emit()
        self.data_changed.emit()

    def _read(self, video_id: int, kept: Predictions | None = None) -> VideoSnapshot:
        """The video as one snapshot: one read transaction, so an analysis writing in another
        process can never show new clips with old scores (or the reverse). ``kept``: scores read
        before of this video, still those of the active model (see :meth:`reload`)."""
        from hhir.scoring.shown import SHOWN_MODELS

        state = self.store.video_state(video_id, self.annotator, models=() if kept is not None else SHOWN_MODELS)
        if kept is not None:
            active = state.active_model
            if active is not None and active.id == kept.model.id:
                ids = {c.id for c in state.clips}
                state = replace(state, predictions=replace(kept, clips={i: v for i, v in kept.clips.items() if i in ids}))
            else:  # the active model changed meanwhile: read its scores after all
                state = self.store.video_state(video_id, self.annotator, models=SHOWN_MODELS)
        self._tuned = tuned_thresholds(_ActiveModel(state.active_model))
        return _snapshot(state)

    def select(self, target: Target | None) -> None:
        if target != self.selected:
            self.selected = target
            self.selection_changed.emit()

    def select_clip(self, clip_id: int | None) -> None:
        if self.data is not None:
            self.select(Target(self.data.video.id, clip_id))

    def selected_clip(self) -> Clip | None:
        if self.data is None or self.selected is None:
            return None
        return self.data.clip(self.selected.clip_id)

    def state(self, label: str, target: Target | None = None) -> AnnotationState | None:
        target = target or self.selected
        if self.data is None or target is None:
            return None
        return self.data.states.get((target, label))

    def threshold(self, label: str) -> float:
        """The one rule of :mod:`hhir.thresholds`: the active model's tuned value, else the settings."""
        return label_threshold(label, self._tuned, self.settings)

    # --- editing (each one committed transaction) ----------------------------------------
    def cycle_label(self, number: int) -> bool:
        """Key ``number`` (1..9): unreviewed -> present -> absent -> unreviewed for that label."""
        label = logic.label_for_key(self.labels, number)
        if label is None or self.selected is None:
            return False
        new = logic.next_state(self.state(label.name))
        change = self.store.annotate(self.selected, label.name, new, self.annotator)
        self._after_edit(change.description, [(self.selected, label.name, new)])
        return True

    def accept_suggestions(self) -> bool:
        """Fill the labels nobody decided yet: above their threshold present, else absent; one undo
        step. A decision a person made (present or absent) is never overwritten; the status line
        says how many labels were set and how many were kept."""
        if self.data is None or self.selected is None or self.data.predictions is None:
            return False
        target = self.selected
        items = logic.suggestion_items(target, self.labels, self.data.scores(target), self.threshold,
                                       decided=lambda name: self.state(name, target) is not None)
        scores = self.data.scores(target)
        kept = sum(1 for label in self.labels if label.name in scores and self.state(label.name, target) is not None)
        if not items:
            self.status_reported.emit(f"Nothing to accept: every label here is decided ({kept} kept)"
                                      if kept else "Nothing to accept: no suggestions for this clip")
            return False
        source = f"accepted:{self.data.predictions.model.id}"
        self.store.annotate_many(items, self.annotator, source=source)
        self._after_edit(f"Accepted {len(items)} suggestion{'s' if len(items) != 1 else ''}"
                         + (f"; kept {kept} label{'s' if kept != 1 else ''} you set" if kept else ""), items)
        return True

    def mark_reviewed_and_next(self) -> bool:
        """Mark the selection reviewed and move to the next unreviewed clip."""
        if self.selected is None:
            return False
        change = self.store.set_reviewed(self.selected, self.annotator, True)
        self._after_edit(change.description, reviewed=self.selected)
        following = self.next_unreviewed(1)
        if following is not None:
            self.select(following)
        return True

    def edit_segment(self, segment_id: int, text: str) -> None:
        change = self.store.edit_segment_text(segment_id, text, self.annotator)
        self._after_edit(change.description)

    def edit_shots(self, shots: list[Shot]) -> bool:
        """Store corrected shots of the open video now, on this thread like every edit of the
        annotator's (never queued behind an analysis): one undo step, clips rebuilt with every
        decision kept by the rule of ``hhir.store.repo_shots``. Only the new clips' features and
        scores are computed afterwards, in the background (``structure_changed``)."""
        from hhir.errors import HHIRError
        from hhir.pipeline.options import AnalysisOptions
        from hhir.pipeline.shot_edits import describe_shot_edit, replace_shots

        if self.data is None:
            return False
        video_id, s = self.data.video.id, self.settings
        options = AnalysisOptions(profile=s.profile, clip_size=s.clip_size, clip_stride=s.clip_stride,
                                  model_bundle=s.active_bundle or None)
        name = describe_shot_edit(self.data.shots, shots)
        aside_before = len(self.store.orphan_annotations(video_id))
        try:
            replace_shots(self.store, video_id, shots, options, name)
        except (HHIRError, ValueError) as exc:
            self.status_reported.emit(f"Cannot edit shots: {exc}")
            return False
        self.reload(keep_scores=True)
        aside = len(self.store.orphan_annotations(video_id)) - aside_before
        self.status_reported.emit(f"{name[0].upper()}{name[1:]}: every label kept" if aside <= 0 else
                                  f"{name[0].upper()}{name[1:]}: {aside} label(s) kept aside (no new clip could take them): "
                                  "see the label panel to put them back")
        self.structure_changed.emit(video_id)
        return True

    def reattach(self, orphan_id: int) -> bool:
        """Put a decision kept aside on the selected clip (one undoable step)."""
        if self.data is None or self.selected is None or self.selected.clip_id is None:
            self.status_reported.emit("Select the clip the label belongs to first")
            return False
        change = self.store.reattach(orphan_id, self.selected.clip_id, self.annotator)
        self.reload()
        self.status_reported.emit(change.description)
        return True

    def kept_aside(self) -> list[OrphanAnnotation]:
        """The open video's decisions kept aside by shot edits (``OrphanAnnotation`` records)."""
        return [] if self.data is None else self.store.orphan_annotations(self.data.video.id)

    def undo(self) -> bool:
        return self._history(self.store.undo)

    def redo(self) -> bool:
        return self._history(self.store.redo)

    def _history(self, step: Callable[[int, str | None], Change | None]) -> bool:
        if self.data is None:
            return False
        change = step(self.data.video.id, self.annotator)  # your own edits only: a team shares the project
        if change is None:
            self.status_reported.emit("Nothing to undo" if step == self.store.undo else "Nothing to redo")
            return False
        self.reload(keep_scores=change.kind == "shots")
        if change.targets:  # show the user what came back
            self.select(change.targets[0])
        verb = "Undid" if step == self.store.undo else "Redid"
        self.status_reported.emit(f"{verb} {change.description}")
        if change.kind == "shots":  # the clips were rebuilt: the new ones need features and scores
            self.structure_changed.emit(change.video_id)
        return True

    def history(self) -> tuple[str | None, str | None]:
        """What Undo and Redo would do now for the open video (descriptions; None: nothing)."""
        if self.data is None:
            return None, None
        return self.store.history(self.data.video.id, self.annotator)  # the steps undo/redo would take

    def _after_edit(self, description: str, items: list[tuple[Target, str, AnnotationState | None]] | None = None,
                    reviewed: Target | None = None) -> None:
        """Apply what was just written to the open video's states, or re-read it when the edit
        touched more than states (a transcript correction also changes clip texts)."""
        if self.data is None or (items is None and reviewed is None):
            self.reload()
        else:
            states = dict(self.data.states)
            for target, label, state in items or []:
                if state is None:
                    states.pop((target, label), None)
                else:
                    states[(target, label)] = state
            marks = self.data.reviewed | {reviewed} if reviewed is not None else self.data.reviewed
            self._refresh_disputed([t for t, _, _ in items or []])
            self.data = replace(self.data, states=states, reviewed=frozenset(marks))
            self.data_changed.emit()
        self.status_reported.emit(description)

    # --- navigation ----------------------------------------------------------------------
    def review_order(self) -> list[Target]:
        """The clips in review order: the active-learning queue when there is one, else time."""
        if self.data is None:
            return []
        fallback = logic.time_order(self.data.video.id, self.data.clips)
        if self._ranked is None:  # the queue reads every clip and score: once per (re)load, not per step
            self._ranked = _queue_order(self.store, self.data.video.id, self.annotator)
        if not self._ranked:
            return fallback
        known, ranked = set(fallback), set(self._ranked)
        return [t for t in self._ranked if t in known] + [t for t in fallback if t not in ranked]

    def next_unreviewed(self, direction: int) -> Target | None:
        if self.data is None:
            return None
        return logic.step_unreviewed(self.review_order(), set(self.data.reviewed), self.selected, direction)

    def _read_disputed(self, video_id: int) -> None:
        self.disputed = self._disputed_of(video_id)

    def _disputed_of(self, video_id: int) -> frozenset[Target]:
        return frozenset(d.target for d in self.store.disagreements(video_id) if d.decision is None)

    def _refresh_disputed(self, touched: list[Target]) -> None:
        """After my own edit: only the targets it touched can have changed (a teammate's edits show on reload)."""
        if touched and self.data is not None:
            fresh = {d.target for d in self.store.disagreements(self.data.video.id, touched) if d.decision is None}
            self.disputed = frozenset((self.disputed - set(touched)) | fresh)

    def go_disagreement(self, direction: int) -> bool:
        """Select the next (previous) clip, in time order, where annotators disagree unadjudicated."""
        if self.data is None:
            return False
        order = [t for t in [Target(self.data.video.id, None), *logic.time_order(self.data.video.id, self.data.clips)] if t in self.disputed]
        if not order:
            self.status_reported.emit("No disagreements left in this video")
            return False
        here = order.index(self.selected) if self.selected in order else (-1 if direction > 0 else len(order))
        self.select(order[(here + direction) % len(order)])
        return True

    def go_unreviewed(self, direction: int) -> bool:
        target = self.next_unreviewed(direction)
        if target is None:
            self.status_reported.emit("Every clip of this video is reviewed")
            return False
        self.select(target)
        return True

    def step_clip(self, direction: int) -> bool:
        """Select the neighbouring clip in time order."""
        if self.data is None or not self.data.clips:
            return False
        order = logic.time_order(self.data.video.id, self.data.clips)
        index = order.index(self.selected) + direction if self.selected in order else 0
        self.select(order[max(0, min(index, len(order) - 1))])
        return True

    def apply_settings(self, settings: Settings) -> None:
        self.settings = replace(settings)
        self.reload()


def _snapshot(state: VideoState) -> VideoSnapshot:
    annotations: list[Annotation] = state.annotations
    return VideoSnapshot(
        video=state.video,
        shots=state.shots,
        clips=state.clips,
        segments=state.segments,
        predictions=state.predictions,
        states={(a.target, a.label): a.state for a in annotations},
        reviewed=frozenset(state.reviewed),
    )


class _ActiveModel:
    """The snapshot's active model, where :func:`hhir.thresholds.tuned_thresholds` asks a store."""

    def __init__(self, model: ModelInfo | None) -> None:
        self._model = model

    def active_model(self) -> ModelInfo | None:
        return self._model


def _queue_order(store: Store, video_id: int, annotator: str) -> list[Target]:
    """The active-learning queue for this video (most useful unreviewed clip first)."""
    from hhir.learn.queue import review_queue

    return [item.target for item in review_queue(store, annotator=annotator, video_id=video_id) if item.target.clip_id is not None]
