"""Register imports as background jobs: recorded, every row checked before anything is written, written
in committed chunks, resumed after an interruption without writing a row twice; started through the
API (base64) and the management command; followed through the API; isolated per municipality."""

from __future__ import annotations

import base64
import json

import dramatiq
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from gorodok_platform.audit.models import AuditEntry
from gorodok_platform.integrations.services import api_client_create
from gorodok_services.assets import error_codes as codes
from gorodok_services.assets import import_jobs, imports
from gorodok_services.assets.models import Asset, AssetChange, AssetImport, ImportStatus
from tests.conftest import graphql
from tests.support.assets import SCHOOL_INN, holder, run_queued

HEADERS = "Наименование;Вид объекта;Вид права;ИНН правообладателя;Балансовая стоимость, руб.\n"


def csv_bytes(count: int, bad_row: int | None = None) -> bytes:
    lines = [HEADERS]
    for n in range(1, count + 1):
        inn = "0000000000" if n == bad_row else SCHOOL_INN
        lines.append(f"Котельная № {n};здание;хозяйственное ведение;{inn};{1000 + n}\n")
    return "".join(lines).encode("cp1251")


@pytest.fixture
def broker():
    broker = dramatiq.get_broker()
    broker.flush_all()
    yield broker
    broker.flush_all()


def start(tenant, content: bytes, name="reestr.csv", **kwargs) -> AssetImport:
    with schema_context(tenant.schema_name):
        return import_jobs.asset_import_start(upload=ContentFile(content, name=name), filename=name, **kwargs)


def test_the_job_checks_then_writes_and_records_its_progress(alpha, media_root, broker,
                                                            django_capture_on_commit_callbacks):
    holder(alpha)
    with django_capture_on_commit_callbacks(execute=True):
        run = start(alpha, csv_bytes(5), source="back_office")
    assert run.status == ImportStatus.QUEUED and run.mapping["Наименование"] == "name"
    with schema_context(alpha.schema_name):
        assert not Asset.objects.exists()
    assert run_queued(broker) == 1  # the message carries only the import's id
    with schema_context(alpha.schema_name):
        run.refresh_from_db()
        assert (run.status, run.rows_total, run.rows_checked, run.rows_done, run.created_count, run.percent) == (
            ImportStatus.DONE, 5, 5, 5, 5, 100)
        assert Asset.objects.count() == 5
        assert AssetChange.objects.filter(import_run=run, action="created").count() == 5
        assert not run.file  # the upload is not kept once its rows are in the register
        assert AuditEntry.objects.filter(action="asset.imported", target_id=str(run.pk)).exists()
        assert import_jobs.asset_import_run(run.pk).status == ImportStatus.DONE  # run again: nothing happens
        assert Asset.objects.count() == 5


def test_a_file_with_a_rejected_row_fails_with_a_report_and_writes_nothing(alpha, media_root):
    holder(alpha)
    run = start(alpha, csv_bytes(5, bad_row=4), queue=False)
    with schema_context(alpha.schema_name):
        run = import_jobs.asset_import_run(run.pk)
        assert run.status == ImportStatus.FAILED and run.rejected_count == 1 and run.rows_done == 0
        [rejected] = run.report
        assert rejected["row"] == 5 and "0000000000" in rejected["reasons"][0]
        assert not Asset.objects.exists()


def test_a_bad_file_is_refused_before_it_is_queued(alpha, media_root):
    with pytest.raises(ValidationError) as caught:
        start(alpha, "Имя;Что-то\nx;y\n".encode(), name="r.csv")
    assert caught.value.error_dict["file"][0].code == codes.UNKNOWN_COLUMNS
    with pytest.raises(ValidationError) as caught:
        start(alpha, b"MZ", name="r.exe")
    assert caught.value.error_dict["file"][0].code == codes.UNREADABLE_FILE
    with schema_context(alpha.schema_name):
        assert not AssetImport.objects.exists()


