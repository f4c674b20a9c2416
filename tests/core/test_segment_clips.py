"""Clip windows over shots (the seed's 3-shot sliding window) and the text each clip carries."""

from __future__ import annotations

import pytest

from hhir.segment.clips import build_clips, clean_text, clip_text
from hhir.segment.shots import shots_from_cuts
from hhir.types import TranscriptSegment


def _shots(n: int):
    return shots_from_cuts([10 * i for i in range(1, n)], 10 * n, 10.0)


def _windows(clips):
    return [(c.first_shot, c.last_shot) for c in clips]


@pytest.mark.parametrize("n, expected", [
    (1, [(0, 0)]),
    (2, [(0, 1)]),
    (3, [(0, 2)]),
    (7, [(0, 2), (1, 3), (2, 4), (3, 5), (4, 6)]),
])
def test_seed_windows(n: int, expected) -> None:
    clips = build_clips(_shots(n))
    assert _windows(clips) == expected
    assert [c.index for c in clips] == list(range(len(expected)))
    first = clips[0]
    assert (first.start_frame, first.start_s) == (0, 0.0)
    assert clips[-1].end_frame == 10 * n and clips[-1].end_s == pytest.approx(n)


def test_stride_covers_the_tail() -> None:
    assert _windows(build_clips(_shots(7), size=3, stride=2)) == [(0, 2), (2, 4), (4, 6)]
    assert _windows(build_clips(_shots(8), size=3, stride=2)) == [(0, 2), (2, 4), (4, 6), (5, 7)]
    assert _windows(build_clips(_shots(7), size=2, stride=3)) == [(0, 1), (3, 4), (5, 6)]


def test_clip_times_match_shots() -> None:
    clip = build_clips(_shots(7))[2]
    assert (clip.start_frame, clip.end_frame, clip.start_s, clip.end_s) == (20, 50, 2.0, 5.0)


def test_empty_and_invalid() -> None:
    assert build_clips([]) == []
    with pytest.raises(ValueError):
        build_clips(_shots(3), size=0)
    with pytest.raises(ValueError):
        build_clips(_shots(3), stride=0)


def test_clean_text() -> None:
    assert clean_text("<i>Hello</i>  (laughs) there [door slams]\n  friend ") == "Hello there friend"
    assert clean_text("(all aside)") == ""


def test_clip_text_takes_overlapping_segments_in_order() -> None:
    clip = build_clips(_shots(7))[1]  # 1.0 s to 4.0 s
    segments = [
        TranscriptSegment(4.5, 5.0, "after"),
        TranscriptSegment(3.5, 4.2, "<b>late</b> [music]"),
        TranscriptSegment(0.2, 1.2, "early"),
        TranscriptSegment(0.0, 1.0, "touching only"),
        TranscriptSegment(2.0, 2.5, "(sighs) middle"),
    ]
    assert clip_text(clip, segments) == "early middle late"
