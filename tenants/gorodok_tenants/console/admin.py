"""Model registrations on both sites. Module admins register themselves on ``back_office``."""

from __future__ import annotations

from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group

from gorodok_platform.accounts.admin import StaffUserAdmin
from gorodok_platform.accounts.models import User
from gorodok_platform.audit.admin import AuditEntryAdmin
from gorodok_platform.audit.models import AuditEntry
from gorodok_tenants.console.municipalities import MunicipalityAdmin
from gorodok_tenants.console.sites import back_office, region_console
from gorodok_tenants.models import Municipality

for site in (region_console, back_office):
    site.register(User, StaffUserAdmin)
    site.register(AuditEntry, AuditEntryAdmin)
    site.register(Group, GroupAdmin)

region_console.register(Municipality, MunicipalityAdmin)
