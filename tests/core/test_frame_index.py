"""The frame index the analysis keeps is PyAV's own decode of the file: the count of decoded frames
and each one's timestamp, for a constant rate, a variable rate and a stream that starts 0.5 s late
(MP4 and Matroska); it survives the store byte for byte and is dropped when the file changes."""

from __future__ import annotations

import os
from fractions import Fraction

import numpy as np
import pytest

from hhir.jobs import CancelToken, Cancelled
from hhir.media.frame_index import FileState, FrameIndex, build_frame_index, index_matches
from hhir.pipeline import analyze
from hhir.pipeline.frames import ensure_frame_index, kept_frame_index
from hhir.store import Store
from media_factory import make_timed_video

STEADY = [i / 25 for i in range(75)]
LATE = [0.5 + i / 25 for i in range(60)]
_GAPS = np.random.default_rng(3).choice([0.02, 0.04, 0.08, 0.033], 99)
VARIABLE = [float(t) for t in np.concatenate([[0.0], np.cumsum(_GAPS)])]
FILMS = {"steady": STEADY, "late": LATE, "variable": VARIABLE}


def _pyav(path) -> tuple[Fraction, list[int], float]:
    """PyAV's decode: the time base, every decoded frame's pts, the container's start (s)."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        start = container.start_time / 1_000_000 if container.start_time is not None else 0.0
        return Fraction(stream.time_base), [f.pts for f in container.decode(stream)], start


def _analysed_until_shots(db: Store, path) -> int:
    """The real analysis, stopped once its shots (and the frame index with them) are committed."""
    token = CancelToken()

    def progress(fraction: float, _message: str) -> None:
        if fraction >= 0.2:
            token.cancel()

    with pytest.raises(Cancelled):
        analyze(db, path, progress=progress, cancel=token)
    (video,) = [v for v in db.videos() if os.path.samefile(v.path, path)]
    return video.id


@pytest.mark.parametrize("container", ["mp4", "mkv"])
@pytest.mark.parametrize("film", sorted(FILMS))
def test_analysis_keeps_the_decoded_frames_and_their_timestamps(tmp_path, film, container):
    path = make_timed_video(tmp_path / f"{film}.{container}", FILMS[film], audio=False)
    time_base, pts, start = _pyav(path)
    with Store(tmp_path / "p.sqlite") as db:
        video_id = _analysed_until_shots(db, path)
        kept = db.frame_index(video_id)
        assert kept is not None
        index, state = kept
        assert index.frame_count == len(pts) == len(FILMS[film]) == db.shots(video_id)[-1].end_frame
        assert index.time_base == time_base and index.pts.tolist() == pts
        assert state.size == path.stat().st_size and state.fingerprint == db.video(video_id).fingerprint
        timebase = index.timebase(db.video(video_id).fps)
        assert timebase.frame_count == len(pts)
        assert np.allclose(timebase.starts, [float(p * time_base) - start for p in pts])
        assert abs(float(index.pts[0] * time_base) - FILMS[film][0]) < 0.002  # 0.5 s for the late stream
        # the intervals are the film's own (the header's average rate would put a variable one's frames elsewhere)
        assert np.allclose(np.subtract(timebase.starts, timebase.starts[0]), np.subtract(FILMS[film], FILMS[film][0]), atol=0.002)
        assert kept_frame_index(db, db.video(video_id)) is not None


def test_pack_round_trips_and_refuses_a_short_blob():
    index = FrameIndex(Fraction(1, 90000), np.array([-7200, 0, 3600, 9000, 9001], dtype=np.int64), 12, 3600)
    data = index.pack()
    back = FrameIndex.unpack(data, 5, Fraction(1, 90000), 12, 3600)
    assert back.pts.tolist() == index.pts.tolist() and back.origin_us == 12 and back.last_duration == 3600
    with pytest.raises(ValueError, match="expected 6"):
        FrameIndex.unpack(data, 6, Fraction(1, 90000))
    steady = FrameIndex(Fraction(1, 90000), np.arange(0, 3600 * 100_000, 3600, dtype=np.int64))
    assert len(steady.pack()) < 2_000  # 100,000 frames of a constant rate pack to a few hundred bytes


def test_a_changed_file_drops_the_index_and_a_touched_one_keeps_it(tmp_path):
    path = make_timed_video(tmp_path / "film.mp4", STEADY, audio=False)
    index = build_frame_index(path)
    assert index.pts.tolist() == _pyav(path)[1]
    state = FileState.of(path)
    assert index_matches(state, path)
    os.utime(path, ns=(state.mtime_ns + 5_000_000_000, state.mtime_ns + 5_000_000_000))
    assert index_matches(state, path)  # same content, another time (a copy, a touch)
    make_timed_video(path, LATE, audio=False)
    assert not index_matches(state, path)
    assert not index_matches(state, tmp_path / "gone.mp4")


def test_a_video_nobody_analysed_gets_its_index_once_and_a_changed_file_a_new_one(tmp_path):
    from hhir.media.probe import probe

    path = make_timed_video(tmp_path / "late.mkv", LATE, audio=False)
    with Store(tmp_path / "p.sqlite") as db:
        video = db.add_video(probe(path))
        assert db.frame_index(video.id) is None and kept_frame_index(db, video) is None
        index = ensure_frame_index(db, video.id)
        assert index.pts.tolist() == _pyav(path)[1] and index.frame_count == 60
        kept = db.frame_index(video.id)
        assert kept is not None and kept[1].size == path.stat().st_size
        assert ensure_frame_index(db, video.id).pts.tolist() == index.pts.tolist()
        make_timed_video(path, STEADY, audio=False)  # replaced on disk by another film
        assert kept_frame_index(db, video) is None
        assert ensure_frame_index(db, video.id).frame_count == 75
        assert kept_frame_index(db, video) is not None


def test_a_kept_video_without_an_index_gets_one_on_the_next_analysis(tmp_path):
    """A project from before frame indexes: its shots are kept, the index is decoded once."""
    import sqlite3

    path = make_timed_video(tmp_path / "variable.mp4", VARIABLE, audio=False)
    project = tmp_path / "p.sqlite"
    with Store(project) as db:
        video_id = _analysed_until_shots(db, path)
    with sqlite3.connect(project) as raw:  # as 0009 leaves an older project: no index
        raw.execute("DELETE FROM frame_indexes")
    raw.close()
    with Store(project) as db:
        assert db.frame_index(video_id) is None
        _analysed_until_shots(db, path)
        kept = db.frame_index(video_id)
        assert kept is not None and kept[0].pts.tolist() == _pyav(path)[1]
