"""Pending migrations of every municipality, computed at once.

One catalog query finds the schemas that have a django_migrations table; then, per batch of schemas,
one query returns a digest of each schema's records (``md5`` of the sorted ``app.name`` list, computed
by PostgreSQL). A schema whose digest is the one a fully migrated schema has is current and costs
nothing more; the others' records are read (one more query per batch) and grouped by applied state,
and each distinct state is planned once in memory (``graph.plan_for``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connections
from django_tenants.utils import get_public_schema_name, get_tenant_database_alias, quote_schema_name

from gorodok_tenants.models import Domain, Municipality, MunicipalityStatus
from gorodok_tenants.provisioning.schemas import _records_digest
from gorodok_tenants.upgrades.graph import AppliedStateLoader, Key, PlanCache, StatePlan, full_records, release_label

BATCH = 250

_DIGEST = (
    "SELECT {literal}, pg_catalog.md5(coalesce(pg_catalog.string_agg(app || '.' || name, E'\\n' "
    "ORDER BY app COLLATE \"C\", name COLLATE \"C\"), '')) FROM {schema}.django_migrations"
)
_ROWS = "SELECT {literal}, app, name FROM {schema}.django_migrations"


@dataclass
class TenantPlan:
    municipality_id: int
    schema_name: str
    name: str
    canary: bool
    domains: tuple[str, ...]
    applied: frozenset[Key] | None  # None: the schema or its django_migrations table is missing
    plan: StatePlan | None

    @property
    def pending(self) -> tuple[Key, ...]:
        return self.plan.pending if self.plan is not None else ()

    @property
    def error(self) -> str:
        if self.applied is None:
            return "The schema or its django_migrations table is missing (restore or provision it first)."
        return self.plan.error if self.plan is not None else ""


@dataclass
class UpgradePlan:
    release: str
    public_pending: tuple[Key, ...]
    public_error: str
    public_applied: frozenset[Key]
    tenants: list[TenantPlan]  # only the municipalities with something to do (or an error)
    total: int
    current: int
    in_maintenance: list[TenantPlan] = field(default_factory=list)  # current, yet left in maintenance
    cache: PlanCache | None = None

    @property
    def pending_tenants(self) -> list[TenantPlan]:
        return [t for t in self.tenants if t.pending and not t.error]

    @property
    def refused_tenants(self) -> list[TenantPlan]:
        return [t for t in self.tenants if t.error]

    def summary(self) -> list[tuple[tuple[Key, ...], int]]:
        """Distinct pending lists and how many municipalities have each."""
        return Counter(t.pending for t in self.pending_tenants).most_common()


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _union(template: str, schemas: Iterable[str]) -> str:
    return "\nUNION ALL\n".join(
        template.format(literal=_literal(s), schema=quote_schema_name(s)) for s in schemas
    )


def schemas_with_migrations_table(connection) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
            "ON n.oid = c.relnamespace WHERE c.relname = 'django_migrations' AND c.relkind IN ('r', 'p')"
        )
        return {name for (name,) in cursor.fetchall()}


def read_applied(connection, schemas: list[str], expected_digest: str, *, batch: int = BATCH
                 ) -> Iterator[tuple[str, frozenset[Key] | None]]:
    """(schema, applied records) for each schema; None as records when the schema is current
    (its digest is ``expected_digest``), so that current schemas cost no rows."""
    for chunk in _chunks(schemas, batch):
        with connection.cursor() as cursor:
            cursor.execute(_union(_DIGEST, chunk))
            behind = [schema for schema, digest in cursor.fetchall() if digest != expected_digest]
            current = set(chunk) - set(behind)
            for schema in chunk:
                if schema in current:
                    yield schema, None
            if not behind:
                continue
            cursor.execute(_union(_ROWS, behind))
            records: dict[str, set[Key]] = defaultdict(set)
            for schema, app, name in cursor.fetchall():
                records[schema].add((app, name))
        for schema in behind:
            yield schema, frozenset(records.get(schema, ()))


def plan_upgrade(*, only: Iterable[str] | None = None, using: str | None = None,
                 cache: PlanCache | None = None) -> UpgradePlan:
    """The plan for the public schema and every municipality (or those whose schema or slug is in
    ``only``). Archived municipalities (no schema) are left out."""
    alias = using or get_tenant_database_alias()
    connection = connections[alias]
    connection.set_schema_to_public()
    cache = cache or PlanCache(alias)
    full = full_records(AppliedStateLoader(()))
    expected_digest = _records_digest(full)
    current_plan = cache.plan(full)
    release = release_label(current_plan.loader)

    public = get_public_schema_name()
    (_, public_applied), = read_applied(connection, [public], expected_digest)
    public_plan = cache.plan(public_applied) if public_applied is not None else current_plan

    rows = Municipality.objects.exclude(status=MunicipalityStatus.ARCHIVED).exclude(schema_name=public)
    if only:
        wanted = list(only)
        rows = rows.filter(schema_name__in=wanted) | rows.filter(slug__in=wanted)
    rows = list(rows.order_by("schema_name").values_list(
        "id", "schema_name", "name", "upgrade_canary", "maintenance_since"))
    domains: dict[int, list[str]] = defaultdict(list)
    for tenant_id, domain in Domain.objects.filter(tenant_id__in=[r[0] for r in rows]).values_list(
            "tenant_id", "domain"):
        domains[tenant_id].append(domain)
    present = schemas_with_migrations_table(connection)
    readable = [r[1] for r in rows if r[1] in present]
    applied_by_schema = dict(read_applied(connection, readable, expected_digest))

    tenants, in_maintenance, current = [], [], 0
    for tenant_id, schema, name, canary, maintenance_since in rows:
        if schema not in present:
            applied, plan = None, None
        else:
            applied = applied_by_schema[schema]
            plan = current_plan if applied is None else cache.plan(applied)
            applied = full if applied is None else applied
        tenant = TenantPlan(tenant_id, schema, name, canary, tuple(domains.get(tenant_id, ())), applied, plan)
        if tenant.pending or tenant.error:
            tenants.append(tenant)
        else:
            current += 1
            if maintenance_since is not None:
                in_maintenance.append(tenant)
    return UpgradePlan(
        release=release, public_pending=public_plan.pending, public_error=public_plan.error,
        public_applied=public_applied if public_applied is not None else full,
        tenants=tenants, total=len(rows), current=current, in_maintenance=in_maintenance, cache=cache,
    )
