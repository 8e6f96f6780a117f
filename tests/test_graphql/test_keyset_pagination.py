"""Keyset cursors: an appeal received while an integrator pages through the list never repeats or
hides another; cursors are checked at the input; ``updatedSince`` gives incremental sync."""

from __future__ import annotations

from base64 import b64encode
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from gorodok_services.appeals.models import Appeal
from tests.conftest import graphql, login
from tests.support.api_clients import bearer, make_client
from tests.support.appeals import receive

PAGE = """query ($first: Int, $after: String, $last: Int, $before: String, $updatedSince: DateTime) {
  appeals(first: $first, after: $after, last: $last, before: $before, updatedSince: $updatedSince) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { subject } } } }"""


def _legacy(n) -> str:
    return b64encode(f"arrayconnection:{n}".encode()).decode()


BAD_CURSORS = [_legacy(99999999999999999999), _legacy(-5), _legacy("x"), "", "!!!", "a" * 5000,
               b64encode(b"keyset:[1]").decode(), b64encode(b"keyset:[1, 2, 3]").decode(),
               b64encode(b'keyset:["2026-01-01T00:00:00+00:00", 99999999999999999999]').decode(),
               b64encode(b"keyset:[null, null]").decode(), b64encode(b"keyset:" + b"[" * 5000).decode(),
               b64encode(b'keyset:{"a": 1}').decode(), b64encode(b'keyset:["\\u0000", 1]').decode()]
# Cursors that fit a list ordered by strings but not the appeals' (received, id) order.
BAD_APPEAL_CURSORS = [b64encode(b'keyset:["x", 1]').decode(), b64encode(b'keyset:["2026-01-01T00:00:00", 1]').decode(),
                      b64encode(b'keyset:["9999-12-31T23:59:59-14:00", 1]').decode(),
                      b64encode(b'keyset:["0001-01-01T00:00:00+14:00", 1]').decode(),
                      b64encode(b'keyset:["2026-01-01T00:00:00+00:00", 2147483648]').decode()]


@pytest.fixture
def signed_in(client, alpha):
    login(client, alpha.host, alpha.admin_email)
    return client


def _subjects(body) -> list[str]:
    assert "errors" not in body, body
    return [edge["node"]["subject"] for edge in body["data"]["appeals"]["edges"]]


def _seed(alpha, count: int) -> None:
    base = timezone.now() - timedelta(days=1)
    for n in range(count):
        receive(alpha, subject=f"Обращение {n}", external_number=f"K-{n}", received_at=base + timedelta(minutes=n))


def test_an_appeal_received_during_pagination_neither_repeats_nor_hides_another(signed_in, alpha):
    _seed(alpha, 5)
    client, host = signed_in, alpha.host
    status, body = graphql(client, host, PAGE, {"first": 2})
    seen = _subjects(body)
    cursor = body["data"]["appeals"]["pageInfo"]["endCursor"]
    receive(alpha, subject="Новое", external_number="K-new")  # newest: sorts first
    while cursor is not None:
        status, body = graphql(client, host, PAGE, {"first": 2, "after": cursor})
        seen += _subjects(body)
        info = body["data"]["appeals"]["pageInfo"]
        cursor = info["endCursor"] if info["hasNextPage"] else None
    assert seen == [f"Обращение {n}" for n in range(4, -1, -1)]


def test_an_appeal_removed_during_pagination_does_not_hide_another(signed_in, alpha):
    _seed(alpha, 5)
    status, body = graphql(signed_in, alpha.host, PAGE, {"first": 2})
    cursor = body["data"]["appeals"]["pageInfo"]["endCursor"]
    with schema_context(alpha.schema_name):
        Appeal.objects.get(subject="Обращение 4").delete()
    status, body = graphql(signed_in, alpha.host, PAGE, {"first": 2, "after": cursor})
    assert _subjects(body) == ["Обращение 2", "Обращение 1"]


def test_backward_pages_with_last_and_before(signed_in, alpha):
    _seed(alpha, 5)
    status, body = graphql(signed_in, alpha.host, PAGE, {"last": 2})
    assert _subjects(body) == ["Обращение 1", "Обращение 0"]
    info = body["data"]["appeals"]["pageInfo"]
    assert info["hasPreviousPage"] is True
    status, body = graphql(signed_in, alpha.host, PAGE, {"last": 2, "before": info["startCursor"]})
    assert _subjects(body) == ["Обращение 3", "Обращение 2"]
    assert body["data"]["appeals"]["pageInfo"]["hasNextPage"] is True


