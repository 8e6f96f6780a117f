"""Creating a municipality's schema: from a migrated template, in one transaction.

django-tenants creates a schema by running every migration in it (hundreds of milliseconds for a small
schema, growing with every migration added), or by cloning a template with a PL/pgSQL function (slower
still here). Gorodok instead keeps one template schema, ``gorodok_template``, migrated by django-tenants'
own ``migrate_schemas`` to the code's current migration state, and derives its DDL once per process with
``pg_dump --schema-only``. Creating a schema is then one round trip and one transaction::

    CREATE SCHEMA "m_x";
    <pre-data DDL: functions, tables, identity sequences>        -- the template's, renamed
    INSERT INTO "m_x".t SELECT ... FROM gorodok_template.t;       -- every table: the seed rows
    SELECT setval(...) FROM gorodok_template.<sequence>;         -- every sequence
    <post-data DDL: keys, unique constraints, indexes, foreign keys, triggers>
    SELECT md5(<the copied migration records>);                   -- checked before commit

which gives the schema a freshly migrated one would have: the same tables, columns, defaults, indexes,
constraints, functions, triggers and sequences, the same rows (django_migrations, content types,
permissions, the municipal role groups seeded by ``accounts.0002``) and the same sequence positions, so
later upgrades (``migrate_schemas``) apply to it normally. ``applied`` in django_migrations is the
provisioning time. tests/test_tenants/test_schema_provisioning.py proves the identity against
django-tenants' path; tests/benchmarks/provisioning.py measures both, the clone path and the floor.

The template
    * is rebuilt when its django_migrations rows differ from the records a fresh ``migrate`` writes for
      the code's migrations (new migrations after an upgrade, a dropped or damaged template). The check
      runs when a process first provisions; afterwards the last statement of every provisioning script
      re-checks the copied records, and a mismatch (or any failure while the template is stale) rebuilds
      it and retries once.
    * is built under ``gorodok_template_next`` on a connection of its own (so the build commits even
      when the caller is inside a transaction, and non-atomic migrations work), by ``migrate_schemas``
      like any tenant, and then swapped in with ``DROP SCHEMA`` + ``ALTER SCHEMA ... RENAME`` in one short
      transaction: a provisioning never copies from a half-built template. Builders in all processes are
      serialised by a PostgreSQL session advisory lock held on a third connection (``migrate_schemas``
      commits and closes its connection, which would drop a lock held there).
    * is not a municipality: it has no row in the public schema, ``migrate_schemas`` does not visit it,
      and nothing may be written to it by hand. ``manage.py provisioning_template`` checks or rebuilds it
      (run it after ``migrate_schemas`` in a deployment so the first new municipality does not pay for
      the rebuild).

Nothing is added to the public schema: the DDL is cached in process memory, keyed by the database and
the migration state. pg_dump is looked for in ``settings.GORODOK_PG_DUMP`` / ``$GORODOK_PG_DUMP``, on
PATH, in /usr/lib/postgresql/*/bin and in the embedded server of the ``pgserver`` package; one whose
major version is at least the server's is chosen (the closest). Without one, Gorodok logs a warning and
falls back to django-tenants' path. ``GORODOK_PROVISIONING=migrate`` (setting or environment) selects
django-tenants' path explicitly.

A new municipality usually does not even wait for the DDL: ``create_tenant_schema`` first renames a
spare schema built ahead of time by this same path (gorodok_tenants.provisioning.pool, the warm pool), and
falls back to the DDL when none is ready.
"""

from __future__ import annotations

import glob
import hashlib
import importlib.util
import logging
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, ProgrammingError, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django_tenants.models import TenantMixin
from django_tenants.postgresql_backend.base import _check_schema_name
from django_tenants.signals import schema_migrated
from django_tenants.utils import get_tenant_database_alias, quote_schema_name, schema_exists

from gorodok_platform.jobs.locks import PROVISIONING_TEMPLATE, advisory_lock

logger = logging.getLogger("gorodok.provisioning")

TEMPLATE_SCHEMA = "gorodok_template"
BUILD_SCHEMA = "gorodok_template_next"
# How long a builder waits for another builder, and for readers of the old template at the swap.
BUILD_LOCK_TIMEOUT = "300s"
SWAP_LOCK_TIMEOUT = "30s"
PG_DUMP_TIMEOUT_SECONDS = 120

