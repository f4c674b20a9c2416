"""Where the project database and the bundled resources live."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "HHIR Studio"
DB_NAME = "project.sqlite3"


def default_db_path() -> Path:
    """The project database used when none is given: ``$HHIR_DB``, else under the user data dir."""
    override = os.environ.get("HHIR_DB")
    if override:
        return Path(override).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / DB_NAME


def resources_dir() -> Path:
    """The ``resources`` folder: ``$HHIR_RESOURCES`` (the frozen app sets it), else the source tree's."""
    override = os.environ.get("HHIR_RESOURCES")
    if override:
        return Path(override).expanduser().resolve()
    return Path(__file__).resolve().parents[2] / "resources"
