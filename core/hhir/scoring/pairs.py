"""Who does what to whom: suggested interactions between a video's characters, each with its cue.

Computed from what analysis stored (no decoding): the people's tracks and characters, the speech
turns and the transcript. Every suggestion names the cue an annotator can check in the evidence
text, with the cue's calibrated confidence (:data:`CONFIDENCE`).

Who speaks. A turn linked to a track whose mouth moves with the voice (the voices stage) is that
track's character. The other turns take their voice's character: the character whose face is the
only one on screen for the largest part of that voice's speech over the whole video, when that is
at least :data:`VOICE_SHARE` of it (in a shot / reverse-shot dialogue the speaker is shown alone more
often than the listener). Consecutive turns of one character less than :data:`JOIN_S` apart are one
utterance.

The cues, per utterance of a known speaker A:
- ``talks to``: the addressee is the next other speaker starting within :data:`NEXT_S` of its end
  (``next speaker``), the previous one ending within :data:`NEXT_S` before it (``previous
  speaker``), a character whose name A says (``name said``, once characters are named), or the one
  shown alone on screen for at least :data:`SHOWN_S` while A's voice goes on (``reverse shot``).
- ``asks``: the utterance holds a question (the starter's question detection,
  :func:`hhir.scoring.starter.text.question`) and has an addressee as above; the question is quoted.
- ``watches``: a character B whose face is on screen, silent, for at least :data:`SHOWN_S` while A
  speaks: B watches A over those frames (the listener shown).
- ``walks with``: two characters' tracks in one shot, together for at least :data:`WALK_MIN_S`, both
  moving at :data:`WALK_SPEED` or more against the background (box-centre displacement less the
  background's, and box growth, in box heights per second) in the same direction (cosine similarity
  of the two velocities at least :data:`WALK_COSINE`; their speeds may differ, as boxes drift).
  The background's motion on the picture (a camera panning or tracking with the walkers) is
  measured by the pairs stage (:mod:`hhir.pipeline.pairs`) from the frames; growth is not
  compensated (a camera moving back before people walking towards it hides their walk).
- ``gives to``: not suggested. Hands meeting would need the hands' key points, and the people stage
  keeps only the faces' (BlazePose's body key points are not stored); no sound cue, so none.

Several cues for the same actor, label and target over overlapping spans make one suggestion whose
span covers them, whose evidence lists them, and whose confidence is the highest of theirs.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hhir.types import Character, Interaction, PersonTrack, Shot, SpeechTurn, TranscriptSegment

VOICE_SHARE = 0.4  # a voice's character: alone on screen for at least this share of the voice's speech
JOIN_S = 1.0  # turns of one character closer than this are one utterance
NEXT_S = 2.0  # the next (previous) speaker answers within this many seconds
SHOWN_S = 0.5  # a listener shown for at least this long while the speaker speaks
NEIGHBOURS = 8  # utterances on either side looked at for overlapping speech
WALK_MIN_S = 1.0
WALK_SPEED = 0.1  # box heights per second (centre displacement and growth together)
WALK_COSINE = 0.7  # the two velocities' directions agree at least this much (cosine similarity)

# The probability that a suggestion from each cue is right: the fraction right on the calibration
# footage (docs/interactions.md, "Pair suggestions"), Laplace-smoothed ((right + 1) / (made + 2)), so a
# cue never seen there stays at 0.5. bench/pairs_eval.py --calibrate prints these.
CONFIDENCE: dict[str, float] = {
    "next speaker": 0.5,
    "previous speaker": 0.5,
    "name said": 0.5,
    "reverse shot": 0.5,
    "question": 0.5,
    "listener shown": 0.5,
    "moving together": 0.83,  # sophie-7.webm: 4 made, 4 right (2 of 2 before the tracker followed walkers through the pan)
}
UNCALIBRATED = ("next speaker", "previous speaker", "name said", "reverse shot", "question", "listener shown")
"""Cues with no case on the calibration footage (their 0.5 is the smoothing's prior, not a measurement)."""


@dataclass(frozen=True)
class Cue:
    """One piece of evidence for ``actor`` doing ``label`` to ``target`` over ``[start_frame, end_frame)``."""

    actor: int
    label: str
    target: int
    start_frame: int
    end_frame: int
    cue: str  # a CONFIDENCE key
    text: str  # what an annotator checks

    @property
    def confidence(self) -> float:
        return CONFIDENCE[self.cue]


@dataclass(frozen=True)
class _Utterance:
    character: int
    start_s: float
    end_s: float
    how: str  # how the speaker is known


class _Screen:
    """Who is on screen when, from the tracks' stored (sampled) boxes: each sample frame stands for
    the time halfway to its neighbours inside its shot."""

    def __init__(self, tracks: Sequence[PersonTrack], shots: Sequence[Shot], fps: float) -> None:
        self.fps = fps or 25.0
        rows: list[tuple[float, float, frozenset[int], frozenset[int]]] = []  # start_s, end_s, faces, bodies
        for shot in shots:
            mine = [t for t in tracks if t.shot_index == shot.index and t.character_id is not None and t.boxes]
            frames = sorted({b.frame for t in mine for b in t.boxes})
            for k, f in enumerate(frames):
                lo = shot.start_frame if k == 0 else (frames[k - 1] + f) / 2
                hi = shot.end_frame if k == len(frames) - 1 else (f + frames[k + 1]) / 2
                faces, bodies = set(), set()
                for t in mine:
                    if t.start_frame <= f <= t.end_frame:
                        assert t.character_id is not None
                        bodies.add(t.character_id)
                        nearest = min(t.boxes, key=lambda b: abs(b.frame - f))
                        if nearest.face is not None:
                            faces.add(t.character_id)
                rows.append((lo / self.fps, hi / self.fps, frozenset(faces), frozenset(bodies)))
        self.rows = sorted(rows, key=lambda r: r[0])  # they do not overlap: the ends are in order too
        self._ends = [r[1] for r in self.rows]

    def during(self, start_s: float, end_s: float) -> list[tuple[float, float, frozenset[int]]]:
        """(start, end, faces) of the samples overlapping the span, cut to it."""
        found = []
        for a, b, faces, _ in self.rows[bisect.bisect_right(self._ends, start_s):]:
            if a >= end_s:
                break
            found.append((max(a, start_s), min(b, end_s), faces))
        return found


def _voice_characters(turns: Sequence[SpeechTurn], screen: _Screen) -> dict[int, tuple[int, float]]:
    """Each voice's character, with the share of its speech that character is alone on screen
    (turns seen speaking count whole)."""
    alone: dict[int, dict[int, float]] = {}
    total: dict[int, float] = {}
    for t in turns:
        total[t.speaker] = total.get(t.speaker, 0.0) + (t.end_s - t.start_s)
        scores = alone.setdefault(t.speaker, {})
        if t.character_id is not None:
            scores[t.character_id] = scores.get(t.character_id, 0.0) + (t.end_s - t.start_s)
            continue
        for a, b, faces in screen.during(t.start_s, t.end_s):
            if len(faces) == 1:
                (c,) = faces
                scores[c] = scores.get(c, 0.0) + (b - a)
    found = {}
    for voice, scores in alone.items():
        if scores and total[voice] > 0:
            c = max(scores, key=scores.__getitem__)
            share = scores[c] / total[voice]
            if share >= VOICE_SHARE:
                found[voice] = (c, share)
    return found


def voice_characters(turns: Sequence[SpeechTurn], tracks: Sequence[PersonTrack], shots: Sequence[Shot],
                     fps: float) -> dict[int, int]:
    """Each voice's character where one is known, by the rule the cues use (the module's docstring,
    "Who speaks"): the character seen speaking its turns, or shown alone on screen for at least
    :data:`VOICE_SHARE` of its speech. Voices with none are left out."""
    return {voice: c for voice, (c, _) in _voice_characters(turns, _Screen(tracks, shots, fps)).items()}


def _utterances(turns: Sequence[SpeechTurn], screen: _Screen, names: dict[int, str]) -> list[_Utterance]:
    voices = _voice_characters(turns, screen)
    known: list[_Utterance] = []
    for t in sorted(turns, key=lambda t: t.start_s):
        if t.character_id is not None:
            c, how = t.character_id, "seen speaking"
        elif t.speaker in voices:
            c, share = voices[t.speaker]
            how = f"voice {t.speaker}, shown alone for {share:.0%} of that voice's speech"
        else:
            continue
        last = known[-1] if known else None
        if last is not None and last.character == c and t.start_s - last.end_s < JOIN_S:
            known[-1] = _Utterance(c, last.start_s, max(last.end_s, t.end_s), last.how)
        else:
            known.append(_Utterance(c, t.start_s, t.end_s, how))
    return known


def _text(segments: Sequence[TranscriptSegment], start_s: float, end_s: float) -> str:
    """The transcript said mostly within the span (a segment counts where half of it is inside)."""
    inside = [s.text.strip() for s in segments
              if min(s.end_s, end_s) - max(s.start_s, start_s) >= 0.5 * max(s.end_s - s.start_s, 1e-6)]
    return " ".join(inside)


def _said(name: str, text: str) -> bool:
    return bool(name) and re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE) is not None


