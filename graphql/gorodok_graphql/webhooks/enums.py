import graphene

from gorodok_graphql.core.errors import error_code_enum


class WebhookSubscriptionStatus(graphene.Enum):
    """Whether a subscription receives events."""

    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"

    @property
    def description(self):
        return {
            "ACTIVE": "Events are sent to it.",
            "PAUSED": "Nothing is sent: paused by its client or its administrators, or after repeated failure. "
                      "Resuming it sends again what it missed.",
        }.get(self.name)


WebhookErrorCode = error_code_enum(
    "WebhookErrorCode", ["INVALID_URL", "UNKNOWN_EVENT", "TOO_MANY_EVENTS", "SCOPE_REQUIRED", "TOO_MANY_SUBSCRIPTIONS"],
    "Why a change to a webhook subscription was refused.",
)
