"""Creating a municipality's schema."""

from __future__ import annotations

from django_tenants.models import TenantMixin


def create_tenant_schema(tenant, *, check_if_exists=False, sync_schema=True, verbosity=1):
    return TenantMixin.create_schema(tenant, check_if_exists=check_if_exists, sync_schema=sync_schema,
                                     verbosity=verbosity)
