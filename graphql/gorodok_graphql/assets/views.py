"""Downloading a document's scan with an API client's bearer token (the same as /graphql/'s).

GET /graphql/assets/documents/<document global ID>/file — the bearer-token middleware covers every path
under /graphql/, so an invalid, expired or revoked token is refused there (401 INVALID_TOKEN) and the
client's rate limit counts the download. Here: a client is required (401), it needs ``assets:read``
(403 with ``requiredScope``), the module must be on (403 MODULE_DISABLED), and the document is looked up
in the schema of the request's host only (another municipality's ID is 404, like an unknown one).
The file itself goes through the register's one download path: audited, as an attachment, nosniff.
"""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gorodok_graphql.core.ids import pk_from_global_id
from gorodok_graphql.core.permissions import request_api_client
from gorodok_services.assets.downloads import document_download
from gorodok_services.assets.models import AssetDocument
from gorodok_services.assets.module import CODE, READ_SCOPE
from gorodok_services.assets.permissions import READ, assets_permit


def _error(status: int, code: str, message: str, **extensions) -> JsonResponse:
    return JsonResponse({"errors": [{"message": message, "extensions": {"code": code, **extensions}}]},
                        status=status)


@require_GET
def document_file(request, document_id: str):
    from gorodok_tenants.modules import module_enabled

    client = request_api_client(request)
    if client is None:
        response = _error(401, "NOT_AUTHENTICATED", _("Send an API client's bearer token."))
        response["WWW-Authenticate"] = "Bearer"
        return response
    if not module_enabled(getattr(request, "tenant", None), CODE):
        return _error(403, "MODULE_DISABLED",
                      _("The %(module)s module is switched off for this municipality.") % {"module": CODE})
    if not assets_permit(client, READ):
        return _error(403, "PERMISSION_DENIED",
                      _("This API client lacks the %(scope)s scope.") % {"scope": READ_SCOPE}, requiredScope=READ_SCOPE)
    pk = pk_from_global_id(document_id, "AssetDocument")
    document = AssetDocument.objects.select_related("asset").filter(pk=pk).first() if pk is not None else None
    if document is None or not document.file:
        return _error(404, "NOT_FOUND", _("No such document, or it has no file."))
    try:
        return document_download(document=document, actor=client, request=request, source="api")
    except Http404:  # the file has gone from the storage
        return _error(404, "NOT_FOUND", _("No such document, or it has no file."))
