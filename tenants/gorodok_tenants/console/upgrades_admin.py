"""Upgrade runs in the regional console: the plan (pending migrations per municipality), the runs with
their progress (the page refreshes itself while a run is going), each municipality's part with its
error, and the release notes municipalities' administrators will see. Runs are started by
``manage.py upgrade run`` in the deployment (deploy/runbooks/upgrades.md), not from here."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gorodok_tenants.console.permissions import RegionalPermissionsMixin, is_regional_admin
from gorodok_tenants.console.sites import region_console
from gorodok_tenants.models import (
    ReleaseNote,
    UpgradeRun,
    UpgradeRunStatus,
    UpgradeTenantState,
    UpgradeTenantStatus,
)

REFRESH_SECONDS = 5


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class UpgradeRunAdmin(ReadOnlyMixin, RegionalPermissionsMixin, admin.ModelAdmin):
    list_display = ("release", "status", "progress", "started_at", "finished_at", "attempts", "workers")
    list_filter = ("status",)
    readonly_fields = ("release", "status", "started_at", "finished_at", "heartbeat_at", "attempts", "workers",
                       "public_migrations", "municipalities_total", "municipalities_current",
                       "municipalities_done", "municipalities_failed", "message")
    change_list_template = "gorodok_tenants/console/upgrade_run_change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            states_total=Count("tenants"),
            states_done=Count("tenants", filter=Q(tenants__status=UpgradeTenantStatus.DONE)),
            states_failed=Count("tenants", filter=Q(tenants__status=UpgradeTenantStatus.FAILED)),
            states_running=Count("tenants", filter=Q(tenants__status=UpgradeTenantStatus.RUNNING)),
        )

    @admin.display(description=_("progress"))
    def progress(self, obj):
        states = reverse(f"{self.admin_site.name}:gorodok_tenants_upgradetenantstate_changelist")
        return format_html(
            '<a href="{}?run__id__exact={}">{} / {}</a> · {} · <span style="color:#c62828">{}</span>',
            states, obj.pk, obj.states_done, obj.states_total, _("running: %(n)s") % {"n": obj.states_running},
            _("failed: %(n)s") % {"n": obj.states_failed} if obj.states_failed else "",
        )

    def get_urls(self):
        return [path("plan/", self.admin_site.admin_view(self.plan_view), name="gorodok_tenants_upgrade_plan"),
                *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["refresh_seconds"] = (
            REFRESH_SECONDS if UpgradeRun.objects.filter(status=UpgradeRunStatus.RUNNING).exists() else None)
        extra_context["plan_url"] = reverse(f"{self.admin_site.name}:gorodok_tenants_upgrade_plan")
        return super().changelist_view(request, extra_context)

    def plan_view(self, request):
        from gorodok_tenants.upgrades.planner import plan_upgrade

        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        plan = plan_upgrade()
        context = {
            **self.admin_site.each_context(request), "title": _("Upgrade plan"), "plan": plan,
            "rows": [(t.schema_name, t.name, t.canary, ", ".join(".".join(k) for k in t.pending), t.error)
                     for t in plan.tenants],
            "public": ", ".join(".".join(k) for k in plan.public_pending),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "gorodok_tenants/console/upgrade_plan.html", context)


class UpgradeTenantStateAdmin(ReadOnlyMixin, RegionalPermissionsMixin, admin.ModelAdmin):
    list_display = ("schema_name", "municipality", "run", "wave", "status", "attempts", "duration_ms",
                    "started_at", "short_error")
    list_filter = ("status", "wave", "run")
    search_fields = ("schema_name", "municipality__name", "error")
    list_select_related = ("municipality", "run")
    readonly_fields = ("run", "municipality", "schema_name", "wave", "status", "pending", "applied", "error",
                       "attempts", "started_at", "finished_at", "duration_ms")

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return obj.error.splitlines()[-1][:160] if obj.error else ""

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["refresh_seconds"] = (
            REFRESH_SECONDS if UpgradeRun.objects.filter(status=UpgradeRunStatus.RUNNING).exists() else None)
        return super().changelist_view(request, extra_context)

    change_list_template = "gorodok_tenants/console/upgrade_run_change_list.html"


class ReleaseNoteAdmin(RegionalPermissionsMixin, admin.ModelAdmin):
    list_display = ("title", "release", "created_at", "seen_by")
    search_fields = ("title", "body", "release")
    fields = ("release", "title", "body")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(receipts_count=Count("receipts"))

    @admin.display(description=_("seen by"))
    def seen_by(self, obj):
        return obj.receipts_count

    def get_changeform_initial_data(self, request):
        from gorodok_tenants.upgrades.schema_version import code_schema_version

        return {"release": code_schema_version()}

    def has_delete_permission(self, request, obj=None):
        return is_regional_admin(request)


region_console.register(UpgradeRun, UpgradeRunAdmin)
region_console.register(UpgradeTenantState, UpgradeTenantStateAdmin)
region_console.register(ReleaseNote, ReleaseNoteAdmin)
