"""Label Studio JSON tasks: one task per clip (and one per video for labels of the whole scene).

``tasks.json`` is a list of tasks a Label Studio server imports as it is::

    {"data": {"video": <URL>, "media_path": <path>, "scene": <name>, "fingerprint": <hash>,
              "clip_index": i, "start": s, "end": s, "text": <transcript>,
              "annotators": {<email>: <annotator name>}},
     "annotations": [{"completed_by": {"email": <email>}, "result": [<choices>, ...]}],
     "predictions": [{"model_version": <model id>, "score": <max score>, "result": [...]}]}

Results are ``choices`` on the control ``interaction`` (labels present) and ``absent`` (labels the
annotator rejected), both bound to the ``video`` object; ``labeling_config.xml`` beside the tasks
declares them. A scene task has ``clip_index`` -1.

* ``completed_by``: Label Studio accepts only the e-mail (or id) of a member of its organisation.
  Each annotator goes as the e-mail given for it (``annotator_emails``), else its name when that
  is an e-mail, else ``<name>@hhir.invalid``; ``annotators.csv`` lists the pairs, so the accounts
  can be created before the import. ``data.annotators`` carries the names back on import.
* ``data.video``: Label Studio's local-files URL ``/data/local-files/?d=<path>``, relative to
  ``local_files_root`` (the server's ``LOCAL_FILES_DOCUMENT_ROOT``, ``/`` by default), or
  ``<media_url_prefix>/<file name>`` when a prefix is given. A video outside the root keeps its
  path there, and the export's notes name it.
* ``data.start``/``data.end``: the clip on the stream's own clock (:mod:`hhir.exchange.clock`);
  ``data.range`` the same as a player shows it (``0:06.607 to 0:26.360``), in the task's header;
  ``data.video`` ends in a media fragment ``#t=start,end`` so the browser's player starts at the
  clip; ``data.fps`` is the Video tag's ``frameRate``.
* ``data.reviewed_by``: the annotators whose annotation is a review of the clip (they looked and
  left the other labels unticked). On import those clips are marked reviewed by them again, and so
  is every clip annotated in Label Studio by someone the task did not carry (submitting a task
  there is a review); the other annotators' annotations bring their marks only.
* Predictions: the active model's scores, else the zero-shot starter's, with the model id as
  ``model_version``: one result on ``interaction`` choosing the labels at or above their
  threshold, so a prediction accepted in Label Studio ("create annotations from predictions") is
  exactly the suggested set. Its ``score`` (and the prediction's) is the confidence of the weakest
  decision in it (a chosen label's score, else one minus it); the per-label scores are in
  ``data.scores``, which Label Studio keeps with the task. Predictions are never read back as
  annotations.
"""

from __future__ import annotations

import csv
import io
import json
import ntpath
import posixpath
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import quote
from xml.sax.saxutils import quoteattr

from hhir.errors import HHIRError
from hhir.exchange.model import ExportData, ExportOptions, VideoData
from hhir.exchange.naming import sanitize
from hhir.exchange.safety import write_text
from hhir.types import AnnotationState, Clip

PRESENT_CONTROL, ABSENT_CONTROL, TO_NAME = "interaction", "absent", "video"
CONTROLS = (PRESENT_CONTROL, ABSENT_CONTROL)
EMAIL_DOMAIN = "hhir.invalid"
LOCAL_FILES_URL = "/data/local-files/?d="
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def annotator_email(name: str, given: dict[str, str]) -> str:
    """The e-mail an annotator goes to Label Studio as (see the module notes)."""
    if name in given:
        return given[name]
    return name if _EMAIL.match(name) else f"{sanitize(name, 'annotator').lower()}@{EMAIL_DOMAIN}"


def media_url(path: str, options: ExportOptions) -> str | None:
    """``data.video`` for a stored video path: the user's URL prefix, else a local-files URL; None
    when the video is not under the local-files root (no URL the server would serve)."""
    windows = "\\" in path or bool(re.match(r"^[A-Za-z]:", path))
    pure = PureWindowsPath(ntpath.normpath(path)) if windows else PurePosixPath(posixpath.normpath(path))
    if options.media_url_prefix:
        return f"{options.media_url_prefix.rstrip('/')}/{quote(pure.name)}"
    root = type(pure)(options.local_files_root or ("/" if not windows else pure.anchor or "C:\\"))
    try:
        relative = pure.relative_to(root)
    except ValueError:
        return None
    return LOCAL_FILES_URL + quote(relative.as_posix())


def _choices(control: str, labels: list[str]) -> dict:
    return {"from_name": control, "to_name": TO_NAME, "type": "choices", "value": {"choices": labels}}


