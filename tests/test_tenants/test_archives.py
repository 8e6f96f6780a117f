"""Export, archive and restore of a municipality, against the real database and the real pg_dump and psql.

pg_dump and psql are separate processes and see only committed data, so these tests commit: each one
creates its own municipalities, outside the per-test transaction, and removes them (schemas, rows,
files) afterwards. The session municipalities alpha and beta are never touched.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import time
from importlib.metadata import version
from pathlib import Path
from urllib.parse import quote

import pgserver
import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context, schema_exists

from gorodok_platform.accounts.models import User
from gorodok_platform.audit.models import AuditEntry
from gorodok_platform.audit.services import audit_record
from gorodok_tenants.lifecycle import archives
from gorodok_tenants.lifecycle.archives import (
    archive_dir,
    municipality_archive,
    municipality_export,
    municipality_restore,
)
from gorodok_tenants.models import Domain, Municipality, MunicipalityArchive, MunicipalityStatus
from gorodok_tenants.provisioning.municipalities import MunicipalitySpec, host_for, municipality_create
from gorodok_tenants.provisioning.pgtools import PgTools
from tests.conftest import graphql

ROOT = Path(__file__).resolve().parents[2]
# Text that COPY, psql and a careless rename would all trip over.
AWKWARD = "Отдел\tучёта \\. m_arch_one.auth_group\n\\.\nSET search_path = ''; $$ ' \" ✓"


class Lab:
    """Municipalities made by one test, all removed again by the fixture."""

    audit_mark = 0

    def __init__(self):
        self.slugs: set[str] = set()
        self.schemas: set[str] = set()
        with schema_context("public"):
            Lab.audit_mark = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def create(self, slug: str, oktmo: str, name: str | None = None) -> Municipality:
        self.track(slug)
        return municipality_create(spec=MunicipalitySpec(
            name=name or f"Архив {slug}", name_en=f"Archive {slug}", slug=slug, oktmo=oktmo))

    def track(self, slug: str) -> None:
        self.slugs.add(slug)
        self.schemas.add("m_" + slug.replace("-", "_"))

    def cleanup(self) -> None:
        connection.set_schema_to_public()
        if connection.in_atomic_block:
            return
        municipalities = list(Municipality.objects.filter(slug__in=self.slugs))
        self.schemas.update(m.schema_name for m in municipalities)
        MunicipalityArchive.objects.filter(schema_name__in=self.schemas).delete()
        Domain.objects.filter(tenant__in=municipalities).delete()
        for municipality in municipalities:
            municipality.delete(force_drop=True)
        with connection.cursor() as cursor:
            for schema in self.schemas:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def db(django_db_setup, django_db_blocker):
    """Replaces pytest-django's ``db`` here: committed access with no wrapping transaction (and no flush,
    which would empty the public schema). Being called ``db`` makes pytest-django set up the test database
    even when only this module runs."""
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_")
        yield


@pytest.fixture
def lab(db, settings, tmp_path):
    settings.ARCHIVE_ROOT = str(tmp_path / "archives")
    created = Lab()
    try:
        yield created
    finally:
        created.cleanup()
        with connection.cursor() as cursor:
            cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'gorodok_restore_%%' "
                           "OR nspname LIKE 'm_arch_%%'")
            assert cursor.fetchall() == []
        assert not Municipality.objects.filter(slug__startswith="arch-").exists()


def seed(municipality: Municipality) -> None:
    with schema_context(municipality.schema_name):
        clerks = Group.objects.create(name=AWKWARD[:150])
        for i in range(3):
            user = User.objects.create_user(email=f"user{i}@{municipality.slug}.example.ru", password=None,
                                            full_name=f"Пользователь {i} {AWKWARD}")
            user.groups.add(clerks)
        audit_record(action="test.seed", target=clerks, after={"text": AWKWARD, "n": [1, 2.5, None]})


def contents(schema_name: str) -> dict:
    """Every row of every table (as JSON, sorted) and every sequence's position."""
    picture = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'S') ORDER BY 1", [schema_name])
        for name, kind in cursor.fetchall():
            if kind == "r":
                cursor.execute(f'SELECT row_to_json(t)::text FROM "{schema_name}"."{name}" t')
                picture[name] = sorted(row[0] for row in cursor.fetchall())
            else:
                cursor.execute(f'SELECT last_value, is_called FROM "{schema_name}"."{name}"')
                picture[name] = cursor.fetchone()
    return picture


def public_audit(action: str, schema_name: str) -> list[AuditEntry]:
    """This test's entries (the public log is append-only, so earlier runs' entries stay)."""
    with schema_context("public"):
        return list(AuditEntry.objects.filter(action=action, tenant_schema=schema_name, id__gt=Lab.audit_mark))


def files_under(root) -> list[Path]:
    root = Path(str(root))
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def read_manifest(path) -> dict:
    with tarfile.open(path, "r:gz") as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def rewrite_archive(source, target, *, manifest=None, dump=None) -> None:
    """Repack an archive with a changed manifest or dump (the other part kept as it was)."""
    with tarfile.open(source, "r:gz") as tar:
        old_manifest = tar.extractfile("manifest.json").read()
        old_dump = tar.extractfile("dump.sql").read()
    parts = {"manifest.json": json.dumps(manifest).encode() if manifest is not None else old_manifest,
             "dump.sql": dump if dump is not None else old_dump}
    with tarfile.open(target, "w:gz") as tar:
        for name, data in parts.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def code_of(excinfo) -> str:
    return excinfo.value.code


