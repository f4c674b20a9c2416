"""Every background operation on the project, each declared once (:data:`OPS`). No Qt here: the
child process imports this module.

An operation is a name, a typed request (a frozen dataclass; pydantic carries it to the child as
JSON), the function the child runs and the type of the value it returns. The function returns an
:class:`Outcome`: that value and the :class:`OpChanges` it made. The window routes the changes to
the views that show them (``MainWindow.apply_changes``), so an operation refreshes the same views
whichever dialog or menu started it. A window starts one with ``runner.run_op(name, request)``
(:meth:`hhir_studio.jobs.JobRunner.run_op`); it always runs in the child process
(:mod:`hhir_studio.ops.child`), so the window's process never writes to the project file itself.

Adding one is one function here::

    @operation("name", NameRequest, ResultType, title=lambda r: f"Do {r.thing}")
    def name(request: NameRequest, ctx: Context) -> Outcome:
        with _project(request.project) as store:
            ...
        return Outcome(value, OpChanges(predictions=(video_id,)))
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from hhir.exchange.model import ExportOptions, ExportReport, ImportOptions, ImportReport
from hhir.jobs import CancelToken, ProgressFn
from hhir.learn.options import TrainOptions
from hhir.learn.train import TrainResult
from hhir.pipeline.options import AnalysisOptions

EmitFn = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class OpChanges:
    """What an operation changed in the project, so the window refreshes exactly the views that
    show it (Anki's ``OpChanges``).

    Attributes:
        analyzed: videos whose analysis finished (the first one opens when none is open).
        structure: videos whose shots and clips were rebuilt (their new clips get suggestions next).
        predictions: videos whose suggestions were recomputed.
        labels: videos whose annotations or transcript were written from outside (an import).
        active_model: suggestions now come from another model (or the starter).
        models: a model version was added.
        people: videos whose characters or tracks were edited (names, merges, splits).
    """

    analyzed: tuple[int, ...] = ()
    structure: tuple[int, ...] = ()
    predictions: tuple[int, ...] = ()
    labels: tuple[int, ...] = ()
    active_model: bool = False
    models: bool = False
    people: tuple[int, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """An operation's value (JSON-able through its declared type) and what it changed."""

    value: Any
    changes: OpChanges = field(default_factory=OpChanges)


@dataclass(frozen=True)
class Context:
    """What the child hands an operation: progress, the cancel token, and ``emit`` for events the
    window shows while the operation runs (e.g. one per training epoch)."""

    progress: ProgressFn
    cancel: CancelToken
    emit: EmitFn


@dataclass(frozen=True)
class Operation:
    """One entry of :data:`OPS`. ``model``: queued with the other model jobs, one at a time
    (anything that loads models or decodes whole videos); otherwise it starts at once."""

    name: str
    request: type
    run: Callable[[Any, Context], Outcome]
    value: type
    title: Callable[[Any], str]
    model: bool = True


OPS: dict[str, Operation] = {}


def operation(name: str, request: type, value: type, title: Callable[[Any], str],
              model: bool = True) -> Callable[[Callable[[Any, Context], Outcome]], Callable[[Any, Context], Outcome]]:
    """Declare the decorated function as the operation ``name`` taking ``request``."""
    def register(run: Callable[[Any, Context], Outcome]) -> Callable[[Any, Context], Outcome]:
        if name in OPS:
            raise ValueError(f"operation {name!r} is declared twice")
        OPS[name] = Operation(name, request, run, value, title, model)
        return run

    return register


@contextmanager
def _project(project: str) -> Iterator[Any]:
    """The child's one Store on the project (a file path or a ``postgresql://`` URL)."""
    from hhir.store import Store

    store = Store(project)
    try:
        yield store
    finally:
        store.close()


def _name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


# --- analysis and the edits that follow it --------------------------------------------------

@dataclass(frozen=True)
class AnalyzeRequest:
    project: str
    video_path: str
    options: AnalysisOptions


@operation("analyze", AnalyzeRequest, int, title=lambda r: f"Analyze {_name(r.video_path)}")
def analyze(request: AnalyzeRequest, ctx: Context) -> Outcome:
    """Analyze one video into the project; the value is its id."""
    from hhir.pipeline import analyze as analyze_video

    with _project(request.project) as store:
        video_id = analyze_video(store, request.video_path, request.options, ctx.progress, ctx.cancel)
    return Outcome(video_id, OpChanges(analyzed=(video_id,)))


@dataclass(frozen=True)
class RefreshClipsRequest:
    project: str
    video_id: int
    options: AnalysisOptions


@operation("refresh_clips", RefreshClipsRequest, int, title=lambda r: "Suggestions for the changed clips")
def refresh_clips(request: RefreshClipsRequest, ctx: Context) -> Outcome:
    """Features of the clips a shot edit (or its undo) created and the video's suggestions again;
    the value is how many clips were new."""
    from hhir.pipeline.shot_edits import refresh_clips as refresh

    with _project(request.project) as store:
        new = refresh(store, request.video_id, request.options, ctx.progress, ctx.cancel)
    return Outcome(new, OpChanges(predictions=(request.video_id,)))


@dataclass(frozen=True)
class FrameIndexRequest:
    project: str
    video_id: int


@operation("frame_index", FrameIndexRequest, int, title=lambda r: "Counting the frames", model=False)
def frame_index(request: FrameIndexRequest, ctx: Context) -> Outcome:
    """Decode and keep the frame index of a video the project holds none for (imported, not yet
    analysed, or its file changed); the value is its frame count. Nothing the views show changes
    until the window reads it back."""
    from hhir.pipeline.frames import ensure_frame_index

    with _project(request.project) as store:
        index = ensure_frame_index(store, request.video_id, ctx.progress, ctx.cancel)
    return Outcome(index.frame_count)


# --- models ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActivateRequest:
    project: str
    model_id: str | None  # None: the zero-shot starter


@operation("activate", ActivateRequest, list[int],
           title=lambda r: f"Use model {r.model_id}" if r.model_id else "Use the zero-shot starter")
def activate(request: ActivateRequest, ctx: Context) -> Outcome:
    """A model version (or the starter) becomes active, as ``hhir models activate`` does; the value
    is the videos whose predictions were recomputed."""
    from hhir.learn.versions import activate as activate_model

    with _project(request.project) as store:
        ctx.progress(0.1, f"Switching suggestions to {request.model_id or 'the zero-shot starter'}")
        videos = activate_model(store, request.model_id)
    return Outcome(videos, OpChanges(predictions=tuple(videos), active_model=True))


@dataclass(frozen=True)
class TrainRequest:
    project: str
    options: TrainOptions
    out_dir: str | None = None  # the settings' model folder; None = models/ beside the project


@operation("train", TrainRequest, TrainResult, title=lambda r: "Train")
def train(request: TrainRequest, ctx: Context) -> Outcome:
    """Train a model on the project's annotations (registered, not activated); one event per
    epoch; the value is the ``TrainResult``."""
    from hhir.learn.options import TrainingEpoch
    from hhir.learn.train import train as train_model
    from hhir_studio.ops.codec import to_json

    def on_epoch(epoch: TrainingEpoch) -> None:
        ctx.emit({"epoch": to_json(epoch, TrainingEpoch)})

    with _project(request.project) as store:
        result = train_model(store, request.options, ctx.progress, ctx.cancel, on_epoch=on_epoch, out_dir=request.out_dir)
    return Outcome(result, OpChanges(models=True))


# --- exchange -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportRequest:
    project: str
    fmt: str
    out: str
    options: ExportOptions


@operation("export", ExportRequest, ExportReport, title=lambda r: f"Export {r.fmt}", model=False)
def export(request: ExportRequest, ctx: Context) -> Outcome:
    """Export the project as ``hhir export`` does; the value is the ``ExportReport``."""
    from hhir.exchange import export as export_project

    with _project(request.project) as store:
        report = export_project(store, request.fmt, request.out, request.options, ctx.progress, ctx.cancel)
    return Outcome(report, OpChanges())



@dataclass(frozen=True)
class ImportRequest:
    project: str
    fmt: str
    path: str
    options: ImportOptions


@operation("import", ImportRequest, ImportReport, title=lambda r: f"Import {r.fmt}", model=False)
def import_(request: ImportRequest, ctx: Context) -> Outcome:
    """Import a file or folder as ``hhir import`` does (validated whole before the first write); the
    value is the ``ImportReport``."""
    from hhir.exchange import import_ as import_file

    with _project(request.project) as store:
        report = import_file(store, request.fmt, request.path, request.options, ctx.progress, ctx.cancel)
    structure = report.videos if report.shots_written else ()
    return Outcome(report, OpChanges(structure=structure, labels=report.videos))


# --- people ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PeopleEditRequest:
    """One edit of a video's people, as ``hhir people`` makes it. ``edit`` is one of
    :data:`PEOPLE_EDITS`; the other fields are what that edit needs."""

    project: str
    video_id: int
    edit: str
    annotator: str
    character_id: int | None = None  # name: the character; merge: the one kept; move: where to (None: nobody)
    name: str | None = None  # name: the new name (None removes it)
    other_id: int | None = None  # merge: the character merged in; merge_tracks: the track joined in
    track_id: int | None = None  # split_track: the track cut; merge_tracks: the track kept
    frame: int | None = None  # split_track: the first frame of the new track
    track_ids: tuple[int, ...] = ()  # split, move: the tracks moved


PEOPLE_EDITS = ("name", "merge", "split", "move", "split_track", "merge_tracks")


@operation("people_edit", PeopleEditRequest, str, title=lambda r: f"People: {r.edit.replace('_', ' ')}", model=False)
def people_edit(request: PeopleEditRequest, ctx: Context) -> Outcome:
    """Commit one people edit (one undo step with its annotator); the value is its description."""
    r = request
    if r.edit not in PEOPLE_EDITS:
        raise ValueError(f"unknown people edit {r.edit!r}")
    with _project(r.project) as store:
        if r.edit == "name":
            change = store.name_character(_given(r.character_id), r.name, r.annotator)
        elif r.edit == "merge":
            change = store.merge_characters(_given(r.character_id), _given(r.other_id), r.annotator)
        elif r.edit == "split":
            change = store.split_character(list(r.track_ids), r.annotator)
        elif r.edit == "move":
            change = store.assign_tracks(list(r.track_ids), r.character_id, r.annotator)
        elif r.edit == "split_track":
            change, _tail = store.split_track(_given(r.track_id), _given(r.frame), r.annotator)
        else:
            change = store.merge_tracks(_given(r.track_id), _given(r.other_id), r.annotator)
    return Outcome(change.description, OpChanges(people=(r.video_id,)))


def _given(value: int | None) -> int:
    if value is None:
        raise ValueError("this people edit needs a character or track id")
    return value


# --- running them ---------------------------------------------------------------------------

def run_op(op: str, request: Any, progress: ProgressFn, cancel: CancelToken,
           on_event: EmitFn | None = None) -> Outcome:
    """Worker side: run ``op`` on ``request`` in the child process; returns its :class:`Outcome`."""
    from hhir_studio.ops.child import run_in_child
    from hhir_studio.ops.codec import from_json, to_json

    operation = OPS[op]
    answer = run_in_child(op, to_json(request, operation.request), progress, cancel, on_event)
    return Outcome(from_json(answer["value"], operation.value), from_json(answer["changes"], OpChanges))


def serve(op: str, payload: Any, progress: ProgressFn, cancel: CancelToken, emit: EmitFn) -> dict[str, Any]:
    """Child side: decode the request, run the operation, encode its value and changes."""
    from hhir_studio.ops.codec import from_json, to_json

    operation = OPS[op]
    outcome = operation.run(from_json(payload, operation.request), Context(progress, cancel, emit))
    return {"value": to_json(outcome.value, operation.value), "changes": to_json(outcome.changes, OpChanges)}
