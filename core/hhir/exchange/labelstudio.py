"""Label Studio JSON tasks: one task per clip (and one per video for labels of the whole scene).

``tasks.json`` is a list of tasks::

    {"data": {"video": <path>, "scene": <name>, "fingerprint": <hash>, "clip_index": i,
              "start": s, "end": s, "text": <transcript>},
     "annotations": [{"completed_by": <annotator>, "result": [<choices>, ...]}],
     "predictions": [{"model_version": <model id>, "score": <max score>, "result": [...]}]}

Results are ``choices`` on the control ``interaction`` (labels present) and ``absent``
(labels the annotator rejected); ``labeling_config.xml`` beside the tasks declares both, so
the file can be imported into a Label Studio project as it is. Predictions carry the labels
scoring at least 0.5 and each label's score; they are never read back as annotations.
A scene task has ``clip_index`` -1.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from xml.sax.saxutils import quoteattr

from hhir.errors import ImportFormatError
from hhir.exchange.model import ClipRef, ExportData, ImportData, LabelRecord, VideoData, VideoRef
from hhir.exchange.safety import read_import_text, write_text
from hhir.types import AnnotationState, Clip

PRESENT_CONTROL, ABSENT_CONTROL, TO_NAME = "interaction", "absent", "video"
_CONTROL_STATE = {PRESENT_CONTROL: AnnotationState.PRESENT, ABSENT_CONTROL: AnnotationState.ABSENT}


def _choices(control: str, labels: list[str]) -> dict:
    return {"from_name": control, "to_name": TO_NAME, "type": "choices", "value": {"choices": labels}}


def _task(data: ExportData, video: VideoData, clip: Clip | None) -> dict | None:
    clip_id = clip.id if clip else None
    mine = [a for a in video.annotations if a.target.clip_id == clip_id and a.label in data.label_names]
    task = {"data": {
        "video": video.video.path, "scene": video.name, "fingerprint": video.video.fingerprint,
        "clip_index": clip.index if clip else -1, "start": clip.start_s if clip else 0.0,
        "end": clip.end_s if clip else video.video.duration_s, "text": clip.text if clip else "",
    }}
    if clip is None and not mine:
        return None
    task["annotations"] = [_annotation(mine, who) for who in sorted({a.annotator for a in mine})]
    if video.predictions is not None:
        scores = video.predictions.scene if clip is None else video.predictions.clips.get(clip.id)
        if scores:
            task["predictions"] = [_prediction(video.predictions.model.id, scores, data.label_names)]
    return task


def _annotation(annotations: list, annotator: str) -> dict:
    present = sorted(a.label for a in annotations if a.annotator == annotator and a.state is AnnotationState.PRESENT)
    absent = sorted(a.label for a in annotations if a.annotator == annotator and a.state is AnnotationState.ABSENT)
    result = [_choices(PRESENT_CONTROL, present)] if present else []
    result += [_choices(ABSENT_CONTROL, absent)] if absent else []
    return {"completed_by": annotator, "result": result}


def _prediction(model_id: str, scores: dict[str, float], labels: tuple[str, ...]) -> dict:
    chosen = [n for n in labels if scores.get(n, 0.0) >= 0.5]
    per_label = [{**_choices(PRESENT_CONTROL, [n]), "score": float(scores[n])} for n in labels if n in scores]
    return {"model_version": model_id, "score": max(scores.values()), "result": [_choices(PRESENT_CONTROL, chosen), *per_label]}


def labeling_config(labels: tuple[str, ...]) -> str:
    """A Label Studio labeling config with the two choice controls the tasks use."""
    choices = "".join(f"    <Choice value={quoteattr(n)}/>\n" for n in labels)
    return (
        "<View>\n  <Video name=\"video\" value=\"$video\"/>\n  <Text name=\"text\" value=\"$text\"/>\n"
        f"  <Choices name=\"{PRESENT_CONTROL}\" toName=\"{TO_NAME}\" choice=\"multiple\">\n{choices}  </Choices>\n"
        f"  <Choices name=\"{ABSENT_CONTROL}\" toName=\"{TO_NAME}\" choice=\"multiple\">\n{choices}  </Choices>\n</View>\n"
    )


def export_labelstudio(data: ExportData, out: Path) -> tuple[list[Path], int]:
    """Write ``tasks.json`` and ``labeling_config.xml`` into ``out``; returns files and task count."""
    tasks = [t for v in data.videos for clip in (None, *v.clips) if (t := _task(data, v, clip)) is not None]
    for number, task in enumerate(tasks, start=1):
        task["id"] = number
    files = [write_text(out / "tasks.json", json.dumps(tasks, ensure_ascii=False, indent=1) + "\n"),
             write_text(out / "labeling_config.xml", labeling_config(data.label_names))]
    return files, len(tasks)


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
    for number, task in enumerate(tasks, start=1):
        records += _task_records(f"{src}: task {number}", task, annotator)
    return ImportData(labels=tuple(records))


def _task_records(where: str, task: object, annotator: str | None) -> list[LabelRecord]:
    data = _field(where, task, "data", dict)
    video = VideoRef(str(data.get("fingerprint", "")), str(data.get("scene") or _stem(data.get("video", ""))))
    clip = _clip_ref(where, data)
    records = []
    for i, ann in enumerate(_field(where, task, "annotations", list, optional=True) or [], start=1):
        here = f"{where} annotation {i}"
        if isinstance(ann, dict) and ann.get("was_cancelled"):
            continue
        who = annotator or _who(here, _field(here, ann, "completed_by", (str, int, dict)))
        for item in _field(here, ann, "result", list):
            records += _result_records(here, item, video, clip, who)
    return records


def _result_records(where: str, item: object, video: VideoRef, clip: ClipRef | None, who: str) -> list[LabelRecord]:
    if not isinstance(item, dict) or item.get("type") != "choices" or item.get("from_name") not in _CONTROL_STATE:
        return []  # other controls (text areas, ratings) carry nothing we store
    labels = _field(where, _field(where, item, "value", dict), "choices", list)
    state = _CONTROL_STATE[item["from_name"]]
    return [LabelRecord(video, clip, str(label), state, who, where) for label in labels]


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


def _who(where: str, value: str | int | dict) -> str:
    if isinstance(value, dict):
        value = value.get("email") or value.get("username") or value.get("id", "")
    if value == "" or value is None:
        raise ImportFormatError(f"{where}: completed_by names nobody")
    return str(value)


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
    return str(path).replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
