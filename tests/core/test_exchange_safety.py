"""Atomic writes, path guards, archive checks and the XML guard."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hhir.errors import ImportFormatError
from hhir.exchange.safety import UnsafePathError, atomic_writer, parse_xml, safe_join, write_text


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
