"""ELAN EAF 3.0: one file per video, ``<scene>.eaf``.

Tiers: ``shots``, ``clips`` and ``transcript`` (time-aligned), then one tier per label and
annotator (``<label>@<annotator>``, ``ANNOTATOR`` set) whose values come from the controlled
vocabulary ``hhir-states`` (present / absent); the label set itself is the controlled
vocabulary ``hhir-labels``. Clips overlap (a sliding window), and ELAN wants the annotations
of one tier apart, so overlapping clips go to extra lanes: ``clips#2``, ``asks#2@alice``….
Labels of the whole video are on ``scene:<label>@<annotator>`` tiers. The clips an annotator
marked reviewed are on ``hhir-review@<annotator>`` (``scene:hhir-review@…`` for the video), of the
linguistic type ``hhir-review``: on import they are marked reviewed again, so a reviewed clip
comes back reviewed (its unticked labels absent by the review, not as explicit marks). The
``transcript`` tier is read back too: text corrected in ELAN reaches the project (a transcript
that differs is a conflict without ``--replace``, as for subtitles).

Times are on the stream's own clock (:mod:`hhir.exchange.clock`): a shot or clip starts where
ELAN shows its first frame, so an annotation drawn at a cut ELAN shows matches the clip.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path, PurePath
from xml.etree import ElementTree as ET

from hhir.errors import ImportFormatError
from hhir.exchange.model import ClipRef, ExportData, ImportData, LabelRecord, ReviewRecord, VideoData, VideoRef
from hhir.exchange.safety import parse_xml, write_bytes
from hhir.types import AnnotationState, TranscriptSegment

STATE_TYPE, STATES_CV, LABELS_CV = "hhir-label-state", "hhir-states", "hhir-labels"
REVIEW_TYPE, REVIEW_TIER, REVIEWED = "hhir-review", "hhir-review", "reviewed"
TRANSCRIPT_TIER = "transcript"
_LANE = re.compile(r"#(\d+)$")
_XSI = "http://www.w3.org/2001/XMLSchema-instance"


# Video types Python's built-in table lacks; the system's own table is not used, as it differs
# between machines (some map .ts to a translation file).
_VIDEO_TYPES = {".mkv": "video/x-matroska", ".m4v": "video/mp4", ".ogv": "video/ogg", ".ts": "video/mp2t",
                ".mts": "video/mp2t", ".flv": "video/x-flv", ".wmv": "video/x-ms-wmv", ".3gp": "video/3gpp"}
GENERIC_VIDEO_TYPE = "video/*"
"""ELAN's own type for a video it has no specific type for."""


def media_type(path: str) -> str:
    """The MIME type ELAN is told for the media file, from its extension (``.webm`` -> ``video/webm``)."""
    suffix = PurePath(path.replace("\\", "/")).suffix.lower()
    mime = _VIDEO_TYPES.get(suffix) or mimetypes.MimeTypes(filenames=()).guess_type(f"media{suffix}", strict=False)[0]
    return mime if mime and mime.startswith(("video/", "audio/")) else GENERIC_VIDEO_TYPE


class _Doc:
    """An EAF document under construction: time slots and annotation ids are numbered in order."""

    def __init__(self, video: VideoData) -> None:
        ET.register_namespace("xsi", _XSI)
        self.root = ET.Element("ANNOTATION_DOCUMENT", {
            "AUTHOR": "", "DATE": datetime.now(timezone.utc).isoformat(timespec="seconds"), "FORMAT": "3.0",
            "VERSION": "3.0", f"{{{_XSI}}}noNamespaceSchemaLocation": "http://www.mpi.nl/tools/elan/EAFv3.0.xsd",
        })
        header = ET.SubElement(self.root, "HEADER", {"MEDIA_FILE": "", "TIME_UNITS": "milliseconds"})
        media = Path(video.video.path)
        ET.SubElement(header, "MEDIA_DESCRIPTOR", {
            "MEDIA_URL": media.as_uri() if media.is_absolute() else media.name,
            "MIME_TYPE": media_type(video.video.path), "RELATIVE_MEDIA_URL": f"./{media.name}",
        })
        for name, value in (("hhir:fingerprint", video.video.fingerprint), ("hhir:scene", video.name)):
            ET.SubElement(header, "PROPERTY", {"NAME": name}).text = value
        self.time_order = ET.SubElement(self.root, "TIME_ORDER")
        self.slots = 0
        self.annotations = 0

    def slot(self, seconds: float) -> str:
        self.slots += 1
        ET.SubElement(self.time_order, "TIME_SLOT", {"TIME_SLOT_ID": f"ts{self.slots}", "TIME_VALUE": str(round(seconds * 1000))})
        return f"ts{self.slots}"

    def tier(self, tier_id: str, spans: Iterable[tuple[float, float, str]], ltype: str = "default-lt", annotator: str = "") -> None:
        attrs = {"LINGUISTIC_TYPE_REF": ltype, "TIER_ID": tier_id}
        if annotator:
            attrs.update(ANNOTATOR=annotator, PARTICIPANT=annotator)
        tier = ET.SubElement(self.root, "TIER", attrs)
        for start, end, value in spans:
            self.annotations += 1
            ann = ET.SubElement(ET.SubElement(tier, "ANNOTATION"), "ALIGNABLE_ANNOTATION", {
                "ANNOTATION_ID": f"a{self.annotations}", "TIME_SLOT_REF1": self.slot(start), "TIME_SLOT_REF2": self.slot(end),
            })
            ET.SubElement(ann, "ANNOTATION_VALUE").text = value