class _Tasks:
    """Builds the tasks of one export: the options, e-mails and thresholds are fixed for all of them."""

    def __init__(self, data: ExportData, options: ExportOptions, threshold: Callable[[str], float]) -> None:
        self.data, self.options, self.threshold = data, options, threshold
        self.emails = dict(options.annotator_emails)
        self.used: dict[str, str] = {}  # email -> annotator name, for annotators.csv
        self.outside: set[str] = set()  # videos with no local-files URL

    def task(self, video: VideoData, clip: Clip | None) -> dict | None:
        clip_id = clip.id if clip else None
        mine = [a for a in video.annotations if a.target.clip_id == clip_id and a.label in self.data.label_names]
        if clip is None and not mine:
            return None
        who = {annotator_email(n, self.emails): n for n in sorted({a.annotator for a in mine})}
        self._remember(who)
        url = media_url(video.video.path, self.options)
        if url is None:
            self.outside.add(video.video.path)
        start, end = video.span(clip) if clip else (0.0, video.video.duration_s)
        task = {"data": {
            "video": _at_clip(url, start, end) if url and clip else (url or video.video.path),
            "media_path": video.video.path, "scene": video.name,
            "fingerprint": video.video.fingerprint, "clip_index": clip.index if clip else -1,
            "start": round(start, 6), "end": round(end, 6), "range": f"{clock_text(start)} to {clock_text(end)}",
            "fps": round(video.video.fps or 25.0, 6),
            "text": clip.text if clip else "", "annotators": who,
            "reviewed_by": sorted(name for target, name in video.reviewers if target.clip_id == clip_id and name in who.values()),
        }}
        task["annotations"] = [self._annotation(mine, name, email) for email, name in who.items()]
        if video.predictions is not None:
            scores = video.predictions.scene if clip is None else video.predictions.clips.get(clip.id)
            if scores:
                task["predictions"] = [self._prediction(video.predictions.model.id, scores)]
                task["data"]["scores"] = {n: round(float(scores[n]), 6) for n in self.data.label_names if n in scores}
        return task

    def _remember(self, who: dict[str, str]) -> None:
        for email, name in who.items():
            if self.used.setdefault(email, name) != name:
                raise HHIRError(f"annotators {self.used[email]!r} and {name!r} would both go to Label Studio as {email}")

    @staticmethod
    def _annotation(annotations: list, annotator: str, email: str) -> dict:
        mine = [a for a in annotations if a.annotator == annotator]
        present = sorted(a.label for a in mine if a.state is AnnotationState.PRESENT)
        absent = sorted(a.label for a in mine if a.state is AnnotationState.ABSENT)
        result = [_choices(PRESENT_CONTROL, present)] if present else []
        result += [_choices(ABSENT_CONTROL, absent)] if absent else []
        return {"completed_by": {"email": email}, "result": result}

    def _prediction(self, model_id: str, scores: dict[str, float]) -> dict:
        labels = [n for n in self.data.label_names if n in scores]
        chosen = [n for n in labels if scores[n] >= self.threshold(n)]
        # The confidence of the weakest decision in the suggested set: what Label Studio's Data
        # Manager sorts by, lowest first, to show the tasks the model is least sure of.
        confidence = round(min(float(scores[n]) if n in chosen else 1.0 - float(scores[n]) for n in labels), 6)
        result = {**_choices(PRESENT_CONTROL, chosen), "score": confidence}
        return {"model_version": model_id, "score": confidence, "result": [result]}


def clock_text(seconds: float) -> str:
    """``m:ss.mmm`` (``h:mm:ss.mmm`` from an hour on), as a player's position reads."""
    ms = round(max(seconds, 0.0) * 1000)
    hours, minutes, rest = ms // 3_600_000, ms // 60_000 % 60, ms % 60_000
    text = f"{minutes:d}:{rest // 1000:02d}.{rest % 1000:03d}"
    return f"{hours:d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}" if hours else text


def _at_clip(url: str, start: float, end: float) -> str:
    """The video URL with a media fragment (``#t=start,end``): the browser's player starts at the
    clip. The fragment never reaches the server, which serves the whole file as before."""
    return f"{url}#t={start:.3f},{end:.3f}"


def labeling_config(labels: tuple[str, ...]) -> str:
    """A Label Studio labeling config with the two choice controls the tasks use."""
    choices = "".join(f"    <Choice value={quoteattr(n)}/>\n" for n in labels)
    return (
        "<View>\n  <Header value=\"$scene, clip $clip_index: $range\"/>\n"
        f"  <Video name=\"{TO_NAME}\" value=\"$video\" frameRate=\"$fps\"/>\n  <Text name=\"text\" value=\"$text\"/>\n"
        f"  <Choices name=\"{PRESENT_CONTROL}\" toName=\"{TO_NAME}\" choice=\"multiple\">\n{choices}  </Choices>\n"
        f"  <Choices name=\"{ABSENT_CONTROL}\" toName=\"{TO_NAME}\" choice=\"multiple\">\n{choices}  </Choices>\n</View>\n"
    )


def _annotators_csv(used: dict[str, str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["annotator", "email"])
    writer.writerows((name, email) for email, name in sorted(used.items(), key=lambda kv: kv[1]))
    return buffer.getvalue()


def export_labelstudio(data: ExportData, out: Path, options: ExportOptions,
                       threshold: Callable[[str], float]) -> tuple[list[Path], int, list[str]]:
    """Write ``tasks.json``, ``labeling_config.xml`` and ``annotators.csv`` into ``out``.

    Returns:
        The files, the task count and notes (the accounts Label Studio needs for ``completed_by``).
    """
    builder = _Tasks(data, options, threshold)
    tasks = [t for v in data.videos for clip in (None, *v.clips) if (t := builder.task(v, clip)) is not None]
    for number, task in enumerate(tasks, start=1):
        task["id"] = number
    files = [write_text(out / "tasks.json", json.dumps(tasks, ensure_ascii=False, indent=1) + "\n"),
             write_text(out / "labeling_config.xml", labeling_config(data.label_names)),
             write_text(out / "annotators.csv", _annotators_csv(builder.used))]
    notes = [f"Label Studio imports annotations only for members of its organisation: {len(builder.used)} accounts "
             "needed, listed in annotators.csv"] if builder.used else []
    if builder.outside:
        names = ", ".join(sorted(builder.outside)[:3]) + (" …" if len(builder.outside) > 3 else "")
        notes.append(f"{len(builder.outside)} videos are not under the local-files root {options.local_files_root or '/'} "
                     f"({names}): their tasks keep the file path, which Label Studio cannot play; give the root or a media URL prefix")
    if options.with_predictions and not any("predictions" in t for t in tasks):
        notes.append("no model has scored these videos yet, so there are no predictions")
    return files, len(tasks), notes
