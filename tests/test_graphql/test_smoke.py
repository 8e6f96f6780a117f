from tests.conftest import graphql


def test_tenant_municipality(client, alpha):
    status, body = graphql(client, alpha.host, "{ municipality { name nameEn oktmo kind timezone } viewer { email roles } }")
    assert status == 200, body
    assert body["data"]["municipality"] == {"name": "Альфа", "nameEn": "Alpha", "oktmo": "95000001",
                                            "kind": "URBAN_OKRUG", "timezone": "Asia/Krasnoyarsk"}
