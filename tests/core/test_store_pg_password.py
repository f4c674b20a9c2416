"""A team project's password never has to be in its URL: libpq's own ways (PGPASSWORD, a password
file, a service file) work for the CLI, the library and the app's background process, and a
password that is in a URL is never written to the log, an error message or a command line.

The session's real PostgreSQL server trusts local connections; here one role must give a password
(scram-sha-256) over TCP, as on a team's server."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hhir.errors import StoreError
from hhir.store import Store

ROLE = "annotator_pw"
PASSWORD = "Xy7-pw-only-libpq-knows"  # noqa: S105 - the test role's password on a throwaway server
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def password_role(pg_server):
    """``ROLE`` logs in over TCP only with ``PASSWORD`` (a pg_hba line ahead of the trust lines)."""
    pg_server.sql(f"DROP ROLE IF EXISTS {ROLE}")
    pg_server.sql(f"CREATE ROLE {ROLE} LOGIN SUPERUSER PASSWORD '{PASSWORD}'")
    hba = pg_server.data / "pg_hba.conf"
    before = hba.read_text()
    hba.write_text(f"host all {ROLE} 127.0.0.1/32 scram-sha-256\n" + before)  # keeps the server's ownership
    pg_server.sql("SELECT pg_reload_conf()")
    yield ROLE
    hba.write_text(before)
    pg_server.sql("SELECT pg_reload_conf()")


@pytest.fixture
def no_libpq_env(monkeypatch, tmp_path):
    """Nothing from the machine's own libpq set-up leaks in: no password variables, an empty home."""
    for name in ("PGPASSWORD", "PGPASSFILE", "PGSERVICE", "PGSERVICEFILE", "PGSYSCONFDIR", "PGUSER", "PGHOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-such-pgpass"))


def _url(pg_server, database: str, password: str | None = None) -> str:
    secret = f":{password}" if password else ""
    return f"postgresql://{ROLE}{secret}@127.0.0.1:{pg_server.port}/{database}"


def _database(pg_url: str) -> str:
    return pg_url.rsplit("/", 1)[1]


def test_without_a_password_the_server_refuses_in_one_line(pg_server, pg_url, password_role, no_libpq_env):
    with pytest.raises(StoreError, match="cannot open the database") as refused:
        Store(_url(pg_server, _database(pg_url)))
    assert "\n" not in str(refused.value) and "password" in str(refused.value)


def test_pgpassword_supplies_it(pg_server, pg_url, password_role, no_libpq_env, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    with Store(_url(pg_server, _database(pg_url))) as store:
        assert store.labels()


def test_a_password_file_supplies_it(pg_server, pg_url, password_role, no_libpq_env, monkeypatch, tmp_path):
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{pg_server.port}:*:{ROLE}:{PASSWORD}\n")
    passfile.chmod(0o600)  # libpq ignores a password file others can read
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    with Store(_url(pg_server, _database(pg_url))) as store:
        assert store.labels()


def test_a_service_file_names_the_whole_connection(pg_server, pg_url, password_role, no_libpq_env, monkeypatch, tmp_path):
    services = tmp_path / "pg_service.conf"
    services.write_text(f"[hhir-team]\nhost=127.0.0.1\nport={pg_server.port}\ndbname={_database(pg_url)}\n"
                        f"user={ROLE}\npassword={PASSWORD}\n")
    services.chmod(0o600)
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    with Store("postgresql:///?service=hhir-team") as store:
        assert store.labels()
        assert PASSWORD not in store.name
        assert store.reopen_value() == "postgresql+psycopg:///?service=hhir-team"


def test_the_cli_takes_the_password_from_the_environment(pg_server, pg_url, password_role, no_libpq_env, tmp_path):
    env = {**os.environ, "PGPASSWORD": PASSWORD, "HHIR_CONFIG_DIR": str(tmp_path / "config"),
           "HHIR_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run([sys.executable, "-m", "hhir", "labels", "list", "--db", _url(pg_server, _database(pg_url))],
                          capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip()


def test_a_password_in_the_url_is_never_logged_nor_shown(pg_server, pg_url, password_role, no_libpq_env, caplog):
    url = _url(pg_server, _database(pg_url), PASSWORD)
    caplog.set_level(logging.DEBUG)
    with Store(url) as store:
        assert PASSWORD not in store.name and "***" in store.name
        assert store.labels()
    wrong = _url(pg_server, _database(pg_url), "not-" + PASSWORD)
    with pytest.raises(StoreError) as refused:
        Store(wrong)
    assert "not-" + PASSWORD not in str(refused.value)
    assert PASSWORD not in caplog.text


def test_the_background_process_gets_the_url_with_its_password_on_stdin(pg_server, pg_url, password_role, no_libpq_env,
                                                                         tmp_path):
    """The window's child opens the project with the password in the URL, read from its stdin:
    its command line, readable by every local user, holds neither the password nor the request."""
    request = {"project": _url(pg_server, _database(pg_url), PASSWORD), "model_id": None}
    env = {**os.environ, "HHIR_DATA_DIR": str(tmp_path / "data"), "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-m", "hhir_studio.app", "--op-child", "activate"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    command_line = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
    out, err = proc.communicate(json.dumps(request) + "\n", timeout=300)
    assert PASSWORD.encode() not in command_line and b"project" not in command_line
    answer = json.loads(out.strip().splitlines()[-1])
    assert answer["result"]["changes"]["active_model"] is True, (answer, err[-2000:])
    assert PASSWORD not in err


def test_a_url_that_does_not_parse_is_named_without_its_password():
    with pytest.raises(StoreError) as refused:
        Store(f"postgresql://ann:{PASSWORD}@db.example.org:notaport/films")
    assert str(refused.value) == "postgresql://ann:***@db.example.org:notaport/films: not a valid database URL"
