"""EAF export read by pympi-ling (what ELAN users script with): tiers, vocabularies, media type."""

from __future__ import annotations

from pathlib import Path

import pytest

from hhir.exchange import ExportOptions, export
from hhir.exchange.eaf import media_type
from hhir.store import Store
from hhir.types import AnnotationState, Target
from test_exchange_helpers import add_scene


@pytest.mark.parametrize("name, mime", [("film.webm", "video/webm"), ("film.MP4", "video/mp4"), ("film.mkv", "video/x-matroska"),
                                        ("film.mov", "video/quicktime"), ("C:\\films\\a.ts", "video/mp2t"), ("film.wav", "audio/x-wav"),
                                        ("film.xyz", "video/*")])
def test_media_type_from_the_file(name: str, mime: str) -> None:
    assert media_type(name) == mime


def test_webm_eaf_names_its_real_type_for_pympi(tmp_path: Path) -> None:
    from pympi.Elan import Eaf

    store = Store(tmp_path / "p.sqlite")
    video = add_scene(store, "/media/Talk show.webm", "fpw")
    clip = store.clips(video.id)[0]
    store.annotate(Target(video.id, clip.id), "asks", AnnotationState.PRESENT, "alice")
    export(store, "eaf", tmp_path / "out", ExportOptions())
    eaf = Eaf(str(tmp_path / "out" / "Talk_show.eaf"))
    assert [(m["MIME_TYPE"], m["RELATIVE_MEDIA_URL"]) for m in eaf.media_descriptors] == [("video/webm", "./Talk show.webm")]
    assert eaf.get_annotation_data_for_tier("asks@alice") == [(round(clip.start_s * 1000), round(clip.end_s * 1000), "present")]
    assert "hhir-labels" in eaf.get_controlled_vocabulary_names()
    store.close()


def _foreign_eaf(path: Path, tiers: list[tuple[str, str, str]]) -> Path:
    """An EAF made in ELAN for another film: ``(tier, linguistic type, annotator)`` with one annotation each."""
    from pympi.Elan import Eaf

    eaf = Eaf(author="elan")
    eaf.add_linked_file("file:///films/other.mp4", mimetype="video/mp4")
    for tier, ltype, who in tiers:
        if ltype not in eaf.linguistic_types:
            eaf.add_linguistic_type(ltype)
        eaf.add_tier(tier, ling=ltype, ann=who, part=who)
        eaf.add_annotation(tier, 1000, 2000, "present")
    eaf.to_file(str(path))
    return path


@pytest.mark.parametrize("tiers, reason", [
    ([("utterance", "default-lt", "")], r"found 2 tier\(s\), 'default' \(default-lt\), 'utterance' \(default-lt\): none is a label tier"),
    ([("asks@alice", "default-lt", "alice")], r"'asks@alice' are named like label tiers .* not of the linguistic type 'hhir-label-state'"),
])
def test_an_eaf_with_nothing_of_ours_says_what_it_found_and_exits_non_zero(tmp_path: Path, capsys, tiers, reason) -> None:
    from hhir.cli import main
    from hhir.errors import ImportFormatError
    from hhir.exchange import ImportOptions, import_

    store = Store(tmp_path / "p.sqlite")
    add_scene(store, "/media/scene 0.mp4", "fp0")
    path = _foreign_eaf(tmp_path / "other.eaf", tiers)
    with pytest.raises(ImportFormatError, match=reason):
        import_(store, "eaf", path, ImportOptions())
    assert store.annotations() == []
    store.close()
    assert main(["import", "--format", "eaf", str(path), "--db", str(tmp_path / "p.sqlite")]) == 2
    assert "nothing imported" in capsys.readouterr().err
