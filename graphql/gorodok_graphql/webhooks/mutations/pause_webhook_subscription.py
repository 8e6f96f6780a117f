import graphene

from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.integrations.permissions import ADMIN_ROLES
from gorodok_graphql.webhooks.access import (
    in_subscriptions_schema,
    remember_schema,
    schema_of,
    staff_actor,
    subscription_from_global_id,
)
from gorodok_graphql.webhooks.enums import WebhookErrorCode
from gorodok_graphql.webhooks.types import WebhookError, WebhookSubscription
from gorodok_platform.integrations.models import Scope
from gorodok_platform.integrations.webhooks.subscriptions import webhook_subscription_pause


class PauseWebhookSubscription(BaseMutation):
    """Stop sending events to the subscription until it is resumed (its client, scope ``webhooks``, or its
    side's administrators). Pausing a paused subscription changes nothing."""

    subscription = graphene.Field(WebhookSubscription)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = WebhookError
        code_enum = WebhookErrorCode
        roles = ADMIN_ROLES
        scopes = (Scope.WEBHOOKS,)

    @classmethod
    def perform_mutation(cls, root, info, id):
        with in_subscriptions_schema(info):
            subscription = subscription_from_global_id(info, id)
            paused = webhook_subscription_pause(subscription=subscription, actor=staff_actor(info))
            paused.client = subscription.client
        return cls(subscription=remember_schema(paused, schema_of(subscription)))