def test_an_interrupted_import_resumes_without_writing_a_row_twice(alpha, media_root, monkeypatch, broker,
                                                                  django_capture_on_commit_callbacks):
    holder(alpha)
    monkeypatch.setattr(imports, "CHUNK", 2)
    run = start(alpha, csv_bytes(5), queue=False)
    real = import_jobs.run_chunk
    calls = {"writes": 0}

    def dies_on_the_second_written_chunk(report, chunk, fields, context, *, write):
        if write:
            calls["writes"] += 1
            if calls["writes"] == 2:
                raise RuntimeError("the worker was killed")
        return real(report, chunk, fields, context, write=write)

    monkeypatch.setattr(import_jobs, "run_chunk", dies_on_the_second_written_chunk)
    with schema_context(alpha.schema_name), pytest.raises(RuntimeError):
        import_jobs.asset_import_run(run.pk)
    with schema_context(alpha.schema_name):
        run.refresh_from_db()
        assert (run.status, run.checked, run.rows_done, Asset.objects.count()) == (ImportStatus.RUNNING, True, 2, 2)
    monkeypatch.setattr(import_jobs, "run_chunk", real)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("assets_import", "--schema", alpha.schema_name, "--resume", str(run.pk))
    assert run_queued(broker) == 1
    with schema_context(alpha.schema_name):
        run.refresh_from_db()
        assert (run.status, run.rows_done, run.created_count) == (ImportStatus.DONE, 5, 5)
        names = list(Asset.objects.values_list("name", flat=True))
        assert sorted(names) == [f"Котельная № {n}" for n in range(1, 6)]  # each row once
        assert len(set(Asset.objects.values_list("register_number", flat=True))) == 5
        with pytest.raises(ValidationError) as caught:
            import_jobs.asset_import_resume(row=run)
        assert caught.value.code == codes.IMPORT_FINISHED


def test_the_command_imports_and_waits(alpha, media_root, tmp_path, capsys):
    holder(alpha)
    path = tmp_path / "reestr.csv"
    path.write_bytes(csv_bytes(3))
    call_command("assets_import", "--schema", alpha.schema_name, str(path), "--wait")
    result = json.loads(capsys.readouterr().out)
    assert (result["status"], result["created"], result["rows_done"]) == ("done", 3, 3)


START = """mutation ($name: String!, $file: String!, $mapping: [AssetImportColumnInput!]) {
  startAssetImport(fileName: $name, file: $file, mapping: $mapping) {
    assetImport { id status fileName } errors { field code } } }"""
STATE = """query ($id: ID!) { assetImport(id: $id) { status rowsTotal rowsDone percent created rejected error
  rejectedRows { row reasons } } }"""


