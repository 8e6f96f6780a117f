import graphene

from gorodok_graphql.core.errors import error_code_enum
from gorodok_platform.modules import module_events

# Every event a subscription may name: those the installed modules declare.
KNOWN_EVENTS: tuple[str, ...] = tuple(module_events())


def event_enum_name(event: str) -> str:
    """``appeal.status_changed`` -> ``APPEAL_STATUS_CHANGED``."""
    return event.replace(".", "_").upper()


WebhookEventTypeEnum = graphene.Enum(
    "WebhookEventType", [(event_enum_name(event), event) for event in KNOWN_EVENTS],
    description="An event a webhook subscription can receive; its value is the event's name in deliveries "
                "(``appeal.registered``, …).",
)


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
