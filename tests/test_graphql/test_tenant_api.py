from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import graphql

QUERY = "{ municipality { name nameEn oktmo kind timezone } viewer { email roles } }"


def test_municipality_of_the_host(client, alpha, beta):
    status, body = graphql(client, alpha.host, QUERY)
    assert status == 200, body
    assert body == {"data": {
        "municipality": {"name": "Альфа", "nameEn": "Alpha", "oktmo": "95000001", "kind": "URBAN_OKRUG",
                         "timezone": "Asia/Krasnoyarsk"},
        "viewer": None,
    }}
    status, body = graphql(client, beta.host, "{ municipality { oktmo } }")
    assert body["data"]["municipality"]["oktmo"] == "95000002"


def test_municipality_query_needs_no_database_query_when_warm(client, alpha):
    graphql(client, alpha.host, "{ municipality { name } }")
    with CaptureQueriesContext(connection) as queries:
        status, body = graphql(client, alpha.host, "{ municipality { name oktmo } }")
    assert status == 200 and body["data"]["municipality"]["oktmo"] == "95000001"
    assert len(queries) == 0, [q["sql"] for q in queries]


def test_tenant_api_has_no_regional_fields(client, alpha):
    status, body = graphql(client, alpha.host, "{ municipalities(first: 5) { totalCount } }")
    assert status == 400
    assert "municipalities" in body["errors"][0]["message"]


def test_post_must_be_json(client, alpha):
    response = client.post("/graphql/", data={"query": "{ municipality { name } }"}, HTTP_HOST=alpha.host)
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_get_query_works_for_reads(client, alpha):
    response = client.get("/graphql/", {"query": "{ municipality { slug } }"}, HTTP_HOST=alpha.host,
                          HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["data"]["municipality"]["slug"] == "alpha"


def test_malformed_requests_are_400_not_500(client, alpha):
    for payload in ("{not json", '{"query": "{ municipality { "}', '{"query": 5}', "[]"):
        response = client.post("/graphql/", data=payload, content_type="application/json", HTTP_HOST=alpha.host)
        assert response.status_code == 400, (payload, response.content)
        assert response.json()["errors"]


def test_standard_validation_still_applies(client, alpha):
    status, body = graphql(client, alpha.host, "{ municipality { name noSuchField } }")
    assert status == 400
    assert "noSuchField" in body["errors"][0]["message"]

