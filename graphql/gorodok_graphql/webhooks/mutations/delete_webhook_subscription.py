import graphene

from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.integrations.permissions import ADMIN_ROLES
from gorodok_graphql.webhooks.access import in_subscriptions_schema, staff_actor, subscription_from_global_id
from gorodok_graphql.webhooks.enums import WebhookErrorCode
from gorodok_graphql.webhooks.types import WebhookError
from gorodok_platform.integrations.models import Scope
from gorodok_platform.integrations.webhooks.subscriptions import webhook_unsubscribe


class DeleteWebhookSubscription(BaseMutation):
    """Delete the subscription and its delivery log (its client, scope ``webhooks``, or its side's
    administrators). Nothing more is sent to it."""

    deleted_id = graphene.ID(description="The ID of the deleted subscription.")

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
            webhook_unsubscribe(subscription=subscription, actor=staff_actor(info))
        return cls(deleted_id=id)
