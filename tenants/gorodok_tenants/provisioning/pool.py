"""A warm pool of spare schemas: new municipalities get a schema by renaming one that is already built.

Why
    The fast path (gorodok_tenants.provisioning.schemas) executes the final schema's DDL in one
    transaction, which is as fast as DDL gets: PostgreSQL's own work to create a table or an index
    (about a millisecond each) bounds it, and no DDL path can come much closer to "instant". The only
    way past that bound is to do the DDL before anyone asks for it.

How
    * A spare is a schema named ``gorodok_spare_<12 hex>``, built by the fast path exactly like a new
      municipality's schema (same DDL, same seed rows, same sequence positions), and committed.
      ``pool_refill()`` keeps ``settings.GORODOK_SCHEMA_POOL_SIZE`` (default 3; 0 switches the pool
      off) current spares: it drops spares whose django_migrations records are not the code's (stale
      after an upgrade), drops spares beyond the size, and builds the missing ones. Refills are
      serialised by a PostgreSQL advisory lock, so two of them never overshoot.
    * ``create_tenant_schema`` first calls ``pool_take(new_name)``: inside the caller's transaction (a
      savepoint), it claims one spare with a per-spare transaction lock (``provisioning.spare``; concurrent
      takers never get the same spare and never wait for each other), checks its migration records
      against the code's in one query (a stale spare is skipped and left for the refill to drop), and
      runs ``ALTER SCHEMA <spare> RENAME TO <new name>``. A rename rewrites one catalog row: tables,
      sequences, column defaults (``nextval('...'::regclass)`` stores the sequence's OID), constraints,
      indexes, triggers and functions refer to each other by OID and keep working. The one thing that
      could embed the old name as text is a function body (or a function's SET clause, or a trigger's
      arguments); every spare is checked for that when it is built, and a schema design that embeds it
      disables the pool with an error in the log. When no usable spare exists, ``pool_take`` returns
      False and the DDL path runs as before: the pool is an optimisation, never needed for correctness.
    * After a take commits, a ``refill_schema_pool`` job is sent (gorodok_tenants.actors), and the same
      job runs every ten minutes, so the pool recovers after restarts, deployments and bursts.

The honest cost
    The DDL work is not avoided, only moved: every spare still costs what the DDL path costs (plus a
    few milliseconds for the job and its connection), paid in the background by a worker instead of
    on the request. A burst of more creations than the pool holds falls back to the DDL path for the
    rest. Spares occupy catalog space (a few hundred relations each) and are rebuilt after every
    migration change. ``applied`` in a taken schema's django_migrations is the time its spare was built.

Spares are not municipalities: they have no row in the public schema, so ``migrate_schemas``, the
jobs' tenant middleware, the archives and everything else that goes through Municipality never see
them; code that lists schemas from PostgreSQL's catalog must skip them (``is_spare``). ``manage.py
provisioning_template --refill-pool`` fills the pool, ``--drain-pool`` drops every spare (e.g. before an
upgrade; stale spares are dropped by the next refill anyway).
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django_tenants.postgresql_backend.base import _check_schema_name
from django_tenants.utils import get_tenant_database_alias, quote_schema_name

from gorodok_platform.jobs.locks import SCHEMA_POOL, SPARE_SCHEMA, advisory_lock, lock_sql
from gorodok_tenants.provisioning.schemas import (
    _DIGEST_SQL,
    PgDumpUnavailable,
    ProvisioningError,
    _on_own_connection,
    _records_digest,
    expected_migration_records,
    provision_schema,
    provisioning_mode,
)

logger = logging.getLogger("gorodok.provisioning")

SPARE_PREFIX = "gorodok_spare_"
DEFAULT_POOL_SIZE = 3
REFILL_LOCK_TIMEOUT = "120s"
DROP_LOCK_TIMEOUT = "10s"
# A take retries when the spare it claimed vanished underneath (dropped or taken by a session that
# committed between the candidate list and the claim).
TAKE_ATTEMPTS = 3

_SPARE_LIKE = SPARE_PREFIX.replace("_", "\\_") + "%"
# The candidates in creation order; OFFSET 0 keeps the sort below the lock filter, so each row's
# lock is tried in turn and the first one claimed ends the scan (a failed try takes no lock).
_CLAIM_SQL = """
SELECT name FROM (
    SELECT nspname::text AS name FROM pg_catalog.pg_namespace
     WHERE nspname LIKE %s AND NOT (nspname::text = ANY(%s))
     ORDER BY oid OFFSET 0
) AS candidate
WHERE {claim}
LIMIT 1
""".format(claim=lock_sql(SPARE_SCHEMA.name, "name"))  # noqa: S608 - a registered constant
# Anything in a schema that holds its name as text (and would therefore break on a rename).
_NAME_AS_TEXT_SQL = """
SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
 WHERE p.pronamespace = %(schema)s::regnamespace
   AND (strpos(p.prosrc, %(name)s) > 0 OR strpos(coalesce(array_to_string(p.proconfig, ' '), ''), %(name)s) > 0)
