"""Voices through the whole analysis: ``hhir analyze`` on a two-person video where two espeak-ng
voices talk, the stored speech turns, the CLI, the link of a turn to the face that speaks it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from people_media import make_talking_people_video

from hhir.pipeline import AnalysisOptions, analyze
from hhir.pipeline.voices import STAGE, link_turns, mouth_rows, split_at_turns, stage_key, transcript_speakers, turns_of
from hhir.store import Store
from hhir.types import PersonBox, PersonTrack, SpeechTurn, SpokenWord, TranscriptSegment, Video


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("voices")
    path, spoken = make_talking_people_video(folder / "two people talking.mp4")
    store = Store(folder / "v.hhir")
    video_id = analyze(store, path, AnalysisOptions())
    yield store, video_id, path, spoken
    store.close()


def test_the_stored_turns_carry_the_two_voices(analysed):
    store, video_id, _, spoken = analysed
    turns = store.speech_turns(video_id)
    assert {t.speaker for t in turns} == {0, 1}
    assert all(t.source == "analysis" and t.confidence is not None for t in turns)
    # each spoken line's voice is the voice of the turns over it, and the two alternate
    lines = [TranscriptSegment(s, e, "") for s, e, _ in spoken]
    voices = [t.speaker if t else None for t in turns_of(lines, turns)]
    assert voices[0::2] == [voices[0]] * 3 and voices[1::2] == [voices[1]] * 3 and voices[0] != voices[1]
    people = store.stage_params("people")[video_id]
    assert store.stage_params(STAGE)[video_id] == stage_key(people)


def test_no_transcript_segment_spans_both_voices(analysed):
    """Whisper joins two speakers' lines in one segment; analysis cuts it at the word where the
    voice changes, so each stored segment is (nearly all) one voice's, and both voices speak."""
    store, video_id, _, spoken = analysed
    turns = store.speech_turns(video_id)
    segments = store.transcript(video_id)
    assert len(segments) >= len(spoken) - 1  # espeak's six lines, not Whisper's three two-line segments
    for segment in segments:
        heard: dict[int, float] = {}
        for t in turns:
            heard[t.speaker] = heard.get(t.speaker, 0.0) + max(0.0, min(t.end_s, segment.end_s) - max(t.start_s, segment.start_s))
        assert min(heard.values()) <= 0.25 * (segment.end_s - segment.start_s), (segment, heard)
    assert len({t.speaker for t in turns_of(segments, turns) if t}) == 2


