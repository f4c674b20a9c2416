"""Export dispatch: collect once, then hand the typed data to the format's writer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hhir.exchange.collect import collect, require_content
from hhir.exchange.model import ExportData, ExportOptions, ExportReport
from hhir.jobs import CancelToken, ProgressFn, sub_progress

if TYPE_CHECKING:
    from hhir.store import Store


def run_export(store: Store, fmt: str, out: Path, options: ExportOptions, progress: ProgressFn, cancel: CancelToken) -> ExportReport:
    progress(0.0, f"Reading the project for {fmt}")
    data = collect(store, options)
    require_content(data, fmt)
    cancel.check()
    _make_folder(out)
    files, rows, skipped, notes = _write(store, fmt, data, out, options, sub_progress(progress, 0.05, 1.0), cancel)
    progress(1.0, f"Exported {len(files)} files")
    clips = sum(len(v.clips) for v in data.videos)
    return ExportReport(fmt, tuple(str(f) for f in files), rows, len(data.videos), clips, tuple(skipped), tuple(notes))


def _make_folder(out: Path) -> None:
    """The export folder, created if missing; a file, a symlink loop or an unwritable place in the
    way is the user's one-line error naming the folder, not an OSError."""
    from hhir.errors import HHIRError, printable

    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise HHIRError(f"{printable(out)}: exists and is not a folder; choose another output folder") from None
    except OSError as exc:
        raise HHIRError(f"{printable(out)}: cannot create the output folder ({exc.strerror or exc})") from None


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