# Stands for '"<new schema>".' in a cached script; PostgreSQL text never contains NUL.
_SCHEMA = "\x00"
_TEMPLATE_PREFIX = re.compile(r'(?<![\w$"])' + TEMPLATE_SCHEMA + r"\.")
_TEMPLATE_WORD = re.compile(r"(?<![\w$])" + TEMPLATE_SCHEMA + r"(?![\w$])")
# Top-level statements of a dump that configure pg_dump's own session or create the schema itself.
_DROPPED_STATEMENT = re.compile(
    r"^(SET\s|RESET\s|SELECT\s+pg_catalog\.set_config\s*\(|CREATE\s+SCHEMA\s|ALTER\s+SCHEMA\s|COMMENT\s+ON\s+SCHEMA\s)",
    re.IGNORECASE,
)
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\x80-\U0010ffff][\w\x80-\U0010ffff]*)?\$")


class ProvisioningError(RuntimeError):
    """The fast path cannot work here (no usable pg_dump, or a template it cannot make schema-agnostic)."""


class PgDumpUnavailable(ProvisioningError):
    pass


# --- What a freshly migrated schema records --------------------------------------------------------


_expected_lock = threading.Lock()
_expected: frozenset[tuple[str, str]] | None = None


def expected_migration_records() -> frozenset[tuple[str, str]]:
    """The (app, name) rows ``migrate`` writes into a new schema's django_migrations.

    Every migration on disk is applied (the router only turns operations of non-tenant apps into
    no-ops; they are still recorded). A squashed migration records the migrations it replaces and,
    once they are all recorded, itself.
    """
    global _expected
    with _expected_lock:
        if _expected is None:
            loader = MigrationLoader(None, ignore_no_migrations=True)
            records = set(loader.disk_migrations)
            for migration in loader.disk_migrations.values():
                records.update(tuple(replaced) for replaced in migration.replaces)
            _expected = frozenset(records)
        return _expected


def _records_digest(records) -> str:
    # The same text PostgreSQL builds in _DIGEST_SQL: sorted by (app, name) in code point order.
    text = "\n".join(f"{app}.{name}" for app, name in sorted(records))
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - a fingerprint, not security


_DIGEST_SQL = (
    "SELECT pg_catalog.md5(coalesce(pg_catalog.string_agg(app || '.' || name, E'\\n' "
    "ORDER BY app COLLATE \"C\", name COLLATE \"C\"), '')) FROM {table}"
)


# --- The template ----------------------------------------------------------------------------------


def _template_records(connection) -> frozenset[tuple[str, str]] | None:
    """The template's migration records, or None when it is missing. Holds no lock afterwards."""
    records = None
    try:
        # A transaction (a savepoint inside the caller's) that is always rolled back: it releases the
        # lock on the template's table, so that a builder on another connection can replace it.
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SELECT pg_catalog.to_regclass(%s)", [f"{TEMPLATE_SCHEMA}.django_migrations"])
            if cursor.fetchone()[0] is not None:
                cursor.execute(f"SELECT app, name FROM {TEMPLATE_SCHEMA}.django_migrations")  # noqa: S608
                records = frozenset(cursor.fetchall())
            transaction.set_rollback(True, using=connection.alias)
    except ProgrammingError as error:
        if not getattr(error.__cause__, "sqlstate", None) == "42P01":
            raise
        # Dropped by another session after to_regclass looked (it may read stale catalog caches).
    return records


def template_is_current(using: str | None = None) -> bool:
    """Whether the template holds exactly the migration state of the code."""
    connection = connections[using or get_tenant_database_alias()]
    return _template_records(connection) == expected_migration_records()


def ensure_template(*, using: str | None = None, force: bool = False, verbosity: int = 0) -> bool:
    """Build the template when it is missing or stale (or when ``force``). True if it was (re)built."""
    alias = using or get_tenant_database_alias()
    if not force and template_is_current(alias):
        return False
    rebuilt = _on_own_connection(_build_template, alias, force, verbosity)
    if rebuilt:
        _forget_blueprints(alias)
    return rebuilt


