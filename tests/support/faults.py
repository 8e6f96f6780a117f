"""Real services a fault test starts on a free port, stops, starts again or freezes (SIGSTOP).

``RedisInstance`` runs the system's ``redis-server``; ``PostgresInstance`` runs the PostgreSQL that
ships with pgserver (a dependency), or the system's, as an unprivileged user when the tests run as
root. Both run in a process group of their own, so freezing stops every process of the server.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def unavailable(reason: str):
    """Skip locally; on CI (CI=true) the fault tests must run, so fail."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the fault tests (marker 'faults')")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_answers(port: int, timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} within {timeout} s")
        time.sleep(0.05)


class _Server:
    process: subprocess.Popen | None = None
    frozen = False

    def freeze(self) -> None:
        os.killpg(self.process.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        os.killpg(self.process.pid, signal.SIGCONT)
        self.frozen = False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.frozen:
            self.thaw()
        for sig, wait in ((self.stop_signal, 3), (signal.SIGQUIT, 3), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig) if sig == signal.SIGKILL else self.process.send_signal(sig)
            try:
                self.process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        self.process = None


class RedisInstance(_Server):
    stop_signal = signal.SIGTERM

    def __init__(self):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            unavailable("redis-server is not installed (apt-get install redis-server)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisInstance:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        _wait(lambda: port_answers(self.port), 10, "redis-server did not start")
        return self


def _postgres_bin() -> Path:
    candidates = []
    with contextlib.suppress(ImportError):
        from pgserver._commands import POSTGRES_BIN_PATH

        candidates.append(Path(POSTGRES_BIN_PATH))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "postgres").exists():
            return directory
    unavailable("no PostgreSQL server binaries (pgserver or /usr/lib/postgresql/*/bin)")


class PostgresInstance(_Server):
    """A throwaway PostgreSQL cluster (user postgres, trust) on a free port."""

    stop_signal = signal.SIGINT  # fast shutdown

    def _processes(self) -> list[int]:
        """The postmaster and every backend: each backend leads a process group of its own, so
        stopping the postmaster's group alone would leave open connections answering."""
        import psutil

        postmaster = psutil.Process(self.process.pid)
        return [postmaster.pid, *(child.pid for child in postmaster.children(recursive=True))]

    def freeze(self) -> None:
        for pid in self._processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        for pid in self._processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        self.frozen = False

    def __init__(self):
        self.bin = _postgres_bin()
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="gorodok-fault-pg-"))
        self.data = self.directory / "data"
        self.user = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            for name in ("postgres", "nobody"):
                with contextlib.suppress(KeyError):
                    self.user = pwd.getpwnam(name)
                    break
            os.chown(self.directory, self.user.pw_uid, self.user.pw_gid)
        self._run([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                   "-E", "UTF8", "--no-sync"])

    def _kwargs(self) -> dict:
        return {"user": self.user.pw_uid, "group": self.user.pw_gid} if self.user else {}

    def _run(self, command: list[str]) -> None:
        subprocess.run(command, check=True, capture_output=True, timeout=60, **self._kwargs())

    def start(self) -> PostgresInstance:
        self.process = subprocess.Popen(
            [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port), "-k", str(self.directory),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=40"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, **self._kwargs(),
        )
        _wait(lambda: port_answers(self.port), 20, "PostgreSQL did not start")
        _wait(self._accepts, 20, "PostgreSQL did not accept connections")
        return self

    def _accepts(self) -> bool:
        import psycopg

        try:
            psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                            connect_timeout=2).close()
            return True
        except psycopg.OperationalError:
            return False

    def restart(self) -> None:
        self.stop()
        self.start()

    def database_settings(self, base: dict) -> dict:
        """Django's settings for this server, otherwise like ``base``."""
        return {**base, "HOST": "127.0.0.1", "PORT": str(self.port), "NAME": "postgres", "USER": "postgres",
                "PASSWORD": ""}

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@contextlib.contextmanager
def pointed_at(connection, settings_dict: dict):
    """Point ``connection`` (a Django connection) at other settings for the block."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(settings_dict)
    try:
        yield connection
    finally:
        with contextlib.suppress(Exception):
            connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


class DeadlineExceeded(Exception):
    pass


@contextlib.contextmanager
def deadline(seconds: float):
    """Fail the block (from the main thread) if it runs longer than ``seconds``: a hung socket call on
    the old code must not hang the suite."""

    def expired(signum, frame):
        raise DeadlineExceeded(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
