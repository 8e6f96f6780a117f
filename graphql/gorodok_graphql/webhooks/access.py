"""Whose webhook subscriptions a request sees, and in which schema they live.

An API client sees only its own subscriptions. They live in the client's schema: a municipality's
client's in the municipality's, a regional client's in the public schema, whichever permitted host the
request comes to (a regional client sees the same subscriptions on the region host and on the hosts of
the municipalities it names). Administrators see the subscriptions of their side's clients: a
municipality's administrators those of its own clients (tenant API), the committee's administrators
those of the regional clients (regional API). Records are always read inside the right schema's
context, and remember it for the fields resolved later (the deliveries).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from gorodok_graphql.core.ids import pk_from_global_id
from gorodok_graphql.core.permissions import check_access, request_api_client
from gorodok_graphql.integrations.permissions import ADMIN_ROLES
from gorodok_platform.integrations.models import Scope, WebhookSubscription

SCHEMA_ATTRIBUTE = "_gorodok_schema"


def check_can_manage_webhooks(info) -> None:
    """Administrators of either side, or an API client with the ``webhooks`` scope."""
    check_access(info.context, roles=ADMIN_ROLES, scopes=(Scope.WEBHOOKS,))


def subscriptions_schema(info) -> str:
    client = request_api_client(info.context)
    return client.home_schema if client is not None else connection.schema_name


def in_subscriptions_schema(info):
    return schema_context(subscriptions_schema(info))


def visible_subscriptions(info):
    """The subscriptions the request may see (a queryset: evaluate it inside ``in_subscriptions_schema``)."""
    queryset = WebhookSubscription.objects.select_related("client").order_by("created_at", "pk")
    client = request_api_client(info.context)
    if client is not None:
        queryset = queryset.filter(client_id=client.client.pk)
    return queryset


def remember_schema(subscription: WebhookSubscription, schema: str) -> WebhookSubscription:
    setattr(subscription, SCHEMA_ATTRIBUTE, schema)
    return subscription


def schema_of(subscription: WebhookSubscription) -> str:
    return getattr(subscription, SCHEMA_ATTRIBUTE, None) or connection.schema_name


def find_subscription(info, pk: int) -> WebhookSubscription | None:
    """The subscription with this pk if the request may see it (call inside ``in_subscriptions_schema``)."""
    subscription = visible_subscriptions(info).filter(pk=pk).first()
    return remember_schema(subscription, connection.schema_name) if subscription is not None else None


def subscription_from_global_id(info, global_id: str, field: str = "id") -> WebhookSubscription:
    """The subscription an ID names (call inside ``in_subscriptions_schema``). Another client's
    subscription, or one of another schema, is not found, exactly like one that does not exist."""
    pk = pk_from_global_id(global_id, "WebhookSubscription")
    subscription = find_subscription(info, pk) if pk is not None else None
    if subscription is None:
        raise ValidationError({field: ValidationError(_("No such webhook subscription."), code="not_found")})
    return subscription


def staff_actor(info):
    """The signed-in person acting, for the audit log; None for an API client (its change is the system's)."""
    return None if request_api_client(info.context) is not None else getattr(info.context, "user", None)
