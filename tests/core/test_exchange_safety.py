"""Atomic writes, path guards, archive checks and the XML guard."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from hhir.errors import ImportFormatError
from hhir.exchange.safety import UnsafePathError, atomic_writer, parse_xml, safe_extract, safe_join, write_text


def test_interrupted_write_leaves_old_file_and_no_temp(tmp_path: Path) -> None:
    target = write_text(tmp_path / "labels.csv", "old\n")
    with pytest.raises(RuntimeError), atomic_writer(target) as handle:
        handle.write("half of the new conte")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labels.csv"]


def test_interrupted_first_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), atomic_writer(tmp_path / "sub" / "new.json") as handle:
        handle.write("{")
        raise KeyboardInterrupt
    assert list((tmp_path / "sub").iterdir()) == []


@pytest.mark.parametrize("name", ["../x.csv", "a/../../x", "/etc/passwd", "C:\\x", "..\\..\\x", "", "a\x00b"])
def test_safe_join_refuses_escapes(tmp_path: Path, name: str) -> None:
    with pytest.raises(UnsafePathError):
        safe_join(tmp_path, name)


def test_safe_join_refuses_symlink_out_and_accepts_inside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside, root / "link")
    with pytest.raises(UnsafePathError):
        safe_join(root, "link/file.csv")
    assert safe_join(root, "a/./b.csv") == (root / "a" / "b.csv").resolve()


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_zip_with_traversal_member_extracts_nothing(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "bad.zip", {"ok.csv": b"a", "../../evil.csv": b"b"})
    dest = tmp_path / "dest"
    with pytest.raises(ImportFormatError, match=r"bad\.zip.*evil"):
        safe_extract(archive, dest)
    assert not dest.exists() or list(dest.rglob("*")) == []
    assert not (tmp_path / "evil.csv").exists()


def test_tar_with_symlink_member_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "bad.tar"
    with tarfile.open(archive, "w") as tf:
        info = tarfile.TarInfo("link")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc"
        tf.addfile(info)
    with pytest.raises(ImportFormatError, match="not a plain file"):
        safe_extract(archive, tmp_path / "dest")


def test_good_archives_extract(tmp_path: Path) -> None:
    files = safe_extract(_zip(tmp_path / "ok.zip", {"a/b.csv": b"Clip,Interaction\n"}), tmp_path / "z")
    assert [f.read_bytes() for f in files] == [b"Clip,Interaction\n"]
    archive = tmp_path / "ok.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        info = tarfile.TarInfo("x/y.eaf")
        info.size = 3
        tf.addfile(info, io.BytesIO(b"xyz"))
    assert [f.relative_to(tmp_path / "t").as_posix() for f in safe_extract(archive, tmp_path / "t")] == ["x/y.eaf"]


def test_not_an_archive(tmp_path: Path) -> None:
    (tmp_path / "x.zip").write_text("hello")
    with pytest.raises(ImportFormatError, match="not a zip or tar"):
        safe_extract(tmp_path / "x.zip", tmp_path / "d")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<ANNOTATION_DOCUMENT>&lol2;</ANNOTATION_DOCUMENT>"""
EXTERNAL = """<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ANNOTATION_DOCUMENT>&e;</ANNOTATION_DOCUMENT>"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL])
def test_xml_with_doctype_is_refused(tmp_path: Path, text: str) -> None:
    (tmp_path / "bad.eaf").write_text(text)
    with pytest.raises(ImportFormatError, match=r"bad\.eaf: DOCTYPE"):
        parse_xml(tmp_path / "bad.eaf")


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL])
def test_utf16_xml_with_doctype_is_refused(tmp_path: Path, text: str) -> None:
    (tmp_path / "wide.eaf").write_bytes(text.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16"))
    with pytest.raises(ImportFormatError, match=r"wide\.eaf: DOCTYPE"):
        parse_xml(tmp_path / "wide.eaf")


def test_truncated_xml_names_line(tmp_path: Path) -> None:
    (tmp_path / "cut.eaf").write_text("<ANNOTATION_DOCUMENT>\n  <HEADER>\n    <PROP")
    with pytest.raises(ImportFormatError, match=r"cut\.eaf: line 3"):
        parse_xml(tmp_path / "cut.eaf")
