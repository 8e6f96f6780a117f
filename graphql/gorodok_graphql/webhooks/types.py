from __future__ import annotations

import graphene
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context
from graphene_django import DjangoObjectType

from gorodok_graphql.core.connection import CountableConnection
from gorodok_graphql.core.errors import error_type
from gorodok_graphql.core.ids import MAX_PK
from gorodok_graphql.core.permissions import request_api_client, user_has_any_role
from gorodok_graphql.integrations.permissions import ADMIN_ROLES
from gorodok_graphql.integrations.types import ApiClient
from gorodok_graphql.webhooks.access import find_subscription, in_subscriptions_schema, schema_of
from gorodok_graphql.webhooks.enums import (
    KNOWN_EVENTS,
    WebhookErrorCode,
    WebhookEventTypeEnum,
    WebhookSubscriptionStatus,
)
from gorodok_platform.integrations.models import Scope
from gorodok_platform.integrations.models import WebhookDelivery as WebhookDeliveryModel
from gorodok_platform.integrations.models import WebhookSubscription as WebhookSubscriptionModel
from graphql import GraphQLError

WebhookError = error_type("WebhookError", WebhookErrorCode, "Why a change to a webhook subscription was refused.")

DEFAULT_DELIVERIES = 10
MAX_DELIVERIES = 100


class WebhookDelivery(graphene.ObjectType):
    """One attempt to deliver one event to a subscription. Every retry is an attempt of its own."""

    event_id = graphene.UUID(required=True, description="The event's ``id`` (the same in every attempt).")
    event_type = graphene.String(required=True, description="e.g. ``appeal.registered``.")
    attempt = graphene.Int(required=True, description="1 for the first attempt to deliver this event, and so on.")
    status_code = graphene.Int(description="The HTTP status the receiver answered; null when there was no answer.")
    delivered = graphene.Boolean(required=True, description="The receiver answered 2xx.")
    error = graphene.String(required=True, description="Why there was no answer (timeout, refused, …); "
                                                       "empty when there was one.")
    duration_ms = graphene.Int(required=True, description="How long the attempt took, in milliseconds.")
    created_at = graphene.DateTime(required=True, description="When the attempt was made.")

    def resolve_event_id(root: WebhookDeliveryModel, info):
        return root.event_uuid


class WebhookSubscription(DjangoObjectType):
    """An API client's subscription: Gorodok POSTs the events it lists to its URL, signed with its secret
    (shown once, when it is created). After repeated failure it is paused; resuming it sends again what
    it missed."""

    events = graphene.List(
        graphene.NonNull(graphene.String), required=True,
        description="The event types it receives; empty: all of them.",
    )
    event_types = graphene.List(
        graphene.NonNull(WebhookEventTypeEnum), required=True,
        description="The events it receives, as the enum; empty: all of them.",
    )
    status = graphene.Field(WebhookSubscriptionStatus, required=True)
    api_client = graphene.Field(ApiClient, required=True, description="The client it belongs to.")
    deliveries = graphene.List(
        graphene.NonNull(WebhookDelivery), required=True,
        first=graphene.Int(description=f"How many (default {DEFAULT_DELIVERIES}, at most {MAX_DELIVERIES})."),
        description="The latest delivery attempts, newest first (kept for a limited number of days).",
    )

    class Meta:
        model = WebhookSubscriptionModel
        name = "WebhookSubscription"
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        fields = ("url", "consecutive_failures", "paused_at", "created_at")

    @classmethod
    def get_node(cls, info, id):
        # Through ``node(id:)``: the caller's own subscription (a client) or its side's (administrators).
        client = request_api_client(info.context)
        if client is not None:
            if not client.has_scope(Scope.WEBHOOKS):
                return None
        elif not user_has_any_role(getattr(info.context, "user", None), ADMIN_ROLES):
            return None
        try:
            pk = int(id)
        except (TypeError, ValueError):
            return None
        if not 0 < pk <= MAX_PK:
            return None
        with in_subscriptions_schema(info):
            return find_subscription(info, pk)

    def resolve_events(root: WebhookSubscriptionModel, info):
        return list(root.events or [])

    def resolve_event_types(root: WebhookSubscriptionModel, info):
        return [event for event in root.events or [] if event in KNOWN_EVENTS]

    def resolve_status(root: WebhookSubscriptionModel, info):
        return WebhookSubscriptionStatus.ACTIVE if root.is_active else WebhookSubscriptionStatus.PAUSED

    def resolve_api_client(root: WebhookSubscriptionModel, info):
        with schema_context(schema_of(root)):
            return root.client

    def resolve_deliveries(root: WebhookSubscriptionModel, info, first=None):
        first = DEFAULT_DELIVERIES if first is None else first
        if first < 0:
            raise GraphQLError(_("`%(arg)s` must not be negative.") % {"arg": "first"},
                               extensions={"code": "INVALID_PAGE_SIZE"})
        if first > MAX_DELIVERIES:
            raise GraphQLError(_("`%(arg)s` may be at most %(limit)d.") % {"arg": "first", "limit": MAX_DELIVERIES},
                               extensions={"code": "PAGE_SIZE_EXCEEDED", "maxPageSize": MAX_DELIVERIES})
        with schema_context(schema_of(root)):
            return list(WebhookDeliveryModel.objects.filter(subscription_id=root.pk)
                        .order_by("-created_at", "-pk")[:first])
