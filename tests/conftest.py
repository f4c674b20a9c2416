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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: runs against the real PostgreSQL server the tests start")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The store's own tests (test_store_*.py, or a module with BOTH_BACKENDS = True) run on SQLite
    and on PostgreSQL through the same ``store`` fixture."""
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    both = module.startswith("test_store_") or getattr(metafunc.module, "BOTH_BACKENDS", False)
    if both and "store" in metafunc.fixturenames:
        metafunc.parametrize("store", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True)


@pytest.fixture(scope="session")
def pg_server():
    """One real PostgreSQL server for the session, in a temporary folder (see pg_server.py)."""
    from pg_server import PgServer, pg_bin

    if pg_bin() is None:
        pytest.skip("PostgreSQL is not installed (Debian package 'postgresql'; make setup installs it)")
    server = PgServer().start()
    yield server
    server.destroy()


@pytest.fixture(scope="session")
def pg_template(pg_server) -> str:
    """A migrated, seeded project database that each test's database is copied from (fast)."""
    from hhir.store import Store

    Store(pg_server.create_database("hhir_template")).close()
    return "hhir_template"


@pytest.fixture
def pg_url(pg_server, pg_template):
    """A fresh team project on the session's server, dropped after the test."""
    import uuid

    name = f"t_{uuid.uuid4().hex[:12]}"
    yield pg_server.create_database(name, template=pg_template)
    pg_server.drop_database(name)


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path):
    from hhir.store import Store

    postgres = getattr(request, "param", "sqlite") == "postgresql"
    db = Store(request.getfixturevalue("pg_url")) if postgres else Store(tmp_path / "project.sqlite")
    yield db
    db.close()
