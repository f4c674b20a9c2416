"""``hhir people list | name | confirm | merge | split | move | split-track | merge-tracks | export | import``.

Every edit is one committed, undoable step of the video's history, recorded under ``--annotator``
(default: the settings' annotator, else the login name), as in the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from hhir.cli.dbparam import DATABASE, DB_HELP
from hhir.errors import HHIRError, printable

if TYPE_CHECKING:
    from hhir.store import Store
    from hhir.types import Character, Video

DB = click.option("--db", "db_path", type=DATABASE, default=None, help=DB_HELP)
ANNOTATOR = click.option("--annotator", default=None, help="Who makes the edit (default: the settings' annotator, else the login name).")


def _annotator(name: str | None) -> str:
    from hhir.cli.config import user_settings

    chosen: str = name or user_settings().annotator_name()
    return chosen


def _store(db_path: Path | None) -> Store:
    from hhir.cli.context import open_store

    store: Store = open_store(db_path)
    return store


def _video(store: Store, ref: str) -> Video:
    from hhir.cli.split import _video as find

    video: Video = find(store, ref)
    return video


def _character(store: Store, video_id: int, ref: str) -> Character:
    """A character of the video by its number or its name."""
    chars = store.characters(video_id)
    found = [c for c in chars if (ref.isdigit() and c.number == int(ref)) or c.name == ref]
    if len(found) != 1:
        raise HHIRError(f"{ref}: {'no character' if not found else 'several characters'} of video {video_id} "
                        "by that number or name (hhir people list shows them)")
    return found[0]


@click.group("people")
def people_group() -> None:
    """Who is on screen: characters across a video and their tracks per shot."""


@people_group.command("list")
@click.argument("video")
@DB
def list_people(video: str, db_path: Path | None) -> None:
    """The characters of VIDEO (id, path or file name) and their tracks."""
    store = _store(db_path)
    v = _video(store, video)
    tracks = store.person_tracks(v.id)
    chars = store.characters(v.id)
    if not chars and not tracks:
        click.echo(f"{printable(v.path)}: no people found (run hhir analyze, with --people)")
        return
    for c in chars:
        mine = [t for t in tracks if t.character_id == c.id]
        state = "confirmed" if c.confirmed else "suggested"
        shots = sorted({t.shot_index + 1 for t in mine})
        click.echo(f"person {c.number:<3} {printable(c.name or '-'):<20} {state:<10} {len(mine)} tracks in shots {', '.join(map(str, shots)) or '-'}")
        for t in mine:
            click.echo(f"    track {t.id:<6} shot {t.shot_index + 1:<4} frames {t.start_frame}-{t.end_frame}")
    loose = [t for t in tracks if t.character_id is None]
    for t in loose:
        click.echo(f"nobody     track {t.id:<6} shot {t.shot_index + 1:<4} frames {t.start_frame}-{t.end_frame}")


@people_group.command("name")
@click.argument("video")
@click.argument("person")
@click.argument("name")
@ANNOTATOR
@DB
def name(video: str, person: str, name: str, annotator: str | None, db_path: Path | None) -> None:
    """Name PERSON (number or current name) of VIDEO; naming confirms the character."""
    store = _store(db_path)
    v = _video(store, video)
    change = store.name_character(_character(store, v.id, person).id, name, _annotator(annotator))
    click.echo(change.description)


@people_group.command("confirm")
@click.argument("video")
@click.argument("person")
@ANNOTATOR
@DB
def confirm(video: str, person: str, annotator: str | None, db_path: Path | None) -> None:
    """Confirm that PERSON's tracks are all one person."""
    store = _store(db_path)
    v = _video(store, video)
    click.echo(store.confirm_character(_character(store, v.id, person).id, _annotator(annotator)).description)


