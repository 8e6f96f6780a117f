"""Model registrations on both sites. Module admins register themselves on ``back_office``."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gorodok_platform.accounts.admin import RoleGroupAdmin, StaffUserAdmin
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
from gorodok_tenants.console.tasks_admin import ConsoleTaskAdmin
from gorodok_tenants.models import ConsoleTask, Municipality, MunicipalityArchive


class BackOfficeStaffAdmin(AuditedAdminMixin, StaffUserAdmin):
    pass


class BackOfficeGroupAdmin(AuditedAdminMixin, RoleGroupAdmin):
    pass


class RegionalStaffAdmin(AuditedAdminMixin, RegionalPermissionsMixin, StaffUserAdmin):
    """Regional staff: admins manage them, analysts only see them."""

    actions = ["issue_enrolment_link"]

    @admin.action(description=_("Issue a one-time authenticator enrolment link"), permissions=["change"])
    def issue_enrolment_link(self, request, queryset):
        """The out-of-band step of setting up an authenticator: another administrator hands the link over
        (in person, by phone); following it replaces the account's authenticator."""
        from gorodok_platform.audit.services import audit_record
        from gorodok_tenants.console.two_factor import enrolment_path

        for user in queryset:
            if user.pk == request.user.pk:
                self.message_user(request, _("Another regional administrator must issue your enrolment link."),
                                  messages.ERROR)
                continue
            link = request.build_absolute_uri(enrolment_path(user))
            audit_record(action="user.two_factor_enrolment_link_issue", actor=request.user, target=user,
                         request=request)
            self.message_user(request, format_html(
                "{}: <code>{}</code>",
                _("One-time enrolment link for %(email)s (hand it over yourself, not by e-mail)")
                % {"email": user.email}, link), messages.SUCCESS)


class RegionalAuditAdmin(AuditEntryAdmin):
    def has_view_permission(self, request, obj=None):
        return is_regional_staff(request)

    def has_module_permission(self, request):
        return is_regional_staff(request)


class RegionalGroupAdmin(AuditedAdminMixin, RegionalPermissionsMixin, RoleGroupAdmin):
    def has_add_permission(self, request):
        return False  # roles are seeded; they are granted, not invented


region_console.register(User, RegionalStaffAdmin)
region_console.register(AuditEntry, RegionalAuditAdmin)
region_console.register(Group, RegionalGroupAdmin)
region_console.register(Municipality, MunicipalityAdmin)
region_console.register(MunicipalityArchive, MunicipalityArchiveAdmin)
region_console.register(ConsoleTask, ConsoleTaskAdmin)
region_console.register(FailedJob, FailedJobAdmin)

back_office.register(User, BackOfficeStaffAdmin)
back_office.register(AuditEntry, AuditEntryAdmin)
back_office.register(Group, BackOfficeGroupAdmin)
