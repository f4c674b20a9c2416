"""Shared fixtures. Every test runs with its own data and config folders, never the user's."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/media_factory.py

# Five shots with hard cuts at known frames, and speech at known times: a question, a statement.
SCENE_SHOTS = [(40, "red"), (35, "green"), (45, "blue"), (30, "yellow"), (50, "magenta")]
SCENE_SPEECH = [(0.3, "Where is the train station?"), (3.6, "It is next to the old bridge.")]


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HHIR_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("HHIR_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("HHIR_DB", str(home / "data" / "project.sqlite"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def scene_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 8 s, 25 fps video: five shots (cuts at 40, 75, 120, 150) and two spoken sentences."""
    from media_factory import make_video

    return make_video(tmp_path_factory.mktemp("media") / "scene one.mp4", SCENE_SHOTS, speech=SCENE_SPEECH)


@pytest.fixture
def store(tmp_path: Path):
    from hhir.store import Store

    db = Store(tmp_path / "project.sqlite")
    yield db
    db.close()
