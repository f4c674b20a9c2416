"""Interactions out and in: VidOR ``relation_instances`` and an AVA-style CSV with a target column.

VidOR: each interaction is one relation instance ``{"subject_tid", "object_tid", "predicate",
"begin_fid", "end_fid"}`` beside the people's trajectories in the same file (``hhir.exchange.
people_vidor``): the tids are the characters' person numbers, the predicate is the label, the
frames are ``[begin_fid, end_fid)`` as VidOR's. What VidOR has no field for rides in extra keys its
readers ignore, so the file reads back unchanged: ``target`` (``group``, ``offscreen`` or
``unknown``, with ``object_tid`` null), ``state``, ``annotator``, ``source``, ``evidence`` and
``updated_at``.

AVA-style CSV: AVA's ``video_id, middle_frame_timestamp, x1, y1, x2, y2, action_id, person_id`` and a
ninth column ``target_person_id`` (the target's person number, or ``group`` / ``offscreen`` /
``unknown``): one row per whole second whose frame (``hhir.exchange.people_ava.frame_at``) lies in a
*present* interaction, with the actor's box at that frame (empty box cells where the actor is not
on screen). Action ids are those of the ``ava`` export (label order, from 1). Reading back, the
consecutive seconds of one (actor, action, target) make one interaction over
``[frame of the first second, frame of the second after the last)``. AVA has no column for the
annotator, the state or frames between seconds: an interaction on whole seconds comes back
unchanged, under the annotator the import names; others come back on whole seconds.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hhir.errors import HHIRError, ImportFormatError
from hhir.exchange.naming import scene_names
from hhir.exchange.people_ava import frame_at
from hhir.exchange.safety import read_import_text
from hhir.fsutil import write_text
from hhir.store import Store
from hhir.types import INTERACTION_SOURCES, INTERACTION_STATES, TARGET_KINDS, Interaction, PersonTrack, Video

FORMATS = ("vidor", "ava", "eaf")
OTHER_TARGETS = tuple(k for k in TARGET_KINDS if k != "character")
Frame = Annotated[int, Field(ge=0, le=10_000_000)]


@dataclass(frozen=True)
class InteractionRecord:
    """An interaction as a file says it: characters by person number (``target`` None for a
    group, offscreen or unknown target, named by ``target_kind``)."""

    actor: int
    label: str
    target_kind: str
    target: int | None
    start_frame: int
    end_frame: int
    state: str = "present"
    annotator: str = ""
    source: str = "import"
    evidence: str | None = None
    updated_at: str = ""


# VidOR --------------------------------------------------------------------------------------------

class _Relation(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    subject_tid: Annotated[int, Field(ge=1)]
    object_tid: Annotated[int, Field(ge=1)] | None
    predicate: Annotated[str, Field(min_length=1, max_length=200)]
    begin_fid: Frame
    end_fid: Frame
    target: Literal["group", "offscreen", "unknown"] | None = None
    state: Literal["present", "absent", "unreviewed"] = "present"
    annotator: Annotated[str, Field(max_length=200)] | None = None
    source: Literal["annotator", "suggestion", "import"] = "import"
    evidence: Annotated[str, Field(max_length=2000)] | None = None
    updated_at: Annotated[str, Field(max_length=64)] = ""


class _Relations(BaseModel):
    model_config = ConfigDict(extra="ignore")
    relation_instances: list[_Relation] = []


def _numbers(store: Store, video_id: int) -> dict[int, int]:
    return {c.id: c.number for c in store.characters(video_id)}


def relation_instances(store: Store, video_id: int) -> list[dict[str, Any]]:
    """The VidOR relation instances of a video's interactions, by start frame."""
    number = _numbers(store, video_id)
    out = []
    for i in store.interactions(video_id):
        rel: dict[str, Any] = {"subject_tid": number[i.actor_id], "object_tid": None if i.target_id is None else number[i.target_id],
                               "predicate": i.label, "begin_fid": i.start_frame, "end_fid": i.end_frame}
        if i.target_id is None:
            rel["target"] = i.target_kind
        rel.update(state=i.state, annotator=i.annotator, source=i.source, evidence=i.evidence, updated_at=i.updated_at)
        out.append(rel)
    return out


