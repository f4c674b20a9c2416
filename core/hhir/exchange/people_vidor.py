"""VidOR-style trajectories of a video's people, and reading them back.

The layout is VidOR's annotation JSON (``video_id``, ``frame_count``, ``fps``, ``width``,
``height``, ``subject/objects`` with ``tid`` and ``category``, ``trajectories``: one list per frame
of ``{"tid", "bbox": {"xmin", "ymin", "xmax", "ymax"}, "generated"}`` in pixels, and
``relation_instances``: the interactions, ``hhir.exchange.interactions_io``). ``tid`` is the character's
person number, so it is the same in every shot. What VidOR has no field for rides in extra keys its
readers ignore, so that reading the file back loses nothing: per object its ``name``, ``confirmed``
and ``unassigned`` (tracks of nobody); per box its ``track`` (which of our tracks, numbered in the
file), ``shot``, ``source``, ``confidence`` and ``face``. Boxes a detector, a person or an import set
are ``generated: 0``; the interpolated ones between them are ``generated: 1`` and are dropped on reading
(they are recomputed the same way).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hhir.errors import ImportFormatError
from hhir.exchange.interactions_io import relation_instances
from hhir.exchange.naming import scene_names
from hhir.exchange.people_record import PeopleImport
from hhir.exchange.safety import read_import_text
from hhir.fsutil import write_text
from hhir.store import Store
from hhir.types import PersonBox, PersonTrack, Video

Pixel = Annotated[float, Field(ge=-1e6, le=1e6, allow_inf_nan=False)]
Unit = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
MAX_FRAMES = 10_000_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=False)


class _Bbox(_Strict):
    xmin: Pixel
    ymin: Pixel
    xmax: Pixel
    ymax: Pixel


class _Box(_Strict):
    tid: Annotated[int, Field(ge=0)]
    bbox: _Bbox
    generated: Literal[0, 1] = 0
    track: Annotated[int, Field(ge=0)] | None = None
    shot: Annotated[int, Field(ge=0)] | None = None
    source: Literal["detector", "annotator", "import"] = "import"
    confidence: Unit = 1.0
    face: Annotated[list[float], Field(min_length=16, max_length=16)] | None = None


class _Object(_Strict):
    tid: Annotated[int, Field(ge=1)]
    category: str = "adult"
    name: str | None = None
    confirmed: bool = True
    unassigned: bool = False


class _File(_Strict):
    frame_count: Annotated[int, Field(ge=0, le=MAX_FRAMES)]
    width: Annotated[int, Field(gt=0)]
    height: Annotated[int, Field(gt=0)]
    fps: float | None = None
    objects: list[_Object] = Field(alias="subject/objects")
    trajectories: list[list[_Box]]


def _box_json(box: tuple[float, float, float, float], video: Video) -> dict[str, float]:
    """Pixels, as VidOR; to a millionth of a pixel, so a file read back and written again is the same file."""
    w, h = video.width, video.height
    return {"xmin": round(box[0] * w, 6), "ymin": round(box[1] * h, 6), "xmax": round(box[2] * w, 6), "ymax": round(box[3] * h, 6)}


def vidor_document(store: Store, video_id: int) -> dict[str, Any]:
    """The VidOR-style JSON object of a video's people."""
    video = store.video(video_id)
    chars = store.characters(video_id)
    tracks = store.person_tracks(video_id)
    number = {c.id: c.number for c in chars}
    objects = [{"tid": c.number, "category": "adult", "name": c.name, "confirmed": c.confirmed} for c in chars]
    loose = [t for t in tracks if t.character_id is None]
    base = max(number.values(), default=0) + 1
    for i, _ in enumerate(loose):
        objects.append({"tid": base + i, "category": "adult", "name": None, "confirmed": False, "unassigned": True})
    frames: list[list[dict[str, Any]]] = [[] for _ in range(video.frame_count)]
    for k, track in enumerate(tracks):
        tid = number[track.character_id] if track.character_id is not None else base + loose.index(track)
        stored = {b.frame: b for b in track.boxes}
        for frame in range(track.start_frame, min(track.end_frame, video.frame_count - 1) + 1):
            b = stored.get(frame)
            entry: dict[str, Any] = {"tid": tid, "track": k, "shot": track.shot_index}
            if b is None:
                box = track.box_at(frame)
                assert box is not None
                entry.update(bbox=_box_json(box, video), generated=1)
            else:
                entry.update(bbox=_box_json(b.box, video), generated=0, source=b.source, confidence=b.confidence,
                             face=None if b.face is None else list(b.face))
            frames[frame].append(entry)
    name = scene_names([(video.id, video.path)])[video.id]
    return {"version": "VERSION 1.0", "video_id": name, "video_hash": video.fingerprint, "frame_count": video.frame_count,
            "fps": video.fps, "width": video.width, "height": video.height, "subject/objects": objects,
            "trajectories": frames, "relation_instances": relation_instances(store, video_id)}


