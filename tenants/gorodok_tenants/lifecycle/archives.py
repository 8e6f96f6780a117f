"""Exporting, archiving and restoring a municipality's schema.

An archive is one ``.tar.gz`` file under ``ARCHIVE_ROOT/<schema>/`` holding ``manifest.json``,
``dump.sql`` (a plain-SQL pg_dump of the schema, taken in one snapshot together with the manifest's row
counts and migration records) and ``files/``: the municipality's uploaded files (its folder under
``MEDIA_ROOT``), each listed in the manifest with its size and SHA-256. The file name derives from the
schema name and the time only. Restoring checks every checksum and puts the files back under the
target schema's folder (the folder it had is replaced, and put back if the restore fails).

Archiving a live municipality works like the upgrader: the municipality is put in maintenance first
(its hosts answer 503, its jobs wait), in-flight requests and jobs are given a bounded time to finish
(``ARCHIVE_DRAIN_SECONDS``), then writes are held off, the archive is written and the schema dropped in
one transaction. Any failure leaves the municipality as it was, and answering again.

Restoring loads the dump with psql in a single transaction. pg_dump qualifies every object with the
schema's name, so a dump always recreates the schema it came from; to restore under another name the
same transaction loads it and then renames the schema (PostgreSQL refers to tables, sequences and
functions by identity, so nothing inside needs rewriting). When the original schema still exists, it
is moved aside for the length of that transaction and put back before the commit; no other session
ever sees the swap.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import secrets
import shutil
import tarfile
import tempfile
import time
import zlib
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from gorodok_platform.audit.services import audit_record
from gorodok_tenants.lifecycle.progress import step
from gorodok_tenants.models import Domain, Municipality, MunicipalityArchive, MunicipalityStatus
from gorodok_tenants.provisioning.municipalities import MunicipalitySpec, host_for, municipality_build
from gorodok_tenants.provisioning.pgtools import (
    PgToolError,
    connect_kwargs,
    pg_tools,
    run,
    strip_restrict_lines,
)
from gorodok_tenants.upgrades import maintenance

ARCHIVE_FORMAT = "gorodok-municipality-archive"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DUMP_NAME = "dump.sql"
ARCHIVE_STEPS = 3  # dump, pack, record
RESTORE_STEPS = 4  # verify, load, files, finish
ARCHIVE_SUFFIX = ".tar.gz"
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
LOCK_TIMEOUT = "30s"
HOLD_LOCK_TIMEOUT = "5s"  # one try at holding writes off; tried again after draining
# The schemas Gorodok creates: m_<slug with underscores>. Anything else never becomes a path or SQL.
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_CHUNK = 1024 * 1024
FILES_PREFIX = "files/"
MAX_FILE_PATH = 500
DRAIN_POLL_SECONDS = 0.2
ARCHIVING_MESSAGE = ""  # the routing's own (translated) maintenance answer says enough for the seconds it lasts


# --- Results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveOutcome:
    """What archiving did (or, on a dry run, would do)."""

    municipality: Municipality
    schema_name: str
    row_counts: dict[str, int]
    path: Path
    dry_run: bool
    archive: MunicipalityArchive | None = None


@dataclass(frozen=True)
class RestoreOutcome:
    """What restoring did (or, on a dry run, would do)."""

    schema_name: str
    slug: str
    oktmo: str
    name: str
    creates_municipality: bool
    replaces_schema: bool
    migrates: bool
    row_counts: dict[str, int]
    manifest: dict
    dry_run: bool
    municipality: Municipality | None = None


# --- Small helpers ---------------------------------------------------------------------------------


def _error(message, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def _ident(name: str) -> str:
    """A quoted SQL identifier (embedded quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


def _checked_schema(name: str) -> str:
    if not isinstance(name, str) or not _SCHEMA_NAME.match(name) or name.startswith("pg_") or name == "public":
        raise _error(_("%(schema)s is not a municipality schema name."), "invalid_schema", schema=str(name)[:80])
    return name


def archive_root() -> Path:
    return Path(str(settings.ARCHIVE_ROOT)).resolve()


def archive_dir(schema_name: str) -> Path:
    """``ARCHIVE_ROOT/<schema>``: derived from the schema name only, and always inside the root."""
    root = archive_root()
    directory = (root / _checked_schema(schema_name)).resolve()
    if directory.parent != root:
        raise _error(_("%(schema)s is not a municipality schema name."), "invalid_schema", schema=schema_name)
    return directory


def _archive_file_name(schema_name: str, moment: datetime) -> str:
    return f"{schema_name}-{moment.astimezone(UTC):%Y%m%dT%H%M%S%fZ}{ARCHIVE_SUFFIX}"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_dir(schema_name: str) -> Path:
    """The folder of a schema's uploaded files: where the file storage puts them in that schema
    (``MEDIA_ROOT/<schema>/`` with the tenant storage)."""
    from django.core.files.storage import default_storage

    with schema_context(_checked_schema(schema_name)):
        folder = Path(default_storage.path("")).resolve()
    if schema_name not in folder.parts:
        raise _error(_("%(schema)s is not a municipality schema name."), "invalid_schema", schema=schema_name)
    return folder


@dataclass(frozen=True)
class _StoredFile:
    """A schema's uploaded file, wherever the file storage keeps it."""

    rel: str
    size: int
    digest: str
    mtime: int
    path: Path | None  # on a local volume; None in an object store


def _storage_is_local() -> bool:
    from django.core.files.storage import default_storage

    try:
        default_storage.path("")
    except NotImplementedError:
        return False
    return True


def _storage_names(storage, prefix: str = ""):
    """Every file name under ``prefix`` of the storage (the current schema's), depth first."""
    directories, files = storage.listdir(prefix)
    for name in sorted(files):
        yield f"{prefix}{name}"
    for directory in sorted(directories):
        yield from _storage_names(storage, f"{prefix}{directory}/")


def _sha256_stream(handle) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _media_files(schema_name: str) -> list[_StoredFile]:
    """Every regular file of the schema's uploads, sorted, with its size and SHA-256."""
    if _storage_is_local():
        folder = media_dir(schema_name)
        if not folder.is_dir():
            return []
        found = []
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue  # never follow a link out of the folder
            found.append(_StoredFile(path.relative_to(folder).as_posix(), path.stat().st_size, _sha256_file(path),
                                     int(path.stat().st_mtime), path))
        return found
    from django.core.files.storage import default_storage

    found = []
    with schema_context(_checked_schema(schema_name)):
        for name in _storage_names(default_storage):
            with default_storage.open(name, "rb") as handle:
                digest = _sha256_stream(handle)
            try:
                moment = int(default_storage.get_modified_time(name).timestamp())
            except (NotImplementedError, AttributeError):
                moment = int(time.time())
            found.append(_StoredFile(name, default_storage.size(name), digest, moment, None))
    return found


@contextmanager
def _open_stored(schema_name: str, item: _StoredFile):
    if item.path is not None:
        with item.path.open("rb") as handle:
            yield handle
        return
    from django.core.files.storage import default_storage

    with schema_context(_checked_schema(schema_name)), default_storage.open(item.rel, "rb") as handle:
        yield handle


def _remove_media(schema_name: str) -> None:
    """The schema's uploads leave the live storage (after they went into its archive)."""
    if _storage_is_local():
        shutil.rmtree(media_dir(schema_name), ignore_errors=True)
        return
    from django.core.files.storage import default_storage

    with schema_context(_checked_schema(schema_name)):
        for name in list(_storage_names(default_storage)):
            default_storage.delete(name)


def _safe_file_path(rel) -> str:
    """A manifest's file path, accepted only as a plain relative path inside the folder."""
    if (not isinstance(rel, str) or not rel or len(rel) > MAX_FILE_PATH or rel.startswith("/") or "\\" in rel
            or "\x00" in rel or any(part in ("", ".", "..") for part in rel.split("/"))):
        raise ValueError(f"unsafe file path in the archive: {rel!r}"[:200])
    return rel


def _gorodok_version() -> str:
    try:
        return version("gorodok")
    except PackageNotFoundError:
        return "unknown"


def _actor_email(actor) -> str:
    return actor.email if actor is not None and getattr(actor, "is_authenticated", False) else ""


def _tables(cursor, schema_name: str) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname",
        [schema_name],
    )
    return [row[0] for row in cursor.fetchall()]


