"""ELAN EAF 3.0 of a video's people: a tier per character with their speech turns.

Tiers: ``person N speech`` (``PARTICIPANT`` the character's name or ``person N``; each annotation
one speech turn, its value ``voice K``, the voice's cluster over the film), ``person N on screen``
(when their tracks show them, for reading only), and ``voices`` for turns no character is linked
to. Times are milliseconds, as ELAN keeps them. Reading back restores the speech turns with their
voice and character (by person number); which track spoke is not in the file.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from xml.etree import ElementTree as ET  # noqa: ICN001 - the module's own name reads better here

from hhir.errors import ImportFormatError
from hhir.exchange.eaf import media_type
from hhir.exchange.safety import parse_xml
from hhir.fsutil import write_bytes
from hhir.store import Store
from hhir.types import Character, SpeechTurn

SPEECH_TIER = re.compile(r"^person (\d+) speech$")
VOICE = re.compile(r"^voice (\d+)$")
UNLINKED = "voices"
PARAMS = "import:eaf"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"


class _Doc:
    def __init__(self, path: str, fingerprint: str) -> None:
        ET.register_namespace("xsi", _XSI)
        self.root = ET.Element("ANNOTATION_DOCUMENT", {
            "AUTHOR": "", "DATE": datetime.now(timezone.utc).isoformat(timespec="seconds"), "FORMAT": "3.0", "VERSION": "3.0",
            f"{{{_XSI}}}noNamespaceSchemaLocation": "http://www.mpi.nl/tools/elan/EAFv3.0.xsd",
        })
        header = ET.SubElement(self.root, "HEADER", {"MEDIA_FILE": "", "TIME_UNITS": "milliseconds"})
        name = Path(path).name
        ET.SubElement(header, "MEDIA_DESCRIPTOR", {"MEDIA_URL": name, "MIME_TYPE": media_type(path), "RELATIVE_MEDIA_URL": f"./{name}"})
        ET.SubElement(header, "PROPERTY", {"NAME": "hhir:fingerprint"}).text = fingerprint
        self.order = ET.SubElement(self.root, "TIME_ORDER")
        self.n = 0

    def _slot(self, seconds: float) -> str:
        self.n += 1
        ET.SubElement(self.order, "TIME_SLOT", {"TIME_SLOT_ID": f"ts{self.n}", "TIME_VALUE": str(round(seconds * 1000))})
        return f"ts{self.n}"

    def tier(self, tier_id: str, participant: str, spans: list[tuple[float, float, str]]) -> None:
        tier = ET.SubElement(self.root, "TIER", {"LINGUISTIC_TYPE_REF": "default-lt", "TIER_ID": tier_id, "PARTICIPANT": participant})
        for start, end, value in spans:
            ann = ET.SubElement(ET.SubElement(tier, "ANNOTATION"), "ALIGNABLE_ANNOTATION", {
                "ANNOTATION_ID": f"a{self.n}", "TIME_SLOT_REF1": self._slot(start), "TIME_SLOT_REF2": self._slot(end)})
            ET.SubElement(ann, "ANNOTATION_VALUE").text = value

    def bytes(self) -> bytes:
        ET.SubElement(self.root, "LINGUISTIC_TYPE", {"GRAPHIC_REFERENCES": "false", "LINGUISTIC_TYPE_ID": "default-lt", "TIME_ALIGNABLE": "true"})
        ET.indent(self.root)
        data: bytes = ET.tostring(self.root, encoding="utf-8", xml_declaration=True)
        return data


def _on_screen(spans: list[tuple[float, float]]) -> list[tuple[float, float, str]]:
    """The union of a character's track spans (ELAN wants a tier's annotations apart)."""
    out: list[list[float]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(a, b, "on screen") for a, b in out]


def _who(c: Character) -> str:
    return c.name or f"person {c.number}"


def export_people_eaf(store: Store, video_id: int, out: str | Path) -> Path:
    """Write the video's characters, their speech turns and when they are on screen as an EAF file."""
    video = store.video(video_id)
    chars = store.characters(video_id)
    turns = store.speech_turns(video_id)
    tracks = store.person_tracks(video_id)
    doc = _Doc(video.path, video.fingerprint)
    for c in chars:
        doc.tier(f"person {c.number} speech", _who(c),
                 [(t.start_s, t.end_s, f"voice {t.speaker}") for t in turns if t.character_id == c.id])
        spans = [(t.start_frame / video.fps, (t.end_frame + 1) / video.fps) for t in tracks if t.character_id == c.id]
        doc.tier(f"person {c.number} on screen", _who(c), _on_screen(spans))
    doc.tier(UNLINKED, "", [(t.start_s, t.end_s, f"voice {t.speaker}") for t in turns if t.character_id is None])
    return write_bytes(Path(out), doc.bytes())


def read_speech_eaf(path: str | Path, chars: list[Character], video_id: int) -> list[SpeechTurn]:
    """The speech turns of an EAF file written by :func:`export_people_eaf` (or edited in ELAN)."""
    path = Path(path)
    root = parse_xml(path)
    if root.tag != "ANNOTATION_DOCUMENT":
        raise ImportFormatError(f"{path}: root element is <{root.tag}>, expected <ANNOTATION_DOCUMENT>")
    slots: dict[str, float] = {}
    for slot in root.iter("TIME_SLOT"):
        value = slot.get("TIME_VALUE", "")
        if not value.isdigit():
            raise ImportFormatError(f"{path}: TIME_SLOT {slot.get('TIME_SLOT_ID')!r}: missing or bad TIME_VALUE {value!r}")
        slots[slot.get("TIME_SLOT_ID", "")] = int(value) / 1000.0
    by_number = {c.number: c for c in chars}
    turns: list[SpeechTurn] = []
    for tier in root.iter("TIER"):
        tier_id = tier.get("TIER_ID", "")
        match = SPEECH_TIER.match(tier_id)
        if tier_id != UNLINKED and match is None:
            continue
        character = None
        if match is not None:
            character = by_number.get(int(match.group(1)))
            if character is None:
                raise ImportFormatError(f"{path}: TIER {tier_id!r}: this video has no person {match.group(1)} (hhir people list)")
        for ann in tier.iter("ALIGNABLE_ANNOTATION"):
            where = f"{path}: TIER {tier_id!r} ANNOTATION {ann.get('ANNOTATION_ID')!r}"
            start, end = (slots.get(ann.get(ref, "")) for ref in ("TIME_SLOT_REF1", "TIME_SLOT_REF2"))
            voice = VOICE.match((ann.findtext("ANNOTATION_VALUE") or "").strip())
            if start is None or end is None or end < start:
                raise ImportFormatError(f"{where}: missing or reversed time slots")
            if voice is None:
                raise ImportFormatError(f"{where}: the value must be 'voice N'")
            turns.append(SpeechTurn(0, video_id, start, end, int(voice.group(1)), None, character.id if character else None, None, "import"))
    return sorted(turns, key=lambda t: (t.start_s, t.end_s, t.speaker))


def import_speech_eaf(store: Store, video_id: int, path: str | Path) -> list[SpeechTurn]:
    """Make the file's speech turns the video's (validated whole first)."""
    turns = read_speech_eaf(path, store.characters(video_id), video_id)
    store.set_speech_turns(video_id, turns, PARAMS)
    return turns
