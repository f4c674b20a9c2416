"""Safety helpers shared by every exchange format.

* Files appear whole or not at all: they are written to a temporary file in the same folder,
  flushed and fsynced, then renamed over the destination (``os.replace`` is atomic on one file
  system), so an interrupted export never leaves a half-written file behind.
* Names that come from imported files are joined under a root folder only after checking that
  they cannot leave it (no absolute paths, drive letters, ``..`` parts or symbolic links).
* XML from other tools is parsed with defusedxml, refusing any DOCTYPE or entity declaration,
  which rules out entity expansion attacks and external entities in every encoding.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree  # noqa: ICN001 - the module's own name reads better here

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from hhir.errors import HHIRError, ImportFormatError
# The exchange formats' writers, re-exported (``name as name``) so every format imports them from here.
from hhir.fsutil import atomic_path as atomic_path
from hhir.fsutil import atomic_writer as atomic_writer
from hhir.fsutil import write_bytes as write_bytes
from hhir.fsutil import write_text as write_text

MAX_IMPORT_BYTES = 512 * 1024 * 1024
"""Files larger than this are refused rather than read into memory."""

_DRIVE = re.compile(r"^[A-Za-z]:")


class UnsafePathError(HHIRError):
    """A name from an imported file would leave its folder."""


def check_relative(name: str) -> PurePosixPath:
    """Validate a relative name from an imported file; return it as a POSIX path.

    Raises:
        UnsafePathError: for empty, absolute, drive-lettered or ``..``-containing names, and for
            names with NUL bytes.
    """
    cleaned = name.replace("\\", "/")
    if not cleaned or "\x00" in cleaned or cleaned.startswith("/") or _DRIVE.match(cleaned):
        raise UnsafePathError(f"unsafe path {name!r}: must be a relative name inside the folder")
    parts = PurePosixPath(cleaned).parts
    if any(part == ".." for part in parts):
        raise UnsafePathError(f"unsafe path {name!r}: '..' would leave the folder")
    return PurePosixPath(*[p for p in parts if p != "."])


def safe_join(root: str | Path, name: str) -> Path:
    """Join an untrusted relative ``name`` under ``root``; refuse anything that leaves it.

    Symbolic links are resolved, so a link inside ``root`` that points outside is refused too.

    Raises:
        UnsafePathError: when the result would not lie inside ``root``.
    """
    base = Path(root).resolve()
    candidate = (base / check_relative(name)).resolve()
    if candidate != base and base not in candidate.parents:
        raise UnsafePathError(f"unsafe path {name!r}: resolves outside {base}")
    return candidate


def read_import_bytes(path: str | Path) -> bytes:
    """Read an import file, refusing folders, missing files and very large files."""
    src = Path(path)
    if not src.is_file():
        raise ImportFormatError(f"{src}: no such file")
    if src.stat().st_size > MAX_IMPORT_BYTES:
        raise ImportFormatError(f"{src}: larger than {MAX_IMPORT_BYTES // 2**20} MiB")
    return src.read_bytes()


def read_import_text(path: str | Path) -> str:
    """Read an import file as UTF-8 (a byte-order mark is dropped)."""
    data = read_import_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFormatError(f"{path}: line {line}: not UTF-8 text") from exc


def parse_xml(path: str | Path) -> ElementTree.Element:
    """Parse an untrusted XML file; DOCTYPE and ENTITY declarations are refused.

    Raises:
        ImportFormatError: naming the file and, for syntax errors, the line and column.
    """
    data = read_import_bytes(path)
    try:
        # defusedxml refuses the declarations as expat reads them, whatever the encoding (UTF-16 too).
        return defused_fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ImportFormatError(f"{path}: DOCTYPE/ENTITY declarations are not accepted") from exc
    except ElementTree.ParseError as exc:
        line, column = exc.position
        raise ImportFormatError(f"{path}: line {line}, column {column}: malformed XML") from exc
    except LookupError as exc:  # an XML declaration naming an encoding Python does not know
        raise ImportFormatError(f"{path}: {exc}") from exc