def schema_row_counts(cursor, schema_name: str) -> dict[str, int]:
    """Rows per table of a schema (works with Django's and psycopg's cursors)."""
    counts = {}
    for table in _tables(cursor, schema_name):
        cursor.execute(f"SELECT count(*) FROM {_ident(schema_name)}.{_ident(table)}")  # noqa: S608 - quoted names
        counts[table] = cursor.fetchone()[0]
    return counts


def _migration_records(cursor, schema_name: str) -> list[list[str]]:
    cursor.execute(f"SELECT app, name FROM {_ident(schema_name)}.django_migrations ORDER BY id")  # noqa: S608
    return [[app, name] for app, name in cursor.fetchall()]


def _known_migrations() -> set[tuple[str, str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces or ())  # a squashed migration stands for the ones it replaced
    return known


def _municipality_fields(municipality: Municipality) -> dict:
    return {
        "name": municipality.name,
        "name_en": municipality.name_en,
        "slug": municipality.slug,
        "oktmo": municipality.oktmo,
        "kind": municipality.kind,
        "timezone": municipality.timezone,
        "parent_oktmo": municipality.parent.oktmo if municipality.parent_id else None,
        "disabled_modules": list(municipality.disabled_modules or []),
        "status": municipality.status,
    }


# --- Export ----------------------------------------------------------------------------------------


@contextmanager
def _snapshot(schema_name: str):
    """A read-only snapshot, exported for pg_dump, with the counts and migrations seen in it."""
    import psycopg

    with psycopg.connect(**connect_kwargs(), autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            counts = schema_row_counts(cursor, schema_name)
            migrations = _migration_records(cursor, schema_name)
        yield snapshot_id, counts, migrations
        conn.rollback()


def _write_archive(municipality: Municipality) -> tuple[Path, dict]:
    """Dump the schema and write the archive file (atomically). Returns its path and manifest."""
    schema_name = _checked_schema(municipality.schema_name)
    tools = pg_tools()
    directory = archive_dir(schema_name)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # archives hold personal data and password hashes
    now = timezone.now()
    final = directory / _archive_file_name(schema_name, now)
    with tempfile.TemporaryDirectory(dir=directory, prefix=".export-") as work:
        dump = Path(work) / DUMP_NAME
        step(0, ARCHIVE_STEPS, _("dumping the schema"))
        with _snapshot(schema_name) as (snapshot_id, counts, migrations):
            run(tools.pg_dump, [
                f'--schema="{schema_name}"', "--format=plain", "--no-owner", "--no-privileges",
                "--encoding=UTF8", f"--snapshot={snapshot_id}", f"--lock-wait-timeout={LOCK_TIMEOUT}",
                f"--file={dump}",
            ], what=f"Exporting {schema_name}")
        step(1, ARCHIVE_STEPS, _("packing the dump and the files"))
        files = _media_files(schema_name)
        manifest = {
            "format": ARCHIVE_FORMAT,
            "format_version": FORMAT_VERSION,
            "gorodok_version": _gorodok_version(),
            "created_at": now.isoformat(),
            "municipality": _municipality_fields(municipality),
            "schema_name": schema_name,
            "migrations": migrations,
            "row_counts": counts,
            "dump": {
                "file": DUMP_NAME, "format": "plain", "size_bytes": dump.stat().st_size,
                "sha256": _sha256_file(dump), "pg_dump_version": tools.version_label,
                "server_version": connection.pg_version,
            },
            "files": [{"path": item.rel, "size_bytes": item.size, "sha256": item.digest} for item in files],
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
        partial = Path(work) / ("archive" + ARCHIVE_SUFFIX)
        with tarfile.open(partial, "w:gz") as tar:
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size, info.mtime, info.mode = len(manifest_bytes), int(now.timestamp()), 0o644
            tar.addfile(info, io.BytesIO(manifest_bytes))
            info = tar.gettarinfo(str(dump), arcname=DUMP_NAME)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with dump.open("rb") as handle:
                tar.addfile(info, handle)
            for item in files:
                info = tarfile.TarInfo(FILES_PREFIX + item.rel)
                info.size, info.mtime, info.mode = item.size, item.mtime, 0o600
                with _open_stored(schema_name, item) as handle:
                    tar.addfile(info, handle)
        partial.chmod(0o600)
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, final)
    step(2, ARCHIVE_STEPS, _("recording the archive"))
    return final, manifest


def _record_archive(*, municipality: Municipality, path: Path, manifest: dict, actor) -> MunicipalityArchive:
    archive = MunicipalityArchive.objects.create(
        municipality=municipality, schema_name=municipality.schema_name, municipality_name=municipality.name,
        oktmo=municipality.oktmo, path=str(path), size_bytes=path.stat().st_size, sha256=_sha256_file(path),
        manifest=manifest, created_by=_actor_email(actor),
    )
    audit_record(action="municipality.export", actor=actor, tenant_schema=municipality.schema_name,
                 target=municipality, after={"archive_id": archive.pk, "file": path.name,
                                             "size_bytes": archive.size_bytes, "sha256": archive.sha256,
                                             "row_counts": manifest["row_counts"]})
    return archive


def _require_schema(municipality: Municipality) -> None:
    if municipality.status == MunicipalityStatus.ARCHIVED or not schema_exists(municipality.schema_name):
        raise _error(_("%(name)s has no schema to export: it is archived."), "schema_missing",
                     name=municipality.name)


def municipality_export(*, municipality: Municipality, actor=None) -> MunicipalityArchive:
    """Write an archive of the municipality's schema and record it. Changes nothing else."""
    with schema_context(get_public_schema_name()):
        municipality = Municipality.objects.select_related("parent").get(pk=municipality.pk)
        _require_schema(municipality)
        path, manifest = _write_archive(municipality)
        try:
            with transaction.atomic():
                return _record_archive(municipality=municipality, path=path, manifest=manifest, actor=actor)
        except BaseException:
            path.unlink(missing_ok=True)
            raise


# --- Archive ---------------------------------------------------------------------------------------


def municipality_archive(*, municipality: Municipality, actor=None, confirm: bool,
                         dry_run: bool = False) -> ArchiveOutcome:
    """Export the municipality, then drop its schema and mark it archived; its record, hosts and archive
    stay. The municipality is put in maintenance first and its in-flight work drained (see the module);
    writes are held off while the dump runs, so nothing committed after it is lost. If anything fails,
    nothing is dropped and the municipality answers again as before."""
    with schema_context(get_public_schema_name()):
        municipality = Municipality.objects.select_related("parent").get(pk=municipality.pk)
        _require_schema(municipality)
        schema_name = _checked_schema(municipality.schema_name)
        if dry_run:
            with connection.cursor() as cursor:
                counts = schema_row_counts(cursor, schema_name)
            path = archive_dir(schema_name) / _archive_file_name(schema_name, timezone.now())
            return ArchiveOutcome(municipality=municipality, schema_name=schema_name, row_counts=counts,
                                  path=path, dry_run=True)
        if not confirm:
            raise _error(_("Archiving drops the municipality's schema: it must be confirmed."),
                         "confirmation_required")
        path = None
        domains = list(Domain.objects.filter(tenant=municipality).values_list("domain", flat=True))
        previous = (municipality.maintenance_since, municipality.maintenance_message)
        with transaction.atomic():
            maintenance.enter(municipality.pk, domains, message=ARCHIVING_MESSAGE)
        maintenance.refresh_routing(domains)
        try:
            with transaction.atomic():
                municipality = Municipality.objects.select_for_update(of=("self",)).select_related(
                    "parent").get(pk=municipality.pk)
                _require_schema(municipality)
                before = {"status": municipality.status, "schema_exists": True}
                _hold_writes(schema_name)
                path, manifest = _write_archive(municipality)
                archive = _record_archive(municipality=municipality, path=path, manifest=manifest, actor=actor)
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP SCHEMA {_ident(schema_name)} CASCADE")
                municipality.status = MunicipalityStatus.ARCHIVED
                municipality.maintenance_since, municipality.maintenance_message = None, ""
                municipality.auto_create_schema = False  # saving must not recreate the dropped schema
                municipality.save(update_fields=["status", "maintenance_since", "maintenance_message", "updated_at"])
                audit_record(action="municipality.archive", actor=actor, tenant_schema=schema_name,
                             target=municipality, before=before,
                             after={"status": municipality.status, "schema_exists": False,
                                    "archive_id": archive.pk, "file": path.name, "sha256": archive.sha256})
        except BaseException:
            if path is not None:
                path.unlink(missing_ok=True)
            Municipality.objects.filter(pk=municipality.pk).update(  # as it was: answering again
                maintenance_since=previous[0], maintenance_message=previous[1])
            raise
        finally:
            maintenance.refresh_routing(domains)
        # The files are in the archive now; they leave the live storage with the schema (personal data).
        _remove_media(schema_name)
    return ArchiveOutcome(municipality=municipality, schema_name=schema_name, row_counts=manifest["row_counts"],
                          path=path, dry_run=False, archive=archive)


def _busy_sessions(schema_name: str) -> int:
    """Other sessions holding a lock on a table of the schema (requests and jobs in flight)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT l.pid) FROM pg_catalog.pg_locks l "
            "JOIN pg_catalog.pg_class c ON c.oid = l.relation JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND l.pid <> pg_catalog.pg_backend_pid() AND l.database = "
            "(SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())", [schema_name])
        return cursor.fetchone()[0]


def _drain(schema_name: str, deadline: float) -> None:
    """Wait (until ``deadline``, a monotonic time) for the work in flight in the schema to finish."""
    while _busy_sessions(schema_name):
        if time.monotonic() >= deadline:
            raise _error(_("The municipality's data is busy; try again in a minute."), "schema_busy")
        time.sleep(DRAIN_POLL_SECONDS)


def _hold_writes(schema_name: str) -> None:
    """Lock every table of the schema against writes until the transaction ends (reads go on).

    The municipality is in maintenance, so no new request or job starts in it; the work in flight is
    given ``ARCHIVE_DRAIN_SECONDS`` to finish first, and a lock that meets one more straggler (a lock
    timeout, or a deadlock PostgreSQL resolves against this statement) is tried again after draining."""
    deadline = time.monotonic() + int(getattr(settings, "ARCHIVE_DRAIN_SECONDS", 30))
    with connection.cursor() as cursor:
        tables = _tables(cursor, schema_name)
        if not tables:
            return
        cursor.execute(f"SET LOCAL lock_timeout = '{HOLD_LOCK_TIMEOUT}'")
        names = ", ".join(f"{_ident(schema_name)}.{_ident(t)}" for t in tables)
        while True:
            _drain(schema_name, deadline)
            try:
                with transaction.atomic():
                    cursor.execute(f"LOCK TABLE {names} IN SHARE MODE")
                return
            except DatabaseError as exc:
                if time.monotonic() >= deadline:
                    raise _error(_("The municipality's data is busy; try again in a minute."),
                                 "schema_busy") from exc


# --- Restore ---------------------------------------------------------------------------------------


@dataclass
class _OpenedArchive:
    manifest: dict
    dump: Path
    files: Path  # the unpacked files/ (checked against the manifest)


def _read_archive(path: Path, work: Path, *, expected_sha256: str | None) -> _OpenedArchive:
    """Check the archive and unpack its dump into ``work``. Raises ValidationError ``archive_corrupt``."""
    corrupt = _error(_("The archive %(file)s is damaged or was changed: its checksums do not match."),
                     "archive_corrupt", file=path.name)
    if not path.is_file():
        raise _error(_("The archive file %(file)s does not exist."), "archive_missing", file=str(path))
    if expected_sha256 and _sha256_file(path) != expected_sha256:
        raise corrupt
    dump = work / DUMP_NAME
    files_dir = work / "files"
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = {m.name: m for m in tar.getmembers()}
            manifest_member, dump_member = members.get(MANIFEST_NAME), members.get(DUMP_NAME)
            if manifest_member is None or dump_member is None or not (manifest_member.isfile()
                                                                    and dump_member.isfile()):
                raise corrupt
            if manifest_member.size > MAX_MANIFEST_BYTES:
                raise corrupt
            manifest = json.loads(tar.extractfile(manifest_member).read().decode("utf-8"))
            digest, size = _extract(tar, dump_member, dump)
            listed = manifest.get("files", []) if isinstance(manifest, dict) else []
            if not isinstance(listed, list):
                raise corrupt
            expected_members = {MANIFEST_NAME, DUMP_NAME}
            for entry in listed:
                rel = _safe_file_path(entry["path"])
                member = members.get(FILES_PREFIX + rel)
                if member is None or not member.isfile():
                    raise corrupt
                expected_members.add(member.name)
                target = files_dir / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                file_digest, file_size = _extract(tar, member, target)
                if (file_digest.hexdigest(), file_size) != (entry["sha256"], entry["size_bytes"]):
                    raise corrupt
            if set(members) - expected_members:
                raise corrupt  # a member the manifest does not vouch for
    except (tarfile.TarError, OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError, KeyError,
            TypeError) as exc:
        raise corrupt from exc
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        raise corrupt
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _error(_("The archive has format version %(version)s; this release reads version %(ours)s."),
                     "archive_incompatible", version=manifest.get("format_version"), ours=FORMAT_VERSION)
    try:
        expected = manifest["dump"]
        valid = (expected["sha256"] == digest.hexdigest() and expected["size_bytes"] == size
                 and isinstance(manifest["municipality"], dict) and isinstance(manifest["row_counts"], dict)
                 and isinstance(manifest["migrations"], list))
        _checked_schema(manifest["schema_name"])
    except (KeyError, TypeError, ValidationError) as exc:
        raise corrupt from exc
    if not valid:
        raise corrupt
    return _OpenedArchive(manifest=manifest, dump=dump, files=files_dir)


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path):
    """Copy one member to ``target``; returns (its SHA-256 object, its size)."""
    digest, size = hashlib.sha256(), 0
    with tar.extractfile(member) as src, target.open("wb") as dst:
        for chunk in iter(lambda: src.read(_CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            dst.write(chunk)
    return digest, size


def _FilesSwap(source: Path, schema_name: str):
    return _LocalFilesSwap(source, schema_name) if _storage_is_local() else _StoredFilesSwap(source, schema_name)


class _StoredFilesSwap:
    """The same for an object store: the schema's current files are downloaded aside (a temporary
    folder) and deleted, the archive's uploaded; ``undo`` deletes those and uploads the old ones back."""

    def __init__(self, source: Path, schema_name: str):
        from django.core.files import File
        from django.core.files.storage import default_storage

        self.storage, self.schema = default_storage, _checked_schema(schema_name)
        self.aside = Path(tempfile.mkdtemp(prefix=".replaced-"))
        self.written: list[str] = []
        self.kept: list[str] = []
        with schema_context(self.schema):
            for name in list(_storage_names(self.storage)):
                target = self.aside / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with self.storage.open(name, "rb") as handle, target.open("wb") as copy:
                    shutil.copyfileobj(handle, copy)
                self.kept.append(name)
            try:
                for name in self.kept:
                    self.storage.delete(name)
                if source.is_dir():
                    for path in sorted(source.rglob("*")):
                        if path.is_file() and not path.is_symlink():
                            name = path.relative_to(source).as_posix()
                            with path.open("rb") as handle:
                                self.written.append(self.storage.save(name, File(handle, name=name)))
            except BaseException:
                self.undo()
                raise

    def undo(self) -> None:
        from django.core.files import File

        with schema_context(self.schema):
            for name in self.written:
                self.storage.delete(name)
            for name in self.kept:
                with (self.aside / name).open("rb") as handle:
                    self.storage.save(name, File(handle, name=name))
        shutil.rmtree(self.aside, ignore_errors=True)

    def done(self) -> None:
        shutil.rmtree(self.aside, ignore_errors=True)


class _LocalFilesSwap:
    """Puts restored files in place of a schema's folder; ``undo`` puts the old folder back, ``done``
    removes it. The new folder is built beside the old one first, so the swap is two renames."""

    def __init__(self, source: Path, schema_name: str):
        self.folder = media_dir(schema_name)
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        token = secrets.token_hex(6)
        self.incoming = self.folder.with_name(f".restore-{schema_name}-{token}")
        self.aside = self.folder.with_name(f".replaced-{schema_name}-{token}")
        if source.is_dir():
            shutil.copytree(source, self.incoming)
        else:
            self.incoming.mkdir()
        self.moved_aside = False
        if self.folder.exists():
            os.replace(self.folder, self.aside)
            self.moved_aside = True
        os.replace(self.incoming, self.folder)

    def undo(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.moved_aside:
            os.replace(self.aside, self.folder)

    def done(self) -> None:
        if self.moved_aside:
            shutil.rmtree(self.aside, ignore_errors=True)


def _check_compatible(manifest: dict) -> set[tuple[str, str]]:
    """Refuse an archive from a newer release; return the migrations this release has beyond it."""
    try:
        recorded = {(str(app), str(name)) for app, name in manifest["migrations"]}
    except (TypeError, ValueError) as exc:
        raise _error(_("The archive's migration records are unreadable."), "archive_corrupt") from exc
    known = _known_migrations()
    unknown = sorted(f"{app}.{name}" for app, name in recorded - known)
    if unknown:
        raise _error(
            _("The archive comes from a newer Gorodok (%(version)s): this release does not know the "
              "migrations %(migrations)s. Upgrade before restoring it."),
            "archive_incompatible", version=manifest.get("gorodok_version", "?"), migrations=", ".join(unknown[:10]))
    return known - recorded


def _resolve_file(archive: MunicipalityArchive | None, archive_path) -> tuple[Path, str | None]:
    if (archive is None) == (archive_path is None):
        raise _error(_("Give either an archive or an archive file."), "invalid_source")
    if archive is not None:
        return Path(archive.path), archive.sha256
    path = Path(archive_path).resolve()
    known = MunicipalityArchive.objects.filter(path=str(path)).values_list("sha256", flat=True).first()
    return path, known


def municipality_restore(
    *,
    archive: MunicipalityArchive | None = None,
    archive_path: str | os.PathLike | None = None,
    into: Municipality | None = None,
    new_slug: str | None = None,
    new_oktmo: str | None = None,
    new_name: str | None = None,
    new_name_en: str | None = None,
    actor=None,
    confirm: bool,
    dry_run: bool = False,
) -> RestoreOutcome:
    """Restore an archive into the municipality it came from (``into``, or found by OKTMO) or, given a new
    slug and OKTMO, into a new municipality. The archive is verified first; the dump loads in one
    transaction; older schemas are migrated after. Replacing an existing schema must be confirmed."""
    if into is not None and (new_slug or new_oktmo):
        raise _error(_("Restore either into an existing municipality or into a new one, not both."),
                     "invalid_target")
    if not dry_run and connection.in_atomic_block:
        # psql commits the schema on its own connection; undoing a failed restore relies on that order.
        raise RuntimeError("municipality_restore commits in steps: call it outside a transaction.")
    root = archive_root()
    work_dir = root if root.is_dir() else None  # unpack next to the archives (space), else in the temp dir
    with schema_context(get_public_schema_name()), tempfile.TemporaryDirectory(dir=work_dir,
                                                                               prefix=".restore-") as tmp:
        path, expected_sha256 = _resolve_file(archive, archive_path)
        if not dry_run:
            step(0, RESTORE_STEPS, _("verifying the archive"))
        opened = _read_archive(path, Path(tmp), expected_sha256=expected_sha256)
        manifest = opened.manifest
        pending = _check_compatible(manifest)
        source = manifest["municipality"]

        if into is None and not (new_slug or new_oktmo):
            into = Municipality.objects.filter(oktmo=source.get("oktmo")).first()
        if into is not None:
            target = Municipality.objects.get(pk=into.pk)
            if target.oktmo != source.get("oktmo"):
                raise _error(_("The archive belongs to OKTMO %(archive)s, not to %(name)s (%(oktmo)s)."),
                             "wrong_municipality", archive=source.get("oktmo"), name=target.name,
                             oktmo=target.oktmo)
            replaces = schema_exists(target.schema_name)
        else:
            target = _new_municipality(source, slug=new_slug or source.get("slug"),
                                       oktmo=new_oktmo or source.get("oktmo"), name=new_name or source.get("name"),
                                       name_en=new_name_en or source.get("name_en"))
            replaces = False
            if schema_exists(target.schema_name):
                raise _error(_("The schema %(schema)s already exists."), "schema_exists", schema=target.schema_name)
        creates = target.pk is None
        outcome = {"schema_name": target.schema_name, "slug": target.slug, "oktmo": target.oktmo,
                   "name": target.name, "creates_municipality": creates, "replaces_schema": replaces,
                   "migrates": bool(pending), "row_counts": dict(manifest["row_counts"]), "manifest": manifest}
        if dry_run:
            return RestoreOutcome(**outcome, dry_run=True, municipality=None if creates else target)
        if replaces and not confirm:
            raise _error(_("%(name)s has a schema with data; replacing it with the archive must be confirmed."),
                         "confirmation_required", name=target.name)

        before = None if creates else {"status": target.status, "schema_exists": replaces}
        step(1, RESTORE_STEPS, _("loading the schema"))
        _load_dump(opened.dump, source_schema=manifest["schema_name"], target_schema=target.schema_name,
                   replace=replaces)
        step(2, RESTORE_STEPS, _("putting the files back"))
        try:
            files = _FilesSwap(opened.files, target.schema_name)
        except BaseException:
            if creates:
                _drop_schema(target.schema_name)
            raise
        step(3, RESTORE_STEPS, _("migrating and finishing"))
        try:
            if pending:
                with redirect_stdout(io.StringIO()):
                    call_command("migrate_schemas", schema_name=target.schema_name, interactive=False,
                                 verbosity=0, stdout=io.StringIO())
                connection.set_schema_to_public()
            municipality = _finish_restore(target, creates=creates, actor=actor, before=before, path=path,
                                           manifest=manifest, migrated=bool(pending))
        except BaseException:
            files.undo()
            if creates:
                _drop_schema(target.schema_name)
            raise
        files.done()
    return RestoreOutcome(**outcome, dry_run=False, municipality=municipality)


def _new_municipality(source: dict, *, slug, oktmo, name, name_en) -> Municipality:
    spec = MunicipalitySpec(name=name or "", name_en=name_en or "", slug=slug or "", oktmo=oktmo or "",
                            kind=source.get("kind") or "", parent_oktmo=source.get("parent_oktmo"),
                            timezone=source.get("timezone") or settings.DEFAULT_MUNICIPALITY_TIMEZONE)
    municipality = municipality_build(spec=spec)
    municipality.disabled_modules = list(source.get("disabled_modules") or [])
    return municipality


def _load_dump(dump: Path, *, source_schema: str, target_schema: str, replace: bool) -> None:
    """Load the dump as ``target_schema`` in one transaction: all of it or nothing."""
    source_schema, target_schema = _checked_schema(source_schema), _checked_schema(target_schema)
    tools = pg_tools()
    if not tools.psql_knows_restrict:
        plain = dump.with_name("dump-plain.sql")
        strip_restrict_lines(dump, plain)
        dump = plain
    from gorodok_tenants.provisioning import citus

    before, after = citus.psql_commands(target_schema, citus=citus.citus_installed())
    args = ["--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1", "--output=/dev/null",
            "--command=SET LOCAL client_min_messages = warning", *before]
    if replace:
        args.append(f"--command=DROP SCHEMA {_ident(target_schema)} CASCADE")
    aside = None
    if source_schema != target_schema and schema_exists(source_schema):
        aside = f"gorodok_restore_{secrets.token_hex(6)}"
        args.append(f"--command=ALTER SCHEMA {_ident(source_schema)} RENAME TO {_ident(aside)}")
    args.append(f"--file={dump}")
    if source_schema != target_schema:
        args.append(f"--command=ALTER SCHEMA {_ident(source_schema)} RENAME TO {_ident(target_schema)}")
    if aside:
        args.append(f"--command=ALTER SCHEMA {_ident(aside)} RENAME TO {_ident(source_schema)}")
    args.extend(after)
    try:
        run(tools.psql, args, what=f"Restoring into {target_schema}")
    except PgToolError as exc:
        raise _error(_("The archive could not be loaded; nothing was changed. %(detail)s"), "restore_failed",
                     detail=str(exc)) from exc


def _drop_schema(schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {_ident(_checked_schema(schema_name))} CASCADE")


def _finish_restore(target: Municipality, *, creates: bool, actor, before, path: Path, manifest: dict,
                    migrated: bool) -> Municipality:
    from gorodok_tenants.upgrades.schema_version import applied_schema_version

    with transaction.atomic():
        with connection.cursor() as cursor:
            counts = schema_row_counts(cursor, target.schema_name)
        if not migrated and counts != manifest["row_counts"]:
            raise _error(_("The restored schema does not match the archive's row counts."), "restore_failed",
                         detail="")
        if not creates:
            target = Municipality.objects.select_for_update().get(pk=target.pk)
        target.status = MunicipalityStatus.ACTIVE
        target.schema_version = applied_schema_version(target.schema_name)
        target.auto_create_schema = False  # the schema is the restored one; never create another
        target.save(**({} if creates else {"update_fields": ["status", "schema_version", "updated_at"]}))
        if creates:
            Domain.objects.create(domain=host_for(target.slug), tenant=target, is_primary=True)
        audit_record(action="municipality.restore", actor=actor, tenant_schema=target.schema_name, target=target,
                     before=before,
                     after={"status": target.status, "schema_exists": True, "created": creates,
                            "file": path.name, "source_schema": manifest["schema_name"],
                            "source_oktmo": manifest["municipality"].get("oktmo"), "migrated": migrated,
                            "row_counts": counts})
    return target
