"""Errors a user sees. Each names the file (or thing) and what is wrong with it."""

from __future__ import annotations


class HHIRError(Exception):
    """Base class: the message is meant for the user as it is."""


def printable(value: object) -> str:
    """``value`` as text safe to print on one line: control characters (a newline in a file name,
    an escape sequence) are shown escaped, as Python writes them, and everything else as it is."""
    text = str(value)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


class MediaError(HHIRError):
    """A file that is not a readable video (or audio) file."""

    def __init__(self, path: object, problem: str) -> None:
        super().__init__(f"{printable(path)}: {problem}")
        self.path = str(path)
        self.problem = problem


class ModelError(HHIRError):
    """A model bundle, checkpoint or profile that cannot be used."""


class ImportFormatError(HHIRError):
    """A file being imported is malformed: the message names the file and the line or element."""


class StoreError(HHIRError):
    """The project database cannot be opened or written."""
