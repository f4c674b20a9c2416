"""``hhir interactions add | list | set | delete | export | import``: who does what to whom, and when.

ACTOR and TARGET name a character of the video by its person number or name (as ``hhir people
list`` shows them), or by its database id as ``id:N``; TARGET may also be ``group``, ``offscreen``
or ``unknown`` (these words win over a character of that name). START and END are decoded frame
indices, or seconds on the stream's clock with an ``s`` (``4.2s`` is frame round(4.2 x fps)); the
span is ``[START, END)``. Every edit is one committed, undoable step, under ``--annotator``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hhir.cli.dbparam import DATABASE, DB_HELP
from hhir.cli.people import _annotator, _store, _video
from hhir.errors import HHIRError, printable
from hhir.types import INTERACTION_STATES, TARGET_KINDS

if TYPE_CHECKING:
    from hhir.store import Store
    from hhir.types import Character, Interaction, Video

DB = click.option("--db", "db_path", type=DATABASE, default=None, help=DB_HELP)
ANNOTATOR = click.option("--annotator", default=None, help="Who makes the edit (default: the settings' annotator, else the login name).")
STATE = click.option("--state", type=click.Choice(INTERACTION_STATES), default=None,
                     help="present (default for a new one), absent (checked, not so) or unreviewed.")


def character(store: Store, video_id: int, ref: str) -> Character:
    """A character of the video by person number, name, or ``id:N``."""
    chars = store.characters(video_id)
    if ref.startswith("id:") and ref[3:].isdigit():
        found = [c for c in chars if c.id == int(ref[3:])]
    else:
        found = [c for c in chars if (ref.isdigit() and c.number == int(ref)) or c.name == ref]
    if len(found) != 1:
        raise HHIRError(f"{ref}: {'no character' if not found else 'several characters'} of video {video_id} "
                        "by that number, name or id:N (hhir people list shows them)")
    return found[0]


def target(store: Store, video_id: int, ref: str) -> tuple[str, int | None]:
    """(target kind, character id) for ``group``, ``offscreen``, ``unknown`` or a character."""
    if ref in TARGET_KINDS and ref != "character":
        return ref, None
    return "character", character(store, video_id, ref).id


def frame(video: Video, ref: str) -> int:
    """A frame index, or seconds with an ``s`` converted on the stream's clock."""
    text = ref.strip().lower()
    try:
        if text.endswith("s"):
            seconds = float(text[:-1])
            if not seconds >= 0:
                raise ValueError
            return round(seconds * video.fps)
        value = int(text)
        if value < 0:
            raise ValueError
        return value
    except ValueError:
        raise HHIRError(f"{printable(ref)}: a time is a frame index (120) or seconds with an s (4.8s), not negative") from None


def _who(names: dict[int, str], i: Interaction) -> tuple[str, str]:
    return names.get(i.actor_id, f"id:{i.actor_id}"), names.get(i.target_id, "?") if i.target_id is not None else i.target_kind


def describe(store: Store, video: Video, items: list[Interaction]) -> list[str]:
    names = {c.id: c.name or f"person {c.number}" for c in store.characters(video.id)}
    lines = []
    for i in items:
        actor, whom = _who(names, i)
        span = f"{i.start_frame}-{i.end_frame} ({i.start_frame / video.fps:.2f}-{i.end_frame / video.fps:.2f} s)"
        cue = f"  [{printable(i.evidence)}]" if i.evidence else ""
        lines.append(f"{i.id:<6} {span:<26} {printable(actor)} -> {printable(whom)}: {i.label}  "
                     f"{i.state}, {printable(i.annotator)}, {i.source}{cue}")
    return lines


@click.group("interactions")
def interactions_group() -> None:
    """Who does what to whom: directed interactions between characters over a span of frames."""


@interactions_group.command("add")
@click.argument("video")
@click.argument("actor")
@click.argument("label")
@click.argument("whom", metavar="TARGET")
@click.argument("start")
@click.argument("end")
@STATE
@ANNOTATOR
@DB
def add(video: str, actor: str, label: str, whom: str, start: str, end: str, state: str | None,
        annotator: str | None, db_path: Path | None) -> None:
    """ACTOR does LABEL to TARGET in VIDEO over [START, END) (frames, or seconds with an s)."""
    store = _store(db_path)
    v = _video(store, video)
    kind, target_id = target(store, v.id, whom)
    change, iid = store.add_interaction(v.id, character(store, v.id, actor).id, label, kind, target_id,
                                        frame(v, start), frame(v, end), _annotator(annotator), state or "present")
    click.echo(f"{iid}: {change.description}")