# --- Export ------------------------------------------------------------------------------------------


def test_export_writes_one_self_contained_archive_with_correct_checksums(lab, settings):
    municipality = lab.create("arch-one", "95100001")
    seed(municipality)
    before = contents(municipality.schema_name)

    archive = municipality_export(municipality=municipality)

    path = Path(archive.path)
    assert path.parent == Path(str(settings.ARCHIVE_ROOT)).resolve() / municipality.schema_name
    assert path.name.startswith(f"{municipality.schema_name}-") and path.name.endswith(".tar.gz")
    assert files_under(settings.ARCHIVE_ROOT) == [path]  # no temporary files left behind
    assert path.stat().st_mode & 0o777 == 0o600
    data = path.read_bytes()
    assert archive.sha256 == hashlib.sha256(data).hexdigest()
    assert archive.size_bytes == len(data)
    assert (archive.schema_name, archive.oktmo, archive.municipality_id) == (
        municipality.schema_name, "95100001", municipality.pk)

    with tarfile.open(path, "r:gz") as tar:
        assert sorted(tar.getnames()) == ["dump.sql", "manifest.json"]
        manifest = json.loads(tar.extractfile("manifest.json").read())
        dump = tar.extractfile("dump.sql").read()
    assert manifest == archive.manifest
    assert manifest["format_version"] == 1
    assert manifest["gorodok_version"] == version("gorodok")
    assert manifest["schema_name"] == municipality.schema_name
    assert manifest["municipality"] == {
        "name": municipality.name, "name_en": municipality.name_en, "slug": "arch-one", "oktmo": "95100001",
        "kind": municipality.kind, "timezone": municipality.timezone, "parent_oktmo": None,
        "disabled_modules": [], "status": "active",
    }
    assert ["audit", "0002_append_only_trigger"] in manifest["migrations"]
    assert manifest["dump"]["sha256"] == hashlib.sha256(dump).hexdigest()
    assert manifest["dump"]["size_bytes"] == len(dump)
    assert manifest["row_counts"] == {table: len(rows) for table, rows in before.items()
                                      if isinstance(rows, list)}
    assert manifest["row_counts"]["accounts_user"] == 3
    assert f"CREATE SCHEMA {municipality.schema_name};".encode() in dump

    # An export changes nothing and is audited in the public schema.
    assert contents(municipality.schema_name) == before
    [entry] = public_audit("municipality.export", municipality.schema_name)
    assert entry.after["archive_id"] == archive.pk and entry.after["sha256"] == archive.sha256


def test_the_archive_path_comes_from_the_schema_name_only(lab, settings):
    municipality = lab.create("arch-path", "95100002", name="../../../etc/passwd")
    archive = municipality_export(municipality=municipality)
    root = Path(str(settings.ARCHIVE_ROOT)).resolve()
    assert Path(archive.path).parent == root / "m_arch_path"
    for bad in ("../m_x", "m_x/../../y", "/etc", "public", "pg_catalog", "M_X", ""):
        with pytest.raises(ValidationError) as excinfo:
            archive_dir(bad)
        assert code_of(excinfo) == "invalid_schema"


# --- Archive and restore into the same municipality ------------------------------------------------------


def test_archive_then_restore_into_the_same_municipality_gives_identical_data(lab, client, settings):
    municipality = lab.create("arch-round", "95100003")
    seed(municipality)
    schema = municipality.schema_name
    host = host_for("arch-round")
    before = contents(schema)

    plan = municipality_archive(municipality=municipality, confirm=False, dry_run=True)
    assert plan.dry_run and plan.schema_name == schema
    assert plan.row_counts["accounts_user"] == 3
    assert plan.path.parent == Path(str(settings.ARCHIVE_ROOT)).resolve() / schema
    assert schema_exists(schema) and files_under(settings.ARCHIVE_ROOT) == []
    assert not MunicipalityArchive.objects.filter(schema_name=schema).exists()

    with pytest.raises(ValidationError) as excinfo:
        municipality_archive(municipality=municipality, confirm=False)
    assert code_of(excinfo) == "confirmation_required"
    assert schema_exists(schema) and files_under(settings.ARCHIVE_ROOT) == []

    outcome = municipality_archive(municipality=municipality, confirm=True)

    municipality.refresh_from_db()
    assert municipality.status == MunicipalityStatus.ARCHIVED
    assert not schema_exists(schema)
    assert Domain.objects.filter(tenant=municipality, domain=host).exists()
    assert Path(outcome.archive.path).is_file() and outcome.archive.municipality_id == municipality.pk
    assert outcome.row_counts == outcome.archive.manifest["row_counts"]
    [entry] = public_audit("municipality.archive", schema)
    assert entry.before == {"status": "active", "schema_exists": True}
    assert entry.after["status"] == "archived" and entry.after["schema_exists"] is False
    assert len(public_audit("municipality.export", schema)) == 1

    response = client.get("/graphql/", HTTP_HOST=host)
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "MUNICIPALITY_ARCHIVED"
    with pytest.raises(ValidationError) as excinfo:
        municipality_archive(municipality=municipality, confirm=True)
    assert code_of(excinfo) == "schema_missing"
    with pytest.raises(ValidationError) as excinfo:
        municipality_export(municipality=municipality)
    assert code_of(excinfo) == "schema_missing"

    plan = municipality_restore(archive=outcome.archive, confirm=False, dry_run=True)
    assert (plan.schema_name, plan.creates_municipality, plan.replaces_schema) == (schema, False, False)
    assert plan.municipality.pk == municipality.pk
    assert not schema_exists(schema)
    municipality.refresh_from_db()
    assert municipality.status == MunicipalityStatus.ARCHIVED

    restored = municipality_restore(archive=outcome.archive, confirm=False)

    assert restored.municipality.pk == municipality.pk
    assert [p.name for p in Path(str(settings.ARCHIVE_ROOT)).iterdir()] == [schema]  # no work files left
    municipality.refresh_from_db()
    assert municipality.status == MunicipalityStatus.ACTIVE
    assert contents(schema) == before
    [entry] = public_audit("municipality.restore", schema)
    assert entry.before == {"status": "archived", "schema_exists": False}
    assert entry.after["status"] == "active" and entry.after["created"] is False
    status, body = graphql(client, host, "{ municipality { name } }")
    assert status == 200 and body == {"data": {"municipality": {"name": municipality.name}}}
    with schema_context(schema):  # the restored schema is live: sequences and the audit guard work
        assert User.objects.create_user(email="new@arch-round.example.ru", password=None).pk == 4
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditentry SET reason = 'changed'")


