"""Errors a user sees. Each names the file (or thing) and what is wrong with it."""

from __future__ import annotations


class HHIRError(Exception):
    """Base class: the message is meant for the user as it is."""


class MediaError(HHIRError):
    """A file that is not a readable video (or audio) file."""

    def __init__(self, path: object, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem


class ModelError(HHIRError):
    """A model bundle, checkpoint or profile that cannot be used."""


class ImportFormatError(HHIRError):
    """A file being imported is malformed: the message names the file and the line or element."""


class StoreError(HHIRError):
    """The project database cannot be opened or written."""
