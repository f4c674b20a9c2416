"""Import dispatch: read and validate the whole input, then apply it to the project."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from hhir.errors import ImportFormatError
from hhir.exchange.model import ImportData, ImportOptions, ImportReport, VideoRef
from hhir.exchange.safety import safe_join
from hhir.jobs import CancelToken, ProgressFn

if TYPE_CHECKING:
    from hhir.store import Store


def run_import(store: Store, fmt: str, path: Path, options: ImportOptions, progress: ProgressFn, cancel: CancelToken) -> ImportReport:
    if not path.exists():
        raise ImportFormatError(f"{path}: no such file or folder")
    progress(0.0, f"Reading {path.name}")
    data = _read(fmt, path, options)
    cancel.check()  # the last point to stop: what follows writes
    progress(0.5, "Writing to the project")
    if fmt in ("srt", "vtt"):
        from hhir.exchange.structure import import_transcripts

        report = import_transcripts(store, data, fmt, str(path), options)
    elif fmt == "shots":
        from hhir.exchange.structure import import_shots

        report = import_shots(store, data, fmt, str(path), options)
    else:
        from hhir.exchange.apply import import_labels

        report = import_labels(store, data, fmt, str(path), options)
        if data.transcripts:  # an EAF's transcript tier, edited in ELAN
            from dataclasses import replace

            from hhir.exchange.structure import import_transcripts

            text = import_transcripts(store, data, fmt, str(path), options)
            report = replace(report, segments_written=text.segments_written, conflicts=report.conflicts + text.conflicts,
                             replaced=report.replaced + text.replaced, videos=tuple(sorted({*report.videos, *text.videos})))
    progress(1.0, "Import finished")
    return report


def _read(fmt: str, path: Path, options: ImportOptions) -> ImportData:
    video = VideoRef() if options.video_id is not None else None  # a given video id wins over file names
    if fmt == "seed":
        from hhir.exchange.seed_layout import parse_seed_labels

        return parse_seed_labels(path, options.annotator)
    if fmt == "manifest":
        from hhir.exchange.manifest_read import parse_manifest_labels

        return parse_manifest_labels(path, options.annotator)
    if fmt == "eaf":
        from hhir.exchange.eaf import parse_eaf

        parts = [parse_eaf(f, options.annotator) for f in _files(path, ".eaf")]
        return ImportData(labels=tuple(r for p in parts for r in p.labels), reviewed=tuple(r for p in parts for r in p.reviewed),
                          transcripts=tuple(t for p in parts for t in p.transcripts))
    if fmt == "labelstudio":
        from hhir.exchange.labelstudio_read import parse_labelstudio

        return parse_labelstudio(path, options.annotator)
    if fmt in ("srt", "vtt"):
        from hhir.exchange.transcripts import parse_transcript

        return parse_transcript(_single(path), fmt, video)
    from hhir.exchange.scenes import parse_scene_list

    return parse_scene_list(_single(path), video)


def _files(path: Path, suffix: str) -> list[Path]:
    """``path`` itself, or the ``suffix`` files directly in the folder (links are not followed)."""
    if path.is_file():
        return [path]
    names = sorted(n for n in os.listdir(path) if n.lower().endswith(suffix))
    files = [safe_join(path, n) for n in names if not (path / n).is_symlink()]
    if not files:
        raise ImportFormatError(f"{path}: no {suffix} files in this folder")
    return files


def _single(path: Path) -> Path:
    if not path.is_file():
        raise ImportFormatError(f"{path}: expected a file")
    return path
