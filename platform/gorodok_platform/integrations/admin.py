"""The admin of API clients, used by both back offices (registered by the console). Every change goes
through the services, which validate and audit it; a new or rotated token is shown once, on a page of
its own that is never cached, and never kept anywhere."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from gorodok_platform.integrations.models import ApiClient, scope_choices
from gorodok_platform.integrations.services import (
    api_client_clean,
    api_client_create,
    api_client_revoke,
    api_client_rotate,
    api_client_update,
    is_regional_schema,
)


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label=_("scopes"), choices=scope_choices,
                                       widget=forms.CheckboxSelectMultiple)
    municipalities = forms.MultipleChoiceField(label=_("municipalities"), required=False,
                                               widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiClient
        fields = ("name", "scopes", "municipalities", "expires_at", "rate_limit_per_minute")

    def __init__(self, *args, municipality_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        if municipality_choices:
            self.fields["municipalities"].choices = municipality_choices
        else:
            del self.fields["municipalities"]
        if not is_regional_schema():
            self.fields["scopes"].choices = scope_choices(regional=False)

    def clean(self):
        cleaned = super().clean()
        values = {name: cleaned[name] for name in self.Meta.fields if name in cleaned}
        if self.instance.pk and values.get("expires_at") == self.instance.expires_at:
            values.pop("expires_at", None)  # an unchanged expiry is not checked again
        try:
            api_client_clean(**values)
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return cleaned


class ApiClientAdminBase(admin.ModelAdmin):
    """Subclasses decide who may manage clients (``can_manage``) and, for regional clients, which
    municipalities may be named (``municipality_choices``: (schema, name) pairs)."""

    form = ApiClientForm
    list_display = ("name", "key_id", "scope_list", "expires_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "key_id", "created_by")
    readonly_fields = ("key_id", "created_by", "created_at", "last_used_at", "revoked_at")
    actions = ("rotate", "revoke")

    def can_manage(self, request) -> bool:  # pragma: no cover - overridden
        return False

    def can_view(self, request) -> bool:
        return self.can_manage(request)

    def municipality_choices(self, request) -> list[tuple[str, str]]:
        return []

    # --- permissions ---------------------------------------------------------------------------

    def has_module_permission(self, request):
        return self.can_view(request)

    def has_view_permission(self, request, obj=None):
        return self.can_view(request)

    def has_add_permission(self, request):
        return self.can_manage(request)

    def has_change_permission(self, request, obj=None):
        return self.can_manage(request) and (obj is None or obj.revoked_at is None)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the record stays for the audit log

    # --- forms ---------------------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        choices = self.municipality_choices(request)

        class BoundForm(form):
            def __init__(self, *args, **inner):
                inner.setdefault("municipality_choices", choices)
                super().__init__(*args, **inner)

        return BoundForm

    def get_fieldsets(self, request, obj=None):
        fields = ["name", "scopes"]
        if self.municipality_choices(request):
            fields.append("municipalities")
        fields += ["expires_at", "rate_limit_per_minute"]
        if obj is not None:
            fields += ["key_id", "created_by", "created_at", "last_used_at", "revoked_at"]
        return [(None, {"fields": fields})]

    @admin.display(description=_("scopes"))
    def scope_list(self, obj):
        return ", ".join(obj.scopes or [])

    def _values(self, form) -> dict:
        data = form.cleaned_data
        return {"name": data["name"], "scopes": data["scopes"], "municipalities": data.get("municipalities") or [],
                "expires_at": data.get("expires_at"), "rate_limit_per_minute": data.get("rate_limit_per_minute")}

    def save_model(self, request, obj, form, change):
        # The form ran the services' checks already (``ApiClientForm.clean``).
        if change:
            client = api_client_update(client=ApiClient.objects.get(pk=obj.pk), actor=request.user,
                                       **self._values(form))
        else:
            client, token = api_client_create(actor=request.user, **self._values(form))
            request._gorodok_new_tokens = [(client, token)]
        for field in ApiClient._meta.concrete_fields:
            setattr(obj, field.attname, getattr(client, field.attname))
        obj._state.adding = False
        obj._state.db = client._state.db

    def log_addition(self, request, obj, message):
        return None  # the service wrote the audit entry

    def log_change(self, request, obj, message):
        return None

    def response_add(self, request, obj, post_url_continue=None):
        tokens = getattr(request, "_gorodok_new_tokens", None)
        if tokens:
            return self._tokens_page(request, tokens)
        return super().response_add(request, obj, post_url_continue)

    def _tokens_page(self, request, tokens):
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": _("The new token"),
            "tokens": tokens,
            "opts": opts,
            "back_url": reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist"),
        }
        response = TemplateResponse(request, "integrations/api_client_tokens.html", context)
        return never_cache(lambda _request: response)(request)

    # --- actions -------------------------------------------------------------------------------

    @admin.action(description=_("Issue a new token (the old one stops working)"), permissions=["add"])
    def rotate(self, request, queryset):
        tokens = []
        for client in queryset.filter(revoked_at__isnull=True):
            tokens.append((client, api_client_rotate(client=client, actor=request.user)))
        if not tokens:
            self.message_user(request, _("Revoked clients get no new token."), messages.WARNING)
            return None
        return self._tokens_page(request, tokens)

    @admin.action(description=_("Revoke (the token stops working for good)"), permissions=["add"])
    def revoke(self, request, queryset):
        count = 0
        for client in queryset.filter(revoked_at__isnull=True):
            api_client_revoke(client=client, actor=request.user)
            count += 1
        self.message_user(request, _("Revoked: %(count)d.") % {"count": count})
