"""``hhir doctor``: the installation, the models found, and the project's health."""

from __future__ import annotations

from pathlib import Path

import click

from hhir.cli.context import DB_OPTION


@click.command()
@DB_OPTION
@click.option("--check", "full_check", is_flag=True, help="Run SQLite's full integrity check on the project file.")
@click.option("--repair", is_flag=True, help="Rebuild a damaged project file into a fresh copy (the original is kept).")
def doctor(db_path: Path | None, full_check: bool, repair: bool) -> None:
    """Show what is installed, which models are found, and where the project database is."""
    from hhir.doctor import check_lines, repair_lines, report

    if full_check or repair:
        ok, lines = (repair_lines if repair else check_lines)(db_path)
        for line in lines:
            click.echo(line)
        if not ok:
            raise click.exceptions.Exit(1)
        return
    for line in report(db_path):
        click.echo(line)
