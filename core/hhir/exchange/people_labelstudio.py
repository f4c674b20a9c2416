"""Label Studio video rectangles of a video's people: one ``videorectangle`` result per track.

A track's stored boxes are its keyframes (``sequence`` items: 1-based ``frame``, ``time``, and
``x``/``y``/``width``/``height`` in percent of the frame); Label Studio interpolates between
keyframes linearly, as ``PersonTrack.box_at`` does, and the last keyframe is ``enabled: false`` so
the track ends there. The label is the character (``person N`` or its name; ``nobody`` for a track
of no one); the labeling config lists them. Reading back gives the same tracks and characters;
boxes to a millionth of a percent. Not carried (Label Studio has no field for them): box
confidence and source, faces, and whether a grouping was confirmed (read back as confirmed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any
from xml.sax.saxutils import quoteattr

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hhir.errors import ImportFormatError
from hhir.exchange.naming import scene_names
from hhir.exchange.people_record import PeopleImport
from hhir.exchange.safety import read_import_text
from hhir.fsutil import write_text
from hhir.store import Store
from hhir.types import Character, PersonBox, PersonTrack, Video

NOBODY = "nobody"
Percent = Annotated[float, Field(ge=0.0, le=100.0, allow_inf_nan=False)]


def person_label(c: Character) -> str:
    return c.name or f"person {c.number}"


def labeling_config(labels: list[str], fps: float) -> str:
    """A labeling config with the video, its frame rate and one label per character."""
    items = "".join(f"    <Label value={quoteattr(n)}/>\n" for n in [*labels, NOBODY])
    return (f"<View>\n  <Video name=\"video\" value=\"$video\" framerate=\"{fps:g}\"/>\n"
            f"  <Labels name=\"person\" toName=\"video\">\n{items}  </Labels>\n"
            "  <VideoRectangle name=\"box\" toName=\"video\"/>\n</View>\n")


def _sequence(track: PersonTrack, video: Video) -> list[dict[str, Any]]:
    out = []
    for i, b in enumerate(track.boxes):
        out.append({"frame": b.frame + 1, "enabled": i < len(track.boxes) - 1, "rotation": 0,
                    "x": round(b.x0 * 100, 6), "y": round(b.y0 * 100, 6),
                    "width": round((b.x1 - b.x0) * 100, 6), "height": round((b.y1 - b.y0) * 100, 6),
                    "time": round(b.frame / video.fps, 6)})
    return out


def export_people_labelstudio(store: Store, video_id: int, out: str | Path) -> Path:
    """Write ``out`` (Label Studio tasks JSON, one task) and its labeling config beside it
    (``<name>.config.xml``)."""
    video = store.video(video_id)
    chars = store.characters(video_id)
    label = {c.id: person_label(c) for c in chars}
    results = []
    for k, track in enumerate(store.person_tracks(video_id)):
        results.append({
            "id": f"track{k}", "type": "videorectangle", "from_name": "box", "to_name": "video", "origin": "manual",
            "value": {"framesCount": video.frame_count, "duration": video.duration_s, "sequence": _sequence(track, video),
                      "labels": [label[track.character_id] if track.character_id is not None else NOBODY]},
        })
    name = scene_names([(video.id, video.path)])[video.id]
    task = {"data": {"video": Path(video.path).name, "scene": name, "fps": video.fps, "frame_count": video.frame_count,
                     "people": [{"label": person_label(c), "person": c.number, "name": c.name} for c in chars]},
            "annotations": [{"result": results}]}
    out = Path(out)
    write_text(out.with_name(out.stem + ".config.xml"), labeling_config([person_label(c) for c in chars], video.fps))
    return write_text(out, json.dumps([task], ensure_ascii=False, indent=1) + "\n")


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Key(_Loose):
    frame: Annotated[int, Field(ge=1)]
    enabled: bool = True
    x: Percent
    y: Percent
    width: Percent
    height: Percent


class _Value(_Loose):
    sequence: Annotated[list[_Key], Field(min_length=1)]
    labels: Annotated[list[str], Field(min_length=1, max_length=1)]


class _Result(_Loose):
    type: str
    value: _Value | dict[str, Any]


class _Person(_Loose):
    label: str
    person: Annotated[int, Field(ge=1)]
    name: str | None = None


class _Data(_Loose):
    frame_count: Annotated[int, Field(ge=0)] | None = None
    people: list[_Person] = []


class _Annotation(_Loose):
    result: list[_Result] = []


class _Task(_Loose):
    data: _Data
    annotations: list[_Annotation] = []


def _read(path: Path) -> _Task:
    try:
        tasks = json.loads(read_import_text(path))
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"{path}: line {exc.lineno}: not JSON ({exc.msg})") from None
    if not isinstance(tasks, list) or len(tasks) != 1:
        raise ImportFormatError(f"{path}: a list of one task (one video) is expected")
    try:
        return _Task.model_validate(tasks[0])
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ImportFormatError(f"{path}: task 0: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from None


def read_people_labelstudio(path: str | Path, video: Video, shots: list[tuple[int, int]]) -> PeopleImport:
    """The tracks and characters of a task written by :func:`export_people_labelstudio` (or edited
    in Label Studio) for ``video``; a label that is no known person becomes a new character."""
    path = Path(path)
    task = _read(path)
    if task.data.frame_count is not None and task.data.frame_count != video.frame_count:
        raise ImportFormatError(f"{path}: made for a video of {task.data.frame_count} frames, not this one ({video.frame_count})")
    people = {p.label: p for p in task.data.people}
    order = [p.label for p in task.data.people]
    tracks: list[PersonTrack] = []
    owners: list[str] = []
    for annotation in task.annotations[:1]:
        for r in annotation.result:
            if r.type != "videorectangle" or not isinstance(r.value, _Value):
                continue
            tracks.append(_track(r.value, video, shots, path))
            owners.append(r.value.labels[0])
    order += [o for o in dict.fromkeys(owners) if o not in people and o != NOBODY]
    taken = {p.person for p in people.values()}
    numbers, next_free = [], max(taken, default=0) + 1
    for label in order:
        if label in people:
            numbers.append(people[label].person)
        else:
            numbers.append(next_free)
            next_free += 1
    return PeopleImport(tracks=tracks, groups=[[i for i, o in enumerate(owners) if o == label] for label in order], numbers=numbers,
                        names=[people[label].name if label in people else label for label in order], confirmed=[True] * len(order))


def _track(value: _Value, video: Video, shots: list[tuple[int, int]], path: Path) -> PersonTrack:
    keys = sorted(value.sequence, key=lambda k: k.frame)
    frames = [k.frame - 1 for k in keys]
    if frames[-1] >= video.frame_count:
        raise ImportFormatError(f"{path}: a box on frame {frames[-1] + 1} of a video of {video.frame_count} frames")
    shot = next((i for i, (a, b) in enumerate(shots) if a <= frames[0] < b), None)
    if shot is None or frames[-1] >= shots[shot][1]:
        raise ImportFormatError(f"{path}: a track from frame {frames[0] + 1} to {frames[-1] + 1} crosses a cut or lies in no shot")
    boxes = tuple(PersonBox(f, k.x / 100, k.y / 100, (k.x + k.width) / 100, (k.y + k.height) / 100, 1.0, "import")
                  for f, k in zip(frames, keys))
    return PersonTrack(0, video.id, shot, boxes, source="import")