def _on_own_connection(function, *args):
    """Run ``function`` in a short-lived thread: Django gives it its own connections, which commit
    independently of any transaction the caller is in, and are closed afterwards."""
    outcome: dict[str, object] = {}

    def run():
        try:
            outcome["value"] = function(*args)
        except BaseException as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="gorodok-template-build", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _build_template(alias: str, force: bool, verbosity: int) -> bool:
    connection = connections[alias]
    # A session lock on a private connection: it survives migrate_schemas closing `connection`.
    with advisory_lock(PROVISIONING_TEMPLATE.name, wait=True, lock_timeout=BUILD_LOCK_TIMEOUT, using=alias):
        connection.set_schema_to_public()
        records = _template_records(connection)
        if not force and records == expected_migration_records():
            return False  # another process built it while this one waited for the lock
        logger.info("provisioning template %s is %s: building it", TEMPLATE_SCHEMA,
                    "missing" if records is None else "stale" if not force else "being rebuilt")
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {BUILD_SCHEMA} CASCADE")
            cursor.execute(f"CREATE SCHEMA {BUILD_SCHEMA}")
        call_command("migrate_schemas", tenant=True, schema_name=BUILD_SCHEMA, interactive=False,
                     verbosity=verbosity, database=alias)
        connection.set_schema_to_public()
        built = _template_records_of(connection, BUILD_SCHEMA)
        if built != expected_migration_records():
            raise ProvisioningError(
                f"{BUILD_SCHEMA} was migrated but records {len(built)} migrations, "
                f"not the {len(expected_migration_records())} a migrated schema records."
            )
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute("SELECT pg_catalog.set_config('lock_timeout', %s, true)", [SWAP_LOCK_TIMEOUT])
            cursor.execute(f"DROP SCHEMA IF EXISTS {TEMPLATE_SCHEMA} CASCADE")
            cursor.execute(f"ALTER SCHEMA {BUILD_SCHEMA} RENAME TO {TEMPLATE_SCHEMA}")
        return True