def test_restoring_over_an_existing_schema_must_be_confirmed_and_replaces_it(lab):
    municipality = lab.create("arch-over", "95100004")
    seed(municipality)
    archive = municipality_export(municipality=municipality)
    exported = contents(municipality.schema_name)
    with schema_context(municipality.schema_name):
        Group.objects.create(name="added after the export")
    changed = contents(municipality.schema_name)

    plan = municipality_restore(archive=archive, into=municipality, confirm=False, dry_run=True)
    assert plan.replaces_schema and not plan.creates_municipality
    with pytest.raises(ValidationError) as excinfo:
        municipality_restore(archive=archive, into=municipality, confirm=False)
    assert code_of(excinfo) == "confirmation_required"
    assert contents(municipality.schema_name) == changed

    municipality_restore(archive=archive, into=municipality, confirm=True)
    assert contents(municipality.schema_name) == exported


# --- Restore into a new municipality -----------------------------------------------------------------


def test_restore_into_a_new_municipality_copies_the_data_and_leaves_the_original_alone(lab, client):
    original = lab.create("arch-src", "95100005")
    seed(original)
    archive = municipality_export(municipality=original)
    source = contents(original.schema_name)
    lab.track("arch-copy")

    plan = municipality_restore(archive=archive, new_slug="arch-copy", new_oktmo="95100006",
                                new_name="Копия", new_name_en="Copy", confirm=False, dry_run=True)
    assert (plan.schema_name, plan.creates_municipality, plan.replaces_schema) == ("m_arch_copy", True, False)
    assert plan.municipality is None
    assert not Municipality.objects.filter(slug="arch-copy").exists() and not schema_exists("m_arch_copy")

    outcome = municipality_restore(archive=archive, new_slug="arch-copy", new_oktmo="95100006",
                                   new_name="Копия", new_name_en="Copy", confirm=False)

    copy = outcome.municipality
    assert (copy.slug, copy.oktmo, copy.name, copy.schema_name, copy.status) == (
        "arch-copy", "95100006", "Копия", "m_arch_copy", MunicipalityStatus.ACTIVE)
    assert copy.primary_domain == host_for("arch-copy")
    assert contents("m_arch_copy") == source
    assert contents(original.schema_name) == source
    original.refresh_from_db()
    assert original.status == MunicipalityStatus.ACTIVE
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgfoid::regprocedure::text FROM pg_trigger "
                       "WHERE tgrelid = 'm_arch_copy.audit_auditentry'::regclass AND NOT tgisinternal")
        assert {row[0] for row in cursor.fetchall()} == {"m_arch_copy.gorodok_audit_append_only()"}
        cursor.execute("SELECT pg_get_serial_sequence('m_arch_copy.auth_group', 'id')")
        assert cursor.fetchone()[0] == "m_arch_copy.auth_group_id_seq"
    with schema_context("m_arch_copy"):
        Group.objects.create(name="only in the copy")
    assert contents(original.schema_name) == source
    [entry] = public_audit("municipality.restore", "m_arch_copy")
    assert entry.before is None and entry.after["created"] is True and entry.after["source_schema"] == "m_arch_src"
    status, body = graphql(client, host_for("arch-copy"), "{ municipality { name } }")
    assert status == 200 and body["data"]["municipality"]["name"] == "Копия"

    with pytest.raises(ValidationError) as excinfo:  # the same slug again
        municipality_restore(archive=archive, new_slug="arch-copy", new_oktmo="95100007", confirm=False)
    assert "slug" in excinfo.value.message_dict