def _lanes(spans: list[tuple[float, float, str]]) -> list[list[tuple[float, float, str]]]:
    """Greedy interval partitioning: each lane holds spans that do not overlap."""
    lanes: list[list[tuple[float, float, str]]] = []
    for span in sorted(spans):
        lane = next((ln for ln in lanes if ln[-1][1] <= span[0] + 1e-9), None)
        if lane is None:
            lanes.append([span])
        else:
            lane.append(span)
    return lanes


def _laned(doc: _Doc, name: str, suffix: str, spans: list[tuple[float, float, str]], ltype: str = "default-lt", annotator: str = "") -> None:
    for i, lane in enumerate(_lanes(spans) or [[]]):
        doc.tier(name + ("" if i == 0 else f"#{i + 1}") + suffix, lane, ltype, annotator)


def _footer(doc: _Doc, data: ExportData) -> None:
    ET.SubElement(doc.root, "LINGUISTIC_TYPE", {"GRAPHIC_REFERENCES": "false", "LINGUISTIC_TYPE_ID": "default-lt", "TIME_ALIGNABLE": "true"})
    ET.SubElement(doc.root, "LINGUISTIC_TYPE", {
        "CONTROLLED_VOCABULARY_REF": STATES_CV, "GRAPHIC_REFERENCES": "false", "LINGUISTIC_TYPE_ID": STATE_TYPE, "TIME_ALIGNABLE": "true",
    })
    ET.SubElement(doc.root, "LINGUISTIC_TYPE", {"GRAPHIC_REFERENCES": "false", "LINGUISTIC_TYPE_ID": REVIEW_TYPE, "TIME_ALIGNABLE": "true"})
    ET.SubElement(doc.root, "LANGUAGE", {"LANG_ID": "und", "LANG_LABEL": "undetermined (und)"})
    _vocabulary(doc.root, STATES_CV, "label states", [(s.value, "") for s in AnnotationState])
    _vocabulary(doc.root, LABELS_CV, "interaction labels", [(label.name, label.description) for label in data.labels])


def _vocabulary(root: ET.Element, cv_id: str, description: str, entries: list[tuple[str, str]]) -> None:
    cv = ET.SubElement(root, "CONTROLLED_VOCABULARY", {"CV_ID": cv_id})
    ET.SubElement(cv, "DESCRIPTION", {"LANG_REF": "und"}).text = description
    for i, (value, text) in enumerate(entries, start=1):
        entry = ET.SubElement(cv, "CV_ENTRY_ML", {"CVE_ID": f"{cv_id}-{i}"})
        ET.SubElement(entry, "CVE_VALUE", {"DESCRIPTION": text, "LANG_REF": "und"}).text = value


def video_document(data: ExportData, video: VideoData) -> bytes:
    """The EAF XML of one video."""
    doc = _Doc(video)
    doc.tier("shots", [(*video.span(s), str(s.index)) for s in video.shots])
    _laned(doc, "clips", "", [(*video.span(c), str(c.index)) for c in video.clips])
    doc.tier("transcript", [(t.start_s, t.end_s, t.text) for t in video.transcript])
    for label, annotator, scene, spans in _label_tiers(data, video):
        name = f"scene:{label}" if scene else label
        _laned(doc, name, f"@{annotator}", spans, STATE_TYPE, annotator)
    for annotator, scene, spans in _review_tiers(video):
        _laned(doc, f"scene:{REVIEW_TIER}" if scene else REVIEW_TIER, f"@{annotator}", spans, REVIEW_TYPE, annotator)
    _footer(doc, data)
    ET.indent(doc.root)
    return ET.tostring(doc.root, encoding="utf-8", xml_declaration=True)


