import graphene

from gorodok_graphql.webhooks.mutations.create_webhook_subscription import CreateWebhookSubscription
from gorodok_graphql.webhooks.mutations.delete_webhook_subscription import DeleteWebhookSubscription
from gorodok_graphql.webhooks.mutations.pause_webhook_subscription import PauseWebhookSubscription
from gorodok_graphql.webhooks.mutations.resume_webhook_subscription import ResumeWebhookSubscription


class WebhookMutations(graphene.ObjectType):
    create_webhook_subscription = CreateWebhookSubscription.Field()
    pause_webhook_subscription = PauseWebhookSubscription.Field()
    resume_webhook_subscription = ResumeWebhookSubscription.Field()
    delete_webhook_subscription = DeleteWebhookSubscription.Field()
