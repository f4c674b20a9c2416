"""The voices stage: who speaks when (:mod:`hhir.people.voices`), each turn linked to the on-screen
track whose mouth moves with the voice where one does, and so to that track's character.

Stored as the video's speech turns (``Store.set_speech_turns``, stage ``speakers``). The stage's
params name the voice settings and the people stage's params: when the people change (a new
analysis, a person's edit), the stored turns are linked again to the new tracks without finding the
voices again. Turns imported from a file (ELAN) are kept.

The mouth score: the people stage stores BlazeFace's six key points per sampled face, of which the
mouth is one point (its centre), not two lips. The score used is the mouth centre's distance below
the nose tip divided by the distance between the eyes: the jaw drops when the mouth opens, which
moves the mouth centre away from the nose, and the eye distance cancels the face's size. It needs no
second decode of the video (the frames are read once, by the people stage), which is why it was
chosen over the change of the face crop's lower half between frames. Its limits: the people stage
samples 2 frames a second, slower than syllables, so the correlation with the voice's loudness
(:func:`hhir.people.voices.speaking_tracks`) is coarse and many turns stay unlinked. On a real
(animated) dialogue it linked none of 5 turns at 2 samples a second and 1 of 5 (rightly) on every
frame (docs/people.md): a measure of the lips' opening is what it needs.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from hhir.jobs import CancelToken, ProgressFn
from hhir.store import Store
from hhir.types import Character, PersonTrack, SpeechTurn, SpokenWord, TranscriptSegment, Video

if TYPE_CHECKING:
    from hhir.people.voices import TimedSpan, VoiceEncoder

log = logging.getLogger(__name__)

STAGE = "speakers"
_EYE_R, _EYE_L, _NOSE, _MOUTH = 4, 6, 8, 10  # offsets of BlazeFace's key points in a stored face (after its box)


def voices_key() -> str:
    from hhir.people.voices import SPEAKER_THRESHOLD

    return f"voices:resemblyzer:{SPEAKER_THRESHOLD}"


def stage_key(people_params: str | None) -> str:
    """The stage's params: the voice settings and what the turns were linked to."""
    return f"{voices_key()}|people:{people_params or 'none'}"


@functools.lru_cache(maxsize=1)
def _encoder() -> VoiceEncoder:
    """One loaded voice encoder per process, like the speech model."""
    from hhir.people.voices import VoiceEncoder

    return VoiceEncoder()


def mouth_rows(tracks: Sequence[PersonTrack], fps: float, width: int, height: int) -> np.ndarray:
    """``(n, 3)`` rows ``(frame_time_s, track_id, mouth_open_score)`` for every stored box with a
    face (the module's docstring says what the score is and is not)."""
    rows = []
    rate = fps or 25.0
    for track in tracks:
        for box in track.boxes:
            face = box.face
            if face is None or len(face) < 16:
                continue
            point = np.array(face[4:16], np.float64).reshape(6, 2) * (width or 1, height or 1)
            eyes = float(np.linalg.norm(point[0] - point[1]))
            if eyes <= 1e-6:
                continue
            rows.append((box.frame / rate, float(track.id), float(point[3, 1] - point[2, 1]) / eyes))
    return np.array(rows, np.float64).reshape(-1, 3)


def link_turns(turns: Sequence[SpeechTurn], tracks: Sequence[PersonTrack], audio: np.ndarray,
               video: Video) -> list[SpeechTurn]:
    """The turns with the on-screen track that speaks each (or None) and that track's character."""
    from dataclasses import replace

    from hhir.people.voices import speaking_tracks

    mouths = mouth_rows(tracks, video.fps, video.width, video.height)
    found = speaking_tracks(turns, mouths, audio) if len(mouths) and len(audio) else [None] * len(turns)
    character = {t.id: t.character_id for t in tracks}
    return [replace(t, track_id=track, character_id=character.get(track) if track is not None else None)
            for t, track in zip(turns, found, strict=True)]


def voices_stage(store: Store, video: Video, audio: Callable[[], np.ndarray], progress: ProgressFn,
                 cancel: CancelToken) -> bool:
    """Find and store the video's speech turns, or link the stored ones to the current people.

    Skipped when stored for these settings and these people, or imported from a file. Returns True
    when it wrote turns.
    """
    people = store.stage_params("people").get(video.id)
    key = stage_key(people)
    stored = store.stage_params(STAGE).get(video.id)
    if stored == key or (stored is not None and not stored.startswith("voices:")):
        return False
    tracks = store.person_tracks(video.id)
    if stored is not None and stored.split("|")[0] == voices_key():
        turns = store.speech_turns(video.id)  # the same voices: only the link to the tracks is new
    else:
        from hhir.people.voices import speech_turns

        progress(0.0, "Finding voices")
        samples = audio() if video.has_audio else np.zeros(0, np.float32)
        found = speech_turns(samples, _encoder(), progress=progress, cancel=cancel) if len(samples) else []
        turns = [SpeechTurn(0, video.id, t.start_s, t.end_s, t.speaker, None, None, t.confidence) for t in found]
    if tracks and turns:
        turns = link_turns(turns, tracks, audio(), video)
    cancel.check()
    store.set_speech_turns(video.id, turns, key)
    log.info("video %s: %d speech turns, %d voices, %d linked to a track", video.id, len(turns),
             len({t.speaker for t in turns}), sum(t.track_id is not None for t in turns))
    return True


