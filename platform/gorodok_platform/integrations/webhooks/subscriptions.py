"""Who receives which event, and the services that manage subscriptions."""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name, get_tenant_model, schema_context

from gorodok_platform.integrations.models import (
    ApiClient,
    OutboxEvent,
    Scope,
    WebhookDelivery,
    WebhookSubscription,
)
from gorodok_platform.integrations.webhooks.config import retry_options, setting
from gorodok_platform.integrations.webhooks.transport import validate_target_url
from gorodok_platform.modules import module_events

logger = logging.getLogger("gorodok.webhooks")

EVENT_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
MAX_EVENTS_PER_SUBSCRIPTION = 50
MAX_SUBSCRIPTIONS_PER_CLIENT = 20


def client_may_receive(client: ApiClient, event_type: str) -> bool:
    """A usable client with the webhooks scope and the scope the event's module declares for it.
    An event no module declares goes to nobody."""
    event = module_events().get(event_type)
    return (event is not None and client.is_usable() and client.has_scope(Scope.WEBHOOKS)
            and client.has_scope(event.scope))


def subscriptions_for(event_type: str, event_schema: str) -> list[tuple[int, str]]:
    """(subscription id, its schema) of every active subscription that gets an event of ``event_schema``:
    the municipality's own clients' ones, and those of regional clients that list the municipality."""
    public = get_public_schema_name()
    found: list[tuple[int, str]] = []
    with schema_context(event_schema):
        own = WebhookSubscription.objects.filter(is_active=True).select_related("client").order_by("pk")
        found += [(s.pk, event_schema) for s in own if s.wants(event_type) and client_may_receive(s.client, event_type)]
    if event_schema != public:
        with schema_context(public):
            regional = (WebhookSubscription.objects
                        .filter(is_active=True, client__municipalities__contains=[event_schema])
                        .select_related("client").order_by("pk"))
            found += [(s.pk, public) for s in regional
                      if s.wants(event_type) and client_may_receive(s.client, event_type)]
    return found


def webhook_events_clean(*, client: ApiClient, events) -> list[str]:
    """The event types a subscription names: each declared by a module and each one the client's
    scopes let it receive. None named means every event the client may receive, whichever modules
    are installed: delivery checks each event's scope, so a module added later needs no new
    subscription and a client without its scope gets none of its events."""
    known = module_events()
    names = [name.strip() for name in events or () if isinstance(name, str) and name.strip()]
    unknown = sorted({name for name in names if name not in known})
    if unknown:
        raise ValidationError({"events": ValidationError(
            _("Unknown event type: %(names)s. Known: %(known)s.")
            % {"names": ", ".join(unknown)[:200], "known": ", ".join(known)}, code="unknown_event")})
    if not names and not any(client.has_scope(event.scope) for event in known.values()):
        scopes = ", ".join(sorted({event.scope for event in known.values()}))
        raise ValidationError({"events": ValidationError(
            _("This client may receive no event: give it one of these scopes: %(scopes)s.") % {"scopes": scopes},
            code="scope_required")})
    for name in names:
        scope = known[name].scope
        if not client.has_scope(scope):
            raise ValidationError({"events": ValidationError(
                _("Receiving %(name)s needs the %(scope)s scope.") % {"name": name, "scope": scope},
                code="scope_required")})
    return list(dict.fromkeys(names))


def _clean_events(events) -> list[str]:
    events = list(dict.fromkeys(e.strip() for e in (events or []) if isinstance(e, str)))
    if len(events) > MAX_EVENTS_PER_SUBSCRIPTION:
        raise ValidationError({"events": ValidationError(_("Too many event types."), code="max_length")})
    for name in events:
        if len(name) > 64 or not EVENT_TYPE_RE.match(name):
            raise ValidationError({"events": ValidationError(
                _("Not an event type: %(name)s.") % {"name": name[:64]}, code="invalid")})
    return events


def _audit(action: str, subscription: WebhookSubscription, actor, after: dict | None = None) -> None:
    from gorodok_platform.audit.services import audit_record

    audit_record(action=action, actor=actor, target=subscription,
                 after={"client": subscription.client_id, "url": subscription.url, **(after or {})})


