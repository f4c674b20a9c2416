"""Export corrected labels as training data and import other tools' annotations.

Public API (what the CLI and the app's export dialog call)::

    export(store, fmt, out, options, progress, cancel) -> ExportReport
    import_(store, fmt, path, options, progress, cancel) -> ImportReport
    FORMATS: tuple[FormatInfo, ...]      # names, descriptions, directions
    read_manifest(path) -> Manifest      # a manifest export read back, for training

Every exported file is written atomically; ``out`` is a folder. Imports validate the whole file
before writing anything and never overwrite a different existing annotation without ``replace``.

Files: ``exporters`` and ``importers`` (dispatch), ``collect`` (what an export reads, filtered
once), ``apply`` (writing imported records), ``model`` (not a learned model: the options, reports
and typed records between the store and the formats), ``naming`` (file names, split by scene),
``safety`` (atomic writes, safe joins, defused XML); one file per format: ``manifest`` and
``manifest_read``, ``seed_layout``, ``eaf``, ``ava`` and ``ava_slowfast`` (SlowFast's file names and
keyframe window), ``labelstudio`` and ``labelstudio_read``,
``transcripts`` (SRT, WebVTT), ``scenes`` (PySceneDetect CSV) and ``structure`` (importing a whole
transcript or shot list); ``clock`` (every exported time is the presentation time of its frame).
People (who is on screen): ``people_record`` (what a people file says), ``people_io`` (storing an
import), one file per format: ``people_ava``, ``people_vidor``, ``people_labelstudio``, ``people_eaf``.
Interactions (who does what to whom): ``interactions_io`` (the record and storing an import), with
``interactions_eaf`` and ``interactions_labelstudio`` (VidOR and AVA go with the people files).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hhir.errors import HHIRError
from hhir.exchange.manifest_read import Manifest, ManifestRow, read_manifest
from hhir.exchange.model import Conflict, ExportOptions, ExportReport, ImportOptions, ImportReport
from hhir.jobs import CancelToken, ProgressFn, no_progress

if TYPE_CHECKING:
    from hhir.store import Store

__all__ = [
    "FORMATS", "Conflict", "ExportOptions", "ExportReport", "FormatInfo", "ImportOptions", "ImportReport",
    "Manifest", "ManifestRow", "export", "format_info", "import_", "read_manifest",
]


@dataclass(frozen=True)
class FormatInfo:
    name: str
    description: str
    can_export: bool = True
    can_import: bool = True


FORMATS: tuple[FormatInfo, ...] = (
    FormatInfo("seed", "The seed paper's training layout: clip .mp4/.srt/.mp3 files and Clip,Interaction CSVs"),
    FormatInfo("manifest", "One row per clip (CSV + JSONL) with 1/0/-1 labels, split, and cached features (safetensors)"),
    FormatInfo("eaf", "ELAN EAF 3.0 per video: shots, clips, transcript and one tier per label"),
    FormatInfo("ava", "AVA-style action CSV (whole-frame boxes) with a label map", can_import=False),
    FormatInfo("ava-slowfast", "AVA files and frame lists SlowFast's AVA loader reads as they are", can_import=False),
    FormatInfo("labelstudio", "Label Studio JSON tasks with annotations and predictions"),
    FormatInfo("srt", "Transcripts as SubRip subtitles, one file per video"),
    FormatInfo("vtt", "Transcripts as WebVTT subtitles, one file per video"),
    FormatInfo("shots", "Shot boundaries as PySceneDetect's scene-list CSV"),
)


def format_info(name: str) -> FormatInfo:
    """The format called ``name``; raises :class:`HHIRError` listing the known ones."""
    for info in FORMATS:
        if info.name == name:
            return info
    raise HHIRError(f"unknown format {name!r}; known: {', '.join(f.name for f in FORMATS)}")


def export(
    store: Store, fmt: str, out: str | Path, options: ExportOptions = ExportOptions(),
    progress: ProgressFn = no_progress, cancel: CancelToken | None = None,
) -> ExportReport:
    """Export the project (filtered by ``options``) as ``fmt`` into the folder ``out``.

    Args:
        store: the open project.
        fmt: a name from :data:`FORMATS`.
        out: destination folder (created if missing); existing files of the same names are
            replaced atomically, other files are left alone.
        options: filters and extras.
        progress: ``(fraction, message)`` callback.
        cancel: checked between files; a cancelled export raises ``Cancelled`` and leaves
            nothing (it is written beside ``out`` and moved into place at the end).

    Returns:
        An :class:`ExportReport` listing the files written.
    """
    from hhir.exchange.exporters import run_export

    if not format_info(fmt).can_export:
        raise HHIRError(f"format {fmt!r} cannot be exported")
    return run_export(store, fmt, Path(out), options, progress, cancel or CancelToken())


def import_(
    store: Store, fmt: str, path: str | Path, options: ImportOptions = ImportOptions(),
    progress: ProgressFn = no_progress, cancel: CancelToken | None = None,
) -> ImportReport:
    """Import the file (or folder) ``path`` written in ``fmt`` into the project.

    The whole input is read and validated first; a malformed file raises
    :class:`hhir.errors.ImportFormatError` naming the file and line or element, and nothing is
    written. Differences from existing annotations are returned as conflicts, and only written
    when ``options.replace`` is set.
    """
    from hhir.exchange.importers import run_import

    if not format_info(fmt).can_import:
        raise HHIRError(f"format {fmt!r} cannot be imported")
    return run_import(store, fmt, Path(path), options, progress, cancel or CancelToken())
