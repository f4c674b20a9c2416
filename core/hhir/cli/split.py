"""``hhir split list | move``: the project's fixed train / validation / test sides."""

from __future__ import annotations

import click

from hhir.cli.dbparam import DATABASE, DB_HELP
from hhir.errors import HHIRError

DB = click.option("--db", "db_path", type=DATABASE, default=None, help=DB_HELP)
SIDES = ("train", "validation", "test")


@click.group("split")
def split_group() -> None:
    """Which videos train, validate and test every model (assigned once, kept for good)."""


@split_group.command("list")
@DB
def list_split(db_path) -> None:
    """Each video's side; videos get one the first time a model trains with them."""
    from hhir.cli.context import open_store

    store = open_store(db_path)
    sides = store.video_sides()
    counts = {side: 0 for side in SIDES}
    for video in store.videos():
        row = sides.get(video.fingerprint)
        if row is not None:
            counts[row.side] += 1
        note = "" if row is None or row.moved_at is None else f"  (moved by hand {row.moved_at[:19].replace('T', ' ')})"
        film = f"  [film {row.film}]" if row is not None and row.film else ""
        click.echo(f"{video.id:>5}  {row.side if row else '-':<11}{video.path}{film}{note}")
    click.echo(", ".join(f"{n} {side}" for side, n in counts.items()) + "; - = no side yet")


def _video(store, ref: str):
    videos = store.videos()
    if ref.isdigit():
        found = [v for v in videos if v.id == int(ref)]
    else:
        found = [v for v in videos if v.path == ref or v.path.endswith("/" + ref) or v.fingerprint == ref]
    if len(found) != 1:
        raise HHIRError(f"{ref}: {'no video' if not found else 'several videos'} in this project by that id, path or file name"
                        " (hhir split list shows them)")
    return found[0]


@split_group.command("move")
@click.argument("video")
@click.argument("side", type=click.Choice(SIDES))
@DB
def move(video, side, db_path) -> None:
    """Move VIDEO (id, path or file name) to SIDE, and say which models' figures that invalidates."""
    from hhir.cli.context import open_store
    from hhir.learn.project_split import move_videos

    store = open_store(db_path)
    found = _video(store, video)
    report = move_videos(store, [found.fingerprint], side)
    if not report.moved:
        click.echo(f"video {found.id} is already on {side}")
        return
    _print_moves(store, report)


def _print_moves(store, report) -> None:
    by_fingerprint = {v.fingerprint: v for v in store.videos()}
    for fingerprint, was, now in report.moved:
        found = by_fingerprint[fingerprint]
        click.echo(f"moved video {found.id} ({found.path}) from {was} to {now}")
        if was == "train":
            click.echo("  models trained from now on never train on it; models that already did keep it out of their held-out figures")
        elif now == "train":
            click.echo("  models trained from now on train on it: their held-out figures are not comparable with earlier models'")
    for model_id, effect in report.models:
        click.echo(f"  invalidates {model_id}: {effect}")
    if not report.models:
        click.echo("  no trained model used them")


@split_group.command("film")
@click.argument("film")
@click.argument("videos", nargs=-1, required=True)
@DB
def film(film, videos, db_path) -> None:
    """Name FILM as the source of VIDEOS (ids, paths or file names): scenes of one film share a side."""
    from hhir.cli.context import open_store
    from hhir.learn.project_split import group_film

    store = open_store(db_path)
    found = [_video(store, ref) for ref in videos]
    report = group_film(store, [v.fingerprint for v in found], film)
    side = store.video_sides()[found[0].fingerprint].side
    click.echo(f"film {film}: {len(found)} video(s) on {side}")
    if report.moved:
        _print_moves(store, report)
