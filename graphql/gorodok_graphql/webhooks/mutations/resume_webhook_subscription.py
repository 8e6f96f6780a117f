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
from gorodok_platform.integrations.models import WebhookSubscription as WebhookSubscriptionModel
from gorodok_platform.integrations.webhooks.subscriptions import webhook_subscription_resume


class ResumeWebhookSubscription(BaseMutation):
    """Send events to a paused subscription again (its client, scope ``webhooks``, or its side's
    administrators): its failure count starts over, and the events it missed in the last days are sent
    again, oldest first. Resuming an active subscription changes nothing."""

    subscription = graphene.Field(WebhookSubscription)
    replayed = graphene.Int(description="How many missed events are being sent again.")

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
            replayed = webhook_subscription_resume(subscription=subscription, actor=staff_actor(info))
            resumed = WebhookSubscriptionModel.objects.select_related("client").get(pk=subscription.pk)
        return cls(subscription=remember_schema(resumed, schema_of(subscription)), replayed=replayed)
