"""What the command line takes from the user's settings file, so ``hhir`` and the app work on the
same project with the same profile, model folder, clip windows and annotator. A flag given on the
command line overrides its setting."""

from __future__ import annotations

from functools import cache
from typing import TypeVar

from hhir.settings import Settings, load

T = TypeVar("T")


@cache
def user_settings() -> Settings:
    """The settings file the app writes (``$HHIR_CONFIG_DIR`` or the user config folder), read once.

    Raises:
        SettingsError: naming the file, when it cannot be read (the CLI prints it as one line).
    """
    return load()


def chosen(flag: T | None, setting: T) -> T:
    """A flag the user gave wins over the setting."""
    return setting if flag is None else flag
