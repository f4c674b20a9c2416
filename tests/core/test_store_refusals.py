"""A refusal changes nothing: a project the app will not open, or opens read-only, is left byte for
byte as it was; a damaged index is caught at open, and ``hhir doctor --repair`` rebuilds the file
without losing a row."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hhir.cli import main
from hhir.errors import StoreError
from hhir.store import Store
from hhir.types import LabelDef


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _project(path: Path) -> Path:
    with Store(path) as store:
        store.add_label(LabelDef("hugs", "one person hugs another"))
    return path


def test_newer_schema_is_refused_before_the_wal_switch(tmp_path: Path) -> None:
    db = _project(tmp_path / "from the future.sqlite")
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)  # as a copied-in file may be
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    before = _files(tmp_path)
    assert db.read_bytes()[18:20] == b"\x01\x01"  # header: rollback journal, not WAL (2, 2)
    with pytest.raises(StoreError, match=r"from the future\.sqlite: written by a newer HHIR Studio \(schema 9999\)"):
        Store(db)
    assert _files(tmp_path) == before  # same bytes, and no -wal/-shm beside it


@contextlib.contextmanager
def _unwritable(folder: Path, how: str) -> Iterator[None]:
    """Make ``folder`` unwritable the way a user's machine does: immutable, or a read-only mount."""
    if how == "immutable":
        on, off = ["chattr", "+i", str(folder)], ["chattr", "-i", str(folder)]
    else:
        mount = folder.with_name(folder.name + "-source")
        folder.rename(mount)
        folder.mkdir()
        subprocess.run(["mount", "--bind", str(mount), str(folder)], capture_output=True, check=False)
        on, off = ["mount", "-o", "remount,ro,bind", str(folder)], ["umount", str(folder)]
    if subprocess.run(on, capture_output=True).returncode != 0:
        subprocess.run(off, capture_output=True)
        pytest.skip(f"cannot make a folder {how} here (needs root)")
    try:
        yield
    finally:
        done = subprocess.run(off, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("how", ["immutable", "read-only mount"])
def test_unwritable_project_opens_read_only_for_review(tmp_path: Path, how: str) -> None:
    folder = tmp_path / "shared"
    db = _project(folder / "project.sqlite")
    with Store(db) as store:
        labels = [lb.name for lb in store.labels()]
    with _unwritable(folder, how):
        before = _files(folder)
        with Store(db) as store:
            assert [lb.name for lb in store.labels()] == labels  # review works
            refused = _refusal(lambda: store.add_label(LabelDef("waves", "one person waves at another")))
        assert "project.sqlite: read-only, opened for review" in refused and "nothing was saved" in refused
        assert "new.sqlite: the folder is read-only" in _refusal(lambda: Store(folder / "new.sqlite"))
        assert _files(folder) == before


def _refusal(action) -> str:
    """The StoreError's message; the exception is not kept (its frames would hold a connection open)."""
    try:
        action()
    except StoreError as exc:
        return str(exc)
    raise AssertionError("not refused")


def _corrupt_label_index(db: Path) -> None:
    """Rename one entry of the labels' unique index in place: the page stays well formed (so
    ``quick_check`` passes), but the index no longer matches its table."""
    conn = sqlite3.connect(db)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_labels_1'").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.execute("PRAGMA journal_mode = DELETE")  # everything in the main file, so the edit below is the only change
    conn.close()
    data = bytearray(db.read_bytes())
    page = slice((root - 1) * page_size, root * page_size)
    at = data[page].index(b"walks with")
    data[page.start + at: page.start + at + 10] = b"walks witz"
    db.write_bytes(bytes(data))
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    assert conn.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
    conn.close()


def _dump(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}" NOT INDEXED').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def test_damaged_index_is_caught_at_open_and_repaired_without_losing_a_row(tmp_path: Path, capsys) -> None:
    db = _project(tmp_path / "p.sqlite")
    _corrupt_label_index(db)
    rows = _dump(db)
    assert sum(len(v) for v in rows.values()) > 8
    before = db.read_bytes()
    with pytest.raises(StoreError, match=r"p\.sqlite: damaged database \(row \d+ missing from index .*doctor --repair"):
        Store(db)
    assert db.read_bytes() == before

    assert main(["doctor", "--check", "--db", str(db)]) == 1
    assert "missing from index sqlite_autoindex_labels_1" in capsys.readouterr().out
    assert db.read_bytes() == before  # checking is read-only

    assert main(["doctor", "--repair", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "repaired" in out and "every row kept" in out
    (kept,) = tmp_path.glob("p.sqlite.damaged-*[0-9]Z")
    assert kept.read_bytes() == before  # the original is kept as it was
    assert _dump(db) == rows  # every row of every table, unchanged
    assert main(["doctor", "--check", "--db", str(db)]) == 0
    with Store(db) as store:
        assert "walks with" in [lb.name for lb in store.labels()]
        assert store.integrity_problems() == []
        store.add_label(LabelDef("waves", "one person waves at another"))  # writable again


def test_repair_leaves_a_sound_file_alone(tmp_path: Path, capsys) -> None:
    db = _project(tmp_path / "p.sqlite")
    before = db.read_bytes()
    assert main(["doctor", "--repair", "--db", str(db)]) == 0
    assert "nothing to repair" in capsys.readouterr().out
    assert db.read_bytes() == before and not list(tmp_path.glob("*damaged*"))
