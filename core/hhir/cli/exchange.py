"""``hhir export`` and ``hhir import``: the exchange formats from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from hhir.cli.context import DB_OPTION, cancel_on_ctrl_c, open_store
from hhir.exchange import FORMATS, ExportOptions, ImportOptions, export, import_

_EXPORTS = [f.name for f in FORMATS if f.can_export]
_IMPORTS = [f.name for f in FORMATS if f.can_import]
_MODALITIES = ("video", "text", "audio")


def _encoders(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        modality, sep, encoder_id = value.partition("=")
        if not sep or modality not in _MODALITIES or not encoder_id:
            raise click.BadParameter(f"{value!r}: expected MODALITY=ENCODER_ID with modality video, text or audio", param_hint="--encoder")
        pairs.append((modality, encoder_id))
    return tuple(pairs)


def _pairs(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        name, sep, email = value.rpartition("=")
        if not sep or not name or "@" not in email:
            raise click.BadParameter(f"{value!r}: expected NAME=EMAIL", param_hint="--annotator-email")
        pairs.append((name, email))
    return tuple(pairs)


@click.command("export")
@click.option("--format", "fmt", required=True, type=click.Choice(_EXPORTS), help="Output format.")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@DB_OPTION
@click.option("--video", "video_ids", type=int, multiple=True, help="Only this video id (repeatable).")
@click.option("--reviewed-only", is_flag=True, help="Only clips marked reviewed.")
@click.option("--annotator", default=None, help="Only this annotator's labels.")
@click.option("--with-predictions", is_flag=True, help="Add the active model's scores (else the starter's) as separate columns / predictions.")
@click.option("--test-fraction", type=click.FloatRange(0.0, 1.0, max_open=True), default=0.2, show_default=True,
              help="Share of scenes in the test split.")
@click.option("--encoder", "encoders", multiple=True, metavar="MODALITY=ID",
              help="manifest: write the cached features of this encoder (repeatable).")
@click.option("--media-url-prefix", default="", metavar="URL",
              help="labelstudio: videos are served at URL/<file name> instead of Label Studio's local-files URLs.")
@click.option("--local-files-root", default="", metavar="DIR",
              help="labelstudio: the server's LOCAL_FILES_DOCUMENT_ROOT that local-files URLs are relative to (default /).")
@click.option("--annotator-email", "annotator_emails", multiple=True, metavar="NAME=EMAIL",
              help="labelstudio: the Label Studio account an annotator's work goes to (repeatable).")
def export_command(fmt, out, db_path, video_ids, reviewed_only, annotator, with_predictions, test_fraction, encoders,
                   media_url_prefix, local_files_root, annotator_emails) -> None:
    """Export the project's labels (and media, for seed) as FORMAT into the folder OUT."""
    options = ExportOptions(tuple(video_ids), reviewed_only, annotator, with_predictions, test_fraction, _encoders(encoders),
                            media_url_prefix, local_files_root, _pairs(annotator_emails))
    with open_store(db_path) as store, cancel_on_ctrl_c() as cancel:
        report = export(store, fmt, out, options, cancel=cancel)
    click.echo(f"{fmt}: {len(report.files)} files, {report.rows} rows, {report.videos} videos, {report.clips} clips -> {out}")
    for note in report.skipped:
        click.echo(f"skipped: {note}", err=True)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)


@click.command("import")
@click.option("--format", "fmt", required=True, type=click.Choice(_IMPORTS), help="Input format.")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@DB_OPTION
@click.option("--replace", is_flag=True, help="Overwrite differing existing annotations, transcripts or shots.")
@click.option("--annotator", default=None, help="Annotator name for files that carry none (overrides the file's).")
@click.option("--video", "video_id", type=int, default=None, help="The video the file belongs to (srt, vtt, shots).")
def import_command(fmt, path, db_path, replace, annotator, video_id) -> None:
    """Import PATH (a file or folder in FORMAT) into the project; conflicts need --replace."""
    with open_store(db_path) as store, cancel_on_ctrl_c() as cancel:
        report = import_(store, fmt, path, ImportOptions(replace, annotator, video_id), cancel=cancel)
    click.echo(
        f"{fmt}: {report.annotations_written} annotations, {report.segments_written} transcript segments, "
        f"{report.shots_written} shots written; {report.reviews_written} clips marked reviewed; {report.unchanged} unchanged; "
        f"{len(report.conflicts)} conflicts"
        + (f" ({report.replaced} replaced)" if replace else "")
    )
    for c in report.conflicts[:20]:
        clip = "scene" if c.target.clip_id is None else f"clip {c.target.clip_id}"
        click.echo(f"conflict: video {c.target.video_id} {clip} {c.label!r} ({c.annotator or '-'}): "
                   f"project has {c.existing}, file has {c.imported} [{c.where}]", err=True)
    if report.conflicts and not replace:
        click.echo("conflicting values were left as they are; pass --replace to overwrite them", err=True)