def _template_records_of(connection, schema: str) -> frozenset[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {quote_schema_name(schema)}.django_migrations")  # noqa: S608
        return frozenset(cursor.fetchall())


# --- The DDL, once per process ---------------------------------------------------------------------


@dataclass(frozen=True)
class Blueprint:
    """The template's DDL and seed copy, with every reference to the template's schema cut out."""

    digest: str
    pre_data: tuple[str, ...]
    copy: tuple[str, ...]
    post_data: tuple[str, ...]
    tables: tuple[str, ...]
    sequences: tuple[str, ...]

    def ddl(self, schema_name: str) -> str:
        """The schema's DDL alone (no rows, no sequence positions): the floor a provisioning can reach."""
        return self._render(schema_name, (*self.pre_data, *self.post_data))

    def script(self, schema_name: str) -> str:
        """Everything a new municipality's schema needs, ending with the digest of its migration records."""
        statements = (*self.pre_data, *self.copy, *self.post_data,
                      _DIGEST_SQL.format(table=f"{_SCHEMA}django_migrations"))
        return self._render(schema_name, statements)

    @staticmethod
    def _render(schema_name: str, statements) -> str:
        _check_schema_name(schema_name)
        schema = quote_schema_name(schema_name)
        body = ";\n".join(statements).replace(_SCHEMA, schema + ".")
        # check_function_bodies off, as pg_dump's own scripts do: a SQL function may name a table the
        # script creates later. RESET restores the session's setting at the end.
        return f"SET LOCAL check_function_bodies = off;\nCREATE SCHEMA {schema};\n{body};\nRESET check_function_bodies"


_blueprints: dict[tuple, Blueprint] = {}
_blueprints_lock = threading.RLock()


def _cache_key(alias: str) -> tuple:
    settings_dict = connections[alias].settings_dict
    return (alias, settings_dict.get("HOST"), settings_dict.get("PORT"), settings_dict.get("NAME"),
            _records_digest(expected_migration_records()))


def _forget_blueprints(alias: str) -> None:
    with _blueprints_lock:
        _blueprints.pop(_cache_key(alias), None)


def blueprint(using: str | None = None, *, verbosity: int = 0) -> Blueprint:
    """The cached blueprint for this database and migration state; builds the template and dumps it
    the first time. Raises PgDumpUnavailable when no usable pg_dump exists."""
    alias = using or get_tenant_database_alias()
    key = _cache_key(alias)
    cached = _blueprints.get(key)
    if cached is not None:
        return cached
    with _blueprints_lock:
        cached = _blueprints.get(key)
        if cached is None:
            connection = connections[alias]
            pg_dump = find_pg_dump(connection.pg_version // 10000)
            ensure_template(using=alias, verbosity=verbosity)
            cached = _derive_blueprint(connection, pg_dump)
            _blueprints[key] = cached
        return cached


def _derive_blueprint(connection, pg_dump: str) -> Blueprint:
    pre_data = _schema_agnostic(run_pg_dump(connection, pg_dump, "pre-data"))
    post_data = _schema_agnostic(run_pg_dump(connection, pg_dump, "post-data"))
    tables, sequences = _template_relations(connection)
    copy = []
    for table, columns in tables:
        target = ", ".join(_ident(column) for column in columns)
        source = ", ".join(
            "pg_catalog.now()" if (table, column) == ("django_migrations", "applied") else _ident(column)
            for column in columns
        )
        copy.append(
            f"INSERT INTO {_SCHEMA}{_ident(table)} ({target}) OVERRIDING SYSTEM VALUE "  # noqa: S608 - quoted names
            f"SELECT {source} FROM {TEMPLATE_SCHEMA}.{_ident(table)}"
        )
    for sequence in sequences:
        copy.append(
            f"SELECT pg_catalog.setval({_literal(_SCHEMA + _ident(sequence))}, last_value, is_called) "  # noqa: S608
            f"FROM {TEMPLATE_SCHEMA}.{_ident(sequence)}"
        )
    return Blueprint(
        digest=_records_digest(expected_migration_records()), pre_data=pre_data, copy=tuple(copy),
        post_data=post_data, tables=tuple(table for table, _ in tables), sequences=sequences,
    )


def _template_relations(connection) -> tuple[tuple[tuple[str, tuple[str, ...]], ...], tuple[str, ...]]:
    """The template's tables (with the columns a row copy writes) and its sequences, by name."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, c.relkind,
                   array_agg(a.attname::text ORDER BY a.attnum)
                       FILTER (WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '')
              FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
             WHERE n.nspname = %s
               AND ((c.relkind IN ('r', 'p') AND NOT c.relispartition) OR c.relkind = 'S')
             GROUP BY c.relname, c.relkind
             ORDER BY c.relname
            """,
            [TEMPLATE_SCHEMA],
        )
        rows = cursor.fetchall()
    tables = tuple((name, tuple(columns or ())) for name, kind, columns in rows if kind != "S")
    sequences = tuple(name for name, kind, _ in rows if kind == "S")
    return tables, sequences


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _schema_agnostic(dump: str) -> tuple[str, ...]:
    """The dump's statements without pg_dump's session settings and the schema's own statements, with
    every ``gorodok_template.`` prefix (names, regclass literals, function references) cut out."""
    statements = []
    for statement in split_sql(dump):
        if _DROPPED_STATEMENT.match(statement):
            continue
        parts = _TEMPLATE_PREFIX.split(statement)
        leftover = next((part for part in parts if _TEMPLATE_WORD.search(part)), None)
        if leftover is not None:
            raise ProvisioningError(
                f"Cannot make the template's DDL independent of the schema name: {statement[:300]!r}"
            )
        statements.append(_SCHEMA.join(parts))
    return tuple(statements)


def split_sql(script: str) -> list[str]:
    """Split a pg_dump script into top-level statements, skipping comments between statements and
    psql meta-commands (``\\restrict``). Knows quoted strings (also E'...'), quoted identifiers,
    dollar-quoted bodies and nested block comments, so a ';' inside any of them does not split."""
    statements: list[str] = []
    length = len(script)
    index = start = 0
    at_start = True  # nothing but blanks and comments since the last statement
    while index < length:
        char = script[index]
        if char == "-" and script.startswith("--", index):
            end = script.find("\n", index)
            index = length if end < 0 else end + 1
        elif char == "/" and script.startswith("/*", index):
            depth, index = 1, index + 2
            while depth and index < length:
                if script.startswith("/*", index):
                    depth, index = depth + 1, index + 2
                elif script.startswith("*/", index):
                    depth, index = depth - 1, index + 2
                else:
                    index += 1
        elif at_start and (char.isspace() or char == "\\"):
            if char == "\\":
                end = script.find("\n", index)
                index = length if end < 0 else end + 1
            else:
                index += 1
        else:
            if at_start:
                at_start, start = False, index
            if char == "'":
                escapes = index > 0 and script[index - 1] in "Ee" and (
                    index < 2 or not (script[index - 2].isalnum() or script[index - 2] in "_$")
                )
                index = _end_of_string(script, index, escapes)
            elif char == '"':
                index = _end_of_quoted(script, index, '"')
            elif char == "$" and (index == 0 or not (script[index - 1].isalnum() or script[index - 1] in "_$")):
                match = _DOLLAR_TAG.match(script, index)
                if match:
                    end = script.find(match.group(0), match.end())
                    if end < 0:
                        raise ProvisioningError("Unterminated dollar-quoted string in the dump.")
                    index = end + len(match.group(0))
                else:
                    index += 1
            elif char == ";":
                statements.append(script[start:index].strip())
                index += 1
                at_start = True
            else:
                index += 1
        if at_start:
            start = index
    tail = script[start:].strip() if not at_start else ""
    if tail:
        raise ProvisioningError(f"The dump ends inside a statement: {tail[:200]!r}")
    return statements


def _end_of_quoted(script: str, index: int, quote: str) -> int:
    index += 1
    while True:
        end = script.find(quote, index)
        if end < 0:
            raise ProvisioningError("Unterminated quoted text in the dump.")
        if script.startswith(quote * 2, end):
            index = end + 2
            continue
        return end + 1


def _end_of_string(script: str, index: int, escapes: bool) -> int:
    if not escapes:
        return _end_of_quoted(script, index, "'")
    index += 1
    length = len(script)
    while index < length:
        char = script[index]
        if char == "\\":
            index += 2
        elif char == "'":
            if script.startswith("''", index):
                index += 2
            else:
                return index + 1
        else:
            index += 1
    raise ProvisioningError("Unterminated string in the dump.")


# --- pg_dump -------------------------------------------------------------------------------------


_pg_dump_choice: dict[int, str] = {}


def find_pg_dump(server_major: int) -> str:
    """A pg_dump able to dump this server: the configured one, else the closest major version ≥ it."""
    configured = getattr(settings, "GORODOK_PG_DUMP", None) or os.environ.get("GORODOK_PG_DUMP")
    if configured:
        return configured
    if server_major in _pg_dump_choice:
        return _pg_dump_choice[server_major]
    candidates = [shutil.which("pg_dump"), *sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))]
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.origin:
        candidates.append(str(Path(spec.origin).parent / "pginstall" / "bin" / "pg_dump"))
    found = []
    for path in dict.fromkeys(filter(None, candidates)):
        major = _pg_dump_major(path)
        if major is not None and major >= server_major:
            found.append((major, path))
    if not found:
        raise PgDumpUnavailable(
            f"No pg_dump of PostgreSQL {server_major} or newer found (set GORODOK_PG_DUMP to its path)."
        )
    _pg_dump_choice[server_major] = min(found)[1]
    return _pg_dump_choice[server_major]