def _speech_cues(utterances: list[_Utterance], screen: _Screen, segments: Sequence[TranscriptSegment],
                 names: dict[int, str], span: _Span) -> list[Cue]:
    from hhir.scoring.starter.text import question

    cues: list[Cue] = []
    for k, u in enumerate(utterances):
        a = u.character
        start, end = span(u.start_s, u.end_s)
        if end <= start:
            continue
        who = f"{names.get(a, '?')} speaks {u.start_s:.1f}-{u.end_s:.1f} s ({u.how})"
        addressed: list[tuple[int, str, str]] = []  # (target, cue, text)
        after = next((v for v in utterances[k + 1:] if v.character != a), None)
        if after is not None and after.start_s - u.end_s <= NEXT_S:
            addressed.append((after.character, "next speaker", f"{names.get(after.character, '?')} speaks next, at {after.start_s:.1f} s"))
        before = next((v for v in reversed(utterances[:k]) if v.character != a), None)
        if before is not None and u.start_s - before.end_s <= NEXT_S:
            addressed.append((before.character, "previous speaker",
                              f"{names.get(before.character, '?')} spoke just before, until {before.end_s:.1f} s"))
        text = _text(segments, u.start_s, u.end_s)
        for c, name in names.items():
            if c != a and _said(name, text):
                addressed.append((c, "name said", f"says {name!r}: {text[:80]!r}"))
        shown: dict[int, float] = {}
        for lo, hi, faces in screen.during(u.start_s, u.end_s):
            if len(faces) == 1 and a not in faces:
                (c,) = faces
                shown[c] = shown.get(c, 0.0) + (hi - lo)
        for c, seconds in shown.items():
            if seconds >= SHOWN_S:
                addressed.append((c, "reverse shot", f"{names.get(c, '?')} shown alone for {seconds:.1f} s while {names.get(a, '?')} speaks"))
        asked = question(text) if text else ""
        for target, cue, why in addressed:
            cues.append(Cue(a, "talks to", target, start, end, cue, f"{who}; {why}"))
            if asked:
                cues.append(Cue(a, "asks", target, start, end, "question", f"{who} asks {asked!r}; {why}"))
        # the listeners shown: faces on screen, silent, while A speaks
        listening: dict[int, list[tuple[float, float]]] = {}
        near = utterances[max(0, k - NEIGHBOURS):k + NEIGHBOURS + 1]  # those that can overlap u (they are in time order)
        for lo, hi, faces in screen.during(u.start_s, u.end_s):
            for c in faces - {a}:
                if not any(v.character == c and v.start_s < hi and v.end_s > lo for v in near):
                    listening.setdefault(c, []).append((lo, hi))
        for c, spans in listening.items():
            seconds = sum(hi - lo for lo, hi in spans)
            if seconds >= SHOWN_S:
                lo_f, hi_f = span(spans[0][0], spans[-1][1])
                if hi_f > lo_f:
                    cues.append(Cue(c, "watches", a, lo_f, hi_f, "listener shown",
                                    f"{names.get(c, '?')}'s face on screen, silent, for {seconds:.1f} s while {who}"))
    return cues


