"""AVA-style CSV of a video's people: a real box and a stable person id per character.

Rows are AVA's ``video_id, middle_frame_timestamp, x1, y1, x2, y2, action_id, person_id``: one per
whole second at which a character is on screen (the box on the frame shown at that second,
normalised, three decimals as AVA writes them) and per interaction label present on a clip
covering that second; a second with no present label gets one row with an empty ``action_id``, as
AVA's person-box files have (SlowFast reads those as a box without a label). ``person_id`` is the
character's person number, the same in every shot. The action ids are those of the project's
``ava`` export (label order, from 1).

Reading back gives the characters their boxes at those seconds (one track per run of consecutive
seconds within a shot). What AVA has no column for is not in the file: names, whether a grouping was
confirmed, the boxes between whole seconds, and tracks of nobody (they are left out).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from hhir.errors import ImportFormatError
from hhir.exchange.naming import scene_names
from hhir.exchange.people_record import PeopleImport
from hhir.exchange.safety import read_import_text
from hhir.fsutil import write_text
from hhir.scoring.truth import judged_annotations
from hhir.store import Store
from hhir.types import AnnotationState, PersonBox, PersonTrack, Video


def frame_at(second: int, video: Video) -> int:
    """The decoded frame shown at a whole second (on the frame clock: frame / fps)."""
    return min(max(0, video.frame_count - 1), round(second * video.fps))


def _labels_by_second(store: Store, video: Video) -> dict[int, set[int]]:
    """Action ids present at each whole second, from the clips' judged annotations (as the ``ava`` export)."""
    ids = {label.name: i for i, label in enumerate(store.labels(), start=1)}
    clips = {c.id: c for c in store.clips(video.id)}
    out: dict[int, set[int]] = {}
    for a in judged_annotations(store, video.id, None):
        clip = clips.get(a.target.clip_id) if a.target.clip_id is not None else None
        if clip is None or a.state is not AnnotationState.PRESENT or a.label not in ids:
            continue
        for second in range(math.ceil(clip.start_s), math.ceil(clip.end_s)):
            out.setdefault(second, set()).add(ids[a.label])
    return out


def people_rows(store: Store, video_id: int) -> list[tuple[str, int, tuple[float, ...], str, int]]:
    """``(video name, second, box, action id or "", person id)`` rows, sorted."""
    video = store.video(video_id)
    name = scene_names([(video.id, video.path)])[video.id]
    number = {c.id: c.number for c in store.characters(video_id)}
    labels = _labels_by_second(store, video)
    rows: set[tuple[str, int, tuple[float, ...], str, int]] = set()
    for track in store.person_tracks(video_id):
        if track.character_id is None:
            continue
        first, last = math.ceil(track.start_frame / video.fps), math.floor(track.end_frame / video.fps)
        for second in range(first, last + 1):
            box = track.box_at(frame_at(second, video))
            if box is None:
                continue
            rounded = tuple(round(v, 3) for v in box)
            actions = [str(a) for a in sorted(labels.get(second, ()))] or [""]
            rows.update((name, second, rounded, action, number[track.character_id]) for action in actions)
    return sorted(rows, key=lambda r: (r[1], r[4], r[3]))


def export_people_ava(store: Store, video_id: int, out: str | Path) -> Path:
    """Write the AVA-style CSV of a video's people."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for name, second, box, action, person in people_rows(store, video_id):
        row: list[object] = [name, f"{second:04d}", *(f"{v:.3f}" for v in box), action, person]
        writer.writerow(row)
    return write_text(Path(out), buffer.getvalue())


def _row(path: Path, line: int, row: list[str]) -> tuple[int, tuple[float, float, float, float], int]:
    if len(row) != 8:
        raise ImportFormatError(f"{path}: line {line}: {len(row)} columns, AVA rows have 8")
    try:
        second, person = int(row[1]), int(row[7])
        box = tuple(float(v) for v in row[2:6])
    except ValueError:
        raise ImportFormatError(f"{path}: line {line}: the timestamp, box and person id must be numbers") from None
    if second < 0 or person < 1 or not all(0.0 <= v <= 1.0 for v in box) or box[0] > box[2] or box[1] > box[3]:
        raise ImportFormatError(f"{path}: line {line}: a timestamp ≥ 0, a box inside 0…1 with x1 ≤ x2, y1 ≤ y2, and a person id ≥ 1")
    return second, (box[0], box[1], box[2], box[3]), person


def read_people_ava(path: str | Path, video: Video, shots: list[tuple[int, int]]) -> PeopleImport:
    """The people of an AVA-style CSV for ``video`` (every row's ``video_id`` must be the same one)."""
    path = Path(path)
    boxes: dict[int, dict[int, tuple[float, float, float, float]]] = {}
    names = set()
    for line, row in enumerate(csv.reader(io.StringIO(read_import_text(path))), start=1):
        if not row:
            continue
        second, box, person = _row(path, line, row)
        names.add(row[0])
        if frame_at(second, video) != round(second * video.fps):
            raise ImportFormatError(f"{path}: line {line}: second {second} is past the video's end")
        boxes.setdefault(person, {})[second] = box
    if len(names) > 1:
        raise ImportFormatError(f"{path}: rows of several videos ({', '.join(sorted(names))}); split the file per video")
    tracks: list[PersonTrack] = []
    groups: list[list[int]] = []
    for person in sorted(boxes):
        groups.append([])
        for run in _runs(boxes[person], video, shots, path):
            groups[-1].append(len(tracks))
            tracks.append(PersonTrack(0, video.id, run[0], tuple(run[1]), source="import"))
    people = sorted(boxes)
    return PeopleImport(tracks, groups, people, [None] * len(people), [True] * len(people))


def _runs(by_second: dict[int, tuple[float, float, float, float]], video: Video, shots: list[tuple[int, int]],
          path: Path) -> list[tuple[int, list[PersonBox]]]:
    """A person's boxes as tracks: consecutive seconds within one shot."""
    runs: list[tuple[int, list[PersonBox]]] = []
    last = None
    for second in sorted(by_second):
        frame = frame_at(second, video)
        shot = next((i for i, (a, b) in enumerate(shots) if a <= frame < b), None)
        if shot is None:
            raise ImportFormatError(f"{path}: second {second} is in no shot of this video")
        if last is None or last[0] != shot or last[1] != second - 1:
            runs.append((shot, []))
        runs[-1][1].append(PersonBox(frame, *by_second[second], 1.0, "import"))
        last = (shot, second)
    return runs
