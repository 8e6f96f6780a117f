"""Database timeouts per kind of work, so a database that is down, frozen or locked fails fast.

* connect: ``DATABASE_CONNECT_TIMEOUT`` seconds for every connection (libpq ``connect_timeout``);
* statement, lock and idle-in-transaction timeouts (PostgreSQL settings sent when connecting), by kind:
  ``request`` (web processes: short, a person is waiting), ``job`` (workers and the scheduler: longer),
  ``upgrade`` (the upgrader, archives, restores: the longest; 0 means none).

The web process uses ``request`` (the settings' default); ``manage.py worker`` and ``scheduler`` switch
to ``job``; ``manage.py upgrade`` and the archive commands to ``upgrade``, with ``use_database_timeouts``.

The timeouts travel in libpq's ``options`` startup parameter, which PgBouncer (1.18, Debian 12's) refuses
("unsupported startup parameter: options"). With ``DATABASE_TIMEOUTS_VIA=set`` they are set with
``set_config`` right after each connection is made instead (PgBouncer in session mode keeps them for the
session; its ``DISCARD ALL`` on release clears them before another client gets the server connection).
"""

from __future__ import annotations

from django.db.backends.signals import connection_created

KINDS = ("request", "job", "upgrade")
VIA = ("options", "set")
KIND_KEY = "GORODOK_TIMEOUTS_KIND"  # in a connection's settings_dict: which kind's timeouts it gets


def _option(name: str, seconds: int) -> str:
    return f"-c {name}={int(seconds * 1000)}"


def options_for(kind: str, timeouts: dict[str, dict[str, int]]) -> str:
    """The libpq ``options`` string that sets ``kind``'s timeouts (milliseconds, 0: none)."""
    values = timeouts[kind]
    return " ".join((
        _option("statement_timeout", values["statement"]),
        _option("lock_timeout", values["lock"]),
        _option("idle_in_transaction_session_timeout", values["idle_in_transaction"]),
    ))


def database_options(kind: str, *, connect_timeout: int, timeouts: dict[str, dict[str, int]],
                     existing: dict | None = None, via: str = "options") -> dict:
    """Django's OPTIONS for the database: ``existing`` with the timeouts of ``kind`` (in ``options``, or
    none there when ``via`` is ``set``: ``set_session_timeouts`` sets them after connecting)."""
    if via not in VIA:
        raise ValueError(f"via must be one of {VIA}")
    options = dict(existing or {})
    previous = options.get("options", "")
    kept = " ".join(part for part in _split(previous) if not part.startswith(_TIMEOUT_PREFIXES))
    options["options"] = " ".join(filter(None, (kept, options_for(kind, timeouts) if via == "options" else "")))
    if not options["options"]:
        del options["options"]
    if connect_timeout:
        options["connect_timeout"] = connect_timeout
    return options


_TIMEOUT_PREFIXES = ("-c statement_timeout=", "-c lock_timeout=", "-c idle_in_transaction_session_timeout=")


def _split(options: str) -> list[str]:
    """``-c a=1 -c b=2`` → ``["-c a=1", "-c b=2"]`` (other switches kept as they are)."""
    parts, words = [], options.split()
    index = 0
    while index < len(words):
        if words[index] == "-c" and index + 1 < len(words):
            parts.append(f"-c {words[index + 1]}")
            index += 2
        else:
            parts.append(words[index])
            index += 1
    return parts


def use_database_timeouts(kind: str) -> None:
    """Switch this process's connections to ``kind``'s timeouts (closes the open ones)."""
    from django.conf import settings
    from django.db import connections

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    for alias in connections:
        settings_dict = connections[alias].settings_dict
        settings_dict["OPTIONS"] = database_options(
            kind, connect_timeout=settings.DATABASE_CONNECT_TIMEOUT, timeouts=settings.DATABASE_TIMEOUTS,
            existing=settings_dict.get("OPTIONS"), via=getattr(settings, "DATABASE_TIMEOUTS_VIA", "options"))
        settings_dict[KIND_KEY] = kind
        connections[alias].close()


def set_session_timeouts(sender, connection, **kwargs) -> None:
    """With ``DATABASE_TIMEOUTS_VIA=set``: a new connection gets its kind's timeouts (behind PgBouncer)."""
    from django.conf import settings

    if getattr(settings, "DATABASE_TIMEOUTS_VIA", "options") != "set" or connection.vendor != "postgresql":
        return
    values = settings.DATABASE_TIMEOUTS[connection.settings_dict.get(KIND_KEY, "request")]
    with connection.connection.cursor() as cursor:  # the driver's own cursor: no schema switch yet
        cursor.execute(
            "SELECT pg_catalog.set_config('statement_timeout', %s, false), "
            "pg_catalog.set_config('lock_timeout', %s, false), "
            "pg_catalog.set_config('idle_in_transaction_session_timeout', %s, false)",
            [str(int(values[name] * 1000)) for name in ("statement", "lock", "idle_in_transaction")])


connection_created.connect(set_session_timeouts, dispatch_uid="gorodok-session-timeouts")


class DatabaseTimeoutsMixin:
    """For a management command: run from the command line, it uses ``database_work``'s timeouts
    (``call_command`` leaves the caller's as they are)."""

    database_work = "job"

    def run_from_argv(self, argv):
        use_database_timeouts(self.database_work)
        return super().run_from_argv(argv)
