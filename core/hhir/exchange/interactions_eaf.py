"""ELAN EAF 3.0 of a video's interactions: a tier per character and label, and a dependent tier
naming the target.

Tier ``person N <label> [<annotator>]`` (``PARTICIPANT`` the actor's name or ``person N``,
``ANNOTATOR`` the annotator): one annotation per *present* interaction, its value the label, its
time slots the span in milliseconds (``end`` exclusive, as frames: ms = round(frame × 1000 / fps)).
Its dependent tier ``… → whom`` (a ``Symbolic_Association`` type, as ELAN links a value to its
parent's annotation) holds the target: ``person M``, ``group``, ``offscreen`` or ``unknown``.
Interactions of one tier that overlap in time go to a second tier (``… [<annotator>] 2``): ELAN keeps
a tier's annotations apart. Reading back gives each its actor, label, target, span (frames) and
annotator; not in the file: absent and unreviewed records, source and evidence (read as an import).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from xml.etree import ElementTree as ET  # noqa: ICN001 - the module's own name reads better here

from hhir.errors import ImportFormatError
from hhir.exchange.eaf import media_type
from hhir.exchange.interactions_io import OTHER_TARGETS, InteractionRecord
from hhir.exchange.safety import parse_xml
from hhir.fsutil import write_bytes
from hhir.store import Store
from hhir.types import Interaction, Video

TIER = re.compile(r"^person (\d+) (.+) \[(.+)\](?: (\d+))?$")
TARGET = re.compile(r"^person (\d+)$")
WHOM = " → whom"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _ms(frame: int, video: Video) -> int:
    return round(frame * 1000 / video.fps)


def _frame(ms: int, video: Video) -> int:
    return round(ms * video.fps / 1000)


def _lanes(items: list[Interaction]) -> list[list[Interaction]]:
    """Items split into lanes whose spans do not overlap (first fit, by start)."""
    lanes: list[list[Interaction]] = []
    for i in sorted(items, key=lambda i: (i.start_frame, i.end_frame, i.id)):
        lane = next((lane for lane in lanes if lane[-1].end_frame <= i.start_frame), None)
        if lane is None:
            lanes.append([i])
        else:
            lane.append(i)
    return lanes


def export_interactions_eaf(store: Store, video_id: int, out: str | Path) -> Path:
    """Write the video's present interactions as an EAF file."""
    video = store.video(video_id)
    chars = {c.id: c for c in store.characters(video_id)}
    ET.register_namespace("xsi", _XSI)
    root = ET.Element("ANNOTATION_DOCUMENT", {
        "AUTHOR": "", "DATE": datetime.now(timezone.utc).isoformat(timespec="seconds"), "FORMAT": "3.0", "VERSION": "3.0",
        f"{{{_XSI}}}noNamespaceSchemaLocation": "http://www.mpi.nl/tools/elan/EAFv3.0.xsd"})
    header = ET.SubElement(root, "HEADER", {"MEDIA_FILE": "", "TIME_UNITS": "milliseconds"})
    name = Path(video.path).name
    ET.SubElement(header, "MEDIA_DESCRIPTOR", {"MEDIA_URL": name, "MIME_TYPE": media_type(video.path), "RELATIVE_MEDIA_URL": f"./{name}"})
    ET.SubElement(header, "PROPERTY", {"NAME": "hhir:fingerprint"}).text = video.fingerprint
    order = ET.SubElement(root, "TIME_ORDER")
    groups: dict[tuple[int, str, str], list[Interaction]] = {}
    for i in store.interactions(video_id):
        if i.state == "present":
            groups.setdefault((chars[i.actor_id].number, i.label, i.annotator), []).append(i)
    n = 0
    for (number, label, annotator), items in sorted(groups.items()):
        actor = chars[items[0].actor_id]
        for k, lane in enumerate(_lanes(items), start=1):
            tier_id = f"person {number} {label} [{annotator}]" + (f" {k}" if k > 1 else "")
            tier = ET.SubElement(root, "TIER", {"LINGUISTIC_TYPE_REF": "default-lt", "TIER_ID": tier_id,
                                                "PARTICIPANT": actor.name or f"person {number}", "ANNOTATOR": annotator})
            whom = ET.SubElement(root, "TIER", {"LINGUISTIC_TYPE_REF": "whom-lt", "TIER_ID": tier_id + WHOM, "PARENT_REF": tier_id,
                                                "PARTICIPANT": actor.name or f"person {number}", "ANNOTATOR": annotator})
            for i in lane:
                n += 1
                slots = []
                for frame in (i.start_frame, i.end_frame):
                    slots.append(f"ts{len(order) + 1}")
                    ET.SubElement(order, "TIME_SLOT", {"TIME_SLOT_ID": slots[-1], "TIME_VALUE": str(_ms(frame, video))})
                ann = ET.SubElement(ET.SubElement(tier, "ANNOTATION"), "ALIGNABLE_ANNOTATION",
                                    {"ANNOTATION_ID": f"a{n}", "TIME_SLOT_REF1": slots[0], "TIME_SLOT_REF2": slots[1]})
                ET.SubElement(ann, "ANNOTATION_VALUE").text = label
                target = f"person {chars[i.target_id].number}" if i.target_id is not None else i.target_kind
                ref = ET.SubElement(ET.SubElement(whom, "ANNOTATION"), "REF_ANNOTATION", {"ANNOTATION_ID": f"a{n}w", "ANNOTATION_REF": f"a{n}"})
                ET.SubElement(ref, "ANNOTATION_VALUE").text = target
    ET.SubElement(root, "LINGUISTIC_TYPE", {"GRAPHIC_REFERENCES": "false", "LINGUISTIC_TYPE_ID": "default-lt", "TIME_ALIGNABLE": "true"})
    ET.SubElement(root, "LINGUISTIC_TYPE", {"CONSTRAINTS": "Symbolic_Association", "GRAPHIC_REFERENCES": "false",
                                            "LINGUISTIC_TYPE_ID": "whom-lt", "TIME_ALIGNABLE": "false"})
    ET.SubElement(root, "CONSTRAINT", {"DESCRIPTION": "1-1 association with a parent annotation", "STEREOTYPE": "Symbolic_Association"})
    ET.indent(root)
    return write_bytes(Path(out), ET.tostring(root, encoding="utf-8", xml_declaration=True))


