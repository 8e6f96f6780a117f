from __future__ import annotations

from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gorodok_tenants.console.lifecycle import download_view, restore_view
from gorodok_tenants.console.permissions import RegionalPermissionsMixin, is_regional_admin


class MunicipalityArchiveAdmin(RegionalPermissionsMixin, admin.ModelAdmin):
    list_display = ("municipality_name", "oktmo", "created_at", "size_mb", "short_sha", "created_by", "links")
    list_filter = ("created_at",)
    search_fields = ("municipality_name", "oktmo", "schema_name")
    readonly_fields = ("municipality", "schema_name", "municipality_name", "oktmo", "path", "size_bytes", "sha256",
                       "manifest", "created_by", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("size, MB"))
    def size_mb(self, obj):
        return f"{obj.size_bytes / 1_048_576:.1f}"

    @admin.display(description="SHA-256")
    def short_sha(self, obj):
        return obj.sha256[:12]

    @admin.display(description="")
    def links(self, obj):
        request = getattr(self, "_request", None)
        if request is None or not is_regional_admin(request):
            return ""
        site = self.admin_site.name
        download = reverse(f"{site}:gorodok_tenants_municipalityarchive_download", args=[obj.pk])
        if obj.municipality_id is None:
            return format_html('<a href="{}">{}</a>', download, _("download"))
        restore = reverse(f"{site}:gorodok_tenants_municipalityarchive_restore", args=[obj.pk])
        return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>', download, _("download"), restore,
                           _("restore…"))

    def changelist_view(self, request, extra_context=None):
        self._request = request
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        site = self.admin_site

        def download(request, archive_id):
            return download_view(request, site, archive_id)

        def restore(request, archive_id):
            return restore_view(request, site, archive_id)

        return [
            path("<int:archive_id>/download/", site.admin_view(download),
                 name="gorodok_tenants_municipalityarchive_download"),
            path("<int:archive_id>/restore/", site.admin_view(restore),
                 name="gorodok_tenants_municipalityarchive_restore"),
            *super().get_urls(),
        ]
