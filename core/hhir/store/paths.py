"""Where the project database lives by default."""

from __future__ import annotations

import os
from pathlib import Path

from hhir import appdirs
from hhir.store.location import is_url

DB_NAME = "project.sqlite3"


def default_db_path() -> Path | str:
    """The project database used when none is given: ``$HHIR_DB``, else in the user data folder
    (platformdirs' ``user_data_dir("HHIR Studio")``, or ``$HHIR_DATA_DIR``).

    ``$HHIR_DB`` may be a ``postgresql://`` URL; it is then returned as the string it is (a Path
    would fold its ``//`` into a file name).
    """
    override = os.environ.get("HHIR_DB")
    if override and is_url(override):
        return override
    if override:
        return Path(override).expanduser().resolve()
    return appdirs.user_data_dir() / DB_NAME