def speaker_name(turn: SpeechTurn | None, tracks: dict[int, int | None], characters: dict[int, Character],
                 voices: dict[int, int] | None = None) -> str | None:
    """Who speaks a turn, for people to read: the character of the track seen speaking (its name,
    else ``person N``), else the turn's character, else its voice's character (``voices``: voice ->
    character, :func:`hhir.scoring.pairs.voice_characters`), else ``voice N``; None without a turn."""
    if turn is None:
        return None
    character_id = tracks.get(turn.track_id) if turn.track_id is not None else None
    if character_id is None:
        character_id = turn.character_id
    if character_id is None and voices:
        character_id = voices.get(turn.speaker)
    c = characters.get(character_id if character_id is not None else -1)
    if c is not None:
        return c.name or f"person {c.number}"
    return f"voice {turn.speaker}"


def transcript_speakers(store: Store, video_id: int, spans: Sequence[TimedSpan]) -> list[str | None]:
    """The speaker of each transcript span (anything with ``start_s`` / ``end_s``): the turn that
    overlaps it most (:func:`hhir.people.voices.speakers_of`), named by :func:`speaker_name`; a turn
    not seen spoken takes its voice's character where the video shows who that voice is (the pair
    suggestions' rule: :func:`hhir.scoring.pairs.voice_characters`)."""
    from hhir.scoring.pairs import voice_characters

    turns = store.speech_turns(video_id)
    if not turns or not spans:
        return [None] * len(spans)
    people = store.person_tracks(video_id)
    tracks = {t.id: t.character_id for t in people}
    characters = {c.id: c for c in store.characters(video_id)}
    voices = voice_characters(turns, people, store.shots(video_id), store.video(video_id).fps) if people else {}
    return [speaker_name(turn, tracks, characters, voices) for turn in turns_of(spans, turns)]


def turns_of(spans: Sequence[TimedSpan], turns: Sequence[SpeechTurn], tolerance_s: float = 0.3) -> list[SpeechTurn | None]:
    """The speech turn each span belongs to (:func:`hhir.people.voices.turn_indices`): of the voice
    overlapping it most, its turn overlapping most; else the nearest within ``tolerance_s``; else None."""
    from hhir.people.voices import turn_indices

    return [turns[i] if i is not None else None for i in turn_indices(spans, turns, tolerance_s)]


def split_at_turns(segments: Sequence[TranscriptSegment], turns: Sequence[SpeechTurn],
                   keep: Sequence[TranscriptSegment] = ()) -> list[TranscriptSegment]:
    """The transcript with each segment cut at the words where the voice changes, so that each
    piece has one speaker.

    Whisper's segments follow its 30 s windows and pauses, not the speakers: one segment often
    holds the end of one person's line and the start of the reply, and then the whole of it went
    to the voice that spoke longer. Each word goes to its turn (:func:`turns_of`); a word without
    one stays with the words before it. A piece starts at its first word (the first piece at the
    segment's start) and ends at its last word (the last piece at the segment's end).

    A segment without words (one not fresh from recognition) stays whole, and so does one in
    ``keep``, the machine text and time of each segment a person has edited
    (:meth:`hhir.store.Store.edited_segments`): splitting it would lose the edit.
    """
    from hhir.store.common import same_range

    if not turns:
        return list(segments)
    result: list[TranscriptSegment] = []
    for segment in segments:
        edited = any(k.text == segment.text and same_range(k.start_s, k.end_s, segment.start_s, segment.end_s) for k in keep)
        pieces = [] if edited or not segment.words else _runs_of_one_voice(segment.words, turns)
        if len(pieces) < 2:
            result.append(segment)
            continue
        for n, words in enumerate(pieces):
            start = segment.start_s if n == 0 else words[0].start_s
            end = segment.end_s if n == len(pieces) - 1 else words[-1].end_s
            result.append(TranscriptSegment(start, max(end, start), "".join(w.text for w in words).strip(), words=words))
    return result


def _runs_of_one_voice(words: Sequence[SpokenWord], turns: Sequence[SpeechTurn]) -> list[tuple[SpokenWord, ...]]:
    """The words in runs of one voice; a word of no known voice joins the run before it."""
    runs: list[list[SpokenWord]] = []
    voice: int | None = None
    for word, turn in zip(words, turns_of(words, turns), strict=True):
        heard = turn.speaker if turn is not None else None
        if runs and (heard is None or voice is None or heard == voice):
            runs[-1].append(word)
            voice = heard if voice is None else voice
        else:
            runs.append([word])
            voice = heard
    # a run of words with no text (Whisper's empty tokens) is no piece of its own
    merged: list[list[SpokenWord]] = []
    for run in runs:
        if merged and not "".join(w.text for w in run).strip():
            merged[-1].extend(run)
        else:
            merged.append(run)
    return [tuple(run) for run in merged]
