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