def test_an_archive_from_an_older_release_is_migrated_after_restoring(lab):
    municipality = lab.create("arch-old", "95100008")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM m_arch_old.django_migrations WHERE app = 'accounts' AND name = '0002_seed_roles'")
        cursor.execute("DELETE FROM m_arch_old.auth_group")
    archive = municipality_export(municipality=municipality)
    assert ["accounts", "0002_seed_roles"] not in archive.manifest["migrations"]
    lab.track("arch-old-copy")

    plan = municipality_restore(archive=archive, new_slug="arch-old-copy", new_oktmo="95100009",
                                confirm=False, dry_run=True)
    assert plan.migrates
    municipality_restore(archive=archive, new_slug="arch-old-copy", new_oktmo="95100009", confirm=False)

    with schema_context("m_arch_old_copy"):
        assert Group.objects.filter(name="municipal_admin").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM m_arch_old_copy.django_migrations WHERE app = 'accounts' "
                       "AND name = '0002_seed_roles'")
        assert cursor.fetchone() == (1,)


# --- Refusals ----------------------------------------------------------------------------------------


def test_a_tampered_or_truncated_archive_is_refused(lab, tmp_path):
    municipality = lab.create("arch-bad", "95100010")
    seed(municipality)
    archive = municipality_export(municipality=municipality)
    data = Path(archive.path).read_bytes()
    lab.track("arch-bad-copy")

    def refused(path, **kwargs):
        with pytest.raises(ValidationError) as excinfo:
            municipality_restore(archive_path=path, new_slug="arch-bad-copy", new_oktmo="95100011", confirm=False,
                                 **kwargs)
        return code_of(excinfo)

    flipped = tmp_path / "flipped.tar.gz"
    middle = len(data) // 2
    flipped.write_bytes(data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:])
    assert refused(flipped) == "archive_corrupt"
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(data[: len(data) - 100])
    assert refused(truncated) == "archive_corrupt"
    assert refused(truncated, dry_run=True) == "archive_corrupt"

    # A well-formed archive whose dump was changed: its manifest checksum no longer matches.
    edited = tmp_path / "edited.tar.gz"
    with tarfile.open(archive.path, "r:gz") as tar:
        dump = tar.extractfile("dump.sql").read()
    rewrite_archive(archive.path, edited, dump=dump.replace("Пользователь 1".encode(), "Пользователь 9".encode()))
    assert refused(edited) == "archive_corrupt"

    # The recorded file itself changed (even consistently repacked): the record's checksum catches it.
    rewrite_archive(archive.path, archive.path)
    with pytest.raises(ValidationError) as excinfo:
        municipality_restore(archive=archive, new_slug="arch-bad-copy", new_oktmo="95100011", confirm=False)
    assert code_of(excinfo) == "archive_corrupt"

    not_an_archive = tmp_path / "plain.tar.gz"
    not_an_archive.write_text("hello")
    assert refused(not_an_archive) == "archive_corrupt"
    assert refused(tmp_path / "missing.tar.gz") == "archive_missing"
    assert not Municipality.objects.filter(slug="arch-bad-copy").exists()
    assert not schema_exists("m_arch_bad_copy")


def test_an_archive_from_a_newer_release_is_refused(lab, tmp_path):
    municipality = lab.create("arch-new", "95100012")
    archive = municipality_export(municipality=municipality)
    manifest = read_manifest(archive.path)
    manifest["migrations"].append(["accounts", "9999_from_the_future"])
    newer = tmp_path / "newer.tar.gz"
    rewrite_archive(archive.path, newer, manifest=manifest)
    with pytest.raises(ValidationError) as excinfo:
        municipality_restore(archive_path=newer, into=municipality, confirm=True)
    assert code_of(excinfo) == "archive_incompatible"
    assert "accounts.9999_from_the_future" in " ".join(excinfo.value.messages)

    manifest = read_manifest(archive.path)
    manifest["format_version"] = 2
    rewrite_archive(archive.path, newer, manifest=manifest)
    with pytest.raises(ValidationError) as excinfo:
        municipality_restore(archive_path=newer, into=municipality, confirm=True)
    assert code_of(excinfo) == "archive_incompatible"


def test_an_archive_is_not_restored_into_another_municipality(lab):
    one = lab.create("arch-first", "95100013")
    other = lab.create("arch-second", "95100014")
    archive = municipality_export(municipality=one)
    with pytest.raises(ValidationError) as excinfo:
        municipality_restore(archive=archive, into=other, confirm=True)
    assert code_of(excinfo) == "wrong_municipality"


def test_a_failed_export_drops_nothing(lab, monkeypatch, settings, tmp_path):
    municipality = lab.create("arch-fail", "95100015")
    seed(municipality)
    before = contents(municipality.schema_name)
    missing = tmp_path / "no-such-dir"
    monkeypatch.setattr(archives, "pg_tools", lambda: PgTools(pg_dump=missing / "pg_dump", psql=missing / "psql",
                                                              pg_dump_version=(99, 0), psql_version=(99, 0)))

    with pytest.raises(archives.PgToolError):
        municipality_archive(municipality=municipality, confirm=True)

    municipality.refresh_from_db()
    assert municipality.status == MunicipalityStatus.ACTIVE
    assert contents(municipality.schema_name) == before
    assert not MunicipalityArchive.objects.filter(schema_name=municipality.schema_name).exists()
    assert files_under(settings.ARCHIVE_ROOT) == []
    assert public_audit("municipality.archive", municipality.schema_name) == []


# --- Commands ----------------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_command(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **kwargs)
    return out.getvalue()