def _label_tiers(data: ExportData, video: VideoData) -> Iterator[tuple[str, str, bool, list[tuple[float, float, str]]]]:
    clips = {c.id: c for c in video.clips}
    for annotator in sorted({a.annotator for a in video.annotations}):
        for label in data.label_names:
            mine = [a for a in video.annotations if a.annotator == annotator and a.label == label]
            scene = [(0.0, video.video.duration_s, a.state.value) for a in mine if a.target.clip_id is None]
            spans = [(*video.span(clips[a.target.clip_id]), a.state.value) for a in mine if a.target.clip_id in clips]
            if spans:
                yield label, annotator, False, spans
            if scene:
                yield label, annotator, True, scene


def _review_tiers(video: VideoData) -> Iterator[tuple[str, bool, list[tuple[float, float, str]]]]:
    clips = {c.id: c for c in video.clips}
    for annotator in sorted({name for _, name in video.reviewers}):
        mine = [t for t, name in video.reviewers if name == annotator]
        spans = [(*video.span(clips[t.clip_id]), REVIEWED) for t in mine if t.clip_id in clips]
        if spans:
            yield annotator, False, spans
        if any(t.clip_id is None for t in mine):
            yield annotator, True, [(0.0, video.video.duration_s, REVIEWED)]


def export_eaf(data: ExportData, out: Path) -> list[Path]:
    """Write ``<scene>.eaf`` per video into the folder ``out``."""
    return [write_bytes(out / f"{video.name}.eaf", video_document(data, video)) for video in data.videos]


def parse_eaf(path: Path, annotator: str | None = None) -> ImportData:
    """Read the label, review and transcript tiers of an EAF file (other tiers are ignored).

    Raises:
        ImportFormatError: for a malformed file, and for one with none of those tiers, naming the
            tiers it has and why none of them is read.
    """
    root = parse_xml(path)
    if root.tag != "ANNOTATION_DOCUMENT":
        raise ImportFormatError(f"{path}: root element is <{root.tag}>, expected <ANNOTATION_DOCUMENT>")
    slots = _slots(path, root)
    video = _video_ref(root)
    records: list[LabelRecord] = []
    reviews: list[ReviewRecord] = []
    transcript: list[TranscriptSegment] | None = None
    for tier in root.iter("TIER"):
        kind = tier.get("LINGUISTIC_TYPE_REF")
        if kind == STATE_TYPE:
            records += _tier_records(path, tier, slots, video, annotator)
        elif kind == REVIEW_TYPE:
            reviews += _review_records(path, tier, slots, video, annotator)
        elif tier.get("TIER_ID") == TRANSCRIPT_TIER:
            transcript = _transcript(path, tier, slots)
    misfits = _misfits(root)
    if misfits:
        raise ImportFormatError(f"{path}: tier(s) {', '.join(map(repr, misfits[:3]))} are named like label tiers "
                                f"(<label>@<annotator>) but are not of the linguistic type {STATE_TYPE!r} with the "
                                f"vocabulary {STATES_CV!r}; nothing imported (give them that type in ELAN)")
    if not (records or reviews or transcript) and not _hhir_tiers(root):
        raise ImportFormatError(_nothing_found(path, root))
    return ImportData(labels=tuple(records), reviewed=tuple(reviews),
                      transcripts=((video, tuple(transcript)),) if transcript else ())


def _hhir_tiers(root: ET.Element) -> bool:
    return any(t.get("LINGUISTIC_TYPE_REF") in (STATE_TYPE, REVIEW_TYPE) for t in root.iter("TIER"))


def _misfits(root: ET.Element) -> list[str]:
    """Tiers named as our label tiers are (``<label>@<ANNOTATOR>``) whose type is not ours."""
    return [t.get("TIER_ID", "") for t in root.iter("TIER")
            if t.get("ANNOTATOR") and t.get("TIER_ID", "").endswith(f"@{t.get('ANNOTATOR')}")
            and t.get("LINGUISTIC_TYPE_REF") not in (STATE_TYPE, REVIEW_TYPE)]


