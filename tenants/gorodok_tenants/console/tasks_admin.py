"""The console's background tasks: a list, and a page per task with its progress bar (polled from a small
JSON view by a static script; without scripts the page refreshes itself) and its result."""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gorodok_tenants.console.permissions import RegionalPermissionsMixin
from gorodok_tenants.lifecycle.tasks import console_task_state
from gorodok_tenants.models import ConsoleTask, ConsoleTaskKind


class ConsoleTaskAdmin(RegionalPermissionsMixin, admin.ModelAdmin):
    list_display = ("pk", "kind", "municipality", "status_badge", "progress", "created_by", "created_at",
                    "finished_at")
    list_display_links = ("pk", "kind")
    list_filter = ("kind", "status")
    list_select_related = ("municipality",)
    search_fields = ("municipality__name", "created_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("status"))
    def status_badge(self, obj):
        return console_task_state(obj)["status_label"]

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return f"{console_task_state(obj)['percent']}%"

    def get_urls(self):
        site = self.admin_site
        return [
            path("<int:task_id>/state.json", site.admin_view(self.state_view),
                 name="gorodok_tenants_consoletask_state"),
            *super().get_urls(),
        ]

    def state_view(self, request, task_id: int):
        if not self.has_view_permission(request):
            raise Http404
        task = get_object_or_404(ConsoleTask, pk=task_id)
        return JsonResponse({**console_task_state(task), "result_html": str(self.result_html(task))})

    def result_html(self, task: ConsoleTask) -> str:
        site = self.admin_site.name
        result = task.result or {}
        if task.kind in (ConsoleTaskKind.EXPORT, ConsoleTaskKind.ARCHIVE) and result.get("archive_id"):
            url = reverse(f"{site}:gorodok_tenants_municipalityarchive_download", args=[result["archive_id"]])
            return format_html('<a class="button" href="{}">{} {}</a>', url, _("Download"), result.get("file", ""))
        if task.kind == ConsoleTaskKind.RESTORE and result.get("municipality_id"):
            url = reverse(f"{site}:gorodok_tenants_municipality_change", args=[result["municipality_id"]])
            return format_html('<a class="button" href="{}">{}</a>', url, _("Open the municipality"))
        if task.kind == ConsoleTaskKind.BULK_IMPORT and "created" in result:
            return format_html("{}: <strong>{}</strong>; {}: <strong>{}</strong>", _("Created"), result["created"],
                               _("rejected"), result["rejected"])
        return ""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        task = self.get_object(request, object_id)
        if task is None or not self.has_view_permission(request, task):
            raise Http404
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "title": str(task), "task": task,
            "state": console_task_state(task), "result_html": self.result_html(task),
            "state_url": reverse(f"{self.admin_site.name}:gorodok_tenants_consoletask_state", args=[task.pk]),
        }
        return TemplateResponse(request, "gorodok_tenants/console/task.html", context)