UNION ALL
SELECT t.tgname::text FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = %(schema)s::regnamespace AND strpos(encode(t.tgargs, 'escape'), %(name)s) > 0
"""


class PoolUnusable(ProvisioningError):
    """A spare would not survive a rename: something in the schema embeds its name as text."""


def pool_size() -> int:
    """How many spares the pool keeps: the setting, or 0 when the pool is off (``migrate`` mode)."""
    if provisioning_mode() != "fast":
        return 0
    return max(int(getattr(settings, "GORODOK_SCHEMA_POOL_SIZE", DEFAULT_POOL_SIZE) or 0), 0)


def is_spare(schema_name: str) -> bool:
    """Whether a schema is a spare (not a municipality's, whatever it contains)."""
    return schema_name.startswith(SPARE_PREFIX)


def _expected_digest() -> str:
    return _records_digest(expected_migration_records())


def _sqlstate(error: BaseException) -> str | None:
    return getattr(error.__cause__, "sqlstate", None)


# --- Taking a spare (on the request) --------------------------------------------------------------


def pool_take(new_schema_name: str, *, using: str | None = None) -> bool:
    """Give ``new_schema_name`` a spare's schema by renaming it; False when no usable spare exists.

    Runs inside the caller's transaction (as a savepoint): the rename commits with the caller's work
    or not at all. Raises like the DDL path when ``new_schema_name`` already exists."""
    return take_spare(new_schema_name, using=using) is not None


def take_spare(new_schema_name: str, *, using: str | None = None) -> str | None:
    """``pool_take``, returning the name of the spare that became ``new_schema_name`` (or None)."""
    if pool_size() <= 0:
        return None
    alias = using or get_tenant_database_alias()
    connection = connections[alias]
    _check_schema_name(new_schema_name)
    expected = _expected_digest()
    skipped: list[str] = []
    for _attempt in range(TAKE_ATTEMPTS):
        spare = None
        try:
            with transaction.atomic(using=alias), connection.cursor() as cursor:
                while True:
                    cursor.execute(_CLAIM_SQL, [_SPARE_LIKE, skipped])
                    row = cursor.fetchone()
                    if row is None:
                        return None
                    spare = row[0]
                    cursor.execute(_DIGEST_SQL.format(table=f"{quote_schema_name(spare)}.django_migrations"))
                    if cursor.fetchone()[0] == expected:
                        break
                    logger.info("spare schema %s is stale (other migrations); skipped", spare)
                    skipped.append(spare)
                cursor.execute(f"ALTER SCHEMA {quote_schema_name(spare)} "
                               f"RENAME TO {quote_schema_name(new_schema_name)}")
        except DatabaseError as error:
            # 3F000: the schema is gone, 42P01: its django_migrations is (a damaged or vanishing spare).
            if spare is None or _sqlstate(error) not in ("3F000", "42P01"):
                raise
            skipped.append(spare)
            continue
        logger.info("schema %s provisioned from spare %s", new_schema_name, spare)
        _schedule_refill(alias)
        return spare
    return None


def _schedule_refill(alias: str) -> None:
    """Ask a worker to build a replacement (after the take committed: off the request's path)."""
    from gorodok_platform.jobs.enqueue import enqueue_on_commit
    from gorodok_platform.jobs.middleware import PUBLIC_SCHEMA
    from gorodok_tenants.actors import refill_schema_pool

    enqueue_on_commit(refill_schema_pool, schema=PUBLIC_SCHEMA, using=alias)


# --- Keeping the pool (in the background) ---------------------------------------------------------


def pool_spares(using: str | None = None) -> list[str]:
    """The spares the caller's connection sees, oldest first."""
    connection = connections[using or get_tenant_database_alias()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname::text FROM pg_catalog.pg_namespace WHERE nspname LIKE %s ORDER BY oid",
                       [_SPARE_LIKE])
        return [name for (name,) in cursor.fetchall()]


def pool_refill(target: int | None = None, *, using: str | None = None) -> int:
    """Make the pool hold ``target`` (default: ``pool_size()``) current spares; returns how many it built.

    Drops stale spares and spares beyond the target, builds the missing ones, each in a transaction of
    its own (committed at once, on a connection of its own, whatever transaction the caller is in).
    Idempotent; refills in all processes take turns. A spare being taken right now is left alone."""
    size = pool_size() if target is None else max(target, 0)
    alias = using or get_tenant_database_alias()
    return _on_own_connection(_refill, alias, size)


def pool_drain(*, using: str | None = None) -> int:
    """Drop every spare (those being taken at this moment excepted); returns how many were dropped."""
    alias = using or get_tenant_database_alias()
    return _on_own_connection(_drain, alias)


def _with_pool_lock(alias: str, function, *args):
    # A session lock on a private connection: provisioning may reset the shared one.
    with advisory_lock(SCHEMA_POOL.name, wait=True, lock_timeout=REFILL_LOCK_TIMEOUT, using=alias):
        return function(alias, *args)


def _refill(alias: str, size: int) -> int:
    return _with_pool_lock(alias, _refill_locked, size)


def _refill_locked(alias: str, size: int) -> int:
    connection = connections[alias]
    connection.set_schema_to_public()
    current, stale = _spares_by_state(connection)
    for spare in stale:
        if _drop_spare(connection, alias, spare):
            logger.info("stale spare schema %s dropped", spare)
    for spare in current[size:]:
        _drop_spare(connection, alias, spare)
    created = 0
    try:
        while len(current) + created < size:
            _build_spare(connection, alias)
            created += 1
    except PgDumpUnavailable as error:
        logger.warning("schema pool not refilled: %s", error)
    except PoolUnusable as error:
        logger.error("schema pool disabled: %s", error)
    if created:
        logger.info("schema pool: %d spare(s) built, %d kept", created, min(len(current), size))
    return created


def _drain(alias: str) -> int:
    return _with_pool_lock(alias, _drain_locked)


def _drain_locked(alias: str) -> int:
    connection = connections[alias]
    connection.set_schema_to_public()
    return sum(_drop_spare(connection, alias, spare) for spare in pool_spares(alias))


def _spares_by_state(connection) -> tuple[list[str], list[str]]:
    """(current, stale) spares, oldest first. Stale: other migration records, or none at all."""
    expected = _expected_digest()
    current, stale = [], []
    for spare in pool_spares(connection.alias):
        try:
            with connection.cursor() as cursor:
                cursor.execute(_DIGEST_SQL.format(table=f"{quote_schema_name(spare)}.django_migrations"))
                digest = cursor.fetchone()[0]
        except DatabaseError as error:
            if _sqlstate(error) not in ("3F000", "42P01"):
                raise
            digest = None  # taken or dropped meanwhile, or damaged
        (current if digest == expected else stale).append(spare)
    return current, stale


def _drop_spare(connection, alias: str, spare: str) -> bool:
    """Drop a spare unless a taker holds it. IF EXISTS: a spare taken meanwhile has another name now."""
    with advisory_lock(SPARE_SCHEMA.name, item=spare, transaction=True, lock_timeout=DROP_LOCK_TIMEOUT,
                       using=alias) as lock:
        if not lock:
            return False
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema_name(spare)} CASCADE")
        return True


def _build_spare(connection, alias: str) -> str:
    spare = SPARE_PREFIX + secrets.token_hex(6)
    with transaction.atomic(using=alias):
        provision_schema(spare, using=alias)
        with connection.cursor() as cursor:
            cursor.execute(_NAME_AS_TEXT_SQL, {"schema": spare, "name": spare})
            embedding = [name for (name,) in cursor.fetchall()]
        if embedding:
            raise PoolUnusable(
                f"{', '.join(embedding)} embed(s) the schema's name as text, so a renamed spare would break; "
                "new schemas are created by the DDL path only (set GORODOK_SCHEMA_POOL_SIZE=0 to silence this)."
            )
    return spare
