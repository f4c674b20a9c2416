"""Turning cues and text similarity into starter scores, each with the cue behind it.

Each built-in label has a hand-set logistic rule over the evidence it can be heard or seen in:

- "asks": a question in the transcript (a '?'; in unpunctuated text, a question's form: an inverted
  auxiliary, a wh-word with an auxiliary, a question tag; never an exclamative, an imperative or a
  subordinate opening), weakly a question's form closed with '.', and a rising pitch at the end of an
  utterance; speech alone adds nothing.
- "yells at": loudness relative to the film's own dialogue level (the median level of its speech
  clips, so a quiet film's loudest line is not shouting) and '!' in the transcript.
- "talks to": speech (with words in the transcript) while more than one person is present.
- "walks with": at least two figures moving against the (camera-aligned) background, side by side;
  or a camera that travels with two or more people seen (it follows them).
- "watches": two or more people or faces seen, speech or not (a listener watches the speaker); one
  person seen in silence is weaker evidence; people seen walking together are not watching.
- "gives to": words of handing over ("here you go", "take this", "pass me"), more with two people seen.
- "no_interaction": nobody, or one person alone, and silent or with no sentence spoken (a hum, a yawn).

**One person or nobody in the picture** (:func:`ruled_out`): every label but "no_interaction" is
about two people, so when a clip has a picture and at most one person is seen in it (people and
faces from the tracks, moving figures), "walks with", "watches" and "gives to" are ruled out: their
other person would be in the picture. Labels that can be heard ("talks to", "asks", "yells at", and
a user's own labels, whose only evidence is the text) stay possible only when the clip has a
spoken sentence (three words or more): someone off screen can be spoken to, as in a phone call or
a close-up of a speaker whose listener is out of the shot. A ruled-out label's logit is held at or
under :data:`RULED_OUT_LOGIT` and its score at or under :data:`RULED_OUT_SCORE`, far below any
threshold. A sound file (no picture) shows nobody and rules nothing out.

Every label, including ones a user adds, also gets the similarity between the clip's text and the
label's description, taken relative to the other labels so that a long, generic sentence does not lift
every label at once. The sum is a logit; :mod:`hhir.scoring.starter.calibration` maps it to a
probability.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from hhir.scoring.starter.cues import ClipCues
from hhir.scoring.starter.text import exclamation, handing, question, question_form

_TEXT_WEIGHT = 8.0
_UNKNOWN_BIAS = -1.2
_DEFAULT_DIALOGUE_DB = -30.0  # typical film dialogue (dBFS, active frames), when a film has too little speech
_MIN_SPEECH_CLIPS = 3  # speech clips needed before the film's own level is the reference
_RISE_SEMITONES = 1.5
RULED_OUT_LOGIT = -4.0  # the most a ruled-out label's logit may be (see ruled_out)
RULED_OUT_SCORE = 0.05  # the most a ruled-out label's (calibrated) score may be
_NEEDS_TWO_SEEN = ("walks with", "watches", "gives to")
_SPOKEN_TO_SOMEONE = 3  # words in the clip's text, with speech heard, for someone off screen to be spoken to


@dataclass(frozen=True)
class Film:
    """What the rules need from the whole film: its dialogue level (dBFS)."""

    dialogue_db: float = _DEFAULT_DIALOGUE_DB
    own_level: bool = False  # True when ``dialogue_db`` was measured on this film

    @staticmethod
    def of(cues: list[ClipCues]) -> Film:
        """The film's dialogue level: the median level of its clips with speech."""
        levels = [c.level_median_dbfs for c in cues if c.speech_fraction > 0.2]
        if len(levels) < _MIN_SPEECH_CLIPS:
            return Film()
        return Film(float(np.median(levels)), True)


@dataclass(frozen=True)
class Clip:
    """One clip's cues, its text, and the film around it."""

    cues: ClipCues
    text: str
    film: Film


Rule = Callable[[Clip], tuple[float, str]]


def _clip01(x: float) -> float:
    return float(min(1.0, max(0.0, x)))


def _talk(c: ClipCues) -> float:
    """Speech in the audio, confirmed by words in the transcript when there is one."""
    voiced = _clip01((c.speech_fraction - 0.1) / 0.4)
    return voiced * _clip01(c.word_count / 3.0)


def _present(c: ClipCues) -> float:
    """How many people are seen: detected people, faces, or (wide shots) moving figures."""
    return max(c.people_max, c.faces_max, c.movers)


def _people(n: float) -> str:
    return "1 person" if n == 1 else f"{n:.0f} people"


