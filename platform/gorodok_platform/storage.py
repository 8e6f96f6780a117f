"""Where uploaded files live, per municipality: ``<schema>/`` under MEDIA_ROOT (a volume shared by web,
worker and job pods, django-tenants' TenantFileSystemStorage) or, with ``FILE_STORAGE=s3``, under the
``<prefix>/<schema>/`` key prefix of an S3-compatible bucket (django-storages). Either way a file is
stored, read and deleted through the storage API only, so retention, archives and restores work the same.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files.storage import Storage
from django.db import connection
from storages.backends.s3 import S3Storage


class TenantS3Storage(S3Storage):
    """S3Storage whose key prefix ends with the schema of the connection at the moment of each call."""

    @property
    def location(self) -> str:
        schema = getattr(connection, "schema_name", None) or "public"
        base = (self._base_location or "").strip("/")
        return f"{base}/{schema}" if base else schema

    @location.setter
    def location(self, value: str) -> None:
        self._base_location = value or ""


@contextmanager
def local_path(storage: Storage, name: str) -> Iterator[Path]:
    """A path on this machine holding the stored file ``name`` (for a library that reads paths, e.g. a
    spreadsheet reader): the file itself on a local volume, a temporary copy from an object store."""
    try:
        path = Path(storage.path(name))
    except NotImplementedError:  # no local file behind this storage
        path = None
    if path is not None:
        yield path
        return
    with storage.open(name, "rb") as source, tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as copy:
        shutil.copyfileobj(source, copy)
        copy.flush()
        yield Path(copy.name)
