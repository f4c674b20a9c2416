"""The people library on real detectors and real decoded video: detection, tracks, characters."""

from __future__ import annotations

import numpy as np
import pytest

from hhir.people.characters import group_tracks
from hhir.people.records import BoxSource, Detection, PeopleOptions, Track, TrackBox
from hhir.people.tracker import ShotTracker, fill
from hhir.people.video import find_people, sample_plan
from hhir.types import Shot
from people_media import SHOTS, make_people_video, scene


def _frame(placed, background=(90, 110, 140)) -> np.ndarray:
    rgb = scene(placed, background)(0, 0, 360, 640)
    return np.ascontiguousarray(rgb[:, :, ::-1])


def test_a_person_is_found_with_a_face_inside_the_body():
    from hhir.people.detector import detect

    found = detect(_frame([("A", 0.3)]), 7)
    assert len(found) == 1
    person = found[0]
    assert person.frame == 7 and person.kind == "body" and person.score > 0.5
    x0, y0, x1, y1 = person.box
    assert 0.2 < x0 < x1 < 0.85 and y1 == pytest.approx(1.0, abs=0.05)  # the portrait stands on the frame's bottom
    face = person.face
    assert face is not None and len(face.keypoints) == 6
    assert x0 <= face.box[0] < face.box[2] <= x1 and face.box[3] < 0.8
    right_eye, left_eye = face.keypoints[:2]
    assert abs(right_eye[1] - left_eye[1]) < 0.05  # an upright face: eyes level


def test_nobody_on_an_empty_frame_and_two_when_two():
    from hhir.people.detector import detect

    assert detect(_frame([]), 0) == []
    two = detect(_frame([("A", 0.02), ("B", 0.52)]), 0)
    assert len(two) == 2
    assert sorted(round((d.box[0] + d.box[2]) / 2, 1) < 0.5 for d in two) == [False, True]


def test_a_corrupt_detector_file_is_refused(tmp_path, monkeypatch):
    import shutil

    from hhir.appdirs import resources_dir
    from hhir.errors import ModelError
    from hhir.people import detector

    copy = tmp_path / "res"
    shutil.copytree(resources_dir(), copy)
    assert detector.file_problems() == []
    (copy / "models" / "people" / "pose_detection.tflite").write_bytes(b"not a model")
    monkeypatch.setenv("HHIR_RESOURCES", str(copy))
    assert len(detector.file_problems()) == 1 and "pose_detection.tflite: not the file shipped" in detector.file_problems()[0]
    detector._load.cache_clear()
    try:
        with pytest.raises(ModelError, match=r"pose_detection\.tflite.*not the one shipped"):
            detector.detect(_frame([("A", 0.3)]), 0)
    finally:
        detector._load.cache_clear()


def _det(frame: int, x: float, score: float = 0.9) -> Detection:
    return Detection(frame, (x, 0.2, x + 0.2, 0.9), score, "body")


def test_tracker_links_by_overlap_and_fills_between_samples():
    tracker = ShotTracker(shot_index=3)
    for frame in (0, 5, 10):  # two people moving right, listed in a different order each time
        people = [_det(frame, 0.1 + frame * 0.01), _det(frame, 0.6 + frame * 0.01)]
        tracker.add(frame, people if frame != 5 else people[::-1])
    tracks = tracker.finish()
    assert len(tracks) == 2 and {t.shot_index for t in tracks} == {3}
    left = min(tracks, key=lambda t: t.boxes[0].box[0])
    assert [b.frame for b in left.boxes] == [0, 5, 10] and left.detected == 3
    filled = left.filled()
    assert [b.frame for b in filled] == list(range(11))
    assert filled[2].source == BoxSource.INTERPOLATED and filled[5].source == BoxSource.DETECTOR
    assert filled[2].box[0] == pytest.approx(0.12)


def test_tracker_drops_a_single_unsure_detection_and_ends_lost_tracks():
    tracker = ShotTracker(0, max_missed=1)
    tracker.add(0, [_det(0, 0.1), _det(0, 0.6, score=0.55)])
    for frame in (5, 10, 15):
        tracker.add(frame, [_det(frame, 0.1)])
    tracker.add(20, [_det(20, 0.6)])  # someone at the right again, after the first one there was lost
    tracks = tracker.finish()
    assert [(t.start_frame, t.end_frame) for t in tracks] == [(0, 15), (20, 20)]


def test_fill_keeps_single_boxes():
    only = TrackBox(4, (0.1, 0.1, 0.2, 0.2), 0.9, BoxSource.DETECTOR)
    assert fill([only]) == (only,)


