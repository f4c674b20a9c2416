"""Export dispatch: collect once, then hand the typed data to the format's writer."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from hhir.exchange.collect import collect, require_content
from hhir.exchange.model import ExportData, ExportOptions, ExportReport
from hhir.jobs import CancelToken, ProgressFn, sub_progress

if TYPE_CHECKING:
    from hhir.store import Store


def run_export(store: Store, fmt: str, out: Path, options: ExportOptions, progress: ProgressFn, cancel: CancelToken) -> ExportReport:
    """Every export is written into a temporary folder beside ``out`` and moved into place at the
    end: a full disk, an error or a cancel half-way leaves nothing behind (no manifest without its
    features file, no empty folders, no partial seed tree) and ``out`` as it was."""
    progress(0.0, f"Reading the project for {fmt}")
    data = collect(store, options)
    require_content(data, fmt)
    cancel.check()
    with _staged(out) as staging:
        files, rows, skipped, notes = _write(store, fmt, data, staging, options, sub_progress(progress, 0.05, 1.0), cancel)
        cancel.check()
        files = _move_into_place(staging, out, files)
    progress(1.0, f"Exported {len(files)} files")
    clips = sum(len(v.clips) for v in data.videos)
    return ExportReport(fmt, tuple(str(f) for f in files), rows, len(data.videos), clips, tuple(skipped), tuple(notes))


@contextlib.contextmanager
def _staged(out: Path) -> Iterator[Path]:
    """A new temporary folder beside ``out`` (same file system, so moving is renaming); removed,
    with any folder made for it, when the block fails. A failure is the user's one-line error
    naming the folder, and the disk when it is full."""
    from hhir.errors import HHIRError, printable
    from hhir.fsutil import disk_problem

    if out.exists() and not out.is_dir():
        raise HHIRError(f"{printable(out)}: exists and is not a folder; choose another output folder")
    made = [p for p in (out.parent, *out.parent.parents) if not p.exists()]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.export-", dir=out.parent))
    except FileExistsError:
        raise HHIRError(f"{printable(out)}: a file is in the way of its folder; choose another output folder") from None
    except OSError as exc:
        _remove(None, made)
        problem = disk_problem(exc, out.parent) or exc.strerror or str(exc)
        raise HHIRError(f"{printable(out)}: cannot create the output folder ({problem})") from None
    try:
        yield staging
    except OSError as exc:
        _remove(staging, made)
        full = disk_problem(exc, out.parent)
        if full is not None:
            raise HHIRError(f"{printable(out)}: {full} ({printable(out.parent)}); nothing was exported, "
                            "and nothing is left half-written: free some space and export again") from None
        raise HHIRError(f"{printable(out)}: cannot write the export ({exc.strerror or exc}); nothing was "
                        "exported") from None
    except BaseException:
        _remove(staging, made)
        raise
    _remove(staging, [])


def _remove(staging: Path | None, made: list[Path]) -> None:
    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)
    for folder in made:  # innermost first; only the ones this export created, and only if empty
        with contextlib.suppress(OSError):
            folder.rmdir()


def _move_into_place(staging: Path, out: Path, files: list[Path]) -> list[Path]:
    """Rename the staged export onto ``out``: the whole folder when ``out`` is new, else file by
    file (each replaces a same-named file atomically; other files in ``out`` are left alone)."""
    relative = [_inside(Path(f), staging) for f in files]
    if not out.exists():
        os.replace(staging, out)
        staging.mkdir()  # for the caller's clean-up, which removes it
    else:
        for path in sorted(p for p in staging.rglob("*") if p.is_file()):
            dest = out / path.relative_to(staging)
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(path, dest)
            except OSError as exc:
                if exc.errno != errno.EXDEV:  # ``out`` links to another disk: copy there, whole files only
                    raise
                from hhir.fsutil import atomic_path

                with atomic_path(dest) as tmp:
                    shutil.copyfile(path, tmp)
    return [out / rel for rel in relative]


def _inside(path: Path, staging: Path) -> Path:
    try:
        return path.relative_to(staging)
    except ValueError:
        return path.resolve().relative_to(staging.resolve())


def _analysis_encoders(store: Store) -> tuple[tuple[str, str], ...]:
    """The encoders the project's features are cached under: the active model's, else the default
    profile's, so a manifest carries the features its training would use."""
    from hhir.scoring.encoders import encoders_for

    return tuple(encoders_for(store).ids().items())


def _write(
    store: Store, fmt: str, data: ExportData, out: Path, options: ExportOptions, progress: ProgressFn, cancel: CancelToken,
) -> tuple[list[Path], int, list[str], list[str]]:
    skipped: list[str] = []
    notes: list[str] = []
    if fmt == "seed":
        from hhir.exchange.seed_layout import export_seed

        files, rows, notes = export_seed(data, out, progress, cancel, need_test=options.test_fraction > 0)
    elif fmt == "manifest":
        from hhir.exchange.manifest import export_manifest

        encoders = options.encoders or _analysis_encoders(store)
        files = export_manifest(store, data, out, options.with_predictions, encoders, progress, cancel)
        rows = _count_lines(out / "manifest.jsonl")
    elif fmt == "eaf":
        from hhir.exchange.eaf import export_eaf

        files, rows = export_eaf(data, out), sum(len(v.annotations) for v in data.videos)
    elif fmt == "ava":
        from hhir.exchange.ava import export_ava

        files, rows = export_ava(data, out)
    elif fmt == "ava-slowfast":
        from hhir.exchange.ava_slowfast import export_ava_slowfast

        files, rows, notes = export_ava_slowfast(data, out)
    elif fmt == "labelstudio":
        from hhir.exchange.labelstudio import export_labelstudio
        from hhir.thresholds import threshold_lookup

        files, rows, notes = export_labelstudio(data, out, options, threshold_lookup(store))
    elif fmt in ("srt", "vtt"):
        from hhir.exchange.transcripts import export_transcripts

        files = export_transcripts(data, out, fmt)
        rows = sum(len(v.transcript) for v in data.videos)
        skipped += [f"{v.name}: no transcript" for v in data.videos if not v.transcript]
    else:  # shots
        from hhir.exchange.scenes import export_scenes

        files, rows = export_scenes(data, out), sum(len(v.shots) for v in data.videos)
        skipped += [f"{v.name}: no shots" for v in data.videos if not v.shots]
    return files, rows, skipped, notes


def _count_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for _ in handle)
