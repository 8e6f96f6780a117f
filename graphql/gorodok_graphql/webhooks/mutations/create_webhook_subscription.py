import graphene
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from gorodok_graphql.core.errors import PermissionDenied, in_input_terms
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.core.permissions import request_api_client
from gorodok_graphql.webhooks.access import remember_schema
from gorodok_graphql.webhooks.enums import KNOWN_EVENTS, WebhookErrorCode
from gorodok_graphql.webhooks.types import WebhookError, WebhookSubscription
from gorodok_platform.integrations.models import Scope
from gorodok_platform.integrations.webhooks import EVENT_SCOPES, webhook_subscribe

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
    """Known event types only, each one the client's scopes let it receive."""
    names = [name.strip() for name in events or () if name and name.strip()]
    unknown = sorted({name for name in names if name not in KNOWN_EVENTS})
    if unknown:
        raise ValidationError({"events": ValidationError(
            _("Unknown event type: %(names)s. Known: %(known)s.")
            % {"names": ", ".join(unknown)[:200], "known": ", ".join(KNOWN_EVENTS)}, code="unknown_event")})
    for name in names or KNOWN_EVENTS:
        scope = EVENT_SCOPES.get(name.split(".", 1)[0])
        if scope is not None and not client.has_scope(scope):
            raise ValidationError({"events": ValidationError(
                _("Receiving %(name)s needs the %(scope)s scope.") % {"name": name, "scope": scope},
                code="scope_required")})
    return list(dict.fromkeys(names))


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