def _asks(x: Clip) -> tuple[float, str]:
    said, form = question(x.text), question_form(x.text)
    rise = x.cues.end_rise_semitones if _talk(x.cues) > 0 else 0.0
    rising = rise >= _RISE_SEMITONES
    # A '?' (or an unpunctuated question) is strong; a question's form closed with '.' is weak, as
    # the recogniser punctuates ("Are you coming." is rare, "When darkness wakes, ..." is no question).
    logit = -2.5 + 3.5 * bool(said) + 1.5 * bool(form and not said) + 1.5 * rising
    tune = f"; rising pitch at an utterance's end (+{rise:.1f} semitones)" if rising else ""
    if said:
        return logit, f"question: '{said}'{tune}"
    if form:
        return logit, f"a question's form without '?': '{form}'{tune}"
    if rising:
        return logit, tune[2:]
    return logit, "no question in the transcript or the intonation"


def _yells(x: Clip) -> tuple[float, str]:
    c, film = x.cues, x.film
    over = c.level_median_dbfs - film.dialogue_db
    loud = float(np.clip((over - 6.0) / 4.0, -1.5, 1.5)) if _talk(c) > 0 or c.speech_fraction > 0.2 else -1.5
    shout = exclamation(x.text)
    logit = -2.5 + 2.0 * loud + 1.2 * bool(shout)
    ref = "this film's dialogue" if film.own_level else "typical dialogue"
    why = f"{over:+.0f} dB against {ref}" if c.has_audio and c.active_fraction > 0 else "no sound"
    return logit, (f"exclamation: '{shout}'; " if shout else "") + why


def _talks(x: Clip) -> tuple[float, str]:
    c = x.cues
    talk, n = _talk(c), _present(c)
    nobody_seen = c.has_frames > 0 and n == 0
    logit = -2.2 + 3.6 * talk + 0.6 * (n >= 2) - 1.0 * nobody_seen
    if talk == 0:
        return logit, "no speech"
    seen = "nobody seen" if nobody_seen else (f"{_people(n)} seen" if c.has_frames else "audio only")
    return logit, f"speech over {c.speech_fraction:.0%} of the clip, {seen}"


def _walks(x: Clip) -> tuple[float, str]:
    c = x.cues
    # A still camera: figures that travel against the background, a pair side by side the evidence
    # (more pairs, a crowd of walkers, add a little). A moving camera: it follows people when it
    # travels over the clip while two or more are seen (a close-up that nods travels nowhere).
    pairs = _clip01(c.mover_pairs) + 0.4 * _clip01((c.mover_pairs - 1) / 4.0)
    follows = _clip01((c.camera_travel - 0.1) / 0.2) * _clip01(_present(c) - 1)
    logit = -2.5 + 0.7 * _clip01(c.movers - 1) + 2.0 * pairs + 2.5 * follows
    why = []
    if c.movers >= 2:
        why.append(f"{c.movers:.0f} figures moving against the background, {c.mover_pairs:.0f} pairs side by side")
    if follows > 0:
        why.append(f"the camera travels {c.camera_travel:.0%} of the frame's width with {_people(_present(c))} seen")
    if why:
        return logit, "; ".join(why)
    if not c.has_frames:
        return logit, "no picture"
    return logit, "fewer than two figures moving against the background" + (
        f"; the camera travels {c.camera_travel:.0%} of the frame's width" if c.camera_travel >= 0.1 else "")


def _walking(c: ClipCues) -> bool:
    """Walking together is seen: a pair of figures side by side, or a camera that follows people."""
    return c.mover_pairs >= 1 or (c.camera_travel >= 0.1 and _present(c) >= 2)


def _watches(x: Clip) -> tuple[float, str]:
    c = x.cues
    seen = max(c.people_max, c.faces_max)
    silent = 1.0 - _talk(c)
    # One person can watch another whether or not someone speaks (a listener watches the speaker):
    # two or more seen is the evidence; one seen and silent (watching someone off screen) is weaker.
    # People walking together look where they go: seen walking side by side, they are not watching.
    walking = _walking(c)
    logit = -2.0 + 3.0 * float(seen >= 2) + 1.0 * float(seen == 1) * silent + 0.4 * _clip01(seen - 2) - 2.0 * walking
    if seen == 0:
        return logit, "no person or face detected"
    return logit, f"{_people(seen)} or faces seen, " + ("no speech" if silent == 1 else "with speech") + (
        "; walking together" if walking else "")


