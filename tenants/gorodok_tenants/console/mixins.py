"""Behaviour shared by the admin classes of both back offices."""

from __future__ import annotations

from gorodok_platform.audit.models import ActorKind
from gorodok_platform.audit.services import audit_record, snapshot
from gorodok_tenants.modules import module_enabled


def _actor_kind(request) -> str:
    from gorodok_tenants.support import is_support_user

    return ActorKind.SUPPORT if is_support_user(request.user) else ActorKind.STAFF


class AuditedAdminMixin:
    """Every addition, change and deletion made through the admin is also written to the audit log
    of the schema it happens in, with the object's state after the change (or before a deletion)."""

    def _audit(self, request, action: str, obj, *, before=None, after=None, message: str = "") -> None:
        audit_record(action=f"{obj._meta.label_lower}.{action}", actor=request.user, actor_kind=_actor_kind(request),
                     target=obj, before=before, after=after, reason=str(message)[:1000], request=request)

    def log_addition(self, request, obj, message):
        self._audit(request, "add", obj, after=snapshot(obj), message=message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, "change", obj, after=snapshot(obj), message=message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, "delete", obj, before=snapshot(obj))
        return super().log_deletions(request, queryset)


class ModuleAdminMixin:
    """For a module's admin classes: set ``gorodok_module``; when the municipality has the module
    switched off, the module disappears from its back office (and its pages answer 403)."""

    gorodok_module: str = ""

    def _module_on(self, request) -> bool:
        return module_enabled(getattr(request, "tenant", None), self.gorodok_module)

    def has_module_permission(self, request):
        return self._module_on(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._module_on(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._module_on(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._module_on(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._module_on(request) and super().has_delete_permission(request, obj)
