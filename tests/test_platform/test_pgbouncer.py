"""Gorodok behind a real PgBouncer in session mode: routing, jobs, the upgrader and the per-kind timeouts,
run as a second pytest session whose every connection goes through PgBouncer (marker ``pgbouncer``;
``.ci/run`` installs the Debian package when it is missing). Bounded: a few minutes at most, ~1 on CI.

PgBouncer 1.18 refuses libpq's ``options`` startup parameter, where Gorodok normally sends its timeouts:
behind it ``DATABASE_TIMEOUTS_VIA=set`` sets them after connecting instead (test_database_timeouts checks
the values a fresh connection gets, here through PgBouncer).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

pytestmark = pytest.mark.pgbouncer

ROOT = Path(__file__).resolve().parents[2]
SUITE = [
    "tests/test_platform/test_database_timeouts.py",  # timeouts set through PgBouncer
    "tests/test_graphql/test_tenant_api.py",  # routing by host, search_path per municipality
    "tests/test_graphql/test_appeals_isolation.py",
    "tests/test_platform/test_jobs.py",  # jobs in their municipality's schema
    "tests/test_tenants/test_upgrades.py",  # the upgrader: advisory lock session, per-schema transactions
]


def _pgbouncer() -> str:
    found = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None)
    if not found:
        message = "pgbouncer is not installed (Debian package pgbouncer)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_suite_runs_through_pgbouncer_in_session_mode():
    program = _pgbouncer()
    server = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/gorodok")
    user, host, port = server.username or "postgres", server.hostname or "127.0.0.1", server.port or 5432
    name = f"{server.path.lstrip('/') or 'gorodok'}_pgbouncer"
    listen = _free_port()
    # pgbouncer refuses to run as root and drops to "nobody" here: a directory that user can reach.
    holder = tempfile.TemporaryDirectory(prefix="gorodok-pgbouncer-")
    work = Path(holder.name)
    work.chmod(0o777)
    password = f" password={server.password}" if server.password else ""
    config = work / "pgbouncer.ini"
    config.write_text(f"""[databases]
* = host={host} port={port} user={user}{password}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = any
pool_mode = session
max_client_conn = 200
default_pool_size = 40
logfile = {work}/pgbouncer.log
pidfile = {work}/pgbouncer.pid
""")
    config.chmod(0o644)
    command = [program, *(["-u", "nobody"] if os.geteuid() == 0 else []), str(config)]
    bouncer = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", listen), timeout=1).close()
                break
            except OSError:
                assert bouncer.poll() is None and time.monotonic() < deadline, "pgbouncer did not start"
                time.sleep(0.1)
        env = {**os.environ, "GORODOK_ENV": "test", "DATABASE_TIMEOUTS_VIA": "set",
               "DATABASE_URL": f"postgres://{user}@127.0.0.1:{listen}/{name}"}
        env.pop("PYTEST_ADDOPTS", None)
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--create-db",
                                 "--reuse-db", "-x", *SUITE], cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=420, check=False)
        seconds = time.monotonic() - started
        print(f"through PgBouncer (session mode): {result.stdout.strip().splitlines()[-1]} in {seconds:.0f} s")
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
        log = (work / "pgbouncer.log").read_text()
        assert "login attempt" in log  # the connections did go through PgBouncer
    finally:
        bouncer.terminate()
        bouncer.wait(timeout=10)
        holder.cleanup()
        with psycopg.connect(host=host, port=port, user=user, password=server.password, dbname="postgres",
                             autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "test_{name}" WITH (FORCE)')
