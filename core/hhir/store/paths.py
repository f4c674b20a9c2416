"""Where the project database lives by default."""

from __future__ import annotations

import os
from pathlib import Path

from hhir import appdirs

DB_NAME = "project.sqlite3"


def default_db_path() -> Path:
    """The project database used when none is given: ``$HHIR_DB``, else in the user data folder
    (platformdirs' ``user_data_dir("HHIR Studio")``, or ``$HHIR_DATA_DIR``)."""
    override = os.environ.get("HHIR_DB")
    if override:
        return Path(override).expanduser().resolve()
    return appdirs.user_data_dir() / DB_NAME
