from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gorodok_platform.jobs.failures import failed_job_retry, failed_jobs_resolve
from gorodok_tenants.console.permissions import RegionalPermissionsMixin

SCHEDULER_STATES = {
    "active": _("active"), "standby": _("standing by"), "failing": _("failing, retrying"), "stopped": _("stopped"),
}
SCHEDULER_SILENT_AFTER = timedelta(minutes=2)


def scheduler_overview() -> dict:
    """What the failed-jobs page shows above the list: each scheduler's last report, and the messages
    kept while the broker was unavailable."""
    from gorodok_platform.jobs.models import DeferredMessage, SchedulerHeartbeat

    now = timezone.now()
    rows = []
    for beat in SchedulerHeartbeat.objects.order_by("-updated_at")[:10]:
        silent = now - beat.updated_at > SCHEDULER_SILENT_AFTER and beat.status != "stopped"
        rows.append({"beat": beat, "state": _("not reporting") if silent else SCHEDULER_STATES.get(beat.status,
                                                                                                  beat.status),
                     "alarm": silent or beat.status == "failing"})
    return {"schedulers": rows, "deferred_jobs": DeferredMessage.objects.count(),
            "active_scheduler": any(r["beat"].status == "active" and not r["alarm"] for r in rows)}


class FailedJobAdmin(RegionalPermissionsMixin, admin.ModelAdmin):
    """Jobs that ran out of retries, by municipality: retry them after a fix, or mark them resolved.
    Above the list: the schedulers' state and the jobs waiting for the broker."""

    change_list_template = "gorodok_tenants/console/failed_job_change_list.html"

    list_display = ("failed_at", "actor_name", "tenant_schema", "retries", "short_error", "resolved_at")
    list_filter = ("actor_name", "tenant_schema", ("resolved_at", admin.EmptyFieldListFilter))
    search_fields = ("actor_name", "tenant_schema", "message_id", "error")
    readonly_fields = ("failed_at", "actor_name", "queue_name", "tenant_schema", "message_id", "args", "retries",
                       "error", "resolved_at")
    actions = ("retry", "mark_resolved")

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**scheduler_overview(), **(extra_context or {})})

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return obj.error[:120]

    @admin.action(description=_("Run the selected jobs again"))
    def retry(self, request, queryset):
        for job in queryset.filter(resolved_at__isnull=True):
            if not failed_job_retry(job=job, actor=request.user, request=request):
                self.message_user(request, _("No such job any more: %(name)s") % {"name": job.actor_name},
                                  messages.WARNING)
        self.message_user(request, _("The jobs were sent again."))

    @admin.action(description=_("Mark the selected jobs resolved"))
    def mark_resolved(self, request, queryset):
        failed_jobs_resolve(jobs=queryset, actor=request.user, request=request)
        self.message_user(request, _("Marked resolved."))