def _motion(track: PersonTrack, frames: np.ndarray, fps: float, aspect: float,
            camera: dict[int, tuple[float, float]]) -> np.ndarray | None:
    """(dx, dy, dh) per second in box heights, fitted over ``frames`` (the centre and the log height),
    against the background: the background's own motion on the picture at those frames
    (``camera``: frame -> its velocity in picture widths and heights per second) is taken off."""
    boxes = [track.box_at(int(f)) for f in frames]
    if any(b is None for b in boxes) or len(frames) < 2:
        return None
    arr = np.array(boxes, np.float64)
    height = np.maximum(arr[:, 3] - arr[:, 1], 1e-3)
    t = frames / fps
    cx, cy = (arr[:, 0] + arr[:, 2]) / 2, (arr[:, 1] + arr[:, 3]) / 2
    slope = [float(np.polyfit(t, y, 1)[0]) for y in (cx, cy, np.log(height))]
    known = [camera[int(f)] for f in frames if int(f) in camera]
    if known:
        background = np.median(np.array(known, np.float64), axis=0)
        slope[0] -= float(background[0])
        slope[1] -= float(background[1])
    h = float(np.median(height))
    return np.array([slope[0] * aspect / h, slope[1] / h, slope[2]])


def walk_pairs(tracks: Sequence[PersonTrack], fps: float) -> list[tuple[PersonTrack, PersonTrack, np.ndarray]]:
    """Tracks of two characters in one shot together for :data:`WALK_MIN_S` or more, with their
    common sampled frames: the pairs the ``walks with`` cue looks at (and the frames whose background
    motion it needs)."""
    found = []
    by_shot: dict[int, list[PersonTrack]] = {}
    for t in tracks:
        if t.character_id is not None and len(t.boxes) >= 2:
            by_shot.setdefault(t.shot_index, []).append(t)
    for group in by_shot.values():
        for i, ta in enumerate(group):
            for tb in group[i + 1:]:
                lo, hi = max(ta.start_frame, tb.start_frame), min(ta.end_frame, tb.end_frame)
                if ta.character_id == tb.character_id or (hi - lo) / (fps or 25.0) < WALK_MIN_S:
                    continue
                frames = np.array(sorted({b.frame for b in ta.boxes + tb.boxes if lo <= b.frame <= hi}), np.float64)
                if len(frames) >= 2:
                    found.append((ta, tb, frames))
    return found


