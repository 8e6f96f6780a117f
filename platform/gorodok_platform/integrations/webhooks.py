"""Webhooks: subscriptions, signing, and the delivery of one event to one subscriber.

What a subscriber receives
--------------------------
An HTTP ``POST`` with a JSON body (the event: ``id``, ``type``, ``occurred_at``, ``municipality``,
``data``; never personal data) and these headers:

- ``X-Gorodok-Event``: the event type, e.g. ``appeal.registered``;
- ``X-Gorodok-Delivery``: a UUID for this attempt (every retry has a new one);
- ``X-Gorodok-Timestamp``: when it was sent, in Unix seconds;
- ``X-Gorodok-Signature``: ``v1=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>``.

A 2xx answer within ``WEBHOOK_TIMEOUT_SECONDS`` (10 s) is a delivery; anything else (another status,
a redirect, a timeout, a refused connection) is retried with exponential backoff. Delivery is at least
once: a receiver keeps the event ``id`` of what it processed and ignores repeats. After
``WEBHOOK_PAUSE_AFTER_FAILURES`` failures in a row (across events) the subscription is paused; resuming
it sends again what it missed (see ``webhook_subscription_resume``).

Verifying, on the receiver's side: see ``verify_signature`` below, which is the reference code for
integrators. It rejects a changed body, a wrong secret and a timestamp more than five minutes away;
a receiver that also remembers the event ids it has seen rejects every replay.

Settings (all optional): ``WEBHOOK_TIMEOUT_SECONDS`` (10), ``WEBHOOK_MAX_RETRIES`` (8),
``WEBHOOK_MIN_BACKOFF_MS`` (10 000), ``WEBHOOK_MAX_BACKOFF_MS`` (3 600 000),
``WEBHOOK_PAUSE_AFTER_FAILURES`` (10), ``WEBHOOK_ALLOW_PRIVATE_TARGETS`` (False in production, True in
dev and test), ``WEBHOOK_REPLAY_DAYS`` (7), ``WEBHOOK_DISPATCH_GRACE_SECONDS`` (30),
``WEBHOOK_RETENTION_DAYS`` (30).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import re
import secrets
import socket
import ssl
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name, get_tenant_model, schema_context
from dramatiq.errors import Retry

from gorodok_platform.integrations.models import (
    ApiClient,
    OutboxEvent,
    Scope,
    WebhookDelivery,
    WebhookSubscription,
)
from gorodok_platform.modules import module_events

logger = logging.getLogger("gorodok.webhooks")

EVENT_HEADER = "X-Gorodok-Event"
DELIVERY_HEADER = "X-Gorodok-Delivery"
TIMESTAMP_HEADER = "X-Gorodok-Timestamp"
SIGNATURE_HEADER = "X-Gorodok-Signature"
SIGNATURE_VERSION = "v1"
USER_AGENT = "Gorodok-Webhooks/1"

EVENT_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
MAX_EVENTS_PER_SUBSCRIPTION = 50
MAX_SUBSCRIPTIONS_PER_CLIENT = 20
EXCERPT_CHARS = 500
READ_LIMIT_BYTES = 4096



def setting(name: str, default):
    return getattr(settings, name, default)


def allow_private_targets() -> bool:
    return bool(setting("WEBHOOK_ALLOW_PRIVATE_TARGETS", setting("GORODOK_ENV", "production") != "production"))


def retry_options() -> dict:
    """Dramatiq options of a delivery message: bounded retries with exponential backoff."""
    return {
        "max_retries": int(setting("WEBHOOK_MAX_RETRIES", 8)),
        "min_backoff": int(setting("WEBHOOK_MIN_BACKOFF_MS", 10_000)),
        "max_backoff": int(setting("WEBHOOK_MAX_BACKOFF_MS", 1_500_000)),
    }


# --- signatures ------------------------------------------------------------------------------------

def _as_bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def sign(secret: str, timestamp: int | str, body: bytes | str) -> str:
    """Hex HMAC-SHA256 of ``f"{timestamp}.{body}"`` with the subscription's secret."""
    message = f"{timestamp}.".encode() + _as_bytes(body)
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _header(headers: Mapping, name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in headers.items() if str(k).lower() == wanted), None)
    return value if isinstance(value, str) else None


