"""User settings: one typed, versioned schema stored as JSON in the user's config folder.

The folder is ``platformdirs.user_config_dir("HHIR Studio")`` unless the environment variable
``HHIR_CONFIG_DIR`` names another one (the CLI and the tests use that). Window geometry is not
kept here; the desktop app stores it in ``QSettings``.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from hhir.errors import HHIRError

if TYPE_CHECKING:
    from pydantic import TypeAdapter

SCHEMA_VERSION = 1
APP_NAME = "HHIR Studio"
CONFIG_ENV = "HHIR_CONFIG_DIR"
SETTINGS_FILE = "settings.json"
DEFAULT_THRESHOLD = 0.6
"""The seed's decision threshold: the only place the number is written (read it through
:mod:`hhir.thresholds`, which decides between it, the settings and a model's tuned values)."""

# The schema's types and ranges, checked by pydantic (strict: "3" is not a number, 1 is not a bool).
Probability = Annotated[float, Field(ge=0.0, le=1.0, strict=True)]
Text = Annotated[str, Field(max_length=4096, strict=True)]


class SettingsError(HHIRError):
    """The settings file exists but cannot be read or holds invalid values."""


@dataclass(frozen=True)
class Settings:
    """Everything a user can set in the Settings dialog; the app and the command line read the same file.

    Attributes:
        profile: Model profile name (``offline`` or ``paper``) or a profile folder.
        model_dir: Folder the app's training writes model bundles to ("" = ``models/`` beside the project).
        active_bundle: Path of the model bundle to predict with ("" = the store's active model).
        thresholds: Per-label decision thresholds; labels not listed use ``default_threshold``
            (a trained model's tuned thresholds come first: :mod:`hhir.thresholds`).
        default_threshold: Threshold for labels without their own.
        clip_size: Shots per clip window.
        clip_stride: Shots between the starts of consecutive clip windows.
        annotator: Name written into every annotation.
        database: The project database ("" = the store's default, ``$HHIR_DB`` or the data folder).
        jump_seconds: How far the jump keys move the playhead.
        playback_copies: Build a fast-seeking playback copy of films that seek slowly
            (:mod:`hhir.media.proxy`); the player uses it once it is ready.
        version: Schema version of the stored file.
    """

    profile: Text = "offline"
    model_dir: Text = ""
    active_bundle: Text = ""
    thresholds: dict[Annotated[str, Field(max_length=200)], Probability] = field(default_factory=dict)
    default_threshold: Probability = DEFAULT_THRESHOLD
    clip_size: Annotated[int, Field(ge=1, le=100, strict=True)] = 3
    clip_stride: Annotated[int, Field(ge=1, le=100, strict=True)] = 1
    annotator: Text = ""
    database: Text = ""
    jump_seconds: Annotated[float, Field(gt=0.0, le=86400.0, strict=True)] = 5.0
    playback_copies: Annotated[bool, Field(strict=True)] = True
    version: Annotated[int, Field(ge=1, strict=True)] = SCHEMA_VERSION

    def threshold(self, label: str) -> float:
        """The user's threshold for ``label`` (what the app uses is :func:`hhir.thresholds.label_threshold`)."""
        return self.thresholds.get(label, self.default_threshold)

    def annotator_name(self) -> str:
        """The annotator, falling back to the login name so no edit is anonymous."""
        return self.annotator or os.environ.get("USER") or os.environ.get("USERNAME") or "annotator"


@cache
def _schema() -> TypeAdapter[Settings]:
    from pydantic import TypeAdapter

    return TypeAdapter(Settings)


def config_dir() -> Path:
    """The folder holding ``settings.json`` (``HHIR_CONFIG_DIR`` overrides the platform default)."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def validate(settings: Settings, source: object = "settings") -> Settings:
    """Check types and ranges; raises ``SettingsError`` naming ``source`` and every bad field."""
    return _checked(asdict(settings), source)


def _checked(data: dict, source: object) -> Settings:
    from pydantic import ValidationError

    try:
        settings = _schema().validate_python(data)
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']} (got {e['input']!r:.40})" for e in exc.errors()]
        raise SettingsError(f"{source}: " + "; ".join(problems)) from None
    if settings.clip_stride > settings.clip_size:
        raise SettingsError(f"{source}: clip_stride must be between 1 and clip_size, got {settings.clip_stride}")
    return settings


def _from_mapping(data: object, source: Path) -> Settings:
    if not isinstance(data, dict):
        raise SettingsError(f"{source}: expected a JSON object at the top level")
    version = data.get("version", SCHEMA_VERSION)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise SettingsError(f"{source}: settings version {version!r} is newer than this app understands")
    # Keys from a later minor version or a removed option are ignored; the rest is kept.
    return _checked({**data, "version": SCHEMA_VERSION}, source)


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