def read_vidor_relations(path: str | Path, text: str | None = None) -> list[InteractionRecord]:
    """The relation instances of a VidOR-style file (validated; a bad one names the file and entry)."""
    path = Path(path)
    try:
        doc = _Relations.model_validate_json(text if text is not None else read_import_text(path))
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ImportFormatError(f"{path}: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from None
    out = []
    for n, r in enumerate(doc.relation_instances):
        if (r.object_tid is None) == (r.target is None):
            raise ImportFormatError(f"{path}: relation_instances.{n}: give an object_tid, or target group/offscreen/unknown, not both")
        out.append(InteractionRecord(r.subject_tid, r.predicate, r.target or "character", r.object_tid, r.begin_fid, r.end_fid,
                                     r.state, r.annotator or "", r.source, r.evidence, r.updated_at))
    return out


# AVA-style ----------------------------------------------------------------------------------------

def ava_rows(store: Store, video_id: int, annotator: str | None = None) -> list[list[str]]:
    """The AVA-style rows (with the target column) of a video's present interactions."""
    video = store.video(video_id)
    name = scene_names([(video.id, video.path)])[video.id]
    action = {label.name: i for i, label in enumerate(store.labels(), start=1)}
    number = _numbers(store, video_id)
    tracks: dict[int, list[PersonTrack]] = {}
    for t in store.person_tracks(video_id):
        if t.character_id is not None:
            tracks.setdefault(t.character_id, []).append(t)
    rows: set[tuple[int, int, int, str, tuple[str, ...]]] = set()
    for i in store.interactions(video_id, annotator):
        if i.state != "present":
            continue
        whom = str(number[i.target_id]) if i.target_id is not None else i.target_kind
        first = math.ceil(i.start_frame / video.fps)
        for second in range(first, math.floor((i.end_frame - 1) / video.fps) + 2):
            frame = frame_at(second, video)
            if not i.start_frame <= frame < i.end_frame or frame != round(second * video.fps):
                continue
            box = next((b for t in tracks.get(i.actor_id, []) if (b := t.box_at(frame)) is not None), None)
            cells = tuple(f"{v:.3f}" for v in box) if box is not None else ("", "", "", "")
            rows.add((second, number[i.actor_id], action[i.label], whom, cells))
    return [[name, f"{s:04d}", *cells, str(a), str(p), whom] for s, p, a, whom, cells in sorted(rows)]


def export_ava(store: Store, video_id: int, out: str | Path, annotator: str | None = None) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(ava_rows(store, video_id, annotator))
    return write_text(Path(out), buffer.getvalue())


def read_ava(path: str | Path, video: Video, labels: list[str], annotator: str) -> list[InteractionRecord]:
    """The interactions of an AVA-style CSV with a target column, for ``video``, under ``annotator``."""
    path = Path(path)
    runs: dict[tuple[int, str, str], list[int]] = {}
    names = set()
    for line, row in enumerate(csv.reader(io.StringIO(read_import_text(path))), start=1):
        if not row:
            continue
        if len(row) != 9:
            raise ImportFormatError(f"{path}: line {line}: {len(row)} columns; these rows have 9 (AVA's 8 and target_person_id)")
        try:
            second, action, actor = int(row[1]), int(row[6]), int(row[7])
        except ValueError:
            raise ImportFormatError(f"{path}: line {line}: the timestamp, action id and person id must be whole numbers") from None
        whom = row[8]
        if second < 0 or actor < 1 or not 1 <= action <= len(labels):
            raise ImportFormatError(f"{path}: line {line}: a timestamp ≥ 0, a person id ≥ 1 and an action id from 1 to {len(labels)}")
        if whom not in OTHER_TARGETS and not (whom.isdigit() and int(whom) >= 1):
            raise ImportFormatError(f"{path}: line {line}: target_person_id is a person id or one of {', '.join(OTHER_TARGETS)}")
        if frame_at(second, video) != round(second * video.fps):
            raise ImportFormatError(f"{path}: line {line}: second {second} is past the video's end")
        names.add(row[0])
        runs.setdefault((actor, labels[action - 1], whom), []).append(second)
    if len(names) > 1:
        raise ImportFormatError(f"{path}: rows of several videos ({', '.join(sorted(names))}); split the file per video")
    out = []
    for (actor, label, whom), found in runs.items():
        target = int(whom) if whom.isdigit() else None
        for first, last in _consecutive(sorted(set(found))):
            end = round((last + 1) * video.fps)
            end = min(end, video.frame_count) if video.frame_count else end
            out.append(InteractionRecord(actor, label, "character" if target else whom, target, frame_at(first, video), end,
                                         "present", annotator, "import"))
    return sorted(out, key=lambda r: (r.start_frame, r.actor, r.label))


def _consecutive(seconds: list[int]) -> list[tuple[int, int]]:
    """Runs of consecutive whole seconds, as (first, last)."""
    runs: list[tuple[int, int]] = []
    for second in seconds:
        if runs and runs[-1][1] == second - 1:
            runs[-1] = (runs[-1][0], second)
        else:
            runs.append((second, second))
    return runs


# storing ------------------------------------------------------------------------------------------

def check_records(store: Store, records: list[InteractionRecord], numbers: set[int], path: str | Path) -> list[InteractionRecord]:
    """The records, once each names persons among ``numbers`` and a label of the project."""
    known = {label.name for label in store.labels()}
    for r in records:
        missing = [n for n in (r.actor, r.target) if n is not None and n not in numbers]
        if missing:
            raise ImportFormatError(f"{path}: person {missing[0]} is not a character of this video (import the people first)")
        if r.label not in known:
            raise ImportFormatError(f"{path}: label {r.label!r} is not in this project's label set")
        if r.state not in INTERACTION_STATES or r.source not in INTERACTION_SOURCES:
            raise ImportFormatError(f"{path}: state {r.state!r} or source {r.source!r} unknown")
    return records


def store_records(store: Store, video_id: int, records: list[InteractionRecord], path: str | Path, annotator: str) -> int:
    """Make ``records`` the video's interactions (characters by person number; a record without an
    annotator gets ``annotator``). Checked whole first: nothing changes on an error."""
    ids = {c.number: c.id for c in store.characters(video_id)}
    items = []
    for r in check_records(store, records, set(ids), path):
        items.append(Interaction(0, video_id, ids[r.actor], r.label, r.target_kind, None if r.target is None else ids[r.target],
                                 r.start_frame, r.end_frame, r.state, r.annotator or annotator or "import", r.source, r.evidence,
                                 r.updated_at))
    try:
        store.replace_interactions(video_id, items)
    except HHIRError as exc:
        raise ImportFormatError(f"{path}: {exc}") from None
    return len(items)


def export_interactions(store: Store, video_id: int, fmt: str, out: str | Path, annotator: str | None = None) -> Path:
    """``ava``: the CSV above. (``vidor``: the people's file carries them: ``people_io.export_people``.)"""
    if fmt == "ava":
        return export_ava(store, video_id, out, annotator)
    raise HHIRError(f"unknown interactions format {fmt!r} here; known: ava (vidor comes with the people's file, eaf from interactions_eaf)")


def import_interactions(store: Store, video_id: int, fmt: str, path: str | Path, annotator: str, replace: bool = False) -> int:
    """Read a file's interactions and make them the video's (its characters must exist, by person
    number). A video with interactions keeps them unless ``replace``. Returns how many."""
    if fmt == "vidor":
        records = read_vidor_relations(path)
    elif fmt == "ava":
        records = read_ava(path, store.video(video_id), [label.name for label in store.labels()], annotator)
    else:
        raise HHIRError(f"unknown interactions format {fmt!r} here; known: vidor, ava (eaf: interactions_eaf)")
    return import_records(store, video_id, records, path, annotator, replace)


def import_records(store: Store, video_id: int, records: list[InteractionRecord], path: str | Path, annotator: str,
                   replace: bool = False) -> int:
    """Make a file's records the video's interactions; a video with some keeps them unless ``replace``."""
    if not replace and store.interactions(video_id):
        raise HHIRError(f"{path}: video {video_id} has interactions; import with --replace to overwrite them")
    return store_records(store, video_id, records, path, annotator)
