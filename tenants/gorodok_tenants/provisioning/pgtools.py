"""PostgreSQL's own client programs (pg_dump, psql) run against the database Django uses.

pg_dump is the one schema provisioning chose (``schema_provisioning.find_pg_dump``: GORODOK_PG_DUMP, else
the closest one at least as new as the server on PATH, in /usr/lib/postgresql/*/bin or in the
``pgserver`` package). psql is taken from the same directory, so it understands what that pg_dump writes;
failing that, any psql found in the same places.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

# Django's own keys in OPTIONS, which libpq does not understand.
_DJANGO_ONLY_OPTIONS = {"assume_role", "isolation_level", "pool", "server_side_binding", "prepare_threshold"}
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")
# psql learned \restrict and \unrestrict (which pg_dump now writes around a plain dump) in these minors.
_RESTRICT_SINCE = {13: 22, 14: 19, 15: 14, 16: 10, 17: 6}
_RESTRICT_LINE = re.compile(rb"^\\(un)?restrict [A-Za-z0-9]+\r?\n?$")


class PgToolError(Exception):
    """A PostgreSQL client program is missing or failed; the message says which and why."""


@dataclass(frozen=True)
class PgTools:
    pg_dump: Path
    psql: Path
    pg_dump_version: tuple[int, int]
    psql_version: tuple[int, int]

    @property
    def version_label(self) -> str:
        return "{}.{}".format(*self.pg_dump_version)

    @property
    def psql_knows_restrict(self) -> bool:
        major, minor = self.psql_version
        return major >= 18 or minor >= _RESTRICT_SINCE.get(major, 10**6)


def program_version(program: Path) -> tuple[int, int] | None:
    try:
        output = subprocess.run(  # noqa: S603 - a fixed program path, no shell
            [str(program), "--version"], capture_output=True, text=True, timeout=20, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(output)
    return (int(match.group(1)), int(match.group(2) or 0)) if match else None


def _psql_candidates(pg_dump: Path) -> list[Path]:
    candidates = [pg_dump.parent / "psql"]
    on_path = shutil.which("psql")
    if on_path:
        candidates.append(Path(on_path))
    candidates.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"), reverse=True))
    try:
        import pgserver

        candidates.append(Path(pgserver.__file__).resolve().parent / "pginstall" / "bin" / "psql")
    except ImportError:
        pass
    return candidates


def server_major() -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def pg_tools() -> PgTools:
    """The pg_dump and psql to use with the server Django is connected to."""
    from gorodok_tenants.provisioning.schemas import ProvisioningError, find_pg_dump

    try:
        found = find_pg_dump(server_major())
    except ProvisioningError as exc:
        raise PgToolError(str(exc)) from exc
    pg_dump = Path(shutil.which(found) or found)
    pg_dump_version = program_version(pg_dump)
    if pg_dump_version is None:
        raise PgToolError(f"{pg_dump} does not run.")
    for psql in _psql_candidates(pg_dump):
        psql_version = psql.is_file() and program_version(psql)
        if psql_version:
            return PgTools(pg_dump=pg_dump, psql=psql, pg_dump_version=pg_dump_version, psql_version=psql_version)
    raise PgToolError(f"No psql found next to {pg_dump}, on PATH or in the pgserver package.")


def connect_kwargs() -> dict:
    """libpq connection parameters of Django's default database (for psycopg and the programs)."""
    settings_dict = connection.settings_dict
    params = {k: v for k, v in (settings_dict.get("OPTIONS") or {}).items() if k not in _DJANGO_ONLY_OPTIONS}
    for key, libpq_key in (("NAME", "dbname"), ("USER", "user"), ("PASSWORD", "password"), ("HOST", "host"),
                           ("PORT", "port")):
        if settings_dict.get(key):
            params[libpq_key] = str(settings_dict[key])
    return params


def _conninfo_and_env() -> tuple[str, dict[str, str]]:
    from psycopg.conninfo import make_conninfo

    params = connect_kwargs()
    env = dict(os.environ)
    password = params.pop("password", None)
    if password:
        env["PGPASSWORD"] = password  # never on the command line, where other users could read it
    return make_conninfo(**{k: str(v) for k, v in params.items()}), env


def run(program: Path, args: list[str], *, what: str) -> subprocess.CompletedProcess:
    """Run a PostgreSQL client program against Django's database; raise PgToolError when it fails."""
    conninfo, env = _conninfo_and_env()
    command = [str(program), f"--dbname={conninfo}", *args]
    try:
        result = subprocess.run(  # noqa: S603 - fixed program, arguments built here, no shell
            command, env=env, capture_output=True, check=False
        )
    except OSError as exc:
        raise PgToolError(f"{what}: {program} could not be started ({exc}).") from exc
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PgToolError(f"{what}: {program.name} failed: {' / '.join(detail[-5:]) or result.returncode}")
    return result


def strip_restrict_lines(source: Path, target: Path) -> None:
    """Copy a plain dump without its ``\\restrict``/``\\unrestrict`` lines, for a psql too old to know them.

    In a plain dump a line that starts with one backslash and a letter can only be a psql
    meta-command: COPY data doubles its backslashes.
    """
    with source.open("rb") as src, target.open("wb") as dst:
        for line in src:
            if not _RESTRICT_LINE.match(line):
                dst.write(line)


def check_pg_tools(app_configs=None, databases=None, **kwargs):
    """System check (``manage.py check --database default``, run by every release before the upgrader):
    pg_dump and psql exist and are at least as new as the server's major version. An older pg_dump refuses
    to dump a newer server, so exports, archives and restores would fail and provisioning would fall back
    to the slow path without saying so."""
    from django.core.checks import Error

    if not databases or "default" not in databases:
        return []
    try:
        major = server_major()
        tools = pg_tools()
    except PgToolError as exc:
        return [Error(str(exc), hint="Install the PostgreSQL client of the server's major version "
                      "(postgresql-client-N) or set GORODOK_PG_DUMP.", id="gorodok_tenants.E001")]
    except Exception as exc:
        return [Error(f"Cannot reach the database to compare client and server versions: {exc}",
                      id="gorodok_tenants.E002")]
    errors = []
    for name, path, version in (("pg_dump", tools.pg_dump, tools.pg_dump_version),
                                ("psql", tools.psql, tools.psql_version)):
        if version[0] < major:
            errors.append(Error(
                f"{name} {version[0]}.{version[1]} ({path}) is older than the PostgreSQL {major} server.",
                hint=f"Install postgresql-client-{major} in the image or point GORODOK_PG_DUMP at its pg_dump.",
                id="gorodok_tenants.E003"))
    return errors
