"""Serving the scan of a register document: the one way a document's file leaves Gorodok.

Media files are never served by URL. The back office and the API both come here after asking the
register's rule table (``READ``): the file goes as an attachment under a safe name, with
``X-Content-Type-Options: nosniff`` (a browser never renders a scan as a page), and every download is
recorded in the audit log: who, which document, which object.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404

from gorodok_platform.audit.models import ActorKind
from gorodok_platform.audit.services import audit_record
from gorodok_services.assets.models import AssetDocument
from gorodok_services.assets.permissions import READ, assets_permit

# What a scan may be sent as; anything else goes as bytes to save.
CONTENT_TYPES = {
    ".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
    ".tif": "image/tiff", ".tiff": "image/tiff", ".odt": "application/vnd.oasis.opendocument.text",
    ".doc": "application/msword", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
FALLBACK_CONTENT_TYPE = "application/octet-stream"
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)
MAX_NAME = 120


def safe_download_name(document: AssetDocument) -> str:
    """A file name that cannot travel anywhere: letters (Cyrillic too), digits, dots, dashes and
    underscores only, no leading dot, bounded; the stored file's extension kept when it is plain."""
    stored = PurePosixPath(document.file.name or "")
    suffix = stored.suffix.lower() if re.fullmatch(r"\.[a-z0-9]{1,5}", stored.suffix.lower() or "-") else ""
    stem = unicodedata.normalize("NFC", stored.stem or "")
    stem = _UNSAFE.sub("_", stem).strip("._-")[: MAX_NAME - len(suffix)]
    return f"{stem or f'document-{document.pk}'}{suffix}"


def content_type_of(name: str) -> str:
    return CONTENT_TYPES.get(PurePosixPath(name).suffix.lower(), FALLBACK_CONTENT_TYPE)


def document_file_info(document: AssetDocument) -> tuple[str, int | None] | None:
    """(download name, size in bytes) of the document's scan; None without one. The size is None when
    the file has gone from the storage."""
    if not document.file:
        return None
    try:
        size = document.file.size
    except (FileNotFoundError, OSError):
        size = None
    return safe_download_name(document), size


def document_download(*, document: AssetDocument | None, actor, request=None, source: str) -> FileResponse:
    """The response that sends a document's scan to ``actor`` (a staff user or an API client), after
    the rule table's READ; records the download. Http404 for a document that does not exist here or
    has no file (the caller looked it up in the schema of the request's host only)."""
    if not assets_permit(actor, READ):
        raise PermissionDenied
    if document is None or not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    name = safe_download_name(document)
    client = getattr(actor, "client", None)  # an API client (AuthenticatedClient) rather than a person
    details = {"document": document.pk, "asset": document.asset_id, "register_number": document.asset.register_number,
               "file": name, "source": source}
    if client is not None:
        audit_record(action="asset.document_downloaded", actor_kind=ActorKind.API_CLIENT, target=document.asset,
                     after={**details, "client": client.name, "key_id": client.key_id}, request=request)
    else:
        audit_record(action="asset.document_downloaded", actor=actor, target=document.asset, after=details,
                     request=request)
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type_of(name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