def verify_signature(secret: str, headers: Mapping, body: bytes | str, tolerance: int = 300,
                     now: float | None = None) -> bool:
    """Whether a webhook request really comes from Gorodok (reference code for receivers).

    ``headers`` is the request's headers (any mapping; names are matched case-insensitively) and
    ``body`` the raw request body exactly as received, before any JSON parsing. False when a header is
    missing or malformed, the timestamp is more than ``tolerance`` seconds from ``now``, or no ``v1``
    signature matches. To refuse a replay inside the tolerance too, remember the event ``id`` (or the
    ``X-Gorodok-Delivery`` id) of every request you accepted and refuse one you have seen.
    """
    timestamp = _header(headers, TIMESTAMP_HEADER)
    signature = _header(headers, SIGNATURE_HEADER)
    if not timestamp or not signature or not timestamp.isascii() or not timestamp.isdigit():
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        return False
    expected = sign(secret, timestamp, body).encode("ascii")
    for part in signature.split(","):
        version, _sep, value = part.strip().partition("=")
        if version == SIGNATURE_VERSION and re.fullmatch(r"[0-9a-f]{64}", value) \
                and hmac.compare_digest(expected, value.encode("ascii")):
            return True
    return False


# --- targets ---------------------------------------------------------------------------------------

class TargetRefused(Exception):
    """The URL is not one Gorodok may call (scheme, or an address inside the hosting network)."""


def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def validate_target_url(url: str) -> str:
    """The URL, stripped, if a subscription may point at it; ValidationError otherwise."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise ValidationError({"url": ValidationError(_("Not a valid URL."), code="invalid")}) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": ValidationError(_("Give an http:// or https:// URL."), code="invalid")})
    if len(url) > WebhookSubscription._meta.get_field("url").max_length:
        raise ValidationError({"url": ValidationError(_("The URL is too long."), code="max_length")})
    if parts.username or parts.password:
        raise ValidationError({"url": ValidationError(_("Do not put credentials in the URL."), code="invalid")})
    if not allow_private_targets():
        host = parts.hostname
        private = host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
        with contextlib.suppress(ValueError):  # a name: resolved and checked at every delivery
            private = private or not _address_allowed(host)
        if private:
            raise ValidationError({"url": ValidationError(
                _("The URL points into a private network."), code="private_target")})
    return url


@dataclass
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def resolve_target(url: str) -> Target:
    """Resolve the URL's host once; the connection goes to the address checked here, so a name that
    changes its answer between the check and the request cannot lead into the private network."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("not an http(s) URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ConnectionError(f"cannot resolve {parts.hostname}: {exc}") from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise ConnectionError(f"cannot resolve {parts.hostname}")
    if not allow_private_targets() and not all(_address_allowed(a) for a in addresses):
        raise TargetRefused(f"{parts.hostname} resolves to a private address")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


@dataclass
class PostResult:
    status_code: int | None
    excerpt: str
    error: str
    retry: bool = True

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> PostResult:
    """POST ``body`` to ``url``; never follows redirects; reads at most a few kilobytes back."""
    try:
        target = resolve_target(url)
    except TargetRefused as exc:
        return PostResult(None, "", f"refused: {exc}", retry=False)
    except ConnectionError as exc:
        return PostResult(None, "", str(exc)[:1000])
    if target.scheme == "https":
        conn = http.client.HTTPSConnection(target.host, target.port, timeout=timeout,
                                           context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout)

    def pinned(address, timeout=timeout, source_address=None):
        return socket.create_connection((target.address, address[1]), timeout, source_address)

    conn._create_connection = pinned
    try:
        conn.request("POST", target.path, body=body, headers=headers)
        response = conn.getresponse()
        excerpt = response.read(READ_LIMIT_BYTES).decode("utf-8", errors="replace")[:EXCERPT_CHARS]
        return PostResult(response.status, excerpt, "")
    except (OSError, http.client.HTTPException) as exc:
        return PostResult(None, "", f"{type(exc).__name__}: {exc}"[:1000])
    finally:
        conn.close()


# --- who receives what -----------------------------------------------------------------------------

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


# --- subscription services -------------------------------------------------------------------------

