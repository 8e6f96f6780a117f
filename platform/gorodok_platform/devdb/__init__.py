"""Where the database is when DATABASE_URL is not given.

``make run`` and ``make test`` must work on a machine with nothing but Python: without
``DATABASE_URL`` they use an embedded PostgreSQL (pgserver) whose data lives under ``var/``.
``make test`` first tries a server on 127.0.0.1:5432 and uses the embedded one only when none answers.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

EMBEDDED_DATA_DIR = Path(os.environ.get("GORODOK_VAR_DIR", Path.cwd() / "var")) / "pgdata"
LOCAL_SERVER = ("127.0.0.1", 5432)
DATABASE_NAME = "gorodok"

_embedded_server = None


def local_server_answers(address: tuple[str, int] | None = None, timeout: float = 0.5) -> bool:
    address = address or LOCAL_SERVER
    try:
        with socket.create_connection(address, timeout=timeout):
            return True
    except OSError:
        return False


def forget_dead_handles(data_dir: Path) -> list[int]:
    """Drop processes that died without saying so (kill -9) from pgserver's list of users of the
    server; otherwise the last live user would never stop it. Returns the pids kept."""
    import json

    import psutil

    handles = data_dir / ".handle_pids.json"
    if not handles.exists():
        return []
    try:
        pids = json.loads(handles.read_text())
    except ValueError:
        pids = []
    alive = [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))
    return alive


def embedded_database_url(data_dir: Path = EMBEDDED_DATA_DIR) -> str:
    """Start (or join) the embedded PostgreSQL and return a URL for the Gorodok database."""
    global _embedded_server
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    if _embedded_server is None:
        forget_dead_handles(data_dir)
        _embedded_server = pgserver.get_server(data_dir, cleanup_mode="stop")
        exists = _embedded_server.psql(
            f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"  # noqa: S608 - a constant
        )
        if "1 row" not in exists:
            _embedded_server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    info = _embedded_server.get_postmaster_info()
    return f"postgres://postgres@/{DATABASE_NAME}?host={info.socket_dir}"


def resolve_database_url(environment: str) -> str:
    """The URL Gorodok connects to, by the rules the README states."""
    explicit = os.environ.get("DATABASE_URL")
    if explicit:
        return explicit
    if environment == "test" and local_server_answers():
        return f"postgres://postgres@{LOCAL_SERVER[0]}:{LOCAL_SERVER[1]}/{DATABASE_NAME}"
    if environment in ("dev", "test"):
        url = embedded_database_url()
        # Child processes (a worker, a management command) reuse the same server.
        os.environ["DATABASE_URL"] = url
        return url
    raise RuntimeError("DATABASE_URL must be set outside development and tests.")