def _nothing_found(path: Path, root: ET.Element) -> str:
    """Why a file has nothing to import: its tiers, and what an HHIR label tier looks like."""
    tiers = [(t.get("TIER_ID", ""), t.get("LINGUISTIC_TYPE_REF", "")) for t in root.iter("TIER")]
    if not tiers:
        return f"{path}: no tiers at all; nothing imported"
    found = ", ".join(f"{name!r} ({kind})" for name, kind in tiers[:6]) + (f" and {len(tiers) - 6} more" if len(tiers) > 6 else "")
    return (f"{path}: found {len(tiers)} tier(s), {found}: none is a label tier (linguistic type {STATE_TYPE!r}), "
            f"a review tier ({REVIEW_TYPE!r}) or a {TRANSCRIPT_TIER!r} tier with annotations; nothing imported "
            "(is this an EAF exported by HHIR?)")


def _spans(path: Path, tier: ET.Element, slots: dict[str, float]) -> Iterator[tuple[str, float, float, str]]:
    """``(where, start, end, value)`` of each time-aligned annotation of ``tier``."""
    for ann in tier.iter("ALIGNABLE_ANNOTATION"):
        where = f"{path}: TIER {tier.get('TIER_ID', '')!r} ANNOTATION {ann.get('ANNOTATION_ID')!r}"
        start, end = (slots.get(ann.get(ref, "")) for ref in ("TIME_SLOT_REF1", "TIME_SLOT_REF2"))
        if start is None or end is None or end < start:
            raise ImportFormatError(f"{where}: missing or reversed time slots")
        yield where, start, end, (ann.findtext("ANNOTATION_VALUE") or "").strip()


def _review_records(path: Path, tier: ET.Element, slots: dict[str, float], video: VideoRef, annotator: str | None) -> list[ReviewRecord]:
    tier_id, who = tier.get("TIER_ID", ""), tier.get("ANNOTATOR", "")
    if not (annotator or who):
        raise ImportFormatError(f"{path}: TIER {tier_id!r}: no ANNOTATOR")
    scene = tier_id.startswith("scene:")
    return [ReviewRecord(video, None if scene else ClipRef(start, end), annotator or who, where)
            for where, start, end, _ in _spans(path, tier, slots)]


def _transcript(path: Path, tier: ET.Element, slots: dict[str, float]) -> list[TranscriptSegment]:
    segments = [TranscriptSegment(start, end, text) for _, start, end, text in _spans(path, tier, slots) if text and end > start]
    return sorted(segments, key=lambda s: s.start_s)


def _slots(path: Path, root: ET.Element) -> dict[str, float]:
    slots = {}
    for slot in root.iter("TIME_SLOT"):
        value = slot.get("TIME_VALUE")
        if value is None or not (value.isascii() and value.isdigit()):
            raise ImportFormatError(f"{path}: TIME_SLOT {slot.get('TIME_SLOT_ID')!r}: missing or bad TIME_VALUE {value!r}")
        if len(value) > 12:  # milliseconds: 12 digits are 31 years; 5,000 would not even convert
            raise ImportFormatError(f"{path}: TIME_SLOT {slot.get('TIME_SLOT_ID')!r}: TIME_VALUE of {len(value)} digits "
                                    "is too large for a time in a film")
        slots[slot.get("TIME_SLOT_ID", "")] = int(value) / 1000.0
    return slots


def _video_ref(root: ET.Element) -> VideoRef:
    props = {p.get("NAME"): (p.text or "") for p in root.iter("PROPERTY")}
    media = root.find("HEADER/MEDIA_DESCRIPTOR")
    url = media.get("RELATIVE_MEDIA_URL") or media.get("MEDIA_URL", "") if media is not None else ""
    name = props.get("hhir:scene") or (url.rsplit("/", 1)[-1].rsplit(".", 1)[0] if url else "")
    return VideoRef(props.get("hhir:fingerprint", ""), name)


def _tier_records(path: Path, tier: ET.Element, slots: dict[str, float], video: VideoRef, annotator: str | None) -> list[LabelRecord]:
    tier_id, who = tier.get("TIER_ID", ""), tier.get("ANNOTATOR", "")
    scene = tier_id.startswith("scene:")
    label = tier_id.removeprefix("scene:").removesuffix(f"@{who}") if who else tier_id.removeprefix("scene:")
    label = _LANE.sub("", label)
    if not (annotator or who):
        raise ImportFormatError(f"{path}: TIER {tier_id!r}: no ANNOTATOR")
    records = []
    for where, start, end, value in _spans(path, tier, slots):
        if value not in {s.value for s in AnnotationState}:
            raise ImportFormatError(f"{where}: value {value!r} is not present/absent")
        clip = None if scene else ClipRef(start, end)
        records.append(LabelRecord(video, clip, label, AnnotationState(value), annotator or who, where))
    return records