def _track(shot: int, start: int, end: int, colour: list[float]) -> Track:
    boxes = (TrackBox(start, (0.1, 0.1, 0.3, 0.9), 0.9, BoxSource.DETECTOR), TrackBox(end, (0.1, 0.1, 0.3, 0.9), 0.9, BoxSource.DETECTOR))
    v = np.array(colour, np.float32)
    return Track(shot, boxes, tuple(float(x) for x in v / np.linalg.norm(v)))


def test_characters_group_alike_tracks_but_never_two_seen_together():
    red, blue = [1.0, 0.1, 0.0], [0.0, 0.1, 1.0]
    tracks = [_track(0, 0, 20, red), _track(0, 0, 20, red), _track(1, 30, 60, red), _track(2, 70, 90, blue)]
    groups = group_tracks(tracks)
    members = sorted(sorted(g.tracks) for g in groups)
    assert [3] in members  # the blue one alone
    together = [g for g in members if 0 in g or 1 in g]
    assert len(together) == 2 and not any({0, 1} <= set(g) for g in together)  # tracks 0 and 1 share frames in shot 0
    assert any(2 in g for g in together)


def test_sample_plan_keeps_inside_shots_and_reaches_their_edges():
    shots = [Shot(0, 0, 10, 0.0, 1.0), Shot(1, 10, 13, 1.0, 1.3)]
    plan = sample_plan(shots, fps=10.0, samples_per_s=3.0)
    assert plan == {0: 0, 3: 0, 6: 0, 9: 0, 10: 1, 12: 1}


def test_two_people_are_two_characters_across_the_shots(tmp_path):
    path = make_people_video(tmp_path / "two.mp4")
    bounds = np.cumsum([0] + [n for n, _, _ in SHOTS])
    shots = [Shot(i, int(a), int(b), a / 10, b / 10) for i, (a, b) in enumerate(zip(bounds, bounds[1:]))]
    result = find_people(path, shots, 10.0, PeopleOptions())
    assert [t.shot_index for t in result.tracks].count(0) == 2
    assert sorted(t.shot_index for t in result.tracks) == [0, 0, 1, 2, 3, 3]
    for t in result.tracks:  # no track crosses a cut
        assert shots[t.shot_index].start_frame <= t.start_frame <= t.end_frame < shots[t.shot_index].end_frame
    assert len(result.characters) == 2

    def who(track: Track) -> str:  # left person of shot 0 and 3 / the one alone in shots 1 and 2, from SHOTS
        centre = (track.boxes[0].box[0] + track.boxes[0].box[2]) / 2
        placed = SHOTS[track.shot_index][1]
        return min(placed, key=lambda p: abs(p[1] + 0.2 - centre))[0]

    names = [{who(result.tracks[i]) for i in c.tracks} for c in result.characters]
    assert sorted(map(sorted, names)) == [["A"], ["B"]]


def _look(seed: int) -> tuple[float, ...]:
    v = np.random.default_rng(seed).random(16).astype(np.float32) + np.eye(16, dtype=np.float32)[seed % 16] * 4
    return tuple(float(x) for x in v / np.linalg.norm(v))


def _seen(frame: int, x: float, look: tuple[float, ...], width: float = 0.12) -> Detection:
    from hhir.people.descriptors import BODY_DIM

    return Detection(frame, (x, 0.2, x + width, 0.95), 0.9, "body", None, (look * BODY_DIM)[:BODY_DIM])


def test_a_person_moving_about_their_width_between_samples_stays_one_track():
    # A pan: between two samples the person's box moves by about its width, so it hardly overlaps
    # the last box or the constant-velocity prediction (that jumps back and forth); a person dressed
    # otherwise walks beside them.
    tracker = ShotTracker(0)
    me, other = _look(1), _look(2)
    for n, x in enumerate((0.10, 0.21, 0.11, 0.22, 0.12)):
        tracker.add(n * 12, [_seen(n * 12, x, me), _seen(n * 12, 0.7 - x / 4, other)])
    tracks = tracker.finish()
    assert len(tracks) == 2
    left = min(tracks, key=lambda t: t.boxes[0].box[0])
    assert [b.frame for b in left.boxes] == [0, 12, 24, 36, 48]
    assert all(b.box[0] < 0.3 for b in left.boxes)


