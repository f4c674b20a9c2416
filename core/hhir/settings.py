"""User settings: one typed, versioned schema stored as JSON in the user's config folder.

The folder is ``platformdirs.user_config_dir("HHIR Studio")`` unless the environment variable
``HHIR_CONFIG_DIR`` names another one (the CLI and the tests use that). Window geometry is not
kept here; the desktop app stores it in ``QSettings``.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from hhir.errors import HHIRError
from hhir.thresholds import DEFAULT_THRESHOLD

SCHEMA_VERSION = 1
APP_NAME = "HHIR Studio"
CONFIG_ENV = "HHIR_CONFIG_DIR"
SETTINGS_FILE = "settings.json"


class SettingsError(HHIRError):
    """The settings file exists but cannot be read or holds invalid values."""


@dataclass(frozen=True)
class Settings:
    """Everything a user can set in the Settings dialog.

    Attributes:
        profile: Model profile name (``offline`` or ``paper``) or a profile folder.
        model_dir: Folder the app's training writes model bundles to ("" = ``models/`` beside the project).
        active_bundle: Path of the model bundle to predict with ("" = the store's active model).
        thresholds: Per-label decision thresholds; labels not listed use ``default_threshold``.
        default_threshold: Threshold for labels without their own.
        clip_size: Shots per clip window.
        clip_stride: Shots between the starts of consecutive clip windows.
        annotator: Name written into every annotation.
        database: Path of the project database ("" = the store's default, ``$HHIR_DB`` or the data folder).
        jump_seconds: How far the jump keys move the playhead.
        playback_copies: Build a fast-seeking playback copy of films that seek slowly
            (:mod:`hhir.media.proxy`); the player uses it once it is ready.
        version: Schema version of the stored file.
    """

    profile: str = "offline"
    model_dir: str = ""
    active_bundle: str = ""
    thresholds: dict[str, float] = field(default_factory=dict)
    default_threshold: float = DEFAULT_THRESHOLD
    clip_size: int = 3
    clip_stride: int = 1
    annotator: str = ""
    database: str = ""
    jump_seconds: float = 5.0
    playback_copies: bool = True
    version: int = SCHEMA_VERSION

    def threshold(self, label: str) -> float:
        """The decision threshold for ``label``."""
        return self.thresholds.get(label, self.default_threshold)

    def annotator_name(self) -> str:
        """The annotator, falling back to the login name so no edit is anonymous."""
        return self.annotator or os.environ.get("USER") or os.environ.get("USERNAME") or "annotator"


def config_dir() -> Path:
    """The folder holding ``settings.json`` (``HHIR_CONFIG_DIR`` overrides the platform default)."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def validate(settings: Settings, source: object = "settings") -> Settings:
    """Check value ranges; raises ``SettingsError`` naming ``source`` and the bad field."""
    problems = []
    if settings.clip_size < 1:
        problems.append(f"clip_size must be at least 1, got {settings.clip_size}")
    if not 1 <= settings.clip_stride <= max(settings.clip_size, 1):
        problems.append(f"clip_stride must be between 1 and clip_size, got {settings.clip_stride}")
    for label, value in {**settings.thresholds, "default_threshold": settings.default_threshold}.items():
        if not 0.0 <= value <= 1.0:
            problems.append(f"threshold for {label!r} must be in [0, 1], got {value}")
    if settings.jump_seconds <= 0:
        problems.append(f"jump_seconds must be positive, got {settings.jump_seconds}")
    if problems:
        raise SettingsError(f"{source}: " + "; ".join(problems))
    return settings


def _from_mapping(data: object, source: Path) -> Settings:
    if not isinstance(data, dict):
        raise SettingsError(f"{source}: expected a JSON object at the top level")
    version = data.get("version", SCHEMA_VERSION)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise SettingsError(f"{source}: settings version {version!r} is newer than this app understands")
    known = {f.name: f for f in fields(Settings)}
    values: dict[str, object] = {}
    for name, value in data.items():
        if name not in known:
            continue  # a key from a later minor version or a removed option: ignore, keep the rest
        default = getattr(Settings(), name)
        if not _same_kind(default, value):
            raise SettingsError(f"{source}: {name!r} should be {type(default).__name__}, got {value!r}")
        values[name] = _coerce(default, value)
    values["version"] = SCHEMA_VERSION
    return validate(Settings(**values), source)  # type: ignore[arg-type]


def _same_kind(default: object, value: object) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, dict):
        return isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool) for k, v in value.items()
        )
    return isinstance(value, type(default)) and not isinstance(value, bool)


def _coerce(default: object, value: object) -> object:
    if isinstance(default, float):
        return float(value)  # type: ignore[arg-type]
    if isinstance(default, dict):
        return {k: float(v) for k, v in value.items()}  # type: ignore[union-attr]
    return value


def load(folder: Path | None = None) -> Settings:
    """Read the settings; defaults when the file does not exist yet.

    Raises:
        SettingsError: the file is not valid JSON or holds a value of the wrong type or range.
    """
    path = (folder or config_dir()) / SETTINGS_FILE
    if not path.exists():
        return Settings()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read settings ({exc})") from exc
    return _from_mapping(data, path)


def save(settings: Settings, folder: Path | None = None) -> Path:
    """Write the settings atomically (temp file + rename) so a crash never leaves half a file."""
    validate(settings)
    target_dir = folder or config_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / SETTINGS_FILE
    text = json.dumps(asdict(replace(settings, version=SCHEMA_VERSION)), indent=2, sort_keys=True)
    from hhir.fsutil import write_text

    return write_text(path, text + "\n")