def test_the_commands_export_archive_and_restore(lab, settings):
    municipality = lab.create("arch-cli", "95100016")
    seed(municipality)
    before = contents(municipality.schema_name)

    output = run_command("municipality_export", "arch-cli")
    [archive] = MunicipalityArchive.objects.filter(schema_name="m_arch_cli")
    assert archive.path in output

    output = run_command("municipality_archive", "arch-cli", "--dry-run")
    assert "Dry run" in output and "accounts_user: 3" in output
    with pytest.raises(CommandError, match="--yes"):
        run_command("municipality_archive", "arch-cli", stdin=io.StringIO(""))
    with pytest.raises(CommandError, match="Not confirmed"):
        run_command("municipality_archive", "arch-cli", stdin=Terminal("arch-wrong\n"))
    assert schema_exists("m_arch_cli")
    assert MunicipalityArchive.objects.filter(schema_name="m_arch_cli").count() == 1

    output = run_command("municipality_archive", "arch-cli", stdin=Terminal("arch-cli\n"))
    assert "Type the slug to confirm" in output and "Archived" in output
    assert not schema_exists("m_arch_cli")
    latest = MunicipalityArchive.objects.filter(schema_name="m_arch_cli").order_by("-created_at").first()

    output = run_command("municipality_restore", latest.path, "--dry-run")
    assert "the existing municipality" in output and not schema_exists("m_arch_cli")
    output = run_command("municipality_restore", latest.path)
    assert "Restored" in output
    assert contents("m_arch_cli") == before

    with pytest.raises(CommandError, match="--yes"):  # replacing the live schema needs confirmation
        run_command("municipality_restore", latest.path, "--into", "arch-cli", stdin=io.StringIO(""))
    run_command("municipality_restore", latest.path, "--into", "arch-cli", "--yes")
    assert contents("m_arch_cli") == before

    lab.track("arch-cli-copy")
    output = run_command("municipality_restore", archive.path, "--slug", "arch-cli-copy", "--oktmo", "95100017",
                         "--name", "Копия", "--name-en", "Copy")
    assert "m_arch_cli_copy" in output and contents("m_arch_cli_copy") == before

    with pytest.raises(CommandError, match="No municipality"):
        run_command("municipality_archive", "no-such-place", "--yes")
    with pytest.raises(CommandError, match="does not exist"):
        run_command("municipality_restore", str(Path(str(settings.ARCHIVE_ROOT)) / "nothing.tar.gz"))


def child_database_url() -> str:
    """The test database as a DATABASE_URL, for a child process."""
    s = connection.settings_dict
    credentials = quote(s["USER"] or "", safe="") + (":" + quote(s["PASSWORD"], safe="") if s["PASSWORD"] else "")
    if (s["HOST"] or "").startswith("/"):  # a unix socket directory (the embedded server)
        return f"postgres://{credentials}@/{s['NAME']}?host={s['HOST']}&port={s['PORT'] or 5432}"
    return f"postgres://{credentials}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_archive_command_without_yes_and_without_a_terminal_exits_non_zero(lab, settings):
    lab.create("arch-tty", "95100018")
    env = dict(os.environ, GORODOK_ENV="test", ARCHIVE_ROOT=str(settings.ARCHIVE_ROOT),
               DATABASE_URL=child_database_url())
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), "municipality_archive", "arch-tty"],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert result.returncode != 0
    assert "--yes" in result.stderr and "Traceback" not in result.stderr
    assert schema_exists("m_arch_tty")


# --- Other client programs ---------------------------------------------------------------------------

PGSERVER_BIN = Path(pgserver.__file__).resolve().parent / "pginstall" / "bin"


@pytest.mark.parametrize("dump_dir,psql_dir", [
    (PGSERVER_BIN, PGSERVER_BIN),  # all a user machine may have: the embedded server's programs
    (Path("/usr/bin"), PGSERVER_BIN),  # a dump with \restrict lines, loaded by a psql that predates them
])
def test_archives_work_with_other_client_programs(lab, monkeypatch, dump_dir, psql_dir):
    from gorodok_tenants.provisioning.pgtools import program_version

    tools = PgTools(pg_dump=dump_dir / "pg_dump", psql=psql_dir / "psql",
                    pg_dump_version=program_version(dump_dir / "pg_dump") or (0, 0),
                    psql_version=program_version(psql_dir / "psql") or (0, 0))
    if tools.pg_dump_version[0] < connection.pg_version // 10000 or tools.psql_version == (0, 0):
        pytest.skip("these client programs are not installed here")
    monkeypatch.setattr(archives, "pg_tools", lambda: tools)
    municipality = lab.create("arch-tools", "95100019")
    seed(municipality)
    archive = municipality_export(municipality=municipality)
    lab.track("arch-tools-copy")
    municipality_restore(archive=archive, new_slug="arch-tools-copy", new_oktmo="95100020", confirm=False)
    assert contents("m_arch_tools_copy") == contents("m_arch_tools")


# --- The console -----------------------------------------------------------------------------------


@pytest.fixture
def console(client, regional_admin, lab):
    from tests.conftest import login

    login(client, "localhost", regional_admin.email)
    return client


