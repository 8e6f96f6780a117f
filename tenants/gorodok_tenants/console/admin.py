"""Model registrations on both sites. Module admins register themselves on ``back_office``."""

from __future__ import annotations

from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group

from gorodok_platform.accounts.admin import StaffUserAdmin
from gorodok_platform.accounts.models import User
from gorodok_platform.audit.admin import AuditEntryAdmin
from gorodok_platform.audit.models import AuditEntry
from gorodok_platform.jobs.models import FailedJob
from gorodok_tenants.console import clients_admin as _clients_admin  # noqa: F401  (API clients)
from gorodok_tenants.console import support_admin as _support_admin  # noqa: F401  (support sessions)
from gorodok_tenants.console import upgrades_admin as _upgrades_admin  # noqa: F401  (upgrade runs, release notes)
from gorodok_tenants.console import webhooks_admin as _webhooks_admin  # noqa: F401  (subscriptions, deliveries)
from gorodok_tenants.console.archives_admin import MunicipalityArchiveAdmin
from gorodok_tenants.console.jobs_admin import FailedJobAdmin
from gorodok_tenants.console.mixins import AuditedAdminMixin
from gorodok_tenants.console.municipalities import MunicipalityAdmin
from gorodok_tenants.console.permissions import RegionalPermissionsMixin, is_regional_staff
from gorodok_tenants.console.sites import back_office, region_console
from gorodok_tenants.models import Municipality, MunicipalityArchive


class BackOfficeStaffAdmin(AuditedAdminMixin, StaffUserAdmin):
    pass


class BackOfficeGroupAdmin(AuditedAdminMixin, GroupAdmin):
    pass


class RegionalStaffAdmin(AuditedAdminMixin, RegionalPermissionsMixin, StaffUserAdmin):
    """Regional staff: admins manage them, analysts only see them."""


class RegionalAuditAdmin(AuditEntryAdmin):
    def has_view_permission(self, request, obj=None):
        return is_regional_staff(request)

    def has_module_permission(self, request):
        return is_regional_staff(request)


class RegionalGroupAdmin(AuditedAdminMixin, RegionalPermissionsMixin, GroupAdmin):
    def has_add_permission(self, request):
        return False  # roles are seeded; they are granted, not invented


region_console.register(User, RegionalStaffAdmin)
region_console.register(AuditEntry, RegionalAuditAdmin)
region_console.register(Group, RegionalGroupAdmin)
region_console.register(Municipality, MunicipalityAdmin)
region_console.register(MunicipalityArchive, MunicipalityArchiveAdmin)
region_console.register(FailedJob, FailedJobAdmin)

back_office.register(User, BackOfficeStaffAdmin)
back_office.register(AuditEntry, AuditEntryAdmin)
back_office.register(Group, BackOfficeGroupAdmin)
