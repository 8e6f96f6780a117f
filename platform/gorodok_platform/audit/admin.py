from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gorodok_platform.audit.models import AuditEntry


class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log can be searched and read, never edited."""

    list_display = ("created_at", "actor_email", "actor_kind", "action", "tenant_schema", "target_repr", "reason")
    list_filter = ("actor_kind", "action", "tenant_schema")
    search_fields = ("actor_email", "action", "target_repr", "reason", "request_id")
    date_hierarchy = "created_at"
    list_per_page = 50
    readonly_fields = [field.name for field in AuditEntry._meta.fields]
    fieldsets = (
        (None, {"fields": ("created_at", "actor_email", "actor_kind", "action", "reason")}),
        (_("Object"), {"fields": ("tenant_schema", "target_type", "target_id", "target_repr")}),
        (_("Change"), {"fields": ("before", "after")}),
        (_("Request"), {"fields": ("request_id", "ip_address")}),
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