def _run_started_task(console, response):
    """The console answers at once with the task's page; the worker (here: this test) runs the task."""
    from gorodok_tenants.lifecycle.tasks import console_task_run
    from gorodok_tenants.models import ConsoleTask, ConsoleTaskStatus

    assert response.status_code == 302
    task = ConsoleTask.objects.order_by("-pk").first()
    assert task.status == ConsoleTaskStatus.QUEUED
    page = console.get(f"/admin/gorodok_tenants/consoletask/{task.pk}/change/", HTTP_HOST="localhost")
    assert page.status_code == 200 and b"<progress" in page.content and b"task_progress.js" in page.content
    assert console_task_run(task.pk).status == ConsoleTaskStatus.DONE, task.error
    assert console_task_run(task.pk) is None  # a second delivery of the message does nothing
    state = console.get(f"/admin/gorodok_tenants/consoletask/{task.pk}/state.json", HTTP_HOST="localhost").json()
    assert state["finished"] and state["percent"] == 100 and state["status"] == "done"
    return ConsoleTask.objects.get(pk=task.pk), state


def test_console_export_archive_download_and_restore(console, lab):
    municipality = lab.create("arch-console", "95800301")
    seed(municipality)
    before = contents(municipality.schema_name)
    changelist = "/admin/gorodok_tenants/municipality/"
    response = console.post(changelist, {"action": "export_selected", "_selected_action": [municipality.pk]},
                            HTTP_HOST="localhost")
    assert not MunicipalityArchive.objects.filter(schema_name=municipality.schema_name).exists()  # not yet
    task, state = _run_started_task(console, response)
    exported = MunicipalityArchive.objects.get(schema_name=municipality.schema_name)
    assert task.result["archive_id"] == exported.pk and "download/" in state["result_html"]
    download = console.get(f"/admin/gorodok_tenants/municipalityarchive/{exported.pk}/download/",
                           HTTP_HOST="localhost")
    assert download.status_code == 200
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == exported.sha256

    archive_url = f"{changelist}{municipality.pk}/archive/"
    page = console.get(archive_url, HTTP_HOST="localhost")
    assert page.status_code == 200 and municipality.schema_name.encode() in page.content  # the dry run
    assert schema_exists(municipality.schema_name)
    wrong = console.post(archive_url, {"confirmation": "something-else"}, HTTP_HOST="localhost")
    assert wrong.status_code == 200 and wrong.context["form"].errors
    assert schema_exists(municipality.schema_name)
    done = console.post(archive_url, {"confirmation": municipality.slug}, HTTP_HOST="localhost")
    assert schema_exists(municipality.schema_name)  # the request only started the task
    _run_started_task(console, done)
    assert not schema_exists(municipality.schema_name)
    municipality.refresh_from_db()
    assert municipality.status == MunicipalityStatus.ARCHIVED

    archived = MunicipalityArchive.objects.filter(schema_name=municipality.schema_name).latest("created_at")
    restore_url = f"/admin/gorodok_tenants/municipalityarchive/{archived.pk}/restore/"
    assert console.get(restore_url, HTTP_HOST="localhost").status_code == 200
    task, state = _run_started_task(console, console.post(restore_url, {"confirmation": municipality.slug},
                                                          HTTP_HOST="localhost"))
    assert task.steps_total == 4 and task.result["municipality_id"] == municipality.pk
    municipality.refresh_from_db()
    assert municipality.status == MunicipalityStatus.ACTIVE
    assert contents(municipality.schema_name) == before


def test_a_failing_task_shows_its_error_and_an_interrupted_one_says_so(console, lab):
    from datetime import timedelta

    from django.utils import timezone

    from gorodok_tenants.lifecycle.tasks import console_task_run, console_task_start, console_task_state
    from gorodok_tenants.models import ConsoleTask, ConsoleTaskKind, ConsoleTaskStatus

    municipality = lab.create("arch-task-fail", "95800303")
    with schema_context("public"):
        Municipality.objects.filter(pk=municipality.pk).update(status=MunicipalityStatus.ARCHIVED)
        task = console_task_start(kind=ConsoleTaskKind.EXPORT, actor=None, municipality=municipality)
        finished = console_task_run(task.pk)
        assert finished.status == ConsoleTaskStatus.FAILED and "archived" in finished.error
        page = console.get(f"/admin/gorodok_tenants/consoletask/{task.pk}/change/", HTTP_HOST="localhost")
        assert finished.error.encode() in page.content
        stuck = ConsoleTask.objects.create(kind=ConsoleTaskKind.EXPORT, municipality=municipality,
                                           status=ConsoleTaskStatus.RUNNING,
                                           heartbeat_at=timezone.now() - timedelta(minutes=30))
        state = console_task_state(stuck)
        assert state["status"] == "failed" and state["finished"] and state["error"]
        Municipality.objects.filter(pk=municipality.pk).update(status=MunicipalityStatus.ACTIVE)


def test_analysts_cannot_download_or_archive(client, lab):
    from gorodok_platform.accounts.roles import Role
    from gorodok_platform.accounts.services import staff_user_create
    from tests.conftest import ADMIN_PASSWORD, login

    municipality = lab.create("arch-analyst", "95800302")
    exported = municipality_export(municipality=municipality)
    with schema_context("public"):
        analyst = User.objects.filter(email="arch-analyst@example.ru").first() or staff_user_create(
            email="arch-analyst@example.ru", password=ADMIN_PASSWORD, roles=[Role.REGIONAL_ANALYST])
        User.objects.filter(pk=analyst.pk).update(is_active=True)
    try:
        login(client, "localhost", analyst.email)
        assert client.get(f"/admin/gorodok_tenants/municipalityarchive/{exported.pk}/download/",
                          HTTP_HOST="localhost").status_code == 403
        assert client.post(f"/admin/gorodok_tenants/municipality/{municipality.pk}/archive/",
                           {"confirmation": municipality.slug}, HTTP_HOST="localhost").status_code == 403
        assert schema_exists(municipality.schema_name)
    finally:
        with schema_context("public"):
            User.objects.filter(pk=analyst.pk).update(is_active=False)


