"""Where the project database and the bundled resources live."""

from __future__ import annotations

import os
from pathlib import Path

from core import appdirs

DB_NAME = "project.sqlite3"


def default_db_path() -> Path:
    """The project database used when none is given: ``$HHIR_DB``, else in the user data folder
    (platformdirs' ``user_data_dir("HHIR Studio")``, or ``$HHIR_DATA_DIR``)."""
    override = os.environ.get("HHIR_DB")
    if override:
        return Path(override).expanduser().resolve()
    return appdirs.user_data_dir() / DB_NAME


def resources_dir() -> Path:
    """The ``resources`` folder: ``$HHIR_RESOURCES`` (the frozen app sets it), else the source tree's."""
    override = os.environ.get("HHIR_RESOURCES")
    if override:
        return Path(override).expanduser().resolve()
    return Path(__file__).resolve().parents[2] / "resources"
