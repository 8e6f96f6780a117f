"""Where the database is when DATABASE_URL is not given."""

import socket

import psycopg
import pytest

from gorodok_platform import devdb


def test_explicit_url_wins(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.internal:5433/x")
    assert devdb.resolve_database_url("production") == "postgres://u@db.internal:5433/x"


def test_production_without_url_is_refused(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        devdb.resolve_database_url("production")


def test_tests_use_a_local_server_when_one_answers(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    address = listener.getsockname()
    try:
        monkeypatch.setattr(devdb, "LOCAL_SERVER", address)
        url = devdb.resolve_database_url("test")
    finally:
        listener.close()
    assert url == f"postgres://postgres@127.0.0.1:{address[1]}/gorodok"


def test_nothing_listening_is_detected():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    free_port = probe.getsockname()[1]
    probe.close()
    assert not devdb.local_server_answers(("127.0.0.1", free_port), timeout=0.2)


def test_embedded_server_starts_and_keeps_its_data(monkeypatch):
    """The fallback really is a PostgreSQL server, with its data in the given folder."""
    import shutil
    import tempfile
    from pathlib import Path

    # Not pytest's tmp_path: a concurrent pytest session may prune those folders while the server runs.
    tmp_path = Path(tempfile.mkdtemp(prefix="gorodok-embedded-"))
    monkeypatch.setattr(devdb, "_embedded_server", None)
    url = devdb.embedded_database_url(tmp_path / "pgdata")
    try:
        assert (tmp_path / "pgdata" / "PG_VERSION").exists()
        with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
            conn.execute("CREATE TABLE kept (x int)")
        assert int(version.split(".")[0]) >= 15
        # Asking again reuses the running server and the database.
        assert devdb.embedded_database_url(tmp_path / "pgdata") == url
    finally:
        server = devdb._embedded_server
        monkeypatch.setattr(devdb, "_embedded_server", None)
        if server is not None:
            server.cleanup()
        shutil.rmtree(tmp_path, ignore_errors=True)


def test_dead_handles_are_forgotten(tmp_path):
    import json
    import os
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    (tmp_path / ".handle_pids.json").write_text(json.dumps([os.getpid(), int(dead)]))
    assert devdb.forget_dead_handles(tmp_path) == [os.getpid()]
    assert json.loads((tmp_path / ".handle_pids.json").read_text()) == [os.getpid()]