# --- Files, and archiving a live municipality ---------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files under a folder of this test (the tenant storage caches its root: forget it)."""
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = str(tmp_path / "media")
    default_storage.path("")  # make sure the storage exists
    default_storage._wrapped.__dict__.pop("relative_media_root", None)
    yield tmp_path / "media"
    default_storage._wrapped.__dict__.pop("relative_media_root", None)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files_under(folder)}


def _attach(municipality: Municipality, name: str, data: bytes):
    from django.core.files.base import ContentFile

    from gorodok_services.appeals import services as appeal_services
    from gorodok_services.appeals.models import Attachment
    from tests.support.appeals import dated_intake as intake

    with schema_context(municipality.schema_name):
        appeal, _ = appeal_services.appeal_receive(data=intake(external_number=f"FILES-{name}"))
        attachment = Attachment(appeal=appeal, original_name=name, content_type="application/octet-stream",
                                size=len(data))
        attachment.file.save(name, ContentFile(data), save=True)
        return attachment.pk


def test_archives_carry_the_files_with_checksums_and_restore_puts_them_back(lab, media, tmp_path):
    from gorodok_services.appeals.models import Attachment

    municipality = lab.create("arch-files", "95100021")
    schema = municipality.schema_name
    first = _attach(municipality, "scan.pdf", b"%PDF-1.4 " + os.urandom(4096))
    _attach(municipality, "photo.jpg", b"\xff\xd8\xff" + os.urandom(70_000))
    folder = archives.media_dir(schema)
    assert folder == (tmp_path / "media" / schema).resolve()
    before = _tree(folder)
    assert len(before) == 2

    outcome = municipality_archive(municipality=municipality, confirm=True)

    listed = {entry["path"]: entry for entry in outcome.archive.manifest["files"]}
    assert set(listed) == set(before)
    for rel, data in before.items():
        assert listed[rel] == {"path": rel, "size_bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    with tarfile.open(outcome.archive.path, "r:gz") as tar:
        assert sorted(tar.getnames()) == sorted(["dump.sql", "manifest.json", *(f"files/{r}" for r in before)])
    assert not folder.exists()  # the files left the live storage with the schema

    municipality_restore(archive=outcome.archive, confirm=False)
    assert _tree(folder) == before
    with schema_context(schema):
        attachment = Attachment.objects.get(pk=first)
        with attachment.file.open("rb") as handle:
            assert handle.read() == before[attachment.file.name]

    # Into a new municipality: the files go under the new schema's folder.
    lab.track("arch-files-copy")
    copy = municipality_restore(archive=municipality_export(municipality=municipality), new_slug="arch-files-copy",
                                new_oktmo="95100022", confirm=False).municipality
    assert _tree(archives.media_dir(copy.schema_name)) == before
    assert _tree(folder) == before


def test_an_archive_with_a_changed_or_escaping_file_is_refused(lab, media, tmp_path):
    municipality = lab.create("arch-badfile", "95100023")
    _attach(municipality, "scan.pdf", b"%PDF-1.4 original")
    archive = municipality_export(municipality=municipality)
    before = _tree(archives.media_dir(municipality.schema_name))

    def repack(target: Path, change) -> None:
        with tarfile.open(archive.path, "r:gz") as source, tarfile.open(target, "w:gz") as tar:
            manifest = json.loads(source.extractfile("manifest.json").read())
            parts = {m.name: source.extractfile(m).read() for m in source.getmembers()}
            change(manifest, parts)
            parts["manifest.json"] = json.dumps(manifest).encode()
            for name, data in parts.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))

    def changed_bytes(manifest, parts):
        name = next(n for n in parts if n.startswith("files/"))
        parts[name] = b"%PDF-1.4 forged!!"

    def escaping(manifest, parts):
        name = next(n for n in parts if n.startswith("files/"))
        manifest["files"][0]["path"] = "../../outside.pdf"
        parts["files/../../outside.pdf"] = parts.pop(name)

    for change in (changed_bytes, escaping):
        forged = tmp_path / f"{change.__name__}.tar.gz"
        repack(forged, change)
        with pytest.raises(ValidationError) as excinfo:
            municipality_restore(archive_path=forged, into=municipality, confirm=True)
        assert code_of(excinfo) == "archive_corrupt"
    assert _tree(archives.media_dir(municipality.schema_name)) == before
    assert not (tmp_path / "outside.pdf").exists()


