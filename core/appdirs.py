"""Where the app keeps its files by default (all overridable)."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "HHIR Studio"


def user_data_dir() -> Path:
    from platformdirs import user_data_dir as _dir

    return Path(os.environ.get("HHIR_DATA_DIR") or _dir(APP_NAME, appauthor=False))


def default_models_dir() -> Path:
    """Model bundles written by training and imports."""
    return user_data_dir() / "models"


def resources_dir() -> Path:
    """The ``resources/`` folder: beside the package in a checkout, or set by the frozen app."""
    override = os.environ.get("HHIR_RESOURCES")
    return Path(override) if override else Path(__file__).resolve().parents[1] / "resources"
