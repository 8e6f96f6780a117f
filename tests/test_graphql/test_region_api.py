from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql_relay import to_global_id

from gorodok_platform.accounts.roles import Role
from gorodok_platform.accounts.services import staff_user_create
from gorodok_tenants.models import Municipality, MunicipalityStatus
from tests.conftest import ADMIN_PASSWORD, graphql, login

LIST = """query ($first: Int, $status: MunicipalityStatus, $search: String) {
  municipalities(first: $first, status: $status, search: $search) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name nameEn oktmo kind status domain domains parent { name } } }
  }
}"""

SUSPEND = """mutation ($id: ID!) { suspendMunicipality(id: $id) {
  municipality { name status } errors { field message code } } }"""
RESUME = """mutation ($id: ID!) { resumeMunicipality(id: $id) {
  municipality { status } errors { field code } } }"""


def _gid(municipality) -> str:
    return to_global_id("RegionMunicipality", municipality.pk)


def test_municipalities_list_is_public(client, alpha, beta, region_host):
    status, body = graphql(client, region_host, LIST, {"first": 100})
    assert status == 200, body
    connection_ = body["data"]["municipalities"]
    assert connection_["totalCount"] == Municipality.objects.count() >= 2
    nodes = {n["oktmo"]: n for n in (e["node"] for e in connection_["edges"])}
    assert nodes["95000001"] | {"id": None} == {
        "id": None, "name": "Альфа", "nameEn": "Alpha", "oktmo": "95000001", "kind": "URBAN_OKRUG",
        "status": "ACTIVE", "domain": alpha.host, "domains": [alpha.host], "parent": None,
    }


def test_filters_and_pagination(client, alpha, beta, region_host):
    status, body = graphql(client, region_host, LIST, {"first": 1, "search": "Бет"})
    result = body["data"]["municipalities"]
    assert result["totalCount"] == 1
    assert [e["node"]["name"] for e in result["edges"]] == ["Бета"]
    alpha.municipality.status = MunicipalityStatus.SUSPENDED
    alpha.municipality.save()
    status, body = graphql(client, region_host, LIST, {"first": 10, "status": "SUSPENDED"})
    assert [e["node"]["name"] for e in body["data"]["municipalities"]["edges"]] == ["Альфа"]


def test_page_size_is_capped(client, alpha, region_host):
    status, body = graphql(client, region_host, LIST, {"first": 101})
    assert body["errors"][0]["extensions"] == {"code": "PAGE_SIZE_EXCEEDED", "maxPageSize": 100}


def test_list_query_count_does_not_grow_with_page_size(client, db, municipalities, region_host,
                                                       django_assert_max_num_queries):
    counts = []
    # Warm-up: the connection's first request in the region's schema also sets its search_path.
    graphql(client, region_host, LIST, {"first": 1})
    for first in (1, 2):
        with CaptureQueriesContext(connection) as queries:
            status, body = graphql(client, region_host, LIST, {"first": first})
        assert len(body["data"]["municipalities"]["edges"]) == first
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 4


def test_staff_only_field_needs_a_regional_role(client, alpha, regional_admin, region_host):
    query = "{ municipalities(first: 5) { edges { node { name schemaName } } } }"
    status, body = graphql(client, region_host, query)
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    login(client, region_host, regional_admin.email)
    status, body = graphql(client, region_host, query)
    assert "errors" not in body
    assert {e["node"]["schemaName"] for e in body["data"]["municipalities"]["edges"]} >= {alpha.schema_name}


