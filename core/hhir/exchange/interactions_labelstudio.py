"""Label Studio relations between the people's video rectangles, and a timeline label per interaction.

Written into the people's Label Studio task (``hhir.exchange.people_labelstudio``: one
``videorectangle`` per track, ids ``track0``, ``track1``, ... in the store's track order). Label
Studio relations have no time, so each interaction is two results:
- a ``timelinelabels`` region (``from_name`` ``interaction``) over its frames (Label Studio's
  1-based, inclusive ``ranges``: ``start_frame + 1`` to ``end_frame``) labelled with the label, whose
  ``meta`` keeps what Label Studio has no field for: actor and target (``person N``, or group /
  offscreen / unknown), state, annotator, source, evidence, updated_at;
- for a present interaction with a character target, a ``relation`` from the actor's rectangle to the target's (the tracks that
  overlap the span most), labelled with the label.
The labeling config gains the ``TimelineLabels`` and ``Relations`` for the project's labels.
Reading back: a timeline region with its ``meta`` is the interaction as it was; one drawn in Label
Studio without it takes actor and target from a relation with the same label between two
rectangles that both overlap its range (and the importing annotator).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any
from xml.sax.saxutils import quoteattr

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hhir.errors import ImportFormatError
from hhir.exchange.interactions_io import OTHER_TARGETS, InteractionRecord
from hhir.exchange.people_labelstudio import export_people_labelstudio
from hhir.exchange.safety import read_import_text
from hhir.fsutil import write_text
from hhir.store import Store
from hhir.types import Interaction, PersonTrack, Video

PERSON = re.compile(r"^person (\d+)$")


def _best_track(tracks: list[tuple[int, PersonTrack]], i: Interaction) -> int | None:
    """The index of the track overlapping the interaction's frames most (None: none does)."""
    def overlap(t: PersonTrack) -> int:
        return min(t.end_frame + 1, i.end_frame) - max(t.start_frame, i.start_frame)
    found = [(overlap(t), -k, k) for k, t in tracks if overlap(t) > 0]
    return max(found)[2] if found else None


def export_interactions_labelstudio(store: Store, video_id: int, out: str | Path) -> Path:
    """Write the people's task with the interactions' timeline labels and relations, and the config."""
    out = Path(out)
    export_people_labelstudio(store, video_id, out)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    result: list[dict[str, Any]] = tasks[0]["annotations"][0]["result"]
    number = {c.id: c.number for c in store.characters(video_id)}
    tracks = list(enumerate(store.person_tracks(video_id)))
    mine = {cid: [(k, t) for k, t in tracks if t.character_id == cid] for cid in number}
    for n, i in enumerate(store.interactions(video_id)):
        target = f"person {number[i.target_id]}" if i.target_id is not None else i.target_kind
        result.append({"id": f"interaction{n}", "type": "timelinelabels", "from_name": "interaction", "to_name": "video", "origin": "manual",
                       "value": {"ranges": [{"start": i.start_frame + 1, "end": i.end_frame}], "timelinelabels": [i.label]},
                       "meta": {"actor": f"person {number[i.actor_id]}", "target": target, "state": i.state, "annotator": i.annotator,
                                "source": i.source, "evidence": i.evidence, "updated_at": i.updated_at}})
        if i.target_id is not None and i.state == "present":
            a, b = _best_track(mine[i.actor_id], i), _best_track(mine[i.target_id], i)
            if a is not None and b is not None:
                result.append({"type": "relation", "from_id": f"track{a}", "to_id": f"track{b}", "direction": "right", "labels": [i.label]})
    config = out.with_name(out.stem + ".config.xml")
    labels = "".join(f"    <Label value={quoteattr(label.name)}/>\n" for label in store.labels())
    relations = "".join(f"    <Relation value={quoteattr(label.name)}/>\n" for label in store.labels())
    extra = (f"  <TimelineLabels name=\"interaction\" toName=\"video\">\n{labels}  </TimelineLabels>\n"
             f"  <Relations>\n{relations}  </Relations>\n</View>\n")
    write_text(config, config.read_text(encoding="utf-8").replace("</View>\n", extra))
    return write_text(out, json.dumps(tasks, ensure_ascii=False, indent=1) + "\n")


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Range(_Loose):
    start: Annotated[int, Field(ge=1)]
    end: Annotated[int, Field(ge=1)]


