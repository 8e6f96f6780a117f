import graphene


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


class WebhookErrorCode(graphene.Enum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    INVALID_URL = "INVALID_URL"
    UNKNOWN_EVENT = "UNKNOWN_EVENT"
    TOO_MANY_EVENTS = "TOO_MANY_EVENTS"
    SCOPE_REQUIRED = "SCOPE_REQUIRED"
    TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"
    NOT_FOUND = "NOT_FOUND"
