from __future__ import annotations

from django.contrib.admin import AdminSite
from django.utils.translation import gettext_lazy as _

from gorodok_platform.accounts.roles import REGIONAL_ROLES
from gorodok_tenants.routing import is_region


class RegionConsoleSite(AdminSite):
    """The regional committee's console: municipalities, their lifecycle, support and audit."""

    site_header = _("Gorodok · regional console")
    site_title = _("Gorodok regional console")
    index_title = _("Region")

    def has_permission(self, request) -> bool:
        user = request.user
        return (
            is_region(getattr(request, "tenant", None))
            and user.is_active
            and user.is_staff
            and user.has_role(*REGIONAL_ROLES)
        )


class BackOfficeSite(AdminSite):
    """A municipality's back office, on its own host."""

    site_title = _("Gorodok back office")
    index_title = _("Back office")

    def has_permission(self, request) -> bool:
        tenant = getattr(request, "tenant", None)
        return tenant is not None and not is_region(tenant) and request.user.is_active and request.user.is_staff

    def each_context(self, request):
        context = super().each_context(request)
        tenant = getattr(request, "tenant", None)
        context["site_header"] = _("Gorodok · %(name)s") % {"name": getattr(tenant, "name", "")}
        return context


region_console = RegionConsoleSite(name="console")
back_office = BackOfficeSite(name="backoffice")