def test_archiving_a_municipality_that_receives_writes_waits_for_them_and_loses_none(lab, media):
    """Citizens keep posting while the municipality is archived: no deadlock, no error but 503 or 410
    once it is closed, and every request that was accepted is in the archive."""
    import threading

    from django.test import Client

    from gorodok_platform.integrations.models import ApiClient, hash_secret

    municipality = lab.create("arch-live", "95100024")
    with schema_context(municipality.schema_name):
        key_id, secret, token = ApiClient.new_credentials()
        ApiClient.objects.create(name="Портал", key_id=key_id, secret_hash=hash_secret(secret),
                                 scopes=["appeals:write"])
    host = host_for("arch-live")
    statuses: list[int] = []
    stop = threading.Event()

    def citizens(who: int):
        client = Client(raise_request_exception=False)
        number = 0
        while not stop.is_set():
            number += 1
            response = client.post("/open311/v2/requests.json", {
                "api_key": token, "service_code": "0003.0009.0097.0684", "address_string": "ул. Ленина, 1",
                "description": f"Яма номер {who}-{number}", "email": f"c{who}-{number}@example.ru"}, HTTP_HOST=host)
            statuses.append(response.status_code)
        connection.close()

    writers = [threading.Thread(target=citizens, args=(who,), daemon=True) for who in range(3)]
    for writer in writers:
        writer.start()
    try:
        deadline = time.monotonic() + 20
        while statuses.count(200) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        outcome = municipality_archive(municipality=municipality, confirm=True)
        time.sleep(0.3)
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=20)
    accepted = statuses.count(200)
    assert accepted >= 6
    assert set(statuses) <= {200, 503, 410}, statuses  # never a 500 (deadlock) while it closes
    assert outcome.archive.manifest["row_counts"]["appeals_appeal"] == accepted
    municipality.refresh_from_db()
    assert municipality.status == MunicipalityStatus.ARCHIVED and municipality.maintenance_since is None


def test_a_failed_archive_leaves_the_municipality_answering(lab, client, monkeypatch):
    municipality = lab.create("arch-back", "95100025")

    def broken(municipality):
        raise archives.PgToolError("pg_dump failed")

    monkeypatch.setattr(archives, "_write_archive", broken)
    with pytest.raises(archives.PgToolError):
        municipality_archive(municipality=municipality, confirm=True)
    municipality.refresh_from_db()
    assert municipality.status == MunicipalityStatus.ACTIVE and municipality.maintenance_since is None
    status, body = graphql(client, host_for("arch-back"), "{ municipality { name } }")
    assert status == 200 and body["data"]["municipality"]["name"] == municipality.name


def test_archiving_gives_up_after_the_drain_time_and_the_municipality_answers_again(lab, client, settings):
    """A transaction that never ends (a stuck job) makes the archive give up within the bound."""
    import psycopg

    from gorodok_tenants.provisioning.pgtools import connect_kwargs

    settings.ARCHIVE_DRAIN_SECONDS = 1
    municipality = lab.create("arch-stuck", "95100026")
    with psycopg.connect(**connect_kwargs()) as stuck:
        stuck.execute(f'SELECT count(*) FROM "{municipality.schema_name}".auth_group')  # holds a lock until rollback
        started = time.monotonic()
        with pytest.raises(ValidationError) as excinfo:
            municipality_archive(municipality=municipality, confirm=True)
        waited = time.monotonic() - started
        stuck.rollback()
    assert code_of(excinfo) == "schema_busy" and waited < 5
    municipality.refresh_from_db()
    assert municipality.status == MunicipalityStatus.ACTIVE and municipality.maintenance_since is None
    assert schema_exists(municipality.schema_name)
    status, body = graphql(client, host_for("arch-stuck"), "{ municipality { name } }")
    assert status == 200 and body["data"]["municipality"]["name"] == municipality.name


# --- The same in an S3-compatible object store (FILE_STORAGE=s3) -------------------------------------------------
# The stand-in here is moto's S3 server (a real HTTP endpoint speaking the S3 API, in a thread): the code
# path is django-storages over boto3 exactly as against a region's object store.

def _keys(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket="gorodok-files").get("Contents", [])}


def test_files_in_an_object_store_keep_per_schema_prefixes_and_travel_with_archives(lab, object_store):
    from django.core.files.storage import default_storage

    from gorodok_services.appeals.models import Attachment

    municipality = lab.create("arch-s3", "95100031")
    other = lab.create("arch-s3-other", "95100032")
    schema = municipality.schema_name
    scan = b"%PDF-1.4 " + os.urandom(2048)
    first = _attach(municipality, "scan.pdf", scan)
    _attach(other, "other.pdf", b"%PDF-1.4 other")
    keys = _keys(object_store)
    assert any(key.startswith(f"media/{schema}/") for key in keys)
    assert any(key.startswith(f"media/{other.schema_name}/") for key in keys)
    with schema_context(other.schema_name):  # one municipality's storage does not list another's files
        assert not [name for name in archives._storage_names(default_storage) if "scan" in name]

    outcome = municipality_archive(municipality=municipality, confirm=True)
    (listed,) = outcome.archive.manifest["files"]
    assert listed["sha256"] == hashlib.sha256(scan).hexdigest() and listed["size_bytes"] == len(scan)
    assert not [key for key in _keys(object_store) if key.startswith(f"media/{schema}/")]  # left the store
    assert [key for key in _keys(object_store) if key.startswith(f"media/{other.schema_name}/")]

    municipality_restore(archive=outcome.archive, confirm=False)
    with schema_context(schema):
        attachment = Attachment.objects.get(pk=first)
        with attachment.file.open("rb") as handle:
            assert handle.read() == scan
    assert [key for key in _keys(object_store) if key.startswith(f"media/{schema}/")]
