"""Reading Label Studio tasks back: ours as written, or as a Label Studio server exports them.

Only ``choices`` results on our two controls (``interaction``, ``absent``) bound to the ``video``
object are labels. A file whose results use none of our controls, or that binds one of their
names to another object (an unrelated project's ``interaction`` choice on a text field), is
refused whole with the reason: it is not a file of an HHIR labeling config, and reading it would
import nothing, or the wrong thing. Predictions are never read.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from hhir.errors import ImportFormatError
from hhir.exchange.labelstudio import CONTROLS, PRESENT_CONTROL, TO_NAME
from hhir.exchange.model import ClipRef, ImportData, LabelRecord, ReviewRecord, VideoRef
from hhir.exchange.safety import read_import_text
from hhir.types import AnnotationState

_CONTROL_STATE = {PRESENT_CONTROL: AnnotationState.PRESENT, CONTROLS[1]: AnnotationState.ABSENT}


def parse_labelstudio(path: Path, annotator: str | None = None) -> ImportData:
    """Read human annotations from Label Studio tasks (predictions are ignored)."""
    src = path / "tasks.json" if path.is_dir() else path
    try:
        tasks = json.loads(read_import_text(src))
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"{src}: line {exc.lineno}, column {exc.colno}: malformed JSON ({exc.msg})") from exc
    except (ValueError, RecursionError) as exc:  # a number over 4300 digits, or nesting deeper than the stack
        raise ImportFormatError(f"{src}: unreadable JSON ({exc})") from exc
    if not isinstance(tasks, list):
        raise ImportFormatError(f"{src}: expected a JSON list of tasks")
    records: list[LabelRecord] = []
    reviews: list[ReviewRecord] = []
    others: set[str] = set()
    for number, task in enumerate(tasks, start=1):
        found, reviewed = _task_records(f"{src}: task {number}", task, annotator, others)
        records += found
        reviews += reviewed
    if others and not records:
        raise ImportFormatError(f"{src}: no result uses the controls {' or '.join(CONTROLS)} (found {', '.join(sorted(others))}); "
                                "this is not a task file of an HHIR labeling config")
    return ImportData(labels=tuple(records), reviewed=tuple(reviews))


def _task_records(where: str, task: object, annotator: str | None, others: set[str]) -> tuple[list[LabelRecord], list[ReviewRecord]]:
    data = _field(where, task, "data", dict)
    video = VideoRef(str(data.get("fingerprint", "")), str(data.get("scene") or _stem(data.get("media_path") or data.get("video", ""))))
    clip = _clip_ref(where, data)
    names = data.get("annotators") if isinstance(data.get("annotators"), dict) else {}
    reviewers = data.get("reviewed_by") if isinstance(data.get("reviewed_by"), list) else []
    records, reviews = [], []
    for i, ann in enumerate(_field(where, task, "annotations", list, optional=True) or [], start=1):
        here = f"{where} annotation {i}"
        if isinstance(ann, dict) and ann.get("was_cancelled"):
            continue
        name = _who(here, _field(here, ann, "completed_by", (str, int, dict)), names)
        who = annotator or name
        for item in _field(here, ann, "result", list):
            records += _result_records(here, item, video, clip, who, others)
        if name in reviewers or name not in names.values():  # a review we wrote, or a task submitted in Label Studio
            reviews.append(ReviewRecord(video, clip, who, here))
    return records, reviews


def _result_records(where: str, item: object, video: VideoRef, clip: ClipRef | None, who: str, others: set[str]) -> list[LabelRecord]:
    if not isinstance(item, dict):
        raise ImportFormatError(f"{where}: a result is not a JSON object")
    name = item.get("from_name")
    if name not in _CONTROL_STATE:
        others.add(f"{item.get('type', '?')} {name!r}")
        return []  # other controls (text areas, ratings) carry nothing we store
    if item.get("type") != "choices" or item.get("to_name") != TO_NAME:
        raise ImportFormatError(f"{where}: control {name!r} is {item.get('type')!r} on {item.get('to_name')!r}, "
                                f"not choices on {TO_NAME!r}: this is not a task file of an HHIR labeling config")
    labels = _field(where, _field(where, item, "value", dict), "choices", list)
    return [LabelRecord(video, clip, str(label), _CONTROL_STATE[name], who, where) for label in labels]


def _clip_ref(where: str, data: dict) -> ClipRef | None:
    index = data.get("clip_index", -1)
    start, end = data.get("start", -1.0), data.get("end", -1.0)
    if not all(_finite(v) for v in (index, start, end)):
        raise ImportFormatError(f"{where}: data.clip_index/start/end must be finite numbers")
    if index < 0 and (start < 0 or end < 0 or "clip_index" in data):
        return None
    return ClipRef(float(start), float(end), int(index))


def _finite(value: object) -> bool:
    """A JSON number usable as a time or index: not a bool, NaN, infinite or beyond 64 bits."""
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63


def _who(where: str, value: str | int | dict, names: dict) -> str:
    """The annotator name: ours from ``data.annotators`` when the e-mail is there, else the e-mail
    or user name Label Studio gave, else ``label-studio-user-<id>`` (its plain JSON export names
    users by id only; its export snapshots with ``completed_by`` expanded carry the e-mail)."""
    if isinstance(value, dict):
        value = value.get("email") or value.get("username") or value.get("id", "")
    if isinstance(value, bool) or value == "" or value is None:
        raise ImportFormatError(f"{where}: completed_by names nobody")
    if isinstance(value, int):
        return f"label-studio-user-{value}"
    return str(names.get(value) or value)


def _field(where: str, obj: object, name: str, kind: type | tuple, optional: bool = False):
    if not isinstance(obj, dict):
        raise ImportFormatError(f"{where}: expected a JSON object")
    if name not in obj and optional:
        return None
    value = obj.get(name)
    if not isinstance(value, kind):
        raise ImportFormatError(f"{where}: field {name!r} is missing or has the wrong type")
    return value


def _stem(path: object) -> str:
    text = str(path).split("#", 1)[0].replace("\\", "/").rsplit("/", 1)[-1]  # without the media fragment
    return text.rsplit("=", 1)[-1].rsplit(".", 1)[0]  # a local-files URL ends in ?d=<path>
