"""``hhir labels list | add``: the project's label set."""

from __future__ import annotations

import click

from hhir.cli.dbparam import DATABASE, DB_HELP

DB = click.option("--db", "db_path", type=DATABASE, default=None, help=DB_HELP)


@click.group("labels")
def labels_group() -> None:
    """The project's interaction labels: list, add."""


@labels_group.command("list")
@DB
def list_labels(db_path) -> None:
    """Every label in display order, with its key, when it was added and its description."""
    from hhir.cli.context import open_store

    store = open_store(db_path)
    times = store.label_times()
    click.echo(f"{'label':<18}{'key':<5}{'added':<22}description")
    for label in store.labels():
        added = (times.get(label.name) or "with the project")[:19].replace("T", " ")
        click.echo(f"{label.name:<18}{label.key or '-':<5}{added:<22}{label.description}")


@labels_group.command("add")
@click.argument("name")
@click.option("--description", default="", help="What the label means, in plain words (the zero-shot starter reads it).")
@click.option("--key", default="", help="Keyboard key that toggles it in the app.")
@DB
def add_label(name, description, key, db_path) -> None:
    """Add the label NAME (or update the description and key of the one with that name)."""
    from hhir.cli.context import open_store
    from hhir.types import LabelDef

    store = open_store(db_path)
    name = name.strip()
    existed = any(label.name == name for label in store.labels())
    store.add_label(LabelDef(name, description, key))
    if existed:
        click.echo(f"updated label {name!r}")
        return
    click.echo(f"added label {name!r}; clips reviewed before now are unknown for it until someone marks it or "
               "reviews them again, and the active model needs retraining to score it (the starter scores it meanwhile)")
