"""Support sessions in both admin sites: opened and ended in the regional console, shown read-only in
the back office of the municipality they entered."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gorodok_platform.accounts.roles import Role
from gorodok_tenants.console.permissions import is_regional_admin, is_regional_staff
from gorodok_tenants.console.sites import back_office, region_console
from gorodok_tenants.models import Municipality, MunicipalityStatus, SupportSession
from gorodok_tenants.routing import is_region
from gorodok_tenants.support import services as support

_FIELDS = ("municipality", "regional_user_email", "reason", "started_at", "expires_at", "entered_at", "ended_at")
# Which form field a service error belongs to.
_FIELD_FOR_CODE = {
    "reason_required": "reason",
    "invalid_duration": "minutes",
    "municipality_unavailable": "municipality",
    "no_host": "municipality",
}


class SupportSessionStartForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("municipality"),
        queryset=Municipality.objects.exclude(status=MunicipalityStatus.ARCHIVED).order_by("name"),
    )
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Why you need to enter; the municipality's administrators will read it."),
    )
    minutes = forms.IntegerField(
        label=_("duration, minutes"), initial=support.DEFAULT_MINUTES,
        min_value=support.MIN_MINUTES, max_value=support.MAX_MINUTES,
    )


class _SupportSessionState:
    @admin.display(description=_("state"))
    def state(self, obj: SupportSession) -> str:
        if obj.ended_at is not None:
            return _("ended")
        if obj.expires_at <= timezone.now():
            return _("expired")
        if obj.entered_at is not None:
            return _("entered")
        return _("waiting for entry")


class SupportSessionAdmin(_SupportSessionState, admin.ModelAdmin):
    """The regional console: every support session; open one (add) or end one early (action)."""

    list_display = ("municipality", "regional_user_email", "reason", "started_at", "expires_at", "entered_at",
                    "ended_at", "state")
    list_select_related = ("municipality",)
    search_fields = ("municipality__name", "regional_user_email", "reason")
    date_hierarchy = "started_at"
    fields = _FIELDS
    readonly_fields = _FIELDS
    actions = ["end_sessions"]

    def has_module_permission(self, request) -> bool:
        return is_regional_staff(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_regional_staff(request)

    def has_add_permission(self, request) -> bool:
        return is_regional_admin(request)  # by the request's roles; starting one checks again

    def has_end_permission(self, request) -> bool:
        return is_regional_admin(request)  # by the request's roles; starting one checks again

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("End session now"), permissions=["end"])
    def end_sessions(self, request, queryset) -> None:
        ended = 0
        for session in queryset:
            if not session.is_open():
                continue
            try:
                support.support_session_end(session=session, actor=request.user, request=request)
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
                continue
            ended += 1
        self.message_user(request, ngettext("%(count)d support session ended.", "%(count)d support sessions ended.",
                                            ended) % {"count": ended}, messages.SUCCESS)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {"municipality": request.GET.get("municipality")} if request.GET.get("municipality") else None
        form = SupportSessionStartForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                _session, entry_url = support.support_session_start(
                    municipality=form.cleaned_data["municipality"], regional_user=request.user,
                    reason=form.cleaned_data["reason"], minutes=form.cleaned_data["minutes"], request=request,
                )
            except ValidationError as error:
                for item in error.error_list:
                    form.add_error(_FIELD_FOR_CODE.get(item.code), item)
            else:
                return HttpResponseRedirect(entry_url)
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Open a support session"),
            "form": form,
            "media": self.media + form.media,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "gorodok_tenants/support/start.html", context)


class MunicipalSupportSessionAdmin(_SupportSessionState, admin.ModelAdmin):
    """A municipality's back office: who from the region entered, why and until when. Read-only."""

    list_display = ("regional_user_email", "reason", "started_at", "expires_at", "entered_at", "ended_at", "state")
    search_fields = ("regional_user_email", "reason")
    fields = _FIELDS[1:]
    readonly_fields = _FIELDS[1:]
    actions = None

    def get_queryset(self, request):
        tenant = getattr(request, "tenant", None)
        queryset = super().get_queryset(request)
        if tenant is None or is_region(tenant) or tenant.pk is None:
            return queryset.none()
        return queryset.filter(municipality_id=tenant.pk)

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        user = request.user
        return user.is_active and user.is_staff and (user.is_superuser or user.has_role(Role.MUNICIPAL_ADMIN))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


region_console.register(SupportSession, SupportSessionAdmin)
back_office.register(SupportSession, MunicipalSupportSessionAdmin)