def read_interactions_eaf(path: str | Path, video: Video, annotator: str) -> list[InteractionRecord]:
    """The interactions of an EAF file written by :func:`export_interactions_eaf` (or edited in ELAN);
    a tier without an annotator in its name gets ``annotator``. Other tiers are left alone."""
    path = Path(path)
    root = parse_xml(path)
    if root.tag != "ANNOTATION_DOCUMENT":
        raise ImportFormatError(f"{path}: root element is <{root.tag}>, expected <ANNOTATION_DOCUMENT>")
    slots: dict[str, int] = {}
    for slot in root.iter("TIME_SLOT"):
        value = slot.get("TIME_VALUE", "")
        if not value.isdigit():
            raise ImportFormatError(f"{path}: TIME_SLOT {slot.get('TIME_SLOT_ID')!r}: missing or bad TIME_VALUE {value!r}")
        slots[slot.get("TIME_SLOT_ID", "")] = int(value)
    targets: dict[str, str] = {}
    for ref in root.iter("REF_ANNOTATION"):
        targets[ref.get("ANNOTATION_REF", "")] = (ref.findtext("ANNOTATION_VALUE") or "").strip()
    out = []
    for tier in root.iter("TIER"):
        match = TIER.match(tier.get("TIER_ID", ""))
        if match is None or tier.get("PARENT_REF"):
            continue
        actor, label, who = int(match.group(1)), match.group(2), match.group(3) or annotator
        for ann in tier.iter("ALIGNABLE_ANNOTATION"):
            ann_id = ann.get("ANNOTATION_ID", "")
            where = f"{path}: TIER {tier.get('TIER_ID')!r} ANNOTATION {ann_id!r}"
            start, end = (slots.get(ann.get(ref, "")) for ref in ("TIME_SLOT_REF1", "TIME_SLOT_REF2"))
            if start is None or end is None or end <= start:
                raise ImportFormatError(f"{where}: missing or reversed time slots")
            whom = targets.get(ann_id)
            person = TARGET.match(whom or "")
            if whom not in OTHER_TARGETS and person is None:
                raise ImportFormatError(f"{where}: its target (the '{WHOM.strip()}' tier) must be 'person N', group, offscreen or unknown")
            kind, target = ("character", int(person.group(1))) if person else (whom or "unknown", None)
            out.append(InteractionRecord(actor, label, kind, target, _frame(start, video), _frame(end, video), "present", who, "import"))
    return sorted(out, key=lambda r: (r.start_frame, r.actor, r.label, r.annotator))
