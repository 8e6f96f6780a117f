import graphene
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from gorodok_graphql.core.errors import PermissionDenied, in_input_terms
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.core.permissions import request_api_client
from gorodok_graphql.webhooks.access import remember_schema
from gorodok_graphql.webhooks.enums import WebhookErrorCode
from gorodok_graphql.webhooks.types import WebhookError, WebhookSubscription
from gorodok_platform.integrations.models import Scope
from gorodok_platform.integrations.webhooks.subscriptions import webhook_events_clean, webhook_subscribe

SECRET_DESCRIPTION = ("The signing secret of ``X-Gorodok-Signature``, shown this once: store it now. "
                      "It cannot be shown again; to change it, subscribe anew and delete this subscription.")

# The services' codes, as this API names them.
_CODES = {
    ("url", None): "invalid_url",
    ("events", "max_length"): "too_many_events",
    ("events", None): "unknown_event",
    (NON_FIELD_ERRORS, "too_many"): "too_many_subscriptions",
}


def clean_events(client, events) -> list[str]:
    return webhook_events_clean(client=client, events=events)


class CreateWebhookSubscription(BaseMutation):
    """Subscribe the calling API client (scope ``webhooks``) to events: Gorodok will POST each of them to
    ``url``, signed with the secret returned here once."""

    subscription = graphene.Field(WebhookSubscription)
    secret = graphene.String(description=SECRET_DESCRIPTION)

    class Arguments:
        url = graphene.String(required=True, description="Where to POST the events: an https:// URL.")
        events = graphene.List(
            graphene.NonNull(graphene.String), required=True,
            description="The event types to receive (see ``webhookEventTypes``); an empty list: all of them.",
        )

    class Meta:
        error_type = WebhookError
        code_enum = WebhookErrorCode
        scopes = (Scope.WEBHOOKS,)

    @classmethod
    def perform_mutation(cls, root, info, url, events):
        authenticated = request_api_client(info.context)
        if authenticated is None:
            raise PermissionDenied(_("Only an API client subscribes to webhooks, with its own token."))
        with schema_context(authenticated.home_schema):
            client = authenticated.client
            events = clean_events(client, events)
            try:
                subscription, secret = webhook_subscribe(client=client, url=url, events=events)
            except ValidationError as error:
                raise in_input_terms(error, {}, _CODES) from error
        return cls(subscription=remember_schema(subscription, authenticated.home_schema), secret=secret)