def test_suspend_requires_sign_in(client, alpha, region_host):
    status, body = graphql(client, region_host, SUSPEND, {"id": _gid(alpha.municipality)})
    assert body["data"]["suspendMunicipality"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    alpha.municipality.refresh_from_db()
    assert alpha.municipality.status == MunicipalityStatus.ACTIVE


def test_suspend_requires_the_admin_role(client, alpha, region_host):
    staff_user_create(email="analyst@example.ru", password=ADMIN_PASSWORD, roles=[Role.REGIONAL_ANALYST])
    login(client, region_host, "analyst@example.ru")
    status, body = graphql(client, region_host, SUSPEND, {"id": _gid(alpha.municipality)})
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    alpha.municipality.refresh_from_db()
    assert alpha.municipality.status == MunicipalityStatus.ACTIVE


def test_suspend_and_resume_with_typed_errors(client, alpha, regional_admin, region_host):
    login(client, region_host, regional_admin.email)
    gid = _gid(alpha.municipality)
    status, body = graphql(client, region_host, SUSPEND, {"id": gid})
    assert body["data"]["suspendMunicipality"] == {
        "municipality": {"name": "Альфа", "status": "SUSPENDED"}, "errors": []}
    assert client.get("/graphql/", HTTP_HOST=alpha.host).status_code == 503

    status, body = graphql(client, region_host, SUSPEND, {"id": gid})
    result = body["data"]["suspendMunicipality"]
    assert result["municipality"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(None, "ALREADY_SUSPENDED")]
    assert result["errors"][0]["message"]

    status, body = graphql(client, region_host, RESUME, {"id": gid})
    assert body["data"]["resumeMunicipality"] == {"municipality": {"status": "ACTIVE"}, "errors": []}
    status, body = graphql(client, region_host, RESUME, {"id": gid})
    assert body["data"]["resumeMunicipality"]["errors"] == [{"field": None, "code": "NOT_SUSPENDED"}]


def test_bad_ids_are_errors_not_crashes(client, alpha, regional_admin, region_host):
    login(client, region_host, regional_admin.email)
    for bad in ("nonsense", to_global_id("Viewer", 1), to_global_id("RegionMunicipality", "x"),
                to_global_id("RegionMunicipality", 999999)):
        status, body = graphql(client, region_host, SUSPEND, {"id": bad})
        assert status == 200, body
        errors = body["data"]["suspendMunicipality"]["errors"]
        assert errors and errors[0]["field"] == "id"
        assert errors[0]["code"] in ("INVALID", "NOT_FOUND")


def test_node_lookup(client, alpha, region_host):
    query = "query ($id: ID!) { municipality(id: $id) { name oktmo } }"
    status, body = graphql(client, region_host, query, {"id": _gid(alpha.municipality)})
    assert body["data"]["municipality"] == {"name": "Альфа", "oktmo": "95000001"}


def test_depth_limit(client, alpha, region_host, settings):
    nested = "parent { " * 12 + "name" + " }" * 12
    status, body = graphql(client, region_host, "{ municipalities(first: 1) { edges { node { " + nested + " } } } }")
    assert status == 400
    assert "depth" in body["errors"][0]["message"]


def test_negative_page_size_is_a_coded_error(client, alpha, region_host):
    for variables in ({"first": -1},):
        status, body = graphql(client, region_host, LIST, variables)
        assert body["errors"][0]["extensions"]["code"] == "INVALID_PAGE_SIZE"


def test_suspension_is_audited_in_the_public_schema(client, alpha, regional_admin, region_host):
    from django_tenants.utils import schema_context

    from gorodok_platform.audit.models import AuditEntry

    login(client, region_host, regional_admin.email)
    mutation = 'mutation ($id: ID!) { suspendMunicipality(id: $id, reason: "unpaid") { errors { code } } }'
    graphql(client, region_host, mutation, {"id": _gid(alpha.municipality)})
    with schema_context("public"):
        entry = AuditEntry.objects.get(action="municipality.suspend", tenant_schema=alpha.schema_name)
    assert (entry.actor_email, entry.reason, entry.before, entry.after) == (
        regional_admin.email, "unpaid", {"status": "active"}, {"status": "suspended"})
    assert entry.request_id


def test_figures_are_batched_whatever_the_page_size(client, db, municipalities, regional_admin, region_host):
    from gorodok_tenants.modules.counters import municipality_counters_refresh

    for item in municipalities.values():
        municipality_counters_refresh(municipality=item.municipality)
    login(client, region_host, regional_admin.email)
    query = "query ($first: Int) { municipalities(first: $first) { edges { node { name figures { key value } } } } }"
    counts = []
    # Warm-up: the connection's first request in the region's schema also sets its search_path.
    graphql(client, region_host, LIST, {"first": 1})
    for first in (1, 2):
        with CaptureQueriesContext(connection) as queries:
            status, body = graphql(client, region_host, query, {"first": first})
        assert "errors" not in body, body
        edges = body["data"]["municipalities"]["edges"]
        assert len(edges) == first
        assert all({"key": "core.users", "value": 1} in e["node"]["figures"] for e in edges), edges
        counts.append(len([q for q in queries if "gorodok_tenants_municipalitycounter" in q["sql"]]))
    assert counts == [1, 1]


def test_pages_without_total_count_skip_the_count_and_still_know_the_next_page(client, municipalities,
                                                                             region_host, db):
    query = """query ($first: Int, $after: String) { municipalities(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor } edges { node { oktmo } } } }"""
    total = Municipality.objects.count()
    with CaptureQueriesContext(connection) as queries:
        status, body = graphql(client, region_host, query, {"first": total - 1})
    page = body["data"]["municipalities"]
    assert len(page["edges"]) == total - 1 and page["pageInfo"]["hasNextPage"] is True
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]
    status, body = graphql(client, region_host, query, {"first": 5, "after": page["pageInfo"]["endCursor"]})
    rest = body["data"]["municipalities"]
    assert len(rest["edges"]) == 1 and rest["pageInfo"]["hasNextPage"] is False
    status, body = graphql(client, region_host, query, {"first": total})
    assert body["data"]["municipalities"]["pageInfo"]["hasNextPage"] is False
    seen = [e["node"]["oktmo"] for e in page["edges"] + rest["edges"]]
    assert len(set(seen)) == total
