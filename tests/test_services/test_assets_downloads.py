"""Downloading a register document's scan: only through the audited views (the back office for staff who
may read the register, the API endpoint for a client with assets:read), as an attachment with a safe
name and nosniff; never from the media URL; another municipality's or an unknown document is 404."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from gorodok_platform.audit.models import AuditEntry
from gorodok_platform.integrations.services import api_client_create
from gorodok_services.assets import services
from tests.conftest import graphql, login
from tests.support.appeals import staff
from tests.support.assets import asset_gid, building

LIST = "/admin/assets/asset/"
SCAN = b"%PDF-1.4 scan of the contract"


def with_document(tenant, name='../../dogovor "17".html', content=SCAN):
    asset = building(tenant)
    with schema_context(tenant.schema_name):
        document = services.asset_document_add(asset=asset, role="acquisition", document=services.DocumentInput(
            kind="contract", number="17", date=date(2015, 3, 1), file=SimpleUploadedFile(name, content)))
    return asset, document


def downloads_of(tenant) -> list[AuditEntry]:
    with schema_context(tenant.schema_name):
        return list(AuditEntry.objects.filter(action="asset.document_downloaded").order_by("pk"))


def token_for(tenant, *scopes) -> dict:
    with schema_context(tenant.schema_name):
        _client, token = api_client_create(name="Архив", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_staff_who_read_the_register_download_an_audited_attachment(client, alpha, media_root):
    asset, document = with_document(alpha)
    staff(alpha, "viewer@alpha.example.ru", "viewer")
    login(client, alpha.host, "viewer@alpha.example.ru")
    page = client.get(f"{LIST}{asset.pk}/change/", HTTP_HOST=alpha.host).content.decode()
    url = f"{LIST}{asset.pk}/documents/{document.pk}/download/"
    assert url in page and "/media/" not in page  # the page links the audited view, never the file
    response = client.get(url, HTTP_HOST=alpha.host)
    assert response.status_code == 200 and body(response) == SCAN
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and '"17"' not in disposition and "/" not in disposition
    assert disposition.endswith('.html"')
    assert response["Content-Type"] == "application/octet-stream"  # never text/html, whatever the name says
    [entry] = downloads_of(alpha)
    assert entry.actor_email == "viewer@alpha.example.ru" and entry.target_id == str(asset.pk)
    assert entry.after["document"] == document.pk and entry.after["asset"] == asset.pk


def test_the_download_is_refused_without_a_role_and_other_ids_are_not_found(client, alpha, beta, media_root):
    asset, document = with_document(alpha)
    _other_asset, _first = with_document(beta)
    _again, other = with_document(beta)  # a document id that alpha does not have
    with schema_context(alpha.schema_name):
        from gorodok_services.assets.models import AssetDocument

        assert not AssetDocument.objects.filter(pk=other.pk).exists()
    staff(alpha, "nobody@alpha.example.ru")
    login(client, alpha.host, "nobody@alpha.example.ru")
    assert client.get(f"{LIST}{asset.pk}/documents/{document.pk}/download/", HTTP_HOST=alpha.host).status_code == 403
    login(client, alpha.host, alpha.admin_email)
    assert client.get(f"{LIST}{asset.pk}/documents/{other.pk}/download/", HTTP_HOST=alpha.host).status_code == 404
    assert client.get(f"{LIST}{asset.pk}/documents/999999/download/", HTTP_HOST=alpha.host).status_code == 404
    assert client.get(f"{LIST}999999/documents/{document.pk}/download/", HTTP_HOST=alpha.host).status_code == 404
    assert downloads_of(alpha) == []
    # The storage's URL serves nothing: media files are never served directly.
    assert client.get(f"/media/{document.file.name}", HTTP_HOST=alpha.host).status_code == 404
    assert client.get(f"/media/{alpha.schema_name}/{document.file.name}", HTTP_HOST=alpha.host).status_code == 404


DOCS = """query ($id: ID!) { asset(id: $id) { documents { id fileName fileSize downloadUrl hasFile } } }"""


def test_an_api_client_with_assets_read_downloads_through_the_api(client, alpha, beta, media_root):
    asset, document = with_document(alpha)
    headers = token_for(alpha, "assets:read")
    status, data = graphql(client, alpha.host, DOCS, {"id": asset_gid(asset)}, **headers)
    [doc] = data["data"]["asset"]["documents"]
    assert doc["hasFile"] and doc["fileSize"] == len(SCAN) and doc["fileName"].endswith(".html")
    assert "/" not in doc["fileName"] and '"' not in doc["fileName"]
    path = f"/graphql/assets/documents/{doc['id']}/file"
    assert doc["downloadUrl"].endswith(path)
    response = client.get(path, HTTP_HOST=alpha.host, **headers)
    assert response.status_code == 200 and body(response) == SCAN
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Disposition"].startswith("attachment")
    [entry] = downloads_of(alpha)
    assert entry.actor_kind == "api_client" and entry.after["client"] == "Архив"
    assert entry.after["document"] == document.pk and entry.after["asset"] == asset.pk


def test_the_api_download_is_refused_without_the_scope_a_token_or_the_document(client, alpha, beta, media_root):
    _asset, document = with_document(alpha)
    _b1, _b2 = with_document(beta)
    _b3, other = with_document(beta)
    path = f"/graphql/assets/documents/{to_global_id('AssetDocument', document.pk)}/file"
    assert client.get(path, HTTP_HOST=alpha.host).status_code == 401
    assert client.get(path, HTTP_HOST=alpha.host, HTTP_AUTHORIZATION="Bearer gk_nope_nope").status_code == 401
    response = client.get(path, HTTP_HOST=alpha.host, **token_for(alpha, "appeals:read"))
    assert response.status_code == 403 and response.json()["errors"][0]["extensions"]["requiredScope"] == "assets:read"
    headers = token_for(alpha, "assets:read")
    for wrong in (to_global_id("AssetDocument", other.pk), to_global_id("AssetDocument", 999999),
                  to_global_id("Asset", document.asset_id), "nonsense"):
        assert client.get(f"/graphql/assets/documents/{wrong}/file", HTTP_HOST=alpha.host,
                          **headers).status_code == 404, wrong
    # beta's own token does not open alpha's document on alpha's host.
    assert client.get(path, HTTP_HOST=alpha.host, **token_for(beta, "assets:read")).status_code == 401
    assert downloads_of(alpha) == []


@pytest.mark.parametrize(("stored", "expected"), [
    ("assets/documents/2026/12/scan.PDF", "scan.pdf"),
    ("assets/documents/2026/12/Договор_17.pdf", "Договор_17.pdf"),
    ("assets/documents/2026/12/.htaccess", "htaccess"),
    ("assets/documents/2026/12/...", "document-7"),
    ("assets/documents/2026/12/a b;c\r\n.jpg", "a_b_c.jpg"),
])
def test_safe_names(stored, expected):
    from gorodok_services.assets.downloads import safe_download_name
    from gorodok_services.assets.models import AssetDocument

    document = AssetDocument(pk=7)
    document.file.name = stored
    assert safe_download_name(document) == expected
