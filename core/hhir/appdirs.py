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
    """The shipped data files: the ``hhir.resources`` package (``resources/`` in the checkout),
    found by :mod:`importlib.resources` so a wheel and the frozen app work alike.
    ``$HHIR_RESOURCES`` points elsewhere (tests use it to simulate a broken install)."""
    override = os.environ.get("HHIR_RESOURCES")
    if override:
        return Path(override).expanduser().resolve()
    from importlib.resources import files

    # Installed unzipped (wheel, editable or frozen), so the traversable is a real folder.
    return Path(str(files("hhir.resources")))


def resource(*parts: str) -> Path:
    """One shipped file, e.g. ``resource("labels", "default.json")``."""
    return resources_dir().joinpath(*parts)


def downloads_allowed() -> bool:
    """Whether a model missing here may be fetched from the network (``HHIR_ALLOW_DOWNLOAD=1``).

    Off by default: nothing downloads unless allowed, for every kind of model (the text, audio and
    video encoders and the speech recogniser alike)."""
    return os.environ.get("HHIR_ALLOW_DOWNLOAD", "") == "1"