def export_vidor(store: Store, video_id: int, out: str | Path) -> Path:
    """Write the video's people as a VidOR-style JSON file."""
    return write_text(Path(out), json.dumps(vidor_document(store, video_id), ensure_ascii=False) + "\n")


def _read(path: Path) -> _File:
    try:
        return _File.model_validate_json(read_import_text(path))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ImportFormatError(f"{path}: {where}: {err['msg']}") from None


def read_vidor(path: str | Path, video: Video, shots: list[tuple[int, int]]) -> PeopleImport:
    """A VidOR-style file as tracks and characters for ``video``, validated against it (one object
    of the file is one character, its ``tid`` the person number; unassigned objects are tracks of nobody)."""
    path = Path(path)
    doc = _read(path)
    if (doc.width, doc.height) != (video.width, video.height) or doc.frame_count != video.frame_count:
        raise ImportFormatError(f"{path}: made for a {doc.width}×{doc.height} video of {doc.frame_count} frames, "
                                f"not this one ({video.width}×{video.height}, {video.frame_count} frames)")
    objects = {o.tid: o for o in doc.objects}
    boxes: dict[tuple[int, int], list[tuple[int, _Box]]] = {}
    for frame, entries in enumerate(doc.trajectories):
        for e in entries:
            if e.tid not in objects:
                raise ImportFormatError(f"{path}: frame {frame}: tid {e.tid} is not in subject/objects")
            if e.generated == 0:
                boxes.setdefault((e.tid, e.track if e.track is not None else -1), []).append((frame, e))
    tracks: list[PersonTrack] = []
    owner: list[int] = []
    for (tid, _), found in sorted(boxes.items(), key=lambda kv: (kv[1][0][0], kv[0])):
        for shot, part in _by_shot(found, shots, path):
            tracks.append(PersonTrack(0, video.id, shot, tuple(_person_box(f, e, video) for f, e in part), source="import"))
            owner.append(tid)
    people = [o for o in doc.objects if not o.unassigned]
    return PeopleImport(tracks=tracks, groups=[[i for i, tid in enumerate(owner) if tid == o.tid] for o in people],
                        numbers=[o.tid for o in people], names=[o.name for o in people], confirmed=[o.confirmed for o in people])


def _person_box(frame: int, e: _Box, video: Video) -> PersonBox:
    b = e.bbox
    return PersonBox(frame, b.xmin / video.width, b.ymin / video.height, b.xmax / video.width, b.ymax / video.height,
                     e.confidence, e.source, None if e.face is None else tuple(e.face))


def _by_shot(found: list[tuple[int, _Box]], shots: list[tuple[int, int]], path: Path) -> list[tuple[int, list[tuple[int, _Box]]]]:
    """A trajectory cut where the video's shots change (a track never crosses a cut)."""
    out: list[tuple[int, list[tuple[int, _Box]]]] = []
    for frame, e in found:
        shot = next((i for i, (a, b) in enumerate(shots) if a <= frame < b), None)
        if shot is None:
            raise ImportFormatError(f"{path}: frame {frame} is in no shot of this video")
        if not out or out[-1][0] != shot:
            out.append((shot, []))
        out[-1][1].append((frame, e))
    return out