def _walk_cues(tracks: Sequence[PersonTrack], fps: float, aspect: float, names: dict[int, str],
               camera: dict[int, tuple[float, float]]) -> list[Cue]:
    cues: list[Cue] = []
    for ta, tb, frames in walk_pairs(tracks, fps):
        ma, mb = _motion(ta, frames, fps, aspect, camera), _motion(tb, frames, fps, aspect, camera)
        if ma is None or mb is None:
            continue
        sa, sb = float(np.linalg.norm(ma)), float(np.linalg.norm(mb))
        if min(sa, sb) < WALK_SPEED or float(ma @ mb) < WALK_COSINE * sa * sb:
            continue
        assert ta.character_id is not None and tb.character_id is not None
        lo, hi = int(frames[0]), int(frames[-1])
        pan = " against the background" if any(int(f) in camera for f in frames) else ""
        why = (f"{names.get(ta.character_id, '?')} and {names.get(tb.character_id, '?')} move together{pan} in shot {ta.shot_index + 1} "
               f"({lo / fps:.1f}-{hi / fps:.1f} s; {sa:.2f} and {sb:.2f} box heights/s)")
        for actor, target in ((ta.character_id, tb.character_id), (tb.character_id, ta.character_id)):
            cues.append(Cue(actor, "walks with", target, lo, hi + 1, "moving together", why))
    return cues


class _Span:
    """Seconds to a frame span ``[start, end)`` inside the video."""

    def __init__(self, fps: float, frame_count: int) -> None:
        self.fps, self.frames = fps or 25.0, frame_count

    def __call__(self, start_s: float, end_s: float) -> tuple[int, int]:
        start = max(0, round(start_s * self.fps))
        end = max(start + 1, round(end_s * self.fps))
        if self.frames > 0:
            end = min(end, self.frames)
        return start, end


def pair_cues(characters: Sequence[Character], tracks: Sequence[PersonTrack], shots: Sequence[Shot],
              turns: Sequence[SpeechTurn], segments: Sequence[TranscriptSegment], fps: float, frame_count: int,
              aspect: float = 1.0, camera: dict[int, tuple[float, float]] | None = None) -> list[Cue]:
    """Every cue found (see the module's docstring), before they are merged into suggestions.
    ``aspect``: the picture's width / height; ``camera``: the background's velocity on the picture
    (widths, heights per second) at the frames of :func:`walk_pairs` where it was measured."""
    names = {c.id: c.name or f"person {c.number}" for c in characters}
    screen = _Screen(tracks, shots, fps)
    span = _Span(fps, frame_count)
    cues = _speech_cues(_utterances(turns, screen, names), screen, segments, names, span)
    cues += _walk_cues(tracks, fps or 25.0, aspect, names, camera or {})
    return cues


def suggestions(cues: Sequence[Cue], video_id: int, labels: Sequence[str]) -> list[Interaction]:
    """The cues merged into suggested interactions (unsaved: id 0), for the labels in ``labels``;
    the evidence lists each cue with its confidence, the highest first."""
    groups: list[list[Cue]] = []
    for cue in sorted((c for c in cues if c.label in labels), key=lambda c: (c.actor, c.label, c.target, c.start_frame)):
        last = groups[-1] if groups else None
        if (last is not None and (last[0].actor, last[0].label, last[0].target) == (cue.actor, cue.label, cue.target)
                and cue.start_frame < max(c.end_frame for c in last)):
            last.append(cue)
        else:
            groups.append([cue])
    found = []
    for group in groups:
        best = max(c.confidence for c in group)
        seen: dict[tuple[str, str], None] = {}
        for c in sorted(group, key=lambda c: -c.confidence):
            seen[(c.cue, c.text)] = None
        why = " | ".join(f"{cue} ({CONFIDENCE[cue]:.2f}): {text}" for cue, text in seen)
        first = group[0]
        found.append(Interaction(0, video_id, first.actor, first.label, "character", first.target,
                                 min(c.start_frame for c in group), max(c.end_frame for c in group), "unreviewed",
                                 "", "suggestion", f"p={best:.2f} · {why}"))
    return found


def confidence_of(evidence: str | None) -> float | None:
    """The calibrated confidence a suggestion's evidence starts with (``p=0.67 · ...``), else None."""
    match = re.match(r"p=([0-9.]+) ·", evidence or "")
    return float(match.group(1)) if match else None
