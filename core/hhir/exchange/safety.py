"""Safety helpers shared by every exchange format.

* Files appear whole or not at all: they are written to a temporary file in the same folder,
  flushed and fsynced, then renamed over the destination (``os.replace`` is atomic on one file
  system), so an interrupted export never leaves a half-written file behind.
* Names that come from imported files are joined under a root folder only after checking that
  they cannot leave it (no absolute paths, drive letters, ``..`` parts or symbolic links).
* XML from other tools is parsed only after rejecting any DOCTYPE, which rules out entity
  expansion attacks; the standard library never fetches external entities.
"""

from __future__ import annotations

import contextlib
import os
import re
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from hhir.errors import HHIRError, ImportFormatError
from hhir.fsutil import atomic_writer, write_bytes, write_text  # noqa: F401 - the exchange formats' writers

MAX_IMPORT_BYTES = 512 * 1024 * 1024
"""Files larger than this are refused rather than read into memory."""

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DRIVE = re.compile(r"^[A-Za-z]:")


class UnsafePathError(HHIRError):
    """A name from an imported file or archive would leave its folder."""


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Give a temporary path (same folder and extension) for a tool that writes a file itself.

    The temporary file is renamed onto ``path`` when the block succeeds and removed otherwise.
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.stem}.part.", suffix=dest.suffix, dir=dest.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        if not Path(tmp).is_file() or Path(tmp).stat().st_size == 0:
            raise HHIRError(f"{dest}: nothing was written")
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


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


def safe_extract(archive: str | Path, dest: str | Path) -> list[Path]:
    """Extract a ``.zip`` or tar archive under ``dest`` after checking every member.

    Only regular files and folders are accepted: links, devices and names that would leave
    ``dest`` make the whole archive fail before anything is extracted.

    Returns:
        The extracted file paths.

    Raises:
        ImportFormatError: naming the archive and the offending member.
    """
    src = Path(archive)
    try:
        if zipfile.is_zipfile(src):
            return _extract_zip(src, Path(dest))
        if tarfile.is_tarfile(src):
            return _extract_tar(src, Path(dest))
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        raise ImportFormatError(f"{src}: unreadable archive ({exc})") from exc
    raise ImportFormatError(f"{src}: not a zip or tar archive")


def _extract_zip(src: Path, dest: Path) -> list[Path]:
    with zipfile.ZipFile(src) as zf:
        infos = zf.infolist()
        targets = []
        for info in infos:
            mode = (info.external_attr >> 16) & 0o170000
            if mode not in (0, 0o100000, 0o040000):
                raise ImportFormatError(f"{src}: member {info.filename!r} is not a plain file")
            targets.append(_member_target(src, dest, info.filename))
        written = []
        for info, target in zip(infos, targets):
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            with zf.open(info) as member:
                write_bytes(target, member.read())
            written.append(target)
        return written


def _extract_tar(src: Path, dest: Path) -> list[Path]:
    with tarfile.open(src) as tf:
        members = tf.getmembers()
        targets = []
        for member in members:
            if not (member.isfile() or member.isdir()):
                raise ImportFormatError(f"{src}: member {member.name!r} is not a plain file")
            targets.append(_member_target(src, dest, member.name))
        written = []
        for member, target in zip(members, targets):
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            handle = tf.extractfile(member)
            assert handle is not None  # isfile() was checked above
            write_bytes(target, handle.read())
            written.append(target)
        return written


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
    if _DOCTYPE.search(data):
        raise ImportFormatError(f"{path}: DOCTYPE/ENTITY declarations are not accepted")
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        line, column = exc.position
        raise ImportFormatError(f"{path}: line {line}, column {column}: malformed XML") from exc
    except LookupError as exc:  # an XML declaration naming an encoding Python does not know
        raise ImportFormatError(f"{path}: {exc}") from exc