def test_the_transcript_and_the_cli_say_who_speaks(analysed, tmp_path, capsys):
    from hhir.cli import main

    store, video_id, path, _ = analysed
    db = str(store.path)
    assert main(["people", "turns", str(video_id), "--db", db]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == len(store.speech_turns(video_id))
    assert any(" voice 0 " in line for line in listed) and any(" voice 1 " in line for line in listed)
    out = tmp_path / "r.json"
    assert main(["analyze", str(path), "--db", db, "--json", str(out)]) == 0
    transcript = json.loads(out.read_text())["videos"][0]["transcript"]
    assert transcript, "espeak's lines are transcribed"
    named = [t["speaker"] for t in transcript]
    assert all(n is not None for n in named)
    assert named == transcript_speakers(store, video_id, store.transcript(video_id))


def test_reanalysis_keeps_the_turns_and_a_people_edit_links_them_again(analysed):
    store, video_id, path, _ = analysed
    before = store.speech_turns(video_id)
    analyze(store, path, AnalysisOptions())
    assert store.speech_turns(video_id) == before  # cached: the same rows, ids included
    first = store.characters(video_id)[0]
    store.name_character(first.id, "Grace", "ann")  # people set by a person: the link is redone, the voices kept
    analyze(store, path, AnalysisOptions())
    again = store.speech_turns(video_id)
    assert [(t.start_s, t.end_s, t.speaker) for t in again] == [(t.start_s, t.end_s, t.speaker) for t in before]
    assert store.stage_params(STAGE)[video_id] == stage_key("user")
    store.undo(video_id, "ann")


def test_no_voices_leaves_no_turns(tmp_path):
    path, _ = make_talking_people_video(tmp_path / "t.mp4", frames_per_shot=50)
    with Store(tmp_path / "n.hhir") as store:
        video_id = analyze(store, path, AnalysisOptions(people=False, voices=False))
        assert store.speech_turns(video_id) == []
        assert video_id not in store.stage_params(STAGE)


def _face(mouth_drop: float, left: float) -> tuple[float, ...]:
    """A stored face: box, then BlazeFace's eyes, nose, mouth, ears (normalised x, y)."""
    return (left, 0.2, left + 0.2, 0.5, left + 0.05, 0.3, left + 0.15, 0.3, left + 0.1, 0.36,
            left + 0.1, 0.36 + mouth_drop, left + 0.02, 0.32, left + 0.18, 0.32)


def test_a_turn_is_linked_to_the_face_whose_mouth_follows_the_voice():
    fps, rate = 10.0, 16000
    t = np.arange(0, 6.0, 1 / rate)
    envelope = (np.sin(2 * np.pi * 0.7 * t) > 0).astype(np.float32)  # syllable-like bursts
    audio = (np.random.default_rng(0).normal(0, 0.3, len(t)) * (0.05 + envelope)).astype(np.float32)
    frames = range(60)
    loud = [envelope[int(f / fps * rate)] for f in frames]
    speaker = PersonTrack(11, 1, 0, tuple(PersonBox(f, 0.0, 0.1, 0.4, 1.0, 0.9, "detector", _face(0.02 + 0.05 * loud[f], 0.1))
                                          for f in frames), character_id=5)
    listener = PersonTrack(12, 1, 0, tuple(PersonBox(f, 0.5, 0.1, 0.9, 1.0, 0.9, "detector", _face(0.02 + 0.001 * (f % 3), 0.6))
                                           for f in frames), character_id=6)
    video = Video(1, "v.mp4", "f", 6.0, fps, 60, 640, 360, True)
    rows = mouth_rows([speaker, listener], fps, 640, 360)
    assert rows.shape == (120, 3) and set(rows[:, 1]) == {11, 12}
    turns = [SpeechTurn(0, 1, 0.5, 5.5, 0), SpeechTurn(0, 1, 5.6, 5.9, 1)]
    linked = link_turns(turns, [speaker, listener], audio, video)
    assert (linked[0].track_id, linked[0].character_id) == (11, 5)
    assert (linked[1].track_id, linked[1].character_id) == (None, None)  # too short to tell
    assert link_turns(turns, [listener], audio, video)[0].track_id is None


def test_the_eaf_export_names_who_speaks_each_segment(analysed, tmp_path):
    import pympi

    from hhir.cli import main

    store, video_id, _, _ = analysed
    db = str(store.path)
    assert main(["export", str(tmp_path / "eaf"), "--format", "eaf", "--db", db, "--video", str(video_id)]) == 0
    (path,) = (tmp_path / "eaf").glob("*.eaf")
    eaf = pympi.Elan.Eaf(str(path))
    segments = store.transcript(video_id)
    spoken = [v for _, _, v in sorted(eaf.get_annotation_data_for_tier("transcript speakers"))]
    assert spoken == [who for who in transcript_speakers(store, video_id, segments) if who]
    assert len(set(spoken)) >= 2  # the two voices (or the characters seen speaking them)
    assert main(["import", str(path), "--format", "eaf", "--db", db]) == 0  # the tier is for reading: import ignores it
    assert store.transcript(video_id) == segments


def test_the_ava_export_carries_the_peoples_boxes_and_person_ids(analysed, tmp_path):
    import csv
    import math

    from hhir.cli import main
    from hhir.exchange.people_ava import people_rows
    from hhir.types import AnnotationState, Target

    store, video_id, _, _ = analysed
    clip = store.clips(video_id)[0]  # shots 1-3: both people, then each alone
    store.annotate(Target(video_id, clip.id), "asks", AnnotationState.PRESENT, "ann")
    try:
        assert main(["export", str(tmp_path / "ava"), "--format", "ava", "--db", str(store.path), "--video", str(video_id)]) == 0
    finally:
        store.undo(video_id, "ann")
    rows = list(csv.reader((tmp_path / "ava" / "ava.csv").read_text().splitlines()))
    by_second: dict[int, dict[int, tuple[float, ...]]] = {}
    for _name, second, *box, _action, person in rows:
        by_second.setdefault(int(second), {})[int(person)] = tuple(map(float, box))
    assert set(by_second) == set(range(math.ceil(clip.start_s), math.ceil(clip.end_s)))
    assert {1, 2} <= set().union(*by_second.values())
    assert all(by_second[s].keys() == {1, 2} for s in (1, 2, 3))  # the first shot shows both
    assert all(len(by_second[s]) == 1 for s in (6, 7, 8, 11, 12, 13))  # then each alone
    # the boxes are the characters' (here the stream's clock and the frame clock agree within a frame)
    # (a second on a cut may fall on either side of it: the player shows the shot's last frame then)
    frame_clock = {(second, person): box for _, second, box, _, person in people_rows(store, video_id)}
    compared = 0
    for second, people in by_second.items():
        for person, box in people.items():
            if person == 0:  # nobody on screen at that second (between a track's end and a cut): the whole frame
                assert box == (0.0, 0.0, 1.0, 1.0) and len(people) == 1, second
                continue
            assert box != (0.0, 0.0, 1.0, 1.0)
            if (second, person) in frame_clock:
                assert np.allclose(box, frame_clock[(second, person)], atol=0.02), (second, person)
                compared += 1
    assert compared >= 15


def _said(*words: tuple[float, float, str]) -> tuple[SpokenWord, ...]:
    return tuple(SpokenWord(s, e, w) for s, e, w in words)


def test_a_segment_spanning_two_voices_is_cut_at_the_word_where_the_voice_changes():
    words = _said((0.3, 0.6, " Where"), (0.6, 0.8, " is"), (0.8, 1.0, " the"), (1.0, 1.6, " station?"),
                  (2.4, 2.8, " Over"), (2.8, 3.4, " there."))
    one = TranscriptSegment(0.2, 3.6, "Where is the station? Over there.", words=words)
    alone = TranscriptSegment(5.0, 6.0, "Thanks.", words=_said((5.1, 5.8, " Thanks.")))
    turns = [SpeechTurn(1, 1, 0.25, 1.7, 0), SpeechTurn(2, 1, 2.3, 3.5, 1), SpeechTurn(3, 1, 5.0, 5.9, 0)]
    first, second, third = split_at_turns([one, alone], turns)
    assert (first.start_s, first.end_s, first.text) == (0.2, 1.6, "Where is the station?")
    assert (second.start_s, second.end_s, second.text) == (2.4, 3.6, "Over there.")
    assert third == alone
    assert [t.speaker for t in turns_of([first, second, third], turns)] == [0, 1, 0]  # one voice each, as the words say
    assert split_at_turns([one], [turns[0]]) == [one]  # one voice: whole
    assert split_at_turns([one], []) == [one]


def test_a_word_of_no_voice_stays_with_the_words_before_it_and_a_segment_without_words_stays_whole():
    words = _said((0.0, 0.5, " Yes,"), (4.0, 4.5, " well"), (8.0, 8.5, " no."))
    turns = [SpeechTurn(1, 1, 0.0, 0.6, 0), SpeechTurn(2, 1, 7.9, 8.6, 1)]  # "well" is in no turn
    cut = split_at_turns([TranscriptSegment(0.0, 8.6, "Yes, well no.", words=words)], turns)
    assert [(s.start_s, s.end_s, s.text) for s in cut] == [(0.0, 4.5, "Yes, well"), (8.0, 8.6, "no.")]
    bare = TranscriptSegment(0.0, 8.6, "Yes, well no.")
    assert split_at_turns([bare], turns) == [bare]


def test_a_segment_a_person_edited_is_never_cut(tmp_path):
    from hhir.types import VideoInfo

    words = _said((0.1, 1.0, " Hello"), (2.0, 3.0, " hi."))
    machine = TranscriptSegment(0.0, 3.0, "Hello hi.", words=words)
    turns = [SpeechTurn(1, 1, 0.0, 1.2, 0), SpeechTurn(2, 1, 1.9, 3.0, 1)]
    with Store(tmp_path / "e.hhir") as store:
        video = store.add_video(VideoInfo("v.mp4", 4.0, 25.0, 100, 64, 48, True, fingerprint="fp"))
        (stored,) = store.set_transcript(video.id, [machine])
        assert store.edited_segments(video.id) == []
        store.edit_segment_text(stored.id, "Hello. Hi!", "ann")
        keep = store.edited_segments(video.id)
        assert [(k.start_s, k.end_s, k.text) for k in keep] == [(0.0, 3.0, "Hello hi.")]  # the machine's text
        assert split_at_turns([machine], turns, keep) == [machine]
        assert len(split_at_turns([machine], turns)) == 2
        store.set_transcript(video.id, split_at_turns([machine], turns, keep))  # the edit survives re-storing
        assert [s.text for s in store.transcript(video.id)] == ["Hello. Hi!"]
