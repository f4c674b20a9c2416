"""SRT and WebVTT: round trips, what other tools write, and malformed files."""

from __future__ import annotations

import pytest

from hhir.errors import ImportFormatError
from hhir.speech.subtitles import parse_srt, parse_vtt, to_srt, to_vtt
from hhir.types import TranscriptSegment

SEGMENTS = [
    TranscriptSegment(0.0, 1.5, "Where is the station?"),
    TranscriptSegment(1.5, 3.25, "Next to the bridge.\nGo left."),
    TranscriptSegment(3723.004, 3725.999, "An hour later"),
]


def _plain(segments):
    return [(s.start_s, s.end_s, s.text) for s in segments]


def test_srt_round_trip() -> None:
    text = to_srt(SEGMENTS)
    assert text.startswith("1\n00:00:00,000 --> 00:00:01,500\nWhere is the station?\n")
    assert "01:02:03,004 --> 01:02:05,999" in text
    assert _plain(parse_srt(text, "t.srt")) == [(pytest.approx(a), pytest.approx(b), t) for a, b, t in _plain(SEGMENTS)]


def test_vtt_round_trip() -> None:
    text = to_vtt(SEGMENTS)
    assert text.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n")
    assert _plain(parse_vtt(text, "t.vtt")) == [(pytest.approx(a), pytest.approx(b), t) for a, b, t in _plain(SEGMENTS)]


def test_srt_matches_pysrt() -> None:
    import pysrt

    subs = pysrt.from_string(to_srt(SEGMENTS))
    assert [s.text for s in subs] == [s.text for s in SEGMENTS]
    assert subs[2].start.ordinal == 3723004


def test_vtt_identifiers_settings_notes_and_short_times() -> None:
    text = ("\ufeffWEBVTT - made elsewhere\n\nNOTE a comment\nspanning lines\n\n"
            "cue-1\n00:01.000 --> 00:02.500 align:start position:10%\n<v Ann>Hi there\n\n"
            "00:00:03.000 --> 00:00:04.000\nBye\n")
    assert _plain(parse_vtt(text, "x.vtt")) == [(1.0, 2.5, "<v Ann>Hi there"), (3.0, 4.0, "Bye")]


def test_srt_tolerates_crlf_and_blank_runs() -> None:
    text = "1\r\n00:00:01,000 --> 00:00:02,000\r\nHello\r\n\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nAgain\r\n"
    assert _plain(parse_srt(text, "w.srt")) == [(1.0, 2.0, "Hello"), (3.0, 4.0, "Again")]


@pytest.mark.parametrize("text, line", [
    ("1\n00:00:01,000 -> 00:00:02,000\nHello\n", 2),
    ("1\n00:00:01,000 --> 00:00:02,000\nHello\n\nnot a number\n00:00:03,000 --> 00:00:04,000\nx\n", 5),
    ("1\n00:00:05,000 --> 00:00:02,000\nBackwards\n", 2),
    ("\n\n7\n", 3),
])
def test_malformed_srt_names_file_and_line(text: str, line: int) -> None:
    with pytest.raises(ImportFormatError) as caught:
        parse_srt(text, "movie.srt")
    assert f"movie.srt, line {line}:" in str(caught.value)


@pytest.mark.parametrize("text, line", [
    ("00:00:01.000 --> 00:00:02.000\nHello\n", 1),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nok\n\n00:00:0x.000 --> 00:00:02.000\nbad\n", 6),
    ("WEBVTT\n\nlonely-id\n", 3),
])
def test_malformed_vtt_names_file_and_line(text: str, line: int) -> None:
    with pytest.raises(ImportFormatError) as caught:
        parse_vtt(text, "movie.vtt")
    assert f"movie.vtt, line {line}:" in str(caught.value)


def test_empty_files() -> None:
    assert parse_srt("", "e.srt") == [] and parse_vtt("WEBVTT\n", "e.vtt") == []
    assert to_srt([]) == "" and parse_vtt(to_vtt([]), "e.vtt") == []


def test_huge_hour_field_is_a_bad_line_not_a_crash() -> None:
    text = "1\n" + "9" * 5000 + ":00:01,000 --> 00:00:02,000\nhello\n"
    with pytest.raises(ImportFormatError, match=r"big\.srt, line 2"):
        parse_srt(text, "big.srt")


def test_vtt_special_characters_round_trip_through_webvtt_py() -> None:
    import html

    import webvtt

    texts = ["a --> b", "Tom & Jerry", "x < y > z", "&amp; stays text", "--> at the start"]
    text = to_vtt([TranscriptSegment(i, i + 0.5, t) for i, t in enumerate(texts)])
    captions = list(webvtt.from_string(text))
    # webvtt-py strips tags and leaves character references, which a player decodes as html does
    assert [html.unescape(c.text) for c in captions] == texts
    assert [c.start_in_seconds for c in captions] == list(range(len(texts)))
    assert [s.text for s in parse_vtt(text, "t.vtt")] == texts


def test_vtt_escapes_only_what_webvtt_requires_so_webvtt_py_gets_the_words() -> None:
    import webvtt

    words = ["Tom & Jerry", "x > y", "Q & A, 5 > 3 & done", "R & D --- > ok"]
    captions = list(webvtt.from_string(to_vtt([TranscriptSegment(i, i + 0.5, t) for i, t in enumerate(words)])))
    assert [c.text for c in captions] == words  # as they are, no entity for a reader to decode
    required = ["a --> b", "x < y", "AT&T", "&amp;"]
    text = to_vtt([TranscriptSegment(i, i + 0.5, t) for i, t in enumerate(required)])
    assert [c.raw_text for c in webvtt.from_string(text)] == ["a --&gt; b", "x &lt; y", "AT&amp;T", "&amp;amp;"]
    assert [s.text for s in parse_vtt(text, "t.vtt")] == required


def test_srt_is_read_by_the_srt_library() -> None:
    import srt

    subs = list(srt.parse(to_srt(SEGMENTS + [TranscriptSegment(4.0, 5.0, "  ")])))
    assert [(s.index, s.start.total_seconds(), s.content) for s in subs] == [
        (1, 0.0, "Where is the station?"), (2, 1.5, "Next to the bridge.\nGo left."), (3, 3723.004, "An hour later")]