def _gives(x: Clip) -> tuple[float, str]:
    c = x.cues
    said, n = handing(x.text), _present(c)
    logit = -2.6 + 3.0 * bool(said) + 0.6 * float(n >= 2) + 0.4 * bool(said) * float(n >= 2)
    if said:
        return logit, f"handing over in the words: '{said}'" + (f", {_people(n)} seen" if n else "")
    return logit, "no handing over in the words" + (f" ({_people(n)} seen)" if n else "")


def _alone(x: Clip) -> tuple[float, str]:
    c = x.cues
    talk, n = _talk(c), _present(c)
    # One person (or nobody) in the picture and no sentence spoken: whatever is heard (a hum, a yawn,
    # music) is no one interacting; the interaction labels are ruled out there (ruled_out).
    heard = talk > 0 and not (c.has_frames > 0 and n <= 1 and c.word_count < _SPOKEN_TO_SOMEONE)
    talk = talk if heard else 0.0
    logit = 1.2 - 3.0 * talk - 1.5 * _clip01(n - 1) - 1.2 * _clip01(c.mover_pairs / 3.0) - 0.8 * c.active_fraction * (talk > 0)
    if heard:
        return logit, "speech"
    who = "nobody seen" if n == 0 else f"{_people(n)} seen"
    return logit, f"{who}, silent" if _talk(c) == 0 else f"{who}, no sentence spoken"


def ruled_out(c: ClipCues, name: str) -> str:
    """Why label ``name`` cannot be on a clip whose picture shows at most one person ("" when it can be)."""
    n = _present(c)
    if name == "no_interaction" or c.has_frames <= 0 or n > 1:
        return ""
    seen = "nobody seen" if n == 0 else "1 person seen"
    if name in _NEEDS_TWO_SEEN:
        return f"{seen}: the other person would be in the picture"
    if c.word_count >= _SPOKEN_TO_SOMEONE and c.speech_fraction > 0.2:
        return ""  # speech to someone off screen (a phone call, a speaker whose listener is out of the shot)
    return f"{seen} and no sentence spoken to anyone off screen"


RULES: dict[str, Rule] = {
    "asks": _asks, "gives to": _gives, "talks to": _talks, "walks with": _walks,
    "watches": _watches, "yells at": _yells, "no_interaction": _alone,
}


def clip_logits(cues: list[ClipCues], texts: list[str], similarity: np.ndarray, names: list[str],
                film: Film | None = None) -> tuple[np.ndarray, list[dict[str, str]], np.ndarray]:
    """``(n_clips, n_labels)`` logits (the label's rule plus its relative text similarity), per
    clip the cue behind each label's score, and where a label is ruled out (bool ``(n_clips,
    n_labels)``, :func:`ruled_out`; its logit is then held at or under :data:`RULED_OUT_LOGIT`).

    Args:
        cues: one :class:`ClipCues` per clip of one film (the film's dialogue level comes from them).
        texts: each clip's transcript text.
        similarity: ``(n_clips, n_labels)`` cosine similarity of clip text and label description;
            NaN rows (no text) add nothing.
        names: label names, in column order.
        film: the film's context when ``cues`` are not all of its clips (default: measured on them).
    """
    film = Film.of(cues) if film is None else film
    clips = [Clip(c, t, film) for c, t in zip(cues, texts)]
    logits = np.zeros((len(cues), len(names)), dtype=np.float64)
    ruled = np.zeros((len(cues), len(names)), dtype=bool)
    reasons: list[dict[str, str]] = [{} for _ in clips]
    relative = _relative(similarity) if len(names) > 1 else np.zeros((len(cues), len(names)))
    for j, name in enumerate(names):
        rule = RULES.get(name)
        for i, clip in enumerate(clips):
            logit, why = rule(clip) if rule else (_UNKNOWN_BIAS, "")
            logits[i, j] = logit + _TEXT_WEIGHT * relative[i, j]
            if relative[i, j] > 0.05:
                why = f"{why}; text like '{name}'" if why else f"text like '{name}'"
            out = ruled_out(clip.cues, name)
            if out:
                ruled[i, j] = True
                logits[i, j] = min(logits[i, j], RULED_OUT_LOGIT)
                why = f"{why}; ruled out: {out}" if why else f"ruled out: {out}"
            reasons[i][name] = why or "no cue"
    return logits, reasons, ruled


def _relative(similarity: np.ndarray) -> np.ndarray:
    """Similarity minus the row's mean over labels; rows without text (NaN) give zeros."""
    out = np.zeros(similarity.shape, dtype=np.float64)
    rows = np.isfinite(similarity).all(axis=1)
    out[rows] = similarity[rows] - similarity[rows].mean(axis=1, keepdims=True)
    return out