def test_the_api_starts_an_import_and_follows_it(client, alpha, beta, media_root, broker,
                                                 django_capture_on_commit_callbacks):
    holder(alpha)
    with schema_context(alpha.schema_name):
        _c, token = api_client_create(name="Учёт", scopes=["assets:read", "assets:write"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    content = ("Объект;Тип;Вид права;ИНН правообладателя;Заметки\n"
               f"Гараж;здание;оперативное управление;{SCHOOL_INN};старый\n").encode()
    file = base64.b64encode(content).decode()
    _s, data = graphql(client, alpha.host, START, {"name": "r.csv", "file": file}, **headers)
    assert data["data"]["startAssetImport"]["errors"][0]["code"] == "UNKNOWN_COLUMNS"
    _s, data = graphql(client, alpha.host, START, {"name": "r.csv", "file": "не base64"}, **headers)
    assert data["data"]["startAssetImport"]["errors"] == [{"field": "file", "code": "INVALID"}]
    mapping = [{"header": "Объект", "field": "name"}, {"header": "Тип", "field": "kind"},
               {"header": "Заметки", "field": ""}]
    with django_capture_on_commit_callbacks(execute=True):
        _s, data = graphql(client, alpha.host, START, {"name": "r.csv", "file": file, "mapping": mapping}, **headers)
    started = data["data"]["startAssetImport"]
    assert started["errors"] == [] and started["assetImport"]["status"] == "QUEUED"
    gid = started["assetImport"]["id"]
    assert run_queued(broker) == 1
    _s, data = graphql(client, alpha.host, STATE, {"id": gid}, **headers)
    assert data["data"]["assetImport"] == {"status": "DONE", "rowsTotal": 1, "rowsDone": 1, "percent": 100,
                                           "created": 1, "rejected": 0, "error": None, "rejectedRows": []}
    # another municipality's import is not found; a read-only client may not follow imports
    with schema_context(beta.schema_name):
        _c, beta_token = api_client_create(name="Учёт", scopes=["assets:read", "assets:write"])
    _s, data = graphql(client, beta.host, STATE, {"id": gid}, HTTP_AUTHORIZATION=f"Bearer {beta_token}")
    assert data["data"]["assetImport"] is None
    with schema_context(alpha.schema_name):
        _c, read_token = api_client_create(name="Чтение", scopes=["assets:read"])
    _s, data = graphql(client, alpha.host, STATE, {"id": gid}, HTTP_AUTHORIZATION=f"Bearer {read_token}")
    assert data["errors"][0]["extensions"]["requiredScope"] == "assets:write"
    assert to_global_id("AssetImport", 1)  # the ID's type name


def test_the_progress_page_is_for_those_who_change_the_register_of_its_municipality(client, alpha, beta, media_root):
    from tests.conftest import login
    from tests.support.appeals import staff

    holder(beta)
    start(beta, csv_bytes(1), queue=False)
    other = start(beta, csv_bytes(1), queue=False)  # beta's second import: alpha has one only
    holder(alpha)
    mine = start(alpha, csv_bytes(1), queue=False)
    with schema_context(alpha.schema_name):
        assert not AssetImport.objects.filter(pk=other.pk).exists()
    url = "/admin/assets/asset/imports/{}/"
    login(client, alpha.host, alpha.admin_email)
    assert client.get(url.format(mine.pk), HTTP_HOST=alpha.host).status_code == 200
    listing = client.get("/admin/assets/assetimport/", HTTP_HOST=alpha.host).content.decode()
    assert url.format(mine.pk) in listing and "reestr.csv" in listing
    assert client.get(url.format(other.pk), HTTP_HOST=alpha.host).status_code == 404
    assert client.get(url.format(other.pk) + "status.json", HTTP_HOST=alpha.host).status_code == 404
    staff(alpha, "reader@alpha.example.ru", "viewer")
    login(client, alpha.host, "reader@alpha.example.ru")
    assert client.get(url.format(mine.pk), HTTP_HOST=alpha.host).status_code == 403
    assert client.get(url.format(mine.pk) + "status.json", HTTP_HOST=alpha.host).status_code == 403
    assert client.get("/admin/assets/assetimport/", HTTP_HOST=alpha.host).status_code == 403


def test_an_import_job_reads_its_file_from_an_object_store(alpha, object_store):
    """With FILE_STORAGE=s3 the upload is kept in the bucket (under the municipality's prefix) and the job
    reads a local copy of it; the file leaves the bucket once the rows are written."""
    holder(alpha)
    run = start(alpha, csv_bytes(3))
    keys = {item["Key"] for item in object_store.list_objects_v2(Bucket="gorodok-files").get("Contents", [])}
    assert any(key.startswith(f"media/{alpha.schema_name}/") for key in keys)
    with schema_context(alpha.schema_name):
        done = import_jobs.asset_import_run(run.pk)
        assert done.status == ImportStatus.DONE and done.created_count == 3
        assert Asset.objects.count() >= 3
    keys = {item["Key"] for item in object_store.list_objects_v2(Bucket="gorodok-files").get("Contents", [])}
    assert not any(key.startswith(f"media/{alpha.schema_name}/") for key in keys)
