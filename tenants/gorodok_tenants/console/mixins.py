"""Behaviour shared by the admin classes of both back offices."""

from __future__ import annotations

from gorodok_platform.audit.models import ActorKind
from gorodok_platform.audit.services import audit_record, snapshot
from gorodok_tenants.modules import module_enabled


def _actor_kind(request) -> str:
    from gorodok_tenants.support.services import is_support_user

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


_FILTER_SUFFIXES = ("", "__exact", "__iexact", "__isnull", "__isempty", "__in")
_DATE_FILTER_SUFFIXES = ("__gte", "__lt")
_DATE_HIERARCHY_SUFFIXES = ("__year", "__month", "__day")


def declared_filter_parameters(model_admin, request) -> set[str]:
    """The query parameters the list filters ``model_admin`` declares can send: nothing else may filter.

    A field filter ``f`` sends ``f__exact``, ``f__isnull`` and the like (``f__gte``/``f__lt`` for dates;
    ``f__<key>__exact`` for a relation), a ``SimpleListFilter`` its ``parameter_name``, the date
    hierarchy ``d__year``/``d__month``/``d__day``."""
    from django.contrib.admin import SimpleListFilter
    from django.contrib.admin.utils import get_fields_from_path
    from django.db import models

    allowed: set[str] = set()
    for item in model_admin.get_list_filter(request):
        if isinstance(item, type) and issubclass(item, SimpleListFilter):
            allowed.add(item.parameter_name)
            continue
        path = item[0] if isinstance(item, (list, tuple)) else item
        if isinstance(path, models.Field):
            path = path.name
        field = get_fields_from_path(model_admin.model, path)[-1]
        allowed.update(path + suffix for suffix in _FILTER_SUFFIXES)
        if isinstance(field, (models.DateField, models.DateTimeField)):
            allowed.update(path + suffix for suffix in _DATE_FILTER_SUFFIXES)
        if field.is_relation:
            target = field.target_field.name
            allowed.update(f"{path}__{target}{suffix}" for suffix in _FILTER_SUFFIXES if suffix)
    if model_admin.date_hierarchy:
        allowed.update(model_admin.date_hierarchy + suffix for suffix in _DATE_HIERARCHY_SUFFIXES)
    return allowed


class DeclaredFiltersOnlyMixin:
    """A changelist filters only by what its list filters (and date hierarchy) declare.

    Django's own ``lookup_allowed`` accepts any lookup on the model's own columns, so
    ``?secret_hash__startswith=a`` would let a member of staff read a hash one character at a time.
    Both admin sites put this in front of every ModelAdmin they register."""

    def lookup_allowed(self, lookup, value, request=None):
        from django.contrib.admin import widgets

        # Popups of raw-id widgets filter by the relation's limit_choices_to: code, not input, sends those.
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in widgets.url_params_from_lookup_dict(fk_lookup).items():
                return True
        return lookup in declared_filter_parameters(self, request)


class ReadOnlyInlineMixin:
    """For an inline of related rows shown, never edited, on an object's page (questions, history,
    documents): nobody adds, changes or deletes through it; who sees it is ``may_view``, the module's rule."""

    extra = 0
    can_delete = False

    def may_view(self, request) -> bool:
        return False

    def has_view_permission(self, request, obj=None):
        return self.may_view(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RuleTableAdminMixin:
    """For a module's admin classes: access follows the module's rule table. Set ``permit`` (the
    module's ``<module>_permit(actor, action)``) and, where they differ, ``view_action`` and
    ``change_action``."""

    permit = None
    view_action = "read"
    change_action = "change"

    def may(self, request, action: str) -> bool:
        return bool(type(self).permit(request.user, action))

    def has_module_permission(self, request):
        return self.may(request, self.view_action)

    def has_view_permission(self, request, obj=None):
        return self.may(request, self.view_action)

    def has_add_permission(self, request, *args):
        return self.may(request, self.change_action)

    def has_change_permission(self, request, obj=None):
        return self.may(request, self.change_action)


def add_service_errors(form, exc) -> None:
    """Show a service's ValidationError on a form: on its field when the form has it, else above it."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.error_list)
