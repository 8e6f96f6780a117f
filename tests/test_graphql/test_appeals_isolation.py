"""An appeal belongs to its municipality: another host never finds it, even under the same number."""

from __future__ import annotations

from django.utils import timezone
from django_tenants.utils import schema_context

from gorodok_services.appeals.models import Appeal
from tests.conftest import graphql, login
from tests.support.appeals import APPEAL, gid, receive

CLOSE = "mutation ($id: ID!) { closeAppeal(id: $id) { appeal { subject } errors { field code } } }"


def _create_with_pk(tenant, pk: int, subject: str) -> Appeal:
    now = timezone.now()
    with schema_context(tenant.schema_name):
        return Appeal.objects.create(pk=pk, channel="post", form="written", subject=subject, text="Текст",
                                     applicant_name="Сидоров Beta", received_at=now, due_register_at=now)


def test_same_pk_in_two_municipalities(client, alpha, beta):
    mine = receive(alpha, subject="Обращение в Альфу")
    theirs = _create_with_pk(beta, mine.pk, "Обращение в Бету")
    only_theirs = _create_with_pk(beta, mine.pk + 100_000, "Только в Бете")
    assert gid(mine) == gid(theirs)

    login(client, alpha.host, alpha.admin_email)
    status, body = graphql(client, alpha.host, APPEAL, {"id": gid(mine)})
    appeal = body["data"]["appeal"]
    assert appeal["subject"] == "Обращение в Альфу"
    assert appeal["applicant"]["name"] == "Иванов Иван Иванович"
    assert "Бет" not in str(body) and "Сидоров" not in str(body)

    status, body = graphql(client, alpha.host, APPEAL, {"id": gid(only_theirs)})
    assert body == {"data": {"appeal": None}}
    status, body = graphql(client, alpha.host, CLOSE, {"id": gid(only_theirs)})
    assert body["data"]["closeAppeal"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]

    status, body = graphql(client, alpha.host, "{ appeals(first: 100) { totalCount edges { node { subject } } } }")
    assert body["data"]["appeals"]["totalCount"] == 1
    assert [e["node"]["subject"] for e in body["data"]["appeals"]["edges"]] == ["Обращение в Альфу"]


def test_beta_sees_only_its_own_row(client, alpha, beta):
    mine = receive(alpha, subject="Обращение в Альфу")
    _create_with_pk(beta, mine.pk, "Обращение в Бету")
    login(client, beta.host, beta.admin_email)
    status, body = graphql(client, beta.host, APPEAL, {"id": gid(mine)})
    assert body["data"]["appeal"]["subject"] == "Обращение в Бету"
    assert "Альф" not in str(body) and "Иванов" not in str(body)


def test_signing_in_to_one_municipality_gives_nothing_in_another(client, alpha, beta):
    receive(beta, subject="Обращение в Бету")
    login(client, alpha.host, alpha.admin_email)
    status, body = graphql(client, beta.host, "{ appeals(first: 5) { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    assert body["data"]["appeals"] is None


def test_malformed_ids_find_nothing(client, alpha):
    login(client, alpha.host, alpha.admin_email)
    from graphql_relay import to_global_id

    for bad in ("nonsense", "", to_global_id("Department", 1), to_global_id("Appeal", "1; drop"),
                to_global_id("Appeal", 10**30)):
        status, body = graphql(client, alpha.host, APPEAL, {"id": bad})
        assert (status, body) == (200, {"data": {"appeal": None}}), bad
