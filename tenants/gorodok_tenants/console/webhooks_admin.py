"""Webhook subscriptions and their delivery log in both back offices: the regional clients' in the regional
console (administrators pause and resume them, analysts only look), a municipality's own clients' in its
back office (its administrators). Subscriptions are created and deleted by their clients, through the API,
and their signing secrets are never shown here; the delivery log is read-only. Pausing and resuming go
through the services, which audit them; resuming sends again what the subscription missed."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from gorodok_platform.accounts.roles import Role
from gorodok_platform.integrations.models import WebhookDelivery, WebhookSubscription
from gorodok_platform.integrations.webhooks.subscriptions import webhook_subscription_pause, webhook_subscription_resume
from gorodok_tenants.console.permissions import is_regional_admin, is_regional_staff
from gorodok_tenants.console.sites import back_office, region_console
from gorodok_tenants.routing import is_region

RECENT_DELIVERIES = 20


class _Access:
    """Who sees (``can_view``) and who pauses and resumes (``can_manage``); set by the subclasses."""

    def can_view(self, request) -> bool:  # pragma: no cover - overridden
        return False

    def can_manage(self, request) -> bool:  # pragma: no cover - overridden
        return False

    def has_module_permission(self, request):
        return self.can_view(request)

    def has_view_permission(self, request, obj=None):
        return self.can_view(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # nothing here is edited: subscriptions are paused and resumed by the actions

    def has_delete_permission(self, request, obj=None):
        return False


class _RegionalAccess(_Access):
    def can_view(self, request) -> bool:
        return is_region(getattr(request, "tenant", None)) and is_regional_staff(request)

    def can_manage(self, request) -> bool:
        return is_region(getattr(request, "tenant", None)) and is_regional_admin(request)


class _BackOfficeAccess(_Access):
    def can_view(self, request) -> bool:
        user = request.user
        return (not is_region(getattr(request, "tenant", None)) and user.is_active and user.is_staff
                and user.has_role(Role.MUNICIPAL_ADMIN))

    def can_manage(self, request) -> bool:
        return self.can_view(request)


class WebhookSubscriptionAdminBase(admin.ModelAdmin):
    list_display = ("url", "client", "event_list", "is_active", "consecutive_failures", "paused_at", "created_at")
    list_filter = ("is_active",)
    list_select_related = ("client",)
    search_fields = ("url", "client__name", "client__key_id")
    ordering = ("-created_at", "-pk")
    fields = ("client", "url", "event_list", "is_active", "consecutive_failures", "paused_at", "created_at",
              "recent_deliveries")
    readonly_fields = fields
    actions = ("resume", "pause")

    def has_manage_permission(self, request):
        return self.can_manage(request)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("events"))
    def event_list(self, obj):
        return ", ".join(obj.events or []) or _("all")

    @admin.display(description=_("recent deliveries"))
    def recent_deliveries(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        deliveries = obj.deliveries.order_by("-created_at", "-pk")[:RECENT_DELIVERIES]
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((localize(timezone.localtime(d.created_at)), d.event_type, d.attempt,
              d.status_code if d.status_code is not None else "-", _("yes") if d.delivered else _("no"),
              d.error[:200]) for d in deliveries),
        )
        url = reverse(f"{self.admin_site.name}:integrations_webhookdelivery_changelist")
        return format_html(
            '<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
            '<tbody>{}</tbody></table><p><a href="{}?subscription__id__exact={}">{}</a></p>',
            _("when"), _("event"), _("attempt"), _("HTTP status"), _("delivered"), _("error"), rows,
            url, obj.pk, _("All deliveries of this subscription"),
        )

    @admin.action(description=_("Resume (and send again what they missed)"), permissions=["manage"])
    def resume(self, request, queryset):
        resumed = replayed = 0
        for subscription in queryset.filter(is_active=False):
            replayed += webhook_subscription_resume(subscription=subscription, actor=request.user)
            resumed += 1
        self.message_user(request, _("Resumed: %(count)d; missed events sent again: %(replayed)d.")
                          % {"count": resumed, "replayed": replayed})

    @admin.action(description=_("Pause (send nothing until resumed)"), permissions=["manage"])
    def pause(self, request, queryset):
        paused = 0
        for subscription in queryset.filter(is_active=True):
            webhook_subscription_pause(subscription=subscription, actor=request.user)
            paused += 1
        self.message_user(request, _("Paused: %(count)d.") % {"count": paused},
                          messages.SUCCESS if paused else messages.WARNING)


def _titled(base: type, title) -> type:
    """A field's list filter under a translated title (some log fields have no verbose name)."""

    class Titled(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    Titled.__name__ = f"{base.__name__}Titled"
    return Titled


DeliveredFilter = _titled(admin.BooleanFieldListFilter, _("delivered"))
CreatedFilter = _titled(admin.DateFieldListFilter, _("created"))
SubscriptionFilter = _titled(admin.RelatedFieldListFilter, _("subscription"))


def _shown(field: str, label, **options):
    """A column or read-only field showing ``field`` under a translated label."""

    def show(self, obj):
        return getattr(obj, field)

    show.__name__ = f"shown_{field}"
    return admin.display(description=label, ordering=field, **options)(show)


class WebhookDeliveryAdminBase(admin.ModelAdmin):
    """The delivery log: one row per attempt, read-only."""

    list_display = ("created", "shown_subscription", "event_type", "shown_attempt", "shown_status_code",
                    "is_delivered", "shown_duration_ms", "short_error")
    list_filter = (("delivered", DeliveredFilter), "event_type", "event_schema", ("created_at", CreatedFilter),
                   ("subscription", SubscriptionFilter))
    list_select_related = ("subscription",)
    search_fields = ("subscription__url", "error")
    fields = ("shown_subscription", "event_type", "event_uuid", "event_schema", "shown_delivery_id", "shown_attempt",
              "shown_status_code", "is_delivered", "shown_duration_ms", "shown_error", "shown_response_excerpt",
              "created")
    readonly_fields = fields

    shown_subscription = _shown("subscription", _("subscription"))
    shown_delivery_id = _shown("delivery_id", _("delivery id"))
    shown_attempt = _shown("attempt", _("attempt"))
    shown_status_code = _shown("status_code", _("HTTP status"))
    shown_duration_ms = _shown("duration_ms", _("duration, ms"))
    shown_error = _shown("error", _("error"))
    shown_response_excerpt = _shown("response_excerpt", _("the server's answer"))

    @admin.display(description=_("created"), ordering="created_at")
    def created(self, obj):
        return obj.created_at

    @admin.display(description=_("delivered"), boolean=True, ordering="delivered")
    def is_delivered(self, obj):
        return obj.delivered

    def get_actions(self, request):
        return {}

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return obj.error[:120]


class RegionalWebhookSubscriptionAdmin(_RegionalAccess, WebhookSubscriptionAdminBase):
    pass


class RegionalWebhookDeliveryAdmin(_RegionalAccess, WebhookDeliveryAdminBase):
    pass


class BackOfficeWebhookSubscriptionAdmin(_BackOfficeAccess, WebhookSubscriptionAdminBase):
    pass


class BackOfficeWebhookDeliveryAdmin(_BackOfficeAccess, WebhookDeliveryAdminBase):
    # A municipality's events are all its own.
    list_filter = (("delivered", DeliveredFilter), "event_type", ("created_at", CreatedFilter),
                   ("subscription", SubscriptionFilter))


region_console.register(WebhookSubscription, RegionalWebhookSubscriptionAdmin)
region_console.register(WebhookDelivery, RegionalWebhookDeliveryAdmin)
back_office.register(WebhookSubscription, BackOfficeWebhookSubscriptionAdmin)
back_office.register(WebhookDelivery, BackOfficeWebhookDeliveryAdmin)
