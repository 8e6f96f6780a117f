"""Bulk creation from CSV: each row whole or not at all, with a row-level report."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_exists

from gorodok_tenants.models import Municipality
from gorodok_tenants.provisioning.bulk_import import municipalities_import
from tests.conftest import graphql, login

HEADER = "oktmo,name,name_en,kind,parent_oktmo,slug\n"
DISTRICT = "95612000,Бейский район,Beysky District,municipal_district,,beysky-csv\n"


def settlements(count: int, start: int = 1) -> str:
    return "".join(
        f"95612{400 + i:03d}101,Поселение {i},Settlement {i},rural_settlement,95612000,settlement-{i}\n"
        for i in range(start, start + count)
    )


def test_district_then_its_settlements_in_one_file(alpha):
    report = municipalities_import(text=HEADER + DISTRICT + settlements(3))
    assert [r.status for r in report.rows] == ["created"] * 4
    settlement = Municipality.objects.get(slug="settlement-2")
    assert settlement.parent.slug == "beysky-csv"
    assert schema_exists(settlement.schema_name)
    assert settlement.primary_domain == "settlement-2.localhost"


def test_bad_rows_are_rejected_with_reasons_and_nothing_half_created(alpha):
    text = (HEADER + DISTRICT
            + "9561240X101,Плохой ОКТМО,Bad OKTMO,rural_settlement,95612000,bad-oktmo\n"
            + "95612402101,Дубль,Duplicate slug,rural_settlement,95612000,alpha\n"
            + "95612403101,Сирота,Orphan,rural_settlement,95999000,orphan\n"
            + "95612404101,Хорошее,Good,rural_settlement,95612000,good-one\n"
            + "95612404101,Повтор,Repeated OKTMO,rural_settlement,95612000,repeat-oktmo\n")
    report = municipalities_import(text=text)
    statuses = {r.slug: r.status for r in report.rows}
    assert statuses == {"beysky-csv": "created", "bad-oktmo": "rejected", "alpha": "rejected",
                        "orphan": "rejected", "good-one": "created", "repeat-oktmo": "rejected"}
    reasons = {r.slug: " ".join(r.errors) for r in report.rejected}
    assert "OKTMO" in reasons["bad-oktmo"] or "ОКТМО" in reasons["bad-oktmo"]
    assert "slug" in reasons["alpha"]
    assert "95999000" in reasons["orphan"]
    assert "oktmo" in reasons["repeat-oktmo"]
    assert not Municipality.objects.filter(slug__in=["bad-oktmo", "orphan", "repeat-oktmo"]).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace "
                       "WHERE nspname IN ('m_bad_oktmo', 'm_orphan', 'm_repeat_oktmo')")
        assert cursor.fetchall() == []


def test_dry_run_checks_everything_and_creates_nothing(alpha):
    before = Municipality.objects.count()
    report = municipalities_import(text=HEADER + DISTRICT + settlements(100), dry_run=True)
    assert len(report.rows) == 101
    assert not report.rejected, report.rejected[:3]
    assert Municipality.objects.count() == before


def test_header_is_checked():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        municipalities_import(text="oktmo;name\n1;2\n")
    assert raised.value.code == "invalid_header"


def test_semicolons_bom_and_russian_kind_labels(alpha):
    text = ("\ufeffoktmo;name;name_en;kind;parent_oktmo;slug\n"
            "95612000;Бейский район;Beysky;Муниципальный район;;beysky-csv\n")
    report = municipalities_import(text=text)
    assert report.rows[0].status == "created", report.rows[0].errors


def test_command_line(tmp_path, alpha):
    path = tmp_path / "settlements.csv"
    path.write_text(HEADER + DISTRICT + settlements(2), encoding="utf-8")
    out = io.StringIO()
    call_command("import_municipalities", str(path), stdout=out)
    assert "3 created, 0 rejected" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "123,x,x,rural_settlement,95612000,x-bad\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_municipalities", str(bad), stdout=io.StringIO(), stderr=err)
    assert "line 2" in err.getvalue()


def test_console_upload(client, regional_admin, region_host, alpha):
    login(client, region_host, regional_admin.email)
    url = "/admin/gorodok_tenants/municipality/import/"
    upload = SimpleUploadedFile("s.csv", (HEADER + DISTRICT + settlements(2)).encode())
    response = client.post(url, {"csv_file": upload, "dry_run": "on"}, HTTP_HOST=region_host)
    assert response.status_code == 200
    assert response.context["report"].dry_run
    assert not Municipality.objects.filter(slug="beysky-csv").exists()
    upload = SimpleUploadedFile("s.csv", (HEADER + DISTRICT + settlements(2)).encode())
    response = client.post(url, {"csv_file": upload}, HTTP_HOST=region_host)
    # Creating schemas is long work: the console starts a task and shows its progress.
    from gorodok_tenants.lifecycle.tasks import console_task_run
    from gorodok_tenants.models import ConsoleTask, ConsoleTaskKind

    assert response.status_code == 302 and "/consoletask/" in response["Location"]
    assert not Municipality.objects.filter(slug="beysky-csv").exists()
    task = ConsoleTask.objects.filter(kind=ConsoleTaskKind.BULK_IMPORT).latest("pk")
    done = console_task_run(task.pk)
    assert done.result["created"] == 3 and done.params == {}  # the uploaded file is not kept
    assert done.steps_total == 3 and done.steps_done == 3
    page = client.get(response["Location"], HTTP_HOST=region_host).content.decode()
    assert "Поселение 1" in page and "100%" in page
    status, body = graphql(client, "settlement-1.localhost", "{ municipality { name } }")
    assert body["data"]["municipality"]["name"] == "Поселение 1"