def test_near_but_unlike_never_continues_a_track():
    tracker = ShotTracker(0)
    tracker.add(0, [_seen(0, 0.1, _look(1))])
    tracker.add(12, [_seen(12, 0.12, _look(1))])
    tracker.add(24, [_seen(24, 0.13, _look(2))])  # someone else where the first one was: a new track
    assert [(t.start_frame, t.end_frame) for t in tracker.finish()] == [(0, 12), (24, 24)]


def test_a_person_lost_for_a_while_is_joined_back_only_to_their_own_track():
    tracker = ShotTracker(0, max_missed=1)
    me, other = _look(3), _look(4)
    frames = range(0, 12 * 10, 12)
    for n, frame in enumerate(frames):
        seen = [_seen(frame, 0.6, other)]
        if n < 3 or n > 5:  # hidden (or turned away) for three samples, then back elsewhere
            seen.append(_seen(frame, 0.1 if n < 3 else 0.35, me))
        tracker.add(frame, seen)
    tracks = tracker.finish()
    assert len(tracks) == 2
    mine = min(tracks, key=lambda t: t.boxes[0].box[0])
    assert [b.frame for b in mine.boxes] == [0, 12, 24, 72, 84, 96, 108]


def _dressed(background: tuple[int, int, int], people: list[tuple[float, tuple[int, int, int], tuple[int, int, int]]]) -> np.ndarray:
    """A BGR frame: people ``(left edge, coat colour, trousers colour)`` 0.1 of the frame wide on a
    textured ``background``."""
    rng = np.random.default_rng(5)
    frame = np.clip(np.array(background, np.float32) + rng.normal(0, 8, (360, 640, 3)), 0, 255).astype(np.uint8)
    for left, coat, trousers in people:
        x0 = int(left * 640)
        frame[20:80, x0 + 16 : x0 + 48] = (60, 80, 120)  # head and hair
        frame[80:200, x0 : x0 + 64] = coat
        frame[200:340, x0 + 8 : x0 + 56] = trousers
    return frame


def test_two_differently_dressed_people_never_merge_and_one_person_joins_across_backgrounds():
    from hhir.people.characters import track_descriptors
    from hhir.people.descriptors import body_descriptor

    red, jeans, black = (40, 40, 200), (140, 90, 50), (25, 25, 25)
    green, brown = (60, 140, 70), (50, 90, 140)
    shots = [(0, green, [(0.2, red, jeans), (0.6, black, black)]), (1, brown, [(0.3, red, jeans)]), (2, brown, [(0.5, black, black)])]
    tracks, who = [], []
    for shot, background, people in shots:
        for left, coat, _trousers in people:
            detections = []
            for k in range(3):  # the people drift; the detector's box follows, loose: half of it background
                frame = _dressed(background, [(p[0] + 0.01 * k, p[1], p[2]) for p in people])
                box = (left + 0.01 * k - 0.05, 0.05, left + 0.01 * k + 0.15, 0.98)
                look = body_descriptor(frame, box)
                detections.append(Detection(shot * 100 + k * 10, box, 0.9, "body", None, tuple(float(v) for v in look)))
            body, face = track_descriptors(detections)
            tracks.append(Track(shot, tuple(TrackBox(d.frame, d.box, 0.9, BoxSource.DETECTOR) for d in detections), body, face))
            who.append(coat)
    groups = group_tracks(tracks, PeopleOptions().group_distance)
    assert sorted(sorted(who.index(who[i]) for i in g.tracks) for g in groups) == [[0, 0], [1, 1]]
    assert all(len({who[i] for i in g.tracks}) == 1 for g in groups)


def test_a_person_the_camera_pans_past_stays_one_track_and_one_character(tmp_path):
    from media_factory import make_video

    # A jerky pan at 10 fps, sampled twice a second: the person's left edge at each sample jumps by
    # a fifth of the frame (about their body's width), right, back and right again.
    at_sample = [0.05, 0.25, 0.07, 0.27, 0.09, 0.29, 0.1]

    def frame(_g: int, local: int, height: int, width: int) -> np.ndarray:
        k, t = divmod(local, 5)
        a, b = at_sample[min(k, 6)], at_sample[min(k + 1, 6)]
        return scene([("A", a + (b - a) * t / 5)], (90, 110, 140))(0, 0, height, width)

    path = make_video(tmp_path / "pan.mp4", [(31, frame)], fps=10.0, size=(640, 360), audio=False)
    result = find_people(path, [Shot(0, 0, 31, 0.0, 3.1)], 10.0, PeopleOptions())
    assert len(result.tracks) == 1 and len(result.characters) == 1
    assert [b.frame for b in result.tracks[0].boxes] == [0, 5, 10, 15, 20, 25, 30]
