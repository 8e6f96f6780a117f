"""PostgreSQL advisory locks: one helper, and every key Gorodok uses registered here.

Two key spaces never meet: a *global* lock is one bigint key; a lock *per item* (a schema, a spare
schema's name) is the pair (the registered 32-bit class, ``hashtext(item)``). A key is registered once,
under a name, and a second registration of the same name or value fails at import, so two features
can never take each other's lock by accident. A module registers its own locks with
``register_lock`` (a module's code is never named here).

``advisory_lock(name, ...)`` is a context manager yielding an ``AdvisoryLock`` that is truthy when
acquired:

* ``transaction=True``: ``pg_(try_)advisory_xact_lock`` inside a ``transaction.atomic()`` it opens on
  the alias's connection; the lock goes with the transaction;
* otherwise a session lock on a private connection of its own (so nothing the caller does with the
  shared connection, such as closing it, releases the lock), ended with that connection;
* ``private=False``: a session lock on the alias's own connection, released at the end of the block.
  No transaction is opened, so work that talks to the network (a mail server, the broker) can hold it
  without leaving a session idle in transaction.

``wait=False`` tries and yields an unacquired lock at once if someone else holds it; ``wait=True``
waits, up to ``lock_timeout`` (a PostgreSQL interval such as ``"30s"``) when given.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, transaction

GLOBAL, PER_ITEM = "global", "per-item"


@dataclass(frozen=True)
class LockKey:
    name: str
    key: int
    kind: str
    purpose: str


_registry: dict[str, LockKey] = {}


def register_lock(name: str, key: int, *, kind: str = GLOBAL, purpose: str = "") -> LockKey:
    """Register a lock key; the same name and value again is a no-op, any clash is an error."""
    if kind not in (GLOBAL, PER_ITEM):
        raise ImproperlyConfigured(f"lock {name}: kind must be {GLOBAL!r} or {PER_ITEM!r}")
    limit = 2**63 if kind == GLOBAL else 2**31
    if not -limit <= key < limit:
        raise ImproperlyConfigured(f"lock {name}: key {key:#x} does not fit a {kind} advisory lock")
    entry = LockKey(name=name, key=key, kind=kind, purpose=purpose)
    existing = _registry.get(name)
    if existing is not None:
        if (existing.key, existing.kind) != (key, kind):
            raise ImproperlyConfigured(f"lock {name} is registered twice with different keys")
        return existing
    clash = next((other for other in _registry.values() if other.kind == kind and other.key == key), None)
    if clash is not None:
        raise ImproperlyConfigured(f"locks {name} and {clash.name} share the key {key:#x}")
    _registry[name] = entry
    return entry


def registered_locks() -> dict[str, LockKey]:
    return dict(_registry)


def lock_key(name: str) -> LockKey:
    try:
        return _registry[name]
    except KeyError:
        raise ImproperlyConfigured(f"no advisory lock is registered as {name!r}") from None


# --- The platform's and the tenancy layer's locks -----------------------------------------------------

SCHEDULER = register_lock("jobs.scheduler", 0x60D0_0001, purpose="one active scheduler among the replicas")
UPGRADE_RUN = register_lock("upgrades.run", 0x676F7275706772, purpose='one upgrade run at a time ("gorupgr")')
PROVISIONING_TEMPLATE = register_lock("provisioning.template", 0x676F726F646F6B,
                                      purpose='one build of the provisioning template at a time ("gorodok")')
SCHEMA_POOL = register_lock("provisioning.pool", 0x676F72706F6F6C,
                            purpose='one refill of the spare-schema pool at a time ("gorpool")')
OUTBOX_EVENT = register_lock("integrations.outbox-event", 0x60D0_0003, kind=PER_ITEM,
                             purpose="one dispatch of an outbox event at a time (per schema and event)")
SPARE_SCHEMA = register_lock("provisioning.spare", 0x60D0_0002, kind=PER_ITEM,
                             purpose="a spare schema being taken or dropped (per spare)")


# --- Taking them ------------------------------------------------------------------------------------


class AdvisoryLock:
    """A lock taken (or not) by ``advisory_lock``."""

    def __init__(self, entry: LockKey, item: str | None, connection, acquired: bool):
        self.entry, self.item, self.connection, self.acquired = entry, item, connection, acquired

    def __bool__(self) -> bool:
        return self.acquired

    def still_held(self) -> bool:
        """Whether this session still holds the lock (False after a database restart; raises when the
        connection is gone)."""
        sql, params = _held_sql(self.entry, self.item)
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return bool(cursor.fetchone()[0])


def _args(entry: LockKey, item: str | None) -> tuple[str, list]:
    if entry.kind == PER_ITEM:
        if item is None:
            raise ValueError(f"lock {entry.name} is taken per item: name the item")
        return "%s::integer, pg_catalog.hashtext(%s)", [entry.key, item]
    if item is not None:
        raise ValueError(f"lock {entry.name} is global: it takes no item")
    return "%s::bigint", [entry.key]


def _held_sql(entry: LockKey, item: str | None) -> tuple[str, list]:
    if entry.kind == PER_ITEM:
        where = "classid = (%s::integer)::oid AND objid = pg_catalog.hashtext(%s)::oid AND objsubid = 2"
        params = [entry.key, item]
    else:
        where = ("classid = ((%s::bigint >> 32) & 4294967295)::oid AND objid = (%s::bigint & 4294967295)::oid "
                 "AND objsubid = 1")
        params = [entry.key, entry.key]
    select = "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND granted AND "
    return f"{select}pid = pg_catalog.pg_backend_pid() AND {where})", params


def lock_sql(name: str, item_sql: str) -> str:
    """The SQL expression that tries a per-item transaction lock on the item ``item_sql`` evaluates to,
    for use inside a query (e.g. claiming the first free row of a list)."""
    entry = lock_key(name)
    if entry.kind != PER_ITEM:
        raise ValueError(f"lock {name} is global")
    return f"pg_catalog.pg_try_advisory_xact_lock({int(entry.key)}, pg_catalog.hashtext({item_sql}))"


def _take(cursor, entry: LockKey, item: str | None, *, xact: bool, wait: bool) -> bool:
    args, params = _args(entry, item)
    function = f"pg_catalog.pg_{'' if wait else 'try_'}advisory_{'xact_' if xact else ''}lock"
    cursor.execute(f"SELECT {function}({args})", params)
    row = cursor.fetchone()
    return True if wait else bool(row[0])


@contextmanager
def advisory_lock(name: str, *, item: str | None = None, wait: bool = False, transaction: bool = False,
                  lock_timeout: str | None = None, using: str = DEFAULT_DB_ALIAS,
                  private: bool = True) -> Iterator[AdvisoryLock]:
    """Take the registered lock ``name`` (for ``item`` when it is a per-item lock); see the module."""
    entry = lock_key(name)
    if transaction:
        connection = connections[using]
        with _atomic(using), connection.cursor() as cursor:
            if lock_timeout:
                cursor.execute("SELECT pg_catalog.set_config('lock_timeout', %s, true)", [lock_timeout])
            yield AdvisoryLock(entry, item, connection, _take(cursor, entry, item, xact=True, wait=wait))
        return
    if not private:
        connection = connections[using]
        with connection.cursor() as cursor:
            acquired = _take(cursor, entry, item, xact=False, wait=wait)
        try:
            yield AdvisoryLock(entry, item, connection, acquired)
        finally:
            if acquired:
                args, params = _args(entry, item)
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT pg_catalog.pg_advisory_unlock({args})", params)
        return
    connection = connections.create_connection(using)
    try:
        with connection.cursor() as cursor:
            if lock_timeout:
                cursor.execute("SELECT pg_catalog.set_config('lock_timeout', %s, false)", [lock_timeout])
            acquired = _take(cursor, entry, item, xact=False, wait=wait)
        yield AdvisoryLock(entry, item, connection, acquired)
    finally:
        connection.close()  # ends the session, and with it the lock


def _atomic(using: str):
    return transaction.atomic(using=using)