@interactions_group.command("list")
@click.argument("video")
@click.option("--person", default=None, help="Only where this character (number, name or id:N) is actor or target.")
@click.option("--by", "by", default=None, help="Only this annotator's.")
@DB
def list_(video: str, person: str | None, by: str | None, db_path: Path | None) -> None:
    """The interactions of VIDEO by start frame: id, span, actor -> target, label, state, annotator, source."""
    store = _store(db_path)
    v = _video(store, video)
    who = character(store, v.id, person).id if person is not None else None
    found = store.interactions(v.id, by, who)
    if not found:
        click.echo(f"{printable(v.path)}: no interactions")
    for line in describe(store, v, found):
        click.echo(line)


@interactions_group.command("set")
@click.argument("interaction", type=int)
@click.option("--actor", default=None)
@click.option("--label", default=None)
@click.option("--target", "whom", default=None, help="A character, group, offscreen or unknown.")
@click.option("--start", default=None, help="Frame, or seconds with an s.")
@click.option("--end", default=None, help="Frame (exclusive), or seconds with an s.")
@STATE
@ANNOTATOR
@DB
def set_(interaction: int, actor: str | None, label: str | None, whom: str | None, start: str | None, end: str | None,
         state: str | None, annotator: str | None, db_path: Path | None) -> None:
    """Change INTERACTION (its id in hhir interactions list): one undoable step."""
    store = _store(db_path)
    current = store.interaction(interaction)
    v = store.video(current.video_id)
    changes: dict[str, Any] = {}
    if actor is not None:
        changes["actor_id"] = character(store, v.id, actor).id
    if whom is not None:
        changes["target_kind"], changes["target_id"] = target(store, v.id, whom)
    changes.update({field: given for field, given in (("label", label), ("state", state)) if given is not None})
    for field, given in (("start_frame", start), ("end_frame", end)):
        if given is not None:
            changes[field] = frame(v, given)
    if not changes:
        raise HHIRError("nothing to change: give --actor, --label, --target, --start, --end or --state")
    click.echo(store.set_interaction(interaction, _annotator(annotator), **changes).description)


@interactions_group.command("delete")
@click.argument("interaction", type=int)
@ANNOTATOR
@DB
def delete(interaction: int, annotator: str | None, db_path: Path | None) -> None:
    """Delete INTERACTION (undoable)."""
    store = _store(db_path)
    click.echo(store.delete_interaction(interaction, _annotator(annotator)).description)


@interactions_group.command("export")
@click.argument("video")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["vidor", "ava", "eaf", "labelstudio"]), default="vidor", show_default=True,
              help="vidor: the people's VidOR-style JSON with relation_instances; ava: AVA-style CSV with a target_person_id column; "
                   "eaf: ELAN, a tier per character and label with a dependent tier naming the target; labelstudio: the people's "
                   "task with a relation between rectangles and a timeline label per interaction.")
@click.option("--by", default=None, help="ava: only this annotator's interactions (AVA has no annotator column).")
@DB
def export(video: str, out: Path, fmt: str, by: str | None, db_path: Path | None) -> None:
    """Write VIDEO's interactions to the file OUT."""
    from hhir.exchange.interactions_io import export_interactions
    from hhir.exchange.people_io import export_people

    store = _store(db_path)
    v = _video(store, video)
    if fmt == "vidor":
        written = export_people(store, v.id, "vidor", out)
    elif fmt == "eaf":
        from hhir.exchange.interactions_eaf import export_interactions_eaf

        written = export_interactions_eaf(store, v.id, out)
    elif fmt == "labelstudio":
        from hhir.exchange.interactions_labelstudio import export_interactions_labelstudio

        written = export_interactions_labelstudio(store, v.id, out)
    else:
        written = export_interactions(store, v.id, fmt, out, by)
    click.echo(f"wrote {printable(str(written))}")


@interactions_group.command("import")
@click.argument("video")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["vidor", "ava", "eaf", "labelstudio"]), default="vidor", show_default=True)
@click.option("--replace", is_flag=True, help="Overwrite the video's interactions.")
@ANNOTATOR
@DB
def import_(video: str, file: Path, fmt: str, replace: bool, annotator: str | None, db_path: Path | None) -> None:
    """Make FILE's interactions VIDEO's (its characters, by person number, must be there: hhir people import)."""
    from hhir.exchange.interactions_io import import_interactions, import_records

    store = _store(db_path)
    v = _video(store, video)
    if fmt == "eaf":
        from hhir.exchange.interactions_eaf import read_interactions_eaf

        n = import_records(store, v.id, read_interactions_eaf(file, v, _annotator(annotator)), file, _annotator(annotator), replace)
    elif fmt == "labelstudio":
        from hhir.exchange.interactions_labelstudio import read_interactions_labelstudio

        n = import_records(store, v.id, read_interactions_labelstudio(file, v, _annotator(annotator)), file, _annotator(annotator), replace)
    else:
        n = import_interactions(store, v.id, fmt, file, _annotator(annotator), replace)
    click.echo(f"{printable(v.path)}: {n} interactions from {printable(str(file))}")