class _Timeline(_Loose):
    ranges: Annotated[list[_Range], Field(min_length=1)]
    timelinelabels: Annotated[list[str], Field(min_length=1, max_length=1)]


class _Meta(_Loose):
    actor: str | None = None
    target: str | None = None
    state: str = "present"
    annotator: str | None = None
    source: str = "import"
    evidence: str | None = None
    updated_at: str = ""


def _person(text: str | None) -> int | None:
    match = PERSON.match(text or "")
    return int(match.group(1)) if match else None


def read_interactions_labelstudio(path: str | Path, video: Video, annotator: str) -> list[InteractionRecord]:
    """The interactions of a task written by :func:`export_interactions_labelstudio` (or edited in Label Studio)."""
    path = Path(path)
    try:
        tasks = json.loads(read_import_text(path))
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"{path}: line {exc.lineno}: not JSON ({exc.msg})") from None
    if not isinstance(tasks, list) or len(tasks) != 1 or not isinstance(tasks[0], dict):
        raise ImportFormatError(f"{path}: a list of one task (one video) is expected")
    annotations = tasks[0].get("annotations") or [{}]
    results = annotations[0].get("result", []) if isinstance(annotations[0], dict) else []
    people = {p.get("label"): p.get("person") for p in tasks[0].get("data", {}).get("people", []) if isinstance(p, dict)}
    spans: dict[str, tuple[int, int, int | None]] = {}  # track region id -> first, last frame, person number
    for r in results:
        if isinstance(r, dict) and r.get("type") == "videorectangle":
            frames = [k.get("frame", 0) - 1 for k in r.get("value", {}).get("sequence", []) if isinstance(k, dict)]
            labels = r.get("value", {}).get("labels") or [None]
            if frames:
                spans[str(r.get("id"))] = (min(frames), max(frames), people.get(labels[0]))
    relations = [r for r in results if isinstance(r, dict) and r.get("type") == "relation"]
    out = []
    for n, r in enumerate(results):
        if not isinstance(r, dict) or r.get("type") != "timelinelabels":
            continue
        where = f"{path}: result {n}"
        try:
            value, meta = _Timeline.model_validate(r.get("value")), _Meta.model_validate(r.get("meta") or {})
        except ValidationError as exc:
            err = exc.errors()[0]
            raise ImportFormatError(f"{where}: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from None
        label = value.timelinelabels[0]
        for rng in value.ranges:
            start, end = rng.start - 1, rng.end
            actor, target = _person(meta.actor), meta.target
            if actor is None:  # drawn in Label Studio: the relation with this label between two tracks on screen then
                pair = next(((spans[x["from_id"]][2], spans[x["to_id"]][2]) for x in relations
                             if x.get("labels") == [label] and x.get("from_id") in spans and x.get("to_id") in spans
                             and all(spans[x[k]][0] < end and start <= spans[x[k]][1] for k in ("from_id", "to_id"))), None)
                if pair is None or pair[0] is None or pair[1] is None:
                    raise ImportFormatError(f"{where}: {label!r} over frames {start + 1}-{end} names no actor (meta) and no "
                                            "relation with that label joins two people on screen then")
                actor, target = pair[0], f"person {pair[1]}"
            whom = _person(target)
            if whom is None and target not in OTHER_TARGETS:
                raise ImportFormatError(f"{where}: target {target!r} is not 'person N', group, offscreen or unknown")
            out.append(InteractionRecord(actor, label, "character" if whom is not None else str(target), whom, start, end,
                                         meta.state, meta.annotator or annotator, meta.source, meta.evidence, meta.updated_at))
    return sorted(out, key=lambda x: (x.start_frame, x.actor, x.label, x.annotator))
