"""The app on a team project: ``--db postgresql://...`` opens the real window on the real server,
and undo in the window undoes the annotator's own edits only."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.postgresql


def test_db_argument_keeps_a_url_and_resolves_a_file(tmp_path: Path) -> None:
    from hhir.settings import Settings
    from hhir_studio.app import database_path, parse_args

    url = "postgresql://ana@db.lab/films"
    args = parse_args(["--db", url])
    assert args.db == url and database_path(args, Settings()) == url
    assert database_path(parse_args([]), Settings(database=url)) == url
    assert database_path(parse_args(["--db", str(tmp_path / "p.sqlite")]), Settings()) == tmp_path / "p.sqlite"


def test_window_on_a_server_project_undoes_only_your_own_edits(qapp, pg_url: str, tmp_path: Path) -> None:
    from hhir.store import Store
    from hhir.types import AnnotationState, Clip, Target, VideoInfo
    from hhir_studio.app import Arguments, create_window

    team = Store(pg_url)
    video = team.add_video(VideoInfo("/films/a.mp4", 9.0, 25.0, 225, 160, 120, False, fingerprint="fp-app-team"))
    clips = team.set_clips(video.id, [Clip(i, i, i, float(i * 3), float(i * 3 + 3), i * 75, i * 75 + 75) for i in range(3)])
    window = create_window(Arguments(pg_url, []))
    try:
        assert "postgresql" in window.windowTitle() and "films" not in window.windowTitle()
        session = window.session
        session.open_video(video.id)
        session.select(Target(video.id, clips[0].id))
        me = session.annotator
        assert session.cycle_label(1)  # key 1: "asks" present
        # A teammate labels the same clip from their own machine, after me.
        team.annotate(Target(video.id, clips[0].id), "asks", AnnotationState.ABSENT, "teammate")
        assert session.undo()
        left = {(a.annotator, a.label, a.state) for a in team.annotations(video.id)}
        assert left == {("teammate", "asks", AnnotationState.ABSENT)}  # mine is undone, theirs kept
        assert me != "teammate"
    finally:
        window.close()
        window.store.close()  # now, not when Qt gets round to deleting the window
        window.deleteLater()
        team.close()


@pytest.mark.slow
def test_an_edit_while_the_server_is_away_is_refused_on_the_status_line(qapp, pg_server, pg_url: str) -> None:
    from hhir.store import Store
    from hhir.types import Clip, Target, VideoInfo
    from hhir_studio.app import Arguments, create_window

    team = Store(pg_url)
    video = team.add_video(VideoInfo("/films/b.mp4", 6.0, 25.0, 150, 160, 120, False, fingerprint="fp-app-away"))
    clips = team.set_clips(video.id, [Clip(i, i, i, float(i * 3), float(i * 3 + 3), i * 75, i * 75 + 75) for i in range(2)])
    window = create_window(Arguments(pg_url, []))
    try:
        window.session.open_video(video.id)
        window.session.select(Target(video.id, clips[1].id))
        pg_server.stop("immediate")
        try:
            assert window.registry.trigger("label.1")  # no exception escapes into Qt
            assert "cannot be reached" in window.statusBar().currentMessage()
            assert window.session.selected == Target(video.id, clips[1].id)  # still open for reading
        finally:
            pg_server.start()
        assert team.annotations(video.id) == []  # refused, so nothing was kept
        assert window.registry.trigger("label.1") and len(team.annotations(video.id)) == 1
    finally:
        window.close()
        window.store.close()  # now, not when Qt gets round to deleting the window
        window.deleteLater()
        team.close()


def _flagged_pixels(window) -> int:
    """Pixels of the disagreement colour in the painted timeline."""
    from hhir_studio.timeline.painter import DISPUTED

    image = window.timeline.grab().toImage()
    want = (DISPUTED.red(), DISPUTED.green(), DISPUTED.blue())

    def close(x: int, y: int) -> bool:
        c = image.pixelColor(x, y)
        return max(abs(c.red() - want[0]), abs(c.green() - want[1]), abs(c.blue() - want[2])) <= 12

    return sum(close(x, y) for x in range(image.width()) for y in range(image.height()))


def test_disagreements_are_flagged_on_the_timeline_and_visited_with_d(qapp, tmp_path: Path) -> None:
    from hhir.store import Store
    from hhir.types import AnnotationState, Clip, Target, VideoInfo
    from hhir_studio.app import Arguments, create_window

    db = tmp_path / "team.sqlite"
    team = Store(db)
    video = team.add_video(VideoInfo("/films/c.mp4", 12.0, 25.0, 300, 160, 120, False, fingerprint="fp-app-flags"))
    clips = team.set_clips(video.id, [Clip(i, i, i, float(i * 3), float(i * 3 + 3), i * 75, i * 75 + 75) for i in range(4)])
    team.annotate(Target(video.id, clips[2].id), "asks", AnnotationState.PRESENT, "ana")
    team.annotate(Target(video.id, clips[2].id), "asks", AnnotationState.ABSENT, "ben")
    window = create_window(Arguments(db, []))
    try:
        window.resize(1000, 700)
        window.show()
        session = window.session
        session.open_video(video.id)
        session.select(Target(video.id, None))  # the scene: no clip's selection band tints the flag
        qapp.processEvents()
        assert session.disputed == {Target(video.id, clips[2].id)}
        assert _flagged_pixels(window) > 0
        assert window.registry.trigger("review.next_disagreement") and session.selected == Target(video.id, clips[2].id)
        team.adjudicate(Target(video.id, clips[2].id), "asks", AnnotationState.ABSENT, "carla")
        session.reload()
        session.select(Target(video.id, None))
        qapp.processEvents()
        assert session.disputed == frozenset() and _flagged_pixels(window) == 0  # settled: no flag
        assert window.registry.trigger("review.next_disagreement") is True and "No disagreements" in window.statusBar().currentMessage()
    finally:
        window.close()
        window.store.close()  # now, not when Qt gets round to deleting the window
        window.deleteLater()
        team.close()
