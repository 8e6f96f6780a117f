import graphene

from gorodok_graphql.core.enums import enum_value
from gorodok_graphql.core.fields import CappedConnectionField
from gorodok_graphql.webhooks.access import (
    check_can_manage_webhooks,
    in_subscriptions_schema,
    remember_schema,
    subscriptions_schema,
    visible_subscriptions,
)
from gorodok_graphql.webhooks.enums import KNOWN_EVENTS, WebhookEventTypeEnum, WebhookSubscriptionStatus
from gorodok_graphql.webhooks.types import WebhookSubscription


class SubscriptionConnectionField(CappedConnectionField):
    """The subscriptions are read, paged (keyset cursors) and counted in their own schema: a regional
    client may be calling a municipality's host. Each one remembers that schema for its later fields."""

    @classmethod
    def connection_resolver(cls, resolver, connection, default_manager, queryset_resolver, max_limit,
                            enforce_first_or_last, root, info, **args):
        schema = subscriptions_schema(info)
        with in_subscriptions_schema(info):
            result = super().connection_resolver(resolver, connection, default_manager, queryset_resolver,
                                                 max_limit, enforce_first_or_last, root, info, **args)
        for edge in result.edges:
            remember_schema(edge.node, schema)
        return result


class WebhookQueries(graphene.ObjectType):
    webhook_subscriptions = SubscriptionConnectionField(
        WebhookSubscription,
        status=WebhookSubscriptionStatus(description="Only the active or only the paused ones."),
        description="An API client's own webhook subscriptions (scope ``webhooks``); for administrators, "
                    "those of this municipality's clients (tenant API) or of the regional clients (regional API).",
    )
    webhook_event_types = graphene.List(
        graphene.NonNull(graphene.String), required=True,
        description="The event types a subscription may name.",
        deprecation_reason="Use webhookEvents: the same names as an enum.",
    )
    webhook_events = graphene.List(
        graphene.NonNull(WebhookEventTypeEnum), required=True,
        description="The events a subscription may name (``createWebhookSubscription(events:)`` takes their values).",
    )

    def resolve_webhook_subscriptions(root, info, status=None, **kwargs):
        check_can_manage_webhooks(info)
        # Evaluated by the connection field, inside the subscriptions' schema.
        queryset = visible_subscriptions(info)
        if status is not None:
            active = enum_value(status) == WebhookSubscriptionStatus.ACTIVE.value
            queryset = queryset.filter(is_active=active)
        return queryset

    def resolve_webhook_event_types(root, info):
        check_can_manage_webhooks(info)
        return list(KNOWN_EVENTS)

    def resolve_webhook_events(root, info):
        check_can_manage_webhooks(info)
        return list(KNOWN_EVENTS)
