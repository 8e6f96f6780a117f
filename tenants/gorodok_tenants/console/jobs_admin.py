from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from gorodok_platform.jobs.failures import failed_job_retry, failed_jobs_resolve
from gorodok_tenants.console.permissions import RegionalPermissionsMixin


class FailedJobAdmin(RegionalPermissionsMixin, admin.ModelAdmin):
    """Jobs that ran out of retries, by municipality: retry them after a fix, or mark them resolved."""

    list_display = ("failed_at", "actor_name", "tenant_schema", "retries", "short_error", "resolved_at")
    list_filter = ("actor_name", "tenant_schema", ("resolved_at", admin.EmptyFieldListFilter))
    search_fields = ("actor_name", "tenant_schema", "message_id", "error")
    readonly_fields = ("failed_at", "actor_name", "queue_name", "tenant_schema", "message_id", "args", "retries",
                       "error", "resolved_at")
    actions = ("retry", "mark_resolved")

    def has_add_permission(self, request):
        return False

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
