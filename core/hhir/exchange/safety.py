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

import contextlib
import re
import tarfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO
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

MAX_EXTRACT_BYTES = 2 * 1024 * 1024 * 1024
"""An archive whose members add up to more than this is refused (a zip bomb), before anything is written."""

MAX_EXTRACT_FILES = 20_000
"""An archive with more members than this is refused: a project export has one file per video or clip."""

_COPY_BLOCK = 1 << 20

_DRIVE = re.compile(r"^[A-Za-z]:")


class UnsafePathError(HHIRError):
    """A name from an imported file or archive would leave its folder."""


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


def safe_extract(archive: str | Path, dest: str | Path, max_bytes: int | None = None) -> list[Path]:
    """Extract a ``.zip`` or tar archive under ``dest`` after checking every member.

    Only regular files and folders are accepted: links, devices and names that would leave
    ``dest`` make the whole archive fail before anything is extracted. So do more than
    :data:`MAX_EXTRACT_FILES` members or more than ``max_bytes`` uncompressed in all (as the
    archive declares it); a member that inflates past its declared size stops the extraction and
    what was written of this archive is removed.

    Returns:
        The extracted file paths.

    Raises:
        ImportFormatError: naming the archive and the offending member.
    """
    src = Path(archive)
    max_bytes = MAX_EXTRACT_BYTES if max_bytes is None else max_bytes  # read now: a test may lower the limit
    try:
        if zipfile.is_zipfile(src):
            return _extract_zip(src, Path(dest), max_bytes)
        if tarfile.is_tarfile(src):
            return _extract_tar(src, Path(dest), max_bytes)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        raise ImportFormatError(f"{src}: unreadable archive ({exc})") from exc
    raise ImportFormatError(f"{src}: not a zip or tar archive")


def _check_totals(src: Path, count: int, declared: int, max_bytes: int) -> None:
    if count > MAX_EXTRACT_FILES:
        raise ImportFormatError(f"{src}: {count} members, more than the {MAX_EXTRACT_FILES} an archive may hold")
    if declared > max_bytes:
        raise ImportFormatError(f"{src}: expands to {declared / 2**20:.0f} MiB, more than the "
                                f"{max_bytes / 2**20:.0f} MiB an archive may hold")


class _Budget:
    """Bytes left to write for one archive; copies members in blocks so none is held in memory whole."""

    def __init__(self, src: Path, max_bytes: int) -> None:
        self.src, self.left = src, max_bytes

    def copy(self, handle: IO[bytes], target: Path, name: str) -> None:
        with atomic_writer(target, binary=True) as out:
            while block := handle.read(_COPY_BLOCK):
                self.left -= len(block)
                if self.left < 0:  # the member inflates past what the archive declared
                    raise ImportFormatError(f"{self.src}: member {name!r} expands past the archive's limit")
                out.write(block)


def _extract_all(items: list[tuple[str, bool, Path, object]], opener, budget: _Budget) -> list[Path]:
    """Write every (name, is_dir, target, member); on any failure remove the files written so far."""
    written: list[Path] = []
    try:
        for name, is_dir, target, member in items:
            if is_dir:
                target.mkdir(parents=True, exist_ok=True)
                continue
            with opener(member) as handle:
                budget.copy(handle, target, name)
            written.append(target)
    except BaseException:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return written


def _extract_zip(src: Path, dest: Path, max_bytes: int) -> list[Path]:
    with zipfile.ZipFile(src) as zf:
        infos = zf.infolist()
        _check_totals(src, len(infos), sum(i.file_size for i in infos), max_bytes)
        items = []
        for info in infos:
            mode = (info.external_attr >> 16) & 0o170000
            if mode not in (0, 0o100000, 0o040000):
                raise ImportFormatError(f"{src}: member {info.filename!r} is not a plain file")
            items.append((info.filename, info.is_dir(), _member_target(src, dest, info.filename), info))
        return _extract_all(items, zf.open, _Budget(src, max_bytes))


def _extract_tar(src: Path, dest: Path, max_bytes: int) -> list[Path]:
    with tarfile.open(src) as tf:
        members = tf.getmembers()
        _check_totals(src, len(members), sum(m.size for m in members if m.isfile()), max_bytes)
        items = []
        for member in members:
            if not (member.isfile() or member.isdir()):
                raise ImportFormatError(f"{src}: member {member.name!r} is not a plain file")
            items.append((member.name, member.isdir(), _member_target(src, dest, member.name), member))

        def opener(member: tarfile.TarInfo) -> IO[bytes]:
            handle = tf.extractfile(member)
            assert handle is not None  # isfile() was checked above
            return handle

        return _extract_all(items, opener, _Budget(src, max_bytes))


def _member_target(src: Path, dest: Path, name: str) -> Path:
    try:
        return safe_join(dest, name)
    except UnsafePathError as exc:
        raise ImportFormatError(f"{src}: {exc}") from exc


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
