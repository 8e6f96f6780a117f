"""Webhook subscriptions through the APIs and the back offices: an API client with the ``webhooks`` scope
creates (the signing secret shown once), lists, pauses, resumes and deletes its own subscriptions and
reads their recent deliveries; input errors are typed; a client never sees another's subscriptions; the
administrators of each side see and pause or resume their clients' ones, in GraphQL and in the console
(regional) or back office (municipality). Every request's status is asserted: none may be a 500."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from gorodok_platform.accounts.roles import Role
from gorodok_platform.accounts.services import staff_user_create
from gorodok_platform.audit.models import AuditEntry
from gorodok_platform.integrations.models import OutboxEvent, WebhookDelivery, WebhookSubscription
from gorodok_platform.integrations.webhooks.subscriptions import MAX_SUBSCRIPTIONS_PER_CLIENT, webhook_subscribe
from tests.conftest import ADMIN_PASSWORD, graphql, login
from tests.support.api_clients import assert_refused, bearer, make_client, post
from tests.support.appeals import staff

URL = "https://hooks.example.ru/gorodok"
SCOPES = ["webhooks", "appeals:read"]
FIELDS = "id url events status consecutiveFailures pausedAt createdAt"
CREATE = f"""mutation ($url: String!, $events: [String!]!) {{ createWebhookSubscription(url: $url, events: $events) {{
  secret subscription {{ {FIELDS} }} errors {{ field code message }} }} }}"""
LIST = f"""query ($first: Int) {{ webhookSubscriptions(first: 20) {{ totalCount edges {{ node {{ {FIELDS}
  apiClient {{ name }}
  deliveries(first: $first) {{ eventId eventType attempt statusCode delivered error durationMs createdAt }}
}} }} }} }}"""
PAUSE = f"""mutation ($id: ID!) {{ pauseWebhookSubscription(id: $id) {{ subscription {{ {FIELDS} }}
  errors {{ field code }} }} }}"""
RESUME = f"""mutation ($id: ID!) {{ resumeWebhookSubscription(id: $id) {{ replayed subscription {{ {FIELDS} }}
  errors {{ field code }} }} }}"""
DELETE = "mutation ($id: ID!) { deleteWebhookSubscription(id: $id) { deletedId errors { field code } } }"
EVENT_TYPES = "{ webhookEventTypes }"


def gid(subscription: WebhookSubscription) -> str:
    return to_global_id("WebhookSubscription", subscription.pk)


def call(client, host: str, query: str, token: str | None = None, variables: dict | None = None) -> dict:
    response = post(client, host, query, token, variables)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def create(client, host: str, token: str, url: str = URL, events=("appeal.registered",)) -> dict:
    return call(client, host, CREATE, token, {"url": url, "events": list(events)})["data"]["createWebhookSubscription"]


def nodes(body: dict) -> list[dict]:
    return [edge["node"] for edge in body["data"]["webhookSubscriptions"]["edges"]]


def subscribe(schema: str, api_client, url: str = URL, events=("appeal.registered",)) -> WebhookSubscription:
    with schema_context(schema):
        subscription, _secret = webhook_subscribe(client=api_client, url=url, events=list(events))
    return subscription


def log_attempts(schema: str, subscription: WebhookSubscription, count: int) -> list[WebhookDelivery]:
    event_id = uuid.uuid4()
    with schema_context(schema):
        return [WebhookDelivery.objects.create(
            subscription=subscription, event_uuid=event_id, event_type="appeal.registered", event_schema=schema,
            attempt=attempt, status_code=500 if attempt < count else 200, delivered=attempt == count,
            duration_ms=12) for attempt in range(1, count + 1)]


@pytest.fixture
def analyst(db):
    with schema_context("public"):
        return staff_user_create(email="webhooks-analyst@example.ru", password=ADMIN_PASSWORD,
                                 roles=[Role.REGIONAL_ANALYST])


# --- an API client and its own subscriptions ----------------------------------------------------------

def test_create_shows_the_secret_once_and_stores_it(client, alpha):
    api_client, token = make_client(alpha.schema_name, SCOPES)
    payload = create(client, alpha.host, token, events=["appeal.registered", "appeal.answered", "appeal.registered"])
    assert payload["errors"] == []
    secret = payload["secret"]
    assert secret.startswith("whsec_") and len(secret) > 40
    created = payload["subscription"]
    assert created["url"] == URL and created["status"] == "ACTIVE" and created["consecutiveFailures"] == 0
    assert created["events"] == ["appeal.registered", "appeal.answered"] and created["pausedAt"] is None
    with schema_context(alpha.schema_name):
        stored = WebhookSubscription.objects.get()
        assert stored.client_id == api_client.pk and stored.secret == secret and stored.is_active
        assert AuditEntry.objects.filter(action="webhook.subscribed").count() == 1
    # The secret is never shown again: the type has no such field.
    response = post(client, alpha.host, "{ webhookSubscriptions(first: 5) { edges { node { secret } } } }", token)
    assert response.status_code == 400 and "secret" in response.json()["errors"][0]["message"]
    body = call(client, alpha.host, LIST, token)
    assert secret not in str(body)
    assert [n["id"] for n in nodes(body)] == [created["id"]]


def test_all_events_with_an_empty_list_and_the_known_event_types(client, alpha):
    # Every event means every event the client may receive: no other module's scope is needed.
    _, token = make_client(alpha.schema_name, SCOPES)
    assert "assets:read" not in SCOPES
    payload = create(client, alpha.host, token, events=[])
    assert payload["errors"] == [] and payload["subscription"]["events"] == []
    body = call(client, alpha.host, EVENT_TYPES, token)
    assert sorted(body["data"]["webhookEventTypes"]) == [
        "appeal.answered", "appeal.overdue", "appeal.registered", "appeal.status_changed",
        "asset.changed", "asset.created", "asset.removed", "asset.status_changed", "campaign.overdue",
        "maintenance.due", "maintenance.overdue",
        "report.accepted", "report.returned", "report.submitted", "stocktaking.closed"]


def test_list_with_recent_deliveries_newest_first(client, alpha):
    api_client, token = make_client(alpha.schema_name, SCOPES)
    subscription = subscribe(alpha.schema_name, api_client)
    attempts = log_attempts(alpha.schema_name, subscription, 3)
    body = call(client, alpha.host, LIST, token, {"first": 2})
    (node,) = nodes(body)
    assert body["data"]["webhookSubscriptions"]["totalCount"] == 1
    assert node["apiClient"]["name"] == api_client.name
    assert [d["attempt"] for d in node["deliveries"]] == [3, 2]
    assert node["deliveries"][0] == {
        "eventId": str(attempts[2].event_uuid), "eventType": "appeal.registered", "attempt": 3, "statusCode": 200,
        "delivered": True, "error": "", "durationMs": 12, "createdAt": node["deliveries"][0]["createdAt"]}
    assert node["deliveries"][1]["delivered"] is False and node["deliveries"][1]["statusCode"] == 500
    assert len(nodes(call(client, alpha.host, LIST, token))[0]["deliveries"]) == 3  # default: 10
    small = ("query ($first: Int) { webhookSubscriptions(first: 1) "
             "{ edges { node { deliveries(first: $first) { attempt } } } } }")
    for first, code in ((101, "PAGE_SIZE_EXCEEDED"), (-1, "INVALID_PAGE_SIZE")):
        body = call(client, alpha.host, small, token, {"first": first})
        assert body["errors"][0]["extensions"]["code"] == code


def test_status_filter(client, alpha):
    api_client, token = make_client(alpha.schema_name, SCOPES)
    active = subscribe(alpha.schema_name, api_client, "https://a.example.ru/")
    paused = subscribe(alpha.schema_name, api_client, "https://b.example.ru/")
    with schema_context(alpha.schema_name):
        WebhookSubscription.objects.filter(pk=paused.pk).update(is_active=False, paused_at=timezone.now())
    query = ("query ($s: WebhookSubscriptionStatus) { webhookSubscriptions(first: 5, status: $s) "
             "{ edges { node { url } } } }")
    assert [n["url"] for n in nodes(call(client, alpha.host, query, token, {"s": "ACTIVE"}))] == [active.url]
    assert [n["url"] for n in nodes(call(client, alpha.host, query, token, {"s": "PAUSED"}))] == [paused.url]


def test_pause_and_resume(client, alpha):
    api_client, token = make_client(alpha.schema_name, SCOPES)
    subscription = subscribe(alpha.schema_name, api_client)
    payload = call(client, alpha.host, PAUSE, token, {"id": gid(subscription)})["data"]["pauseWebhookSubscription"]
    assert payload["errors"] == []
    assert payload["subscription"]["status"] == "PAUSED" and payload["subscription"]["pausedAt"]
    # Pausing again changes nothing.
    again = call(client, alpha.host, PAUSE, token, {"id": gid(subscription)})["data"]["pauseWebhookSubscription"]
    assert again["errors"] == [] and again["subscription"]["pausedAt"] == payload["subscription"]["pausedAt"]
    payload = call(client, alpha.host, RESUME, token, {"id": gid(subscription)})["data"]["resumeWebhookSubscription"]
    assert payload["errors"] == [] and payload["replayed"] == 0
    assert payload["subscription"]["status"] == "ACTIVE" and payload["subscription"]["pausedAt"] is None
    with schema_context(alpha.schema_name):
        assert WebhookSubscription.objects.get().is_active
        assert set(AuditEntry.objects.filter(action__startswith="webhook.").values_list("action", flat=True)) == {
            "webhook.subscribed", "webhook.paused", "webhook.resumed"}


def test_resuming_after_repeated_failure_resets_the_count_and_replays_what_was_missed(client, alpha):
    api_client, token = make_client(alpha.schema_name, SCOPES)
    subscription = subscribe(alpha.schema_name, api_client, events=["appeal.registered"])
    with schema_context(alpha.schema_name):
        WebhookSubscription.objects.filter(pk=subscription.pk).update(
            is_active=False, paused_at=timezone.now(), consecutive_failures=10)
        for event_type in ("appeal.registered", "appeal.answered"):  # the second one is not wanted
            OutboxEvent.objects.create(event_id=uuid.uuid4(), event_type=event_type, payload={},
                                       dispatched_at=timezone.now())
    (node,) = nodes(call(client, alpha.host, LIST, token))
    assert node["status"] == "PAUSED" and node["consecutiveFailures"] == 10 and node["pausedAt"]
    payload = call(client, alpha.host, RESUME, token, {"id": gid(subscription)})["data"]["resumeWebhookSubscription"]
    assert payload["errors"] == [] and payload["replayed"] == 1
    assert payload["subscription"]["status"] == "ACTIVE" and payload["subscription"]["consecutiveFailures"] == 0


def test_delete(client, alpha):
    api_client, token = make_client(alpha.schema_name, SCOPES)
    subscription = subscribe(alpha.schema_name, api_client)
    log_attempts(alpha.schema_name, subscription, 2)
    payload = call(client, alpha.host, DELETE, token, {"id": gid(subscription)})["data"]["deleteWebhookSubscription"]
    assert payload == {"deletedId": gid(subscription), "errors": []}
    with schema_context(alpha.schema_name):
        assert not WebhookSubscription.objects.exists() and not WebhookDelivery.objects.exists()
        assert AuditEntry.objects.filter(action="webhook.unsubscribed").count() == 1
    assert nodes(call(client, alpha.host, LIST, token)) == []
    payload = call(client, alpha.host, DELETE, token, {"id": gid(subscription)})["data"]["deleteWebhookSubscription"]
    assert payload == {"deletedId": None, "errors": [{"field": "id", "code": "NOT_FOUND"}]}


# --- input errors ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "events", "field", "code"), [
    ("ftp://example.ru/hook", ["appeal.registered"], "url", "INVALID_URL"),
    ("not a url", ["appeal.registered"], "url", "INVALID_URL"),
    ("", ["appeal.registered"], "url", "INVALID_URL"),
    ("https://user:password@example.ru/hook", ["appeal.registered"], "url", "INVALID_URL"),
    ("https://example.ru/" + "x" * 600, ["appeal.registered"], "url", "INVALID_URL"),
    ("https://example.ru:99999/hook", ["appeal.registered"], "url", "INVALID_URL"),
    (URL, ["appeal.deleted"], "events", "UNKNOWN_EVENT"),
    (URL, ["appeal.registered", "Appeal Registered!"], "events", "UNKNOWN_EVENT"),
    (URL, ["appeal.registered\x00"], "events", "INVALID"),
])
def test_invalid_input_is_a_typed_error(client, alpha, url, events, field, code):
    _, token = make_client(alpha.schema_name, SCOPES)
    payload = create(client, alpha.host, token, url=url, events=events)
    assert payload["subscription"] is None and payload["secret"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)], payload
    assert payload["errors"][0]["message"]
    with schema_context(alpha.schema_name):
        assert not WebhookSubscription.objects.exists()


def test_events_the_client_may_not_receive_are_refused(client, alpha):
    _, token = make_client(alpha.schema_name, ["webhooks"])
    for events in (["appeal.registered"], []):
        payload = create(client, alpha.host, token, events=events)
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("events", "SCOPE_REQUIRED")]
        assert "appeals:read" in payload["errors"][0]["message"]


def test_a_client_has_a_limited_number_of_subscriptions(client, alpha):
    api_client, token = make_client(alpha.schema_name, SCOPES)
    for number in range(MAX_SUBSCRIPTIONS_PER_CLIENT):
        subscribe(alpha.schema_name, api_client, f"https://example.ru/{number}")
    payload = create(client, alpha.host, token)
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(None, "TOO_MANY_SUBSCRIPTIONS")]


@pytest.mark.parametrize("bad_id", [
    "", "nonsense", to_global_id("ApiClient", 1), to_global_id("WebhookSubscription", "x"),
    to_global_id("WebhookSubscription", 2**40),
])
def test_malformed_ids_are_typed_errors(client, alpha, bad_id):
    # Malformed, foreign-type and out-of-range IDs are simply not found, like a missing subscription.
    _, token = make_client(alpha.schema_name, SCOPES)
    for query, name in ((PAUSE, "pauseWebhookSubscription"), (RESUME, "resumeWebhookSubscription"),
                        (DELETE, "deleteWebhookSubscription")):
        payload = call(client, alpha.host, query, token, {"id": bad_id})["data"][name]
        assert payload["errors"] == [{"field": "id", "code": "NOT_FOUND"}], (name, payload)


# --- permissions and isolation --------------------------------------------------------------------------

def test_without_the_webhooks_scope_everything_is_refused_with_the_scope_named(client, alpha):
    api_client, token = make_client(alpha.schema_name, ["appeals:read"])
    subscription = subscribe(alpha.schema_name, make_client(alpha.schema_name, SCOPES)[0])
    requests = [(LIST, None), (EVENT_TYPES, None), (CREATE, {"url": URL, "events": []}),
                (PAUSE, {"id": gid(subscription)}), (RESUME, {"id": gid(subscription)}),
                (DELETE, {"id": gid(subscription)})]
    for query, variables in requests:
        body = call(client, alpha.host, query, token, variables)
        assert body["errors"][0]["extensions"] == {"code": "PERMISSION_DENIED", "requiredScope": "webhooks"}, query
    with schema_context(alpha.schema_name):
        assert WebhookSubscription.objects.filter(client_id=api_client.pk).count() == 0
        assert WebhookSubscription.objects.get().is_active


def test_anonymous_requests_are_refused(client, alpha):
    body = call(client, alpha.host, LIST)
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    body = call(client, alpha.host, CREATE, None, {"url": URL, "events": []})
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"


def test_a_client_sees_and_touches_only_its_own_subscriptions(client, alpha):
    own_client, own_token = make_client(alpha.schema_name, SCOPES)
    other_client, other_token = make_client(alpha.schema_name, SCOPES)
    own = subscribe(alpha.schema_name, own_client, "https://own.example.ru/")
    other = subscribe(alpha.schema_name, other_client, "https://other.example.ru/")
    log_attempts(alpha.schema_name, other, 1)
    assert [n["url"] for n in nodes(call(client, alpha.host, LIST, own_token))] == [own.url]
    assert [n["url"] for n in nodes(call(client, alpha.host, LIST, other_token))] == [other.url]
    for query, name in ((PAUSE, "pauseWebhookSubscription"), (RESUME, "resumeWebhookSubscription"),
                        (DELETE, "deleteWebhookSubscription")):
        payload = call(client, alpha.host, query, own_token, {"id": gid(other)})["data"][name]
        assert payload["errors"] == [{"field": "id", "code": "NOT_FOUND"}], name
    with schema_context(alpha.schema_name):
        assert WebhookSubscription.objects.get(pk=other.pk).is_active


def test_a_municipality_client_is_refused_on_other_hosts(client, alpha, beta, region_host):
    _, token = make_client(alpha.schema_name, SCOPES)
    for host in (beta.host, region_host):
        assert_refused(post(client, host, LIST, token), "unknown")
        assert_refused(post(client, host, CREATE, token, {"url": URL, "events": []}), "unknown")
    with schema_context(beta.schema_name):
        assert not WebhookSubscription.objects.exists()
    with schema_context("public"):
        assert not WebhookSubscription.objects.exists()


def test_a_regional_client_has_the_same_subscriptions_on_every_host_it_reaches(client, alpha, beta, region_host):
    regional, token = make_client("public", SCOPES, municipalities=[alpha.schema_name])
    local_client, _local_token = make_client(alpha.schema_name, SCOPES)
    local = subscribe(alpha.schema_name, local_client, "https://local.example.ru/")
    payload = create(client, region_host, token, url="https://regional.example.ru/")
    assert payload["errors"] == []
    with schema_context("public"):
        stored = WebhookSubscription.objects.get()
        assert stored.client_id == regional.pk and stored.secret == payload["secret"]
    for host in (region_host, alpha.host):
        (node,) = nodes(call(client, host, LIST, token))
        assert node["url"] == "https://regional.example.ru/" and node["apiClient"]["name"] == regional.name
    # Managed from a municipality's host, it is still the regional subscription that changes.
    paused = call(client, alpha.host, PAUSE, token, {"id": payload["subscription"]["id"]})["data"]
    assert paused["pauseWebhookSubscription"]["subscription"]["status"] == "PAUSED"
    with schema_context("public"):
        assert not WebhookSubscription.objects.get().is_active
    # The municipality's own client's subscription is not the regional client's, whatever its number.
    payload = call(client, alpha.host, DELETE, token, {"id": gid(local)})["data"]["deleteWebhookSubscription"]
    assert payload["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    with schema_context(alpha.schema_name):
        assert WebhookSubscription.objects.filter(pk=local.pk).exists()
    assert_refused(post(client, beta.host, LIST, token), "not_for_this_host")


def test_node_lookup_finds_only_own_subscriptions(client, alpha, region_host):
    regional, token = make_client("public", SCOPES)
    other, _ = make_client("public", SCOPES)
    own = subscribe("public", regional, "https://own.example.ru/")
    foreign = subscribe("public", other, "https://other.example.ru/")
    query = "query ($id: ID!) { node(id: $id) { ... on WebhookSubscription { url } } }"
    assert call(client, region_host, query, token, {"id": gid(own)})["data"]["node"] == {"url": own.url}
    assert call(client, region_host, query, token, {"id": gid(foreign)})["data"]["node"] is None
    huge = to_global_id("WebhookSubscription", 2**40)
    assert call(client, region_host, query, token, {"id": huge})["data"]["node"] is None
    _, without_scope = make_client("public", ["appeals:read"])
    assert call(client, region_host, query, without_scope, {"id": gid(own)})["data"]["node"] is None


# --- administrators in GraphQL --------------------------------------------------------------------------

def test_a_municipal_admin_lists_pauses_and_resumes_the_municipality_clients_subscriptions(client, alpha, beta):
    first = subscribe(alpha.schema_name, make_client(alpha.schema_name, SCOPES)[0], "https://one.example.ru/")
    second = subscribe(alpha.schema_name, make_client(alpha.schema_name, SCOPES)[0], "https://two.example.ru/")
    foreign = subscribe(beta.schema_name, make_client(beta.schema_name, SCOPES)[0], "https://beta.example.ru/")
    login(client, alpha.host, alpha.admin_email)
    status, body = graphql(client, alpha.host, LIST)
    assert status == 200 and sorted(n["url"] for n in nodes(body)) == [first.url, second.url], body
    status, body = graphql(client, alpha.host, PAUSE, {"id": gid(second)})
    assert body["data"]["pauseWebhookSubscription"]["subscription"]["status"] == "PAUSED"
    status, body = graphql(client, alpha.host, RESUME, {"id": gid(second)})
    assert body["data"]["resumeWebhookSubscription"]["subscription"]["status"] == "ACTIVE"
    with schema_context(alpha.schema_name):
        entry = AuditEntry.objects.filter(action="webhook.paused").get()
        assert entry.actor_email == alpha.admin_email
    status, body = graphql(client, alpha.host, PAUSE, {"id": gid(foreign)})
    assert body["data"]["pauseWebhookSubscription"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    # Only a client subscribes, with its own token.
    status, body = graphql(client, alpha.host, CREATE, {"url": URL, "events": []})
    assert status == 200 and body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_other_staff_may_not_manage_subscriptions(client, alpha):
    subscription = subscribe(alpha.schema_name, make_client(alpha.schema_name, SCOPES)[0])
    login(client, alpha.host, staff(alpha, "webhooks-officer@alpha.example.ru", "appeals_officer"))
    for query, variables in ((LIST, None), (PAUSE, {"id": gid(subscription)})):
        status, body = graphql(client, alpha.host, query, variables)
        assert status == 200 and body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    with schema_context(alpha.schema_name):
        assert WebhookSubscription.objects.get().is_active


def test_a_regional_admin_sees_the_regional_clients_subscriptions(client, alpha, regional_admin, region_host):
    regional = subscribe("public", make_client("public", SCOPES)[0], "https://regional.example.ru/")
    subscribe(alpha.schema_name, make_client(alpha.schema_name, SCOPES)[0], "https://local.example.ru/")
    login(client, region_host, regional_admin.email)
    status, body = graphql(client, region_host, LIST)
    assert status == 200 and [n["url"] for n in nodes(body)] == [regional.url], body
    status, body = graphql(client, region_host, PAUSE, {"id": gid(regional)})
    assert body["data"]["pauseWebhookSubscription"]["subscription"]["status"] == "PAUSED"


# --- the regional console and the municipal back office -------------------------------------------------

SUBSCRIPTIONS_PAGE = "/admin/integrations/webhooksubscription/"
DELIVERIES_PAGE = "/admin/integrations/webhookdelivery/"


def test_the_console_lists_pauses_and_resumes_regional_subscriptions(client, alpha, regional_admin, region_host):
    regional_client, _ = make_client("public", SCOPES, municipalities=[alpha.schema_name])
    subscription = subscribe("public", regional_client, "https://regional.example.ru/hook")
    log_attempts("public", subscription, 2)
    local = subscribe(alpha.schema_name, make_client(alpha.schema_name, SCOPES)[0], "https://local.example.ru/")
    login(client, region_host, regional_admin.email)
    response = client.get(SUBSCRIPTIONS_PAGE, HTTP_HOST=region_host)
    assert response.status_code == 200
    page = response.content.decode()
    assert subscription.url in page and regional_client.name in page and local.url not in page
    assert 'value="pause"' in page and 'value="resume"' in page
    response = client.get(f"{SUBSCRIPTIONS_PAGE}{subscription.pk}/change/", HTTP_HOST=region_host)
    assert response.status_code == 200
    page = response.content.decode()
    assert "appeal.registered" in page and f"subscription__id__exact={subscription.pk}" in page
    with schema_context("public"):
        assert WebhookSubscription.objects.get(pk=subscription.pk).secret not in page
    response = client.post(SUBSCRIPTIONS_PAGE, {"action": "pause", "_selected_action": [subscription.pk]},
                           HTTP_HOST=region_host)
    assert response.status_code == 302
    with schema_context("public"):
        assert not WebhookSubscription.objects.get(pk=subscription.pk).is_active
        assert AuditEntry.objects.filter(action="webhook.paused", actor_email=regional_admin.email).exists()
    response = client.get(f"{SUBSCRIPTIONS_PAGE}?is_active__exact=0", HTTP_HOST=region_host)
    assert response.status_code == 200 and subscription.url in response.content.decode()
    response = client.post(SUBSCRIPTIONS_PAGE, {"action": "resume", "_selected_action": [subscription.pk]},
                           HTTP_HOST=region_host)
    assert response.status_code == 302
    with schema_context("public"):
        assert WebhookSubscription.objects.get(pk=subscription.pk).is_active
    for query in ("", f"?subscription__id__exact={subscription.pk}", "?delivered__exact=0",
                  "?event_type=appeal.registered"):
        response = client.get(DELIVERIES_PAGE + query, HTTP_HOST=region_host)
        assert response.status_code == 200, query
        assert "appeal.registered" in response.content.decode()
    with schema_context("public"):
        delivery = WebhookDelivery.objects.filter(subscription=subscription).first()
    response = client.get(f"{DELIVERIES_PAGE}{delivery.pk}/change/", HTTP_HOST=region_host)
    assert response.status_code == 200
    assert client.get(f"{DELIVERIES_PAGE}add/", HTTP_HOST=region_host).status_code == 403
    assert client.get(f"{SUBSCRIPTIONS_PAGE}add/", HTTP_HOST=region_host).status_code == 403


def test_analysts_see_but_cannot_pause_or_resume(client, analyst, region_host):
    subscription = subscribe("public", make_client("public", SCOPES)[0], "https://regional.example.ru/hook")
    login(client, region_host, analyst.email)
    response = client.get(SUBSCRIPTIONS_PAGE, HTTP_HOST=region_host)
    assert response.status_code == 200
    page = response.content.decode()
    assert subscription.url in page and 'value="pause"' not in page
    assert client.get(f"{SUBSCRIPTIONS_PAGE}{subscription.pk}/change/", HTTP_HOST=region_host).status_code == 200
    assert client.get(DELIVERIES_PAGE, HTTP_HOST=region_host).status_code == 200
    response = client.post(SUBSCRIPTIONS_PAGE, {"action": "pause", "_selected_action": [subscription.pk]},
                           HTTP_HOST=region_host)
    assert response.status_code == 200  # no such action for an analyst: the list again, unchanged
    response = client.post(f"{SUBSCRIPTIONS_PAGE}{subscription.pk}/change/", {"url": "https://evil.example.ru/"},
                           HTTP_HOST=region_host)
    assert response.status_code == 403
    with schema_context("public"):
        stored = WebhookSubscription.objects.get(pk=subscription.pk)
        assert stored.is_active and stored.url == subscription.url


def test_the_back_office_manages_the_municipality_clients_subscriptions(client, alpha, beta):
    subscription = subscribe(alpha.schema_name, make_client(alpha.schema_name, SCOPES)[0], "https://alpha.example.ru/")
    foreign = subscribe(beta.schema_name, make_client(beta.schema_name, SCOPES)[0], "https://beta.example.ru/")
    log_attempts(alpha.schema_name, subscription, 1)
    login(client, alpha.host, alpha.admin_email)
    response = client.get(SUBSCRIPTIONS_PAGE, HTTP_HOST=alpha.host)
    assert response.status_code == 200
    page = response.content.decode()
    assert subscription.url in page and foreign.url not in page
    assert client.get(f"{SUBSCRIPTIONS_PAGE}{subscription.pk}/change/", HTTP_HOST=alpha.host).status_code == 200
    response = client.post(SUBSCRIPTIONS_PAGE, {"action": "pause", "_selected_action": [subscription.pk]},
                           HTTP_HOST=alpha.host)
    assert response.status_code == 302
    with schema_context(alpha.schema_name):
        assert not WebhookSubscription.objects.get(pk=subscription.pk).is_active
    response = client.post(SUBSCRIPTIONS_PAGE, {"action": "resume", "_selected_action": [subscription.pk]},
                           HTTP_HOST=alpha.host)
    assert response.status_code == 302
    with schema_context(alpha.schema_name):
        assert WebhookSubscription.objects.get(pk=subscription.pk).is_active
    response = client.get(DELIVERIES_PAGE, HTTP_HOST=alpha.host)
    assert response.status_code == 200 and "appeal.registered" in response.content.decode()


def test_the_back_office_is_for_municipal_admins(client, alpha):
    subscription = subscribe(alpha.schema_name, make_client(alpha.schema_name, SCOPES)[0])
    login(client, alpha.host, staff(alpha, "webhooks-viewer@alpha.example.ru", Role.VIEWER))
    assert client.get(SUBSCRIPTIONS_PAGE, HTTP_HOST=alpha.host).status_code == 403
    assert client.get(DELIVERIES_PAGE, HTTP_HOST=alpha.host).status_code == 403
    response = client.post(SUBSCRIPTIONS_PAGE, {"action": "pause", "_selected_action": [subscription.pk]},
                           HTTP_HOST=alpha.host)
    assert response.status_code == 403
    with schema_context(alpha.schema_name):
        assert WebhookSubscription.objects.get().is_active


def test_a_token_does_not_open_the_back_office(client, alpha):
    _, token = make_client(alpha.schema_name, SCOPES)
    response = client.get(SUBSCRIPTIONS_PAGE, HTTP_HOST=alpha.host, **bearer(token))
    assert response.status_code == 302


def test_every_event_means_only_those_the_clients_scopes_allow(client, alpha):
    from gorodok_platform.integrations.webhooks.subscriptions import subscriptions_for

    api_client, token = make_client(alpha.schema_name, SCOPES)
    payload = create(client, alpha.host, token, events=[])
    assert payload["errors"] == []
    with schema_context(alpha.schema_name):
        ids = {pk for pk, _schema in subscriptions_for("appeal.registered", alpha.schema_name)}
        assert ids and not {pk for pk, _schema in subscriptions_for("asset.created", alpha.schema_name)} & ids