def webhook_events_clean(*, client: ApiClient, events) -> list[str]:
    """The event types a subscription names: each declared by a module and each one the client's
    scopes let it receive (none named: every event, each of which must then be receivable)."""
    known = module_events()
    names = [name.strip() for name in events or () if isinstance(name, str) and name.strip()]
    unknown = sorted({name for name in names if name not in known})
    if unknown:
        raise ValidationError({"events": ValidationError(
            _("Unknown event type: %(names)s. Known: %(known)s.")
            % {"names": ", ".join(unknown)[:200], "known": ", ".join(known)}, code="unknown_event")})
    for name in names or known:
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


# --- delivery --------------------------------------------------------------------------------------

class WebhookDeliveryFailed(Retry):
    """The receiver did not accept the event; Dramatiq retries the delivery with backoff (a Retry is
    logged as a retry, not as a crash: the attempt itself is in the delivery log)."""


def encode_body(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _record_failure(subscription_id: int) -> tuple[int, bool]:
    """Count one more failure in a row; pause the subscription at the limit. (failures, paused now)."""
    limit = int(setting("WEBHOOK_PAUSE_AFTER_FAILURES", 10))
    with transaction.atomic():
        locked = WebhookSubscription.objects.select_for_update().get(pk=subscription_id)
        locked.consecutive_failures += 1
        pause = locked.is_active and locked.consecutive_failures >= limit
        if pause:
            locked.is_active = False
            locked.paused_at = timezone.now()
        locked.save(update_fields=["consecutive_failures", "is_active", "paused_at"])
    return locked.consecutive_failures, pause


def webhook_deliver(*, subscription_id: int, event_id: str, subscription_schema: str) -> str:
    """Deliver one event of the current schema to one subscription (living in ``subscription_schema``),
    log the attempt there, and return the outcome. Raises WebhookDeliveryFailed for a retry."""
    event_schema = connection.schema_name
    event = OutboxEvent.objects.filter(event_id=event_id).first()
    if event is None:
        return "no such event"
    with schema_context(subscription_schema):
        subscription = WebhookSubscription.objects.select_related("client").filter(pk=subscription_id).first()
        if subscription is None or not subscription.is_active:
            return "inactive"
        if not subscription.wants(event.event_type) or not client_may_receive(subscription.client, event.event_type):
            return "not wanted"
        if subscription_schema != event_schema and event_schema not in (subscription.client.municipalities or []):
            return "not wanted"  # the regional client no longer reaches this municipality
        previous = WebhookDelivery.objects.filter(subscription=subscription, event_uuid=event.event_id)
        if previous.filter(delivered=True).exists():
            return "already delivered"
        attempt = previous.count() + 1
        body = encode_body(event.payload)
        timestamp = int(time.time())
        delivery_id = uuid.uuid4()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            EVENT_HEADER: event.event_type,
            DELIVERY_HEADER: str(delivery_id),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: f"{SIGNATURE_VERSION}={sign(subscription.secret, timestamp, body)}",
        }
        started = time.monotonic()
        result = post(subscription.url, body, headers, float(setting("WEBHOOK_TIMEOUT_SECONDS", 10)))
        duration_ms = int((time.monotonic() - started) * 1000)
        WebhookDelivery.objects.create(
            subscription=subscription, delivery_id=delivery_id, event_uuid=event.event_id,
            event_type=event.event_type, event_schema=event_schema, attempt=attempt,
            status_code=result.status_code, error=result.error, response_excerpt=result.excerpt,
            duration_ms=duration_ms, delivered=result.ok,
        )
        if result.ok:
            if subscription.consecutive_failures:
                WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
            return "delivered"
        failures, paused = _record_failure(subscription.pk)
    reason = result.error or f"HTTP {result.status_code}"
    if paused:
        logger.warning("webhook subscription %s (%s) paused after %d failures in a row; last: %s",
                       subscription_id, subscription_schema, failures, reason)
        return "paused"
    if not result.retry:
        logger.warning("webhook %s to subscription %s not sent: %s", event.event_id, subscription_id, reason)
        return "refused"
    raise WebhookDeliveryFailed(f"event {event.event_id} to subscription {subscription_id} "
                                f"(attempt {attempt}): {reason}")
