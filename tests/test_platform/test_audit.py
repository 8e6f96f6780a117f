"""The audit log only grows: neither the ORM nor SQL may change or remove an entry."""

import pytest
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context

from gorodok_platform.audit.models import AppendOnlyError, AuditEntry
from gorodok_platform.audit.services import audit_record, snapshot


def test_entries_are_recorded_in_the_current_schema(alpha, beta):
    with schema_context(alpha.schema_name):
        entry = audit_record(action="test.action", target=alpha.municipality, reason="because")
        assert AuditEntry.objects.filter(pk=entry.pk, action="test.action").exists()
        assert entry.tenant_schema == alpha.schema_name
        assert entry.actor_kind == "system"
    with schema_context(beta.schema_name):
        assert not AuditEntry.objects.filter(action="test.action").exists()
    with schema_context("public"):
        assert not AuditEntry.objects.filter(action="test.action").exists()


def test_orm_refuses_changes(alpha):
    with schema_context(alpha.schema_name):
        entry = audit_record(action="test.action")
        entry.reason = "rewritten"
        with pytest.raises(AppendOnlyError):
            entry.save()
        with pytest.raises(AppendOnlyError):
            entry.delete()
        with pytest.raises(AppendOnlyError):
            AuditEntry.objects.filter(pk=entry.pk).update(reason="x")
        with pytest.raises(AppendOnlyError):
            AuditEntry.objects.all().delete()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_auditentry SET reason = 'x'",
    "DELETE FROM audit_auditentry",
    "TRUNCATE audit_auditentry",
])
@pytest.mark.parametrize("schema", ["public", "alpha"])
def test_database_refuses_changes(alpha, schema, statement):
    schema_name = alpha.schema_name if schema == "alpha" else "public"
    with schema_context(schema_name):
        audit_record(action="test.action")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
        assert AuditEntry.objects.filter(action="test.action").count() == 1


def test_snapshot_leaves_out_passwords(alpha):
    from gorodok_platform.accounts.models import User

    with schema_context(alpha.schema_name):
        user = User.objects.get(email=alpha.admin_email)
        data = snapshot(user)
    assert data["email"] == alpha.admin_email
    assert "password" not in data