def _pg_dump_major(path: str) -> int | None:
    try:
        result = subprocess.run(  # noqa: S603 - a pg_dump binary, no shell
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    match = re.search(r"\)\s*(\d+)", result.stdout)
    return int(match.group(1)) if result.returncode == 0 and match else None


def run_pg_dump(connection, pg_dump: str, section: str) -> str:
    """The template's schema-only dump for one section (``pre-data`` or ``post-data``)."""
    conninfo, password = _conninfo(connection)
    environment = dict(os.environ)
    if password:
        environment["PGPASSWORD"] = password
    command = [
        pg_dump, "--schema-only", "--no-owner", "--no-privileges", "--no-tablespaces", "--strict-names",
        f"--section={section}", f"--schema={TEMPLATE_SCHEMA}", f"--dbname={conninfo}",
    ]
    result = subprocess.run(  # noqa: S603 - a pg_dump binary, no shell
        command, capture_output=True, text=True, env=environment, timeout=PG_DUMP_TIMEOUT_SECONDS, check=False
    )
    if result.returncode != 0:
        raise ProvisioningError(f"pg_dump of {TEMPLATE_SCHEMA} failed: {result.stderr.strip()}")
    return result.stdout


def _conninfo(connection) -> tuple[str, str | None]:
    """The connection string pg_dump needs to reach the database this connection uses (no password)."""
    from psycopg.conninfo import make_conninfo

    connection.ensure_connection()
    info = connection.connection.info
    # Only keywords every supported libpq knows: psycopg's own libpq may report newer ones (e.g.
    # sslcertmode) that an older pg_dump rejects.
    parameters = {key: value for key, value in info.get_parameters().items() if key in _LIBPQ_KEYWORDS}
    return make_conninfo("", **parameters), info.password


_LIBPQ_KEYWORDS = frozenset({
    "host", "hostaddr", "port", "dbname", "user", "passfile", "options", "sslmode", "sslcert", "sslkey",
    "sslrootcert", "sslcrl", "sslpassword", "gssencmode", "krbsrvname", "service", "target_session_attrs",
})


# --- Creating a schema -----------------------------------------------------------------------------


def provision_schema(schema_name: str, *, using: str | None = None, verbosity: int = 0) -> None:
    """Create ``schema_name`` from the template in one transaction (a savepoint inside the caller's).

    On any failure nothing is left behind. When the failure is due to the template (dropped, or of
    another migration state, e.g. during a rolling upgrade), it is rebuilt and the provisioning retried
    once."""
    alias = using or get_tenant_database_alias()
    connection = connections[alias]
    _check_schema_name(schema_name)
    plan = blueprint(alias, verbosity=verbosity)
    try:
        _execute(connection, alias, plan, schema_name)
    except (DatabaseError, _TemplateMismatch):
        if template_is_current(alias):
            raise
        logger.warning("provisioning template %s changed underneath; rebuilding it and retrying", TEMPLATE_SCHEMA)
        ensure_template(using=alias, verbosity=verbosity)
        _execute(connection, alias, blueprint(alias, verbosity=verbosity), schema_name)
    finally:
        connection.set_schema_to_public()


class _TemplateMismatch(DatabaseError):
    """The copied migration records are not the code's: the template changed underneath."""


def _execute(connection, alias: str, plan: Blueprint, schema_name: str) -> None:
    from gorodok_tenants.provisioning import citus

    script = plan.script(schema_name)
    distributed = citus.citus_installed(alias)
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        if distributed:  # pg_dump's identity DDL is refused inside a distributed schema: distribute after
            cursor.execute(citus.SHARDING_OFF)
        cursor.execute(script)
        digest = _last_result(cursor)
        if digest != plan.digest:
            raise _TemplateMismatch(
                f"{schema_name} got the migration records of another state than the code's "
                f"({digest} instead of {plan.digest})."
            )
        if distributed:
            citus.distribute_schema(cursor, schema_name)


def _last_result(cursor) -> str | None:
    """The single value of the script's last row-returning statement (its digest check)."""
    value = None
    while True:
        if cursor.description is not None:
            row = cursor.fetchone()
            value = row[0] if row else None
        if not cursor.nextset():
            return value


def provisioning_mode() -> str:
    return str(getattr(settings, "GORODOK_PROVISIONING", None) or os.environ.get("GORODOK_PROVISIONING")
               or "fast").lower()


_warned_fallback = False


def create_tenant_schema(tenant, *, check_if_exists=False, sync_schema=True, verbosity=1):
    """``Municipality.create_schema``: the fast path, or django-tenants' with GORODOK_PROVISIONING=migrate.

    The fast path first renames a spare from the warm pool (gorodok_tenants.provisioning.pool) and executes
    the template's DDL only when no spare is ready.

    Returns False when ``check_if_exists`` finds the schema already there, True when it was created.
    Raises on failure, leaving no schema behind (TenantMixin.save then deletes the row)."""
    global _warned_fallback
    mode = provisioning_mode()
    if mode not in ("fast", "migrate"):
        raise ProvisioningError(f"GORODOK_PROVISIONING must be 'fast' or 'migrate', not {mode!r}.")
    if mode == "migrate" or not sync_schema:
        return TenantMixin.create_schema(tenant, check_if_exists=check_if_exists, sync_schema=sync_schema,
                                         verbosity=verbosity)
    alias = get_tenant_database_alias()
    _check_schema_name(tenant.schema_name)
    if check_if_exists and schema_exists(tenant.schema_name, alias):
        return False
    from gorodok_tenants.provisioning.pool import pool_take

    if pool_take(tenant.schema_name, using=alias):  # a spare built ahead of time (gorodok_tenants.provisioning.pool)
        schema_migrated.send(sender=create_tenant_schema, schema_name=tenant.schema_name)
        return True
    try:
        provision_schema(tenant.schema_name, using=alias, verbosity=max(verbosity - 1, 0))
    except PgDumpUnavailable as error:
        if not _warned_fallback:
            logger.warning("%s Creating schemas with migrate_schemas instead (slower).", error)
            _warned_fallback = True
        return TenantMixin.create_schema(tenant, check_if_exists=check_if_exists, sync_schema=sync_schema,
                                         verbosity=verbosity)
    schema_migrated.send(sender=create_tenant_schema, schema_name=tenant.schema_name)
    return True
