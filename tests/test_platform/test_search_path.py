"""The database connection skips ``SET search_path`` when the session already has the path wanted, and
issues it whenever the session's path may differ: another schema, a new connection, a rollback, a
rollback to a savepoint. Every read lands in the schema selected."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from gorodok_services.appeals.models import Department

MARK = "Отдел проверки пути поиска"


def _sets(queries) -> int:
    return sum(query["sql"].startswith("SET search_path") for query in queries)


@pytest.fixture
def marked(alpha, beta):
    from django_tenants.utils import schema_context

    with schema_context(alpha.schema_name):
        Department.objects.create(name=MARK)
    connection.set_schema_to_public()
    return alpha, beta


def _in(tenant_schema: str) -> tuple[bool, int]:
    """(does the schema selected hold the marked department, SET statements issued)"""
    connection.set_schema(tenant_schema)
    with CaptureQueriesContext(connection) as queries:
        found = Department.objects.filter(name=MARK).exists()
    return found, _sets(queries)


def test_selecting_the_same_schema_again_needs_no_set(marked):
    alpha, beta = marked
    assert _in(beta.schema_name) == (False, 1)
    assert _in(alpha.schema_name) == (True, 1)
    connection.set_schema_to_public()  # as routing does at the start of every request
    assert _in(alpha.schema_name) == (True, 0)
    assert _in(beta.schema_name) == (False, 1)
    assert _in(alpha.schema_name) == (True, 1)


def test_a_rolled_back_savepoint_forgets_the_path_it_set(marked):
    alpha, beta = marked
    assert _in(beta.schema_name) == (False, 1)
    assert _in(alpha.schema_name) == (True, 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert _in(beta.schema_name) == (False, 1)
        raise RuntimeError("undo")  # the savepoint's rollback undoes SET search_path too
    # The path is set again (when the savepoint is released, or by the next query): beta's, not alpha's.
    assert _in(beta.schema_name)[0] is False
    assert _in(alpha.schema_name) == (True, 1)