@transaction.atomic
def webhook_subscribe(*, client: ApiClient, url: str, events=None, actor=None) -> tuple[WebhookSubscription, str]:
    """Subscribe ``client`` (of the current schema) to ``events`` (empty: all) at ``url``.
    Returns the subscription and its signing secret, which is shown this once."""
    if not client.is_usable():
        raise ValidationError(_("This API client is revoked or expired."), code="client_unusable")
    if not client.has_scope(Scope.WEBHOOKS):
        raise ValidationError(_("This API client may not manage webhooks."), code="scope")
    url = validate_target_url(url)
    events = _clean_events(events)
    if WebhookSubscription.objects.filter(client=client).count() >= MAX_SUBSCRIPTIONS_PER_CLIENT:
        raise ValidationError(_("At most %(n)d subscriptions per client.") % {"n": MAX_SUBSCRIPTIONS_PER_CLIENT},
                              code="too_many")
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    subscription = WebhookSubscription.objects.create(client=client, url=url, secret=secret, events=events)
    _audit("webhook.subscribed", subscription, actor, {"events": events})
    return subscription, secret


@transaction.atomic
def webhook_subscription_pause(*, subscription: WebhookSubscription, actor=None) -> WebhookSubscription:
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.is_active:
        subscription.is_active = False
        subscription.paused_at = timezone.now()
        subscription.save(update_fields=["is_active", "paused_at"])
        _audit("webhook.paused", subscription, actor)
    return subscription


def _schemas_of(subscription: WebhookSubscription, own_schema: str) -> list[str]:
    """The schemas whose events the subscription receives."""
    if own_schema != get_public_schema_name():
        return [own_schema]
    listed = [s for s in subscription.client.municipalities or [] if isinstance(s, str)]
    known = set(get_tenant_model().objects.filter(schema_name__in=listed).values_list("schema_name", flat=True))
    return [own_schema, *sorted(known)]


@transaction.atomic
def webhook_subscription_resume(*, subscription: WebhookSubscription, actor=None) -> int:
    """Resume a paused subscription (call in its schema) and send it again what it missed.

    Missed means: every event it wants, from the schemas it covers, created in the last
    ``WEBHOOK_REPLAY_DAYS`` days (and not before the subscription) that was dispatched but never
    delivered to it — the events that failed before the pause as well as those that came while it was
    paused. They are sent after the commit, oldest first; returns how many. Events not yet dispatched
    reach it through the normal dispatch. Resuming an active subscription does nothing."""
    subscription = (WebhookSubscription.objects.select_for_update(of=("self",)).select_related("client")
                    .get(pk=subscription.pk))
    if subscription.is_active:
        return 0
    own_schema = connection.schema_name
    subscription.is_active = True
    subscription.paused_at = None
    subscription.consecutive_failures = 0
    subscription.save(update_fields=["is_active", "paused_at", "consecutive_failures"])
    _audit("webhook.resumed", subscription, actor)

    since = max(subscription.created_at, timezone.now() - timedelta(days=int(setting("WEBHOOK_REPLAY_DAYS", 7))))
    delivered = set(WebhookDelivery.objects.filter(subscription=subscription, delivered=True,
                                                   created_at__gte=since).values_list("event_uuid", flat=True))
    missed: list[tuple[str, str, object]] = []
    for schema in _schemas_of(subscription, own_schema):
        with schema_context(schema):
            events = (OutboxEvent.objects.filter(created_at__gte=since, dispatched_at__isnull=False)
                      .values_list("event_id", "event_type", "created_at"))
            missed += [(schema, str(event_id), created) for event_id, event_type, created in events
                       if event_id not in delivered and subscription.wants(event_type)
                       and client_may_receive(subscription.client, event_type)]
    missed.sort(key=lambda item: item[2])
    jobs = [(schema, event_id) for schema, event_id, _created in missed]
    subscription_id = subscription.pk
    from gorodok_platform.integrations.actors import deliver_webhook
    from gorodok_platform.jobs.enqueue import enqueue_on_commit

    for schema, event_id in jobs:
        enqueue_on_commit(deliver_webhook, subscription_id, event_id, own_schema, schema=schema,
                          options=retry_options())
    logger.info("webhook subscription %s resumed; %d missed events queued", subscription_id, len(jobs))
    return len(jobs)


@transaction.atomic
def webhook_unsubscribe(*, subscription: WebhookSubscription, actor=None) -> None:
    _audit("webhook.unsubscribed", subscription, actor)
    subscription.delete()
