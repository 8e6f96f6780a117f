"""API clients in both back offices: the committee's regional clients in the regional console (with
the municipalities each reaches), a municipality's own clients in its back office (its administrators
only). Tokens are shown once, after creation or rotation."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gorodok_platform.accounts.roles import Role
from gorodok_platform.integrations.admin import ApiClientAdminBase
from gorodok_platform.integrations.models import ApiClient
from gorodok_tenants.console.permissions import is_regional_admin, is_regional_staff
from gorodok_tenants.console.sites import back_office, region_console
from gorodok_tenants.models import Municipality
from gorodok_tenants.routing import is_region


class RegionalApiClientAdmin(ApiClientAdminBase):
    list_display = ("name", "key_id", "scope_list", "municipality_list", "expires_at", "last_used_at", "revoked_at")

    def can_view(self, request) -> bool:
        return is_region(getattr(request, "tenant", None)) and is_regional_staff(request)

    def can_manage(self, request) -> bool:
        return is_region(getattr(request, "tenant", None)) and is_regional_admin(request)

    def municipality_choices(self, request):
        return list(Municipality.objects.order_by("name").values_list("schema_name", "name"))

    def changelist_view(self, request, extra_context=None):
        self._names = dict(Municipality.objects.values_list("schema_name", "name"))
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("municipalities"))
    def municipality_list(self, obj):
        names = getattr(self, "_names", {})
        return ", ".join(names.get(schema, schema) for schema in obj.municipalities or [])


class BackOfficeApiClientAdmin(ApiClientAdminBase):
    def can_manage(self, request) -> bool:
        user = request.user
        return (not is_region(getattr(request, "tenant", None)) and user.is_active and user.is_staff
                and user.has_role(Role.MUNICIPAL_ADMIN))


region_console.register(ApiClient, RegionalApiClientAdmin)
back_office.register(ApiClient, BackOfficeApiClientAdmin)