def test_a_legacy_offset_cursor_still_pages_forward(signed_in, alpha):
    _seed(alpha, 3)
    status, body = graphql(signed_in, alpha.host, PAGE, {"first": 1, "after": _legacy(0)})
    assert _subjects(body) == ["Обращение 1"]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_bad_cursors_are_typed_errors_on_every_list(client, alpha, region_host, regional_admin, cursor):
    _, token = make_client(alpha.schema_name, ["appeals:read", "webhooks"])
    tenant_lists = ["appeals", "appealDepartments", "classifierEntries", "webhookSubscriptions"]
    for name in tenant_lists:
        for argument in ("after", "before"):
            query = f'query ($c: String) {{ {name}(first: 2, {argument}: $c) {{ edges {{ cursor }} }} }}'
            if argument == "before":
                query = query.replace("first: 2", "last: 2")
            status, body = graphql(client, alpha.host, query, {"c": cursor}, **bearer(token))
            assert status == 200, body
            codes = [e["extensions"]["code"] for e in body.get("errors", ())]
            assert codes == ["INVALID_CURSOR"], (name, argument, body)
    for name in ("municipalities",):
        query = f'query ($c: String) {{ {name}(first: 2, after: $c) {{ edges {{ cursor }} }} }}'
        status, body = graphql(client, region_host, query, {"c": cursor})
        assert [e["extensions"]["code"] for e in body.get("errors", ())] == ["INVALID_CURSOR"], body


@pytest.mark.parametrize("cursor", BAD_APPEAL_CURSORS)
def test_cursors_that_do_not_fit_the_appeals_order_are_typed_errors(client, alpha, cursor):
    _, token = make_client(alpha.schema_name, ["appeals:read"])
    status, body = graphql(client, alpha.host, PAGE, {"first": 2, "after": cursor}, **bearer(token))
    assert [e["extensions"]["code"] for e in body.get("errors", ())] == ["INVALID_CURSOR"], body


def test_before_with_offset_is_a_typed_error_even_anonymously(client, alpha, region_host):
    for host, name in ((region_host, "municipalities"), (alpha.host, "classifierEntries")):
        query = f'{{ {name}(first: 2, offset: 1, before: "YXJyYXljb25uZWN0aW9uOjE=") {{ totalCount }} }}'
        status, body = graphql(client, host, query)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_PAGINATION"], body
        status, body = graphql(client, host, f"{{ {name}(offset: 1000000) {{ totalCount }} }}")
        assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_PAGE_SIZE"], body


def test_every_page_of_every_list_walks_through_keyset_cursors(client, alpha, region_host):
    for host, name in ((region_host, "municipalities"), (alpha.host, "classifierEntries")):
        status, body = graphql(client, host, f"{{ {name}(first: 1) {{ edges {{ cursor }} }} }}")
        cursor = body["data"][name]["edges"][0]["cursor"]
        from base64 import urlsafe_b64decode

        assert urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).startswith(b"keyset:"), cursor


def test_updated_since_lists_only_what_changed(signed_in, alpha):
    _seed(alpha, 3)
    moment = timezone.now()
    with schema_context(alpha.schema_name):
        Appeal.objects.filter(subject="Обращение 0").update(updated_at=moment + timedelta(seconds=5))
    status, body = graphql(signed_in, alpha.host, PAGE, {"first": 10, "updatedSince": moment.isoformat()})
    assert _subjects(body) == ["Обращение 0"]
    status, body = graphql(signed_in, alpha.host, PAGE, {"first": 10,
                                                         "updatedSince": datetime(2000, 1, 1, tzinfo=UTC).isoformat()})
    assert len(_subjects(body)) == 3


def test_a_regional_clients_subscriptions_page_with_keyset_cursors_on_a_municipalitys_host(client, alpha):
    from base64 import urlsafe_b64decode

    from tests.test_graphql.test_webhook_subscriptions import subscribe

    api_client, token = make_client("public", ["webhooks", "appeals:read"], municipalities=[alpha.schema_name])
    made = [subscribe("public", api_client, url=f"https://hooks.example.ru/{n}") for n in range(3)]
    query = """query ($after: String) { webhookSubscriptions(first: 1, after: $after) { totalCount
      pageInfo { hasNextPage endCursor } edges { cursor node { url apiClient { name } } } } }"""
    seen, cursor = [], None
    while True:
        status, body = graphql(client, alpha.host, query, {"after": cursor}, **bearer(token))
        assert "errors" not in body, body
        page = body["data"]["webhookSubscriptions"]
        assert page["totalCount"] == 3
        seen += [edge["node"]["url"] for edge in page["edges"]]
        assert all(edge["node"]["apiClient"]["name"] for edge in page["edges"])
        cursor = page["pageInfo"]["endCursor"]
        assert urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).startswith(b"keyset:")
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert seen == [subscription.url for subscription in made]