@people_group.command("merge")
@click.argument("video")
@click.argument("keep")
@click.argument("other")
@ANNOTATOR
@DB
def merge(video: str, keep: str, other: str, annotator: str | None, db_path: Path | None) -> None:
    """Merge character OTHER into KEEP (numbers or names)."""
    store = _store(db_path)
    v = _video(store, video)
    a, b = _character(store, v.id, keep), _character(store, v.id, other)
    click.echo(store.merge_characters(a.id, b.id, _annotator(annotator)).description)


@people_group.command("split")
@click.argument("video")
@click.argument("tracks", nargs=-1, required=True, type=int)
@ANNOTATOR
@DB
def split(video: str, tracks: tuple[int, ...], annotator: str | None, db_path: Path | None) -> None:
    """Move TRACKS (ids) out of their character into a new one."""
    store = _store(db_path)
    _video(store, video)
    click.echo(store.split_character(list(tracks), _annotator(annotator)).description)


@people_group.command("move")
@click.argument("video")
@click.argument("person")
@click.argument("tracks", nargs=-1, required=True, type=int)
@ANNOTATOR
@DB
def move(video: str, person: str, tracks: tuple[int, ...], annotator: str | None, db_path: Path | None) -> None:
    """Put TRACKS (ids) into character PERSON (number or name; 'none': into nobody)."""
    store = _store(db_path)
    v = _video(store, video)
    target = None if person == "none" else _character(store, v.id, person).id
    click.echo(store.assign_tracks(list(tracks), target, _annotator(annotator)).description)


@people_group.command("split-track")
@click.argument("track", type=int)
@click.argument("frame", type=int)
@ANNOTATOR
@DB
def split_track(track: int, frame: int, annotator: str | None, db_path: Path | None) -> None:
    """Cut TRACK before FRAME (where the tracker swapped two people); the rest is a new track."""
    store = _store(db_path)
    change, new_id = store.split_track(track, frame, _annotator(annotator))
    click.echo(f"{change.description}: frames from {frame} are track {new_id}")


@people_group.command("merge-tracks")
@click.argument("keep", type=int)
@click.argument("other", type=int)
@ANNOTATOR
@DB
def merge_tracks(keep: int, other: int, annotator: str | None, db_path: Path | None) -> None:
    """Join track OTHER into track KEEP (both of one shot)."""
    store = _store(db_path)
    click.echo(store.merge_tracks(keep, other, _annotator(annotator)).description)


@people_group.command("export")
@click.argument("video")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["vidor", "ava", "labelstudio", "eaf"]), default="vidor", show_default=True,
              help="vidor: VidOR-style JSON trajectories; ava: AVA-style CSV, a box and person id per second; "
                   "labelstudio: a task with a video rectangle per track (and its labeling config beside it); "
                   "eaf: ELAN tiers per character with their speech turns.")
@DB
def export(video: str, out: Path, fmt: str, db_path: Path | None) -> None:
    """Write the people of VIDEO to the file OUT."""
    from hhir.exchange.people_io import export_people

    store = _store(db_path)
    v = _video(store, video)
    click.echo(f"wrote {printable(str(export_people(store, v.id, fmt, out)))}")


@people_group.command("import")
@click.argument("video")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["vidor", "ava", "labelstudio", "eaf"]), default="vidor", show_default=True,
              help="eaf reads speech turns only (to the characters of the video, by person number).")
@click.option("--replace", is_flag=True, help="Overwrite people a person edited or imported before.")
@DB
def import_(video: str, file: Path, fmt: str, replace: bool, db_path: Path | None) -> None:
    """Make the people in FILE the people of VIDEO (kept by later analyses)."""
    from hhir.exchange.people_io import import_people

    store = _store(db_path)
    v = _video(store, video)
    if fmt == "eaf":
        from hhir.exchange.people_eaf import import_speech_eaf

        click.echo(f"imported {len(import_speech_eaf(store, v.id, file))} speech turns into video {v.id}")
        return
    found = import_people(store, v.id, fmt, file, replace)
    click.echo(f"imported {len(found.groups)} people, {len(found.tracks)} tracks into video {v.id}")
