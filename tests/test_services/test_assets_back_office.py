"""The property register in the back office: lists with filters and search, the object page with its
documents, encumbrances and history, changes and removal through the services (errors as form errors),
the import wizard, the extract download, and another municipality's objects not found."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import dramatiq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from openpyxl import Workbook, load_workbook

from gorodok_services.assets.models import Asset, AssetChange, AssetStatus
from tests.conftest import login
from tests.support.assets import SCHOOL_INN, building, holder, run_queued, vehicle

LIST = "/admin/assets/asset/"


@pytest.fixture
def signed_in(client, alpha):
    login(client, alpha.host, alpha.admin_email)
    return client


def test_list_filters_and_search(signed_in, alpha):
    school = building(alpha)
    bus = vehicle(alpha)
    page = signed_in.get(LIST, {"section__exact": "movable"}, HTTP_HOST=alpha.host).content.decode()
    assert bus.name in page and school.name not in page
    page = signed_in.get(LIST, {"q": "19:01:010203"}, HTTP_HOST=alpha.host).content.decode()
    assert school.name in page and bus.name not in page
    page = signed_in.get(LIST, {"q": "Щетинкина"}, HTTP_HOST=alpha.host).content.decode()
    assert school.name in page
    page = signed_in.get(LIST, {"right_type__exact": "economic_management"}, HTTP_HOST=alpha.host).content.decode()
    assert school.name not in page and bus.name not in page
    page = signed_in.get(LIST, HTTP_HOST=alpha.host).content.decode()
    assert "extract.xlsx" in page and "import/" in page


def test_adding_and_changing_go_through_the_services(signed_in, alpha):
    owner = holder(alpha)
    form = {"register_number": "", "kind": "land_plot", "name": "Участок у реки", "cadastral_number": "19:01:1",
            "right_type": "ownership", "holder": owner.pk, "balance_value": "100", "residual_value": "200",
            "included_on": "2020-02-01", "year": "", "especially_valuable": ""}
    response = signed_in.post(f"{LIST}add/", form, HTTP_HOST=alpha.host)
    assert response.status_code == 200
    page = response.content.decode()
    assert "A cadastral number looks like 19:01:010101:123." in page
    assert "The residual value cannot exceed the balance value." in page
    with schema_context(alpha.schema_name):
        assert not Asset.objects.exists()
    form.update(cadastral_number="19:01:020401:9", residual_value="100")
    response = signed_in.post(f"{LIST}add/", form, HTTP_HOST=alpha.host)
    assert response.status_code == 302, response.content.decode()[:3000]
    with schema_context(alpha.schema_name):
        asset = Asset.objects.get()
        assert asset.register_number == "1.000001" and asset.section == "real_estate"
    form.update(residual_value="90.50", name="Участок у реки Абакан")
    # The read-only inlines' management forms and row ids, as the page has them (whatever inlines it shows).
    page = signed_in.get(f"{LIST}{asset.pk}/change/", HTTP_HOST=alpha.host).content.decode()
    for tag in re.findall(r"<input[^>]*>", page):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and re.search(r"-(TOTAL_FORMS|INITIAL_FORMS|\d+-id|\d+-asset)$", name.group(1)):
            form[name.group(1)] = value.group(1) if value else ""
    response = signed_in.post(f"{LIST}{asset.pk}/change/", form, HTTP_HOST=alpha.host)
    assert response.status_code == 302, response.content.decode()[:3000]
    with schema_context(alpha.schema_name):
        change = AssetChange.objects.filter(asset=asset, action="changed").get()
        assert change.changes == {"residual_value": ["100.00", "90.50"],
                                  "name": ["Участок у реки", "Участок у реки Абакан"]}
        assert change.actor_email == alpha.admin_email and change.source == "back_office"
    page = signed_in.get(f"{LIST}{asset.pk}/change/", HTTP_HOST=alpha.host).content.decode()
    assert "Участок у реки → Участок у реки Абакан" in page


def test_documents_encumbrances_and_removal_pages(signed_in, alpha, media_root):
    asset = building(alpha)
    url = f"{LIST}{asset.pk}/act/"
    response = signed_in.post(f"{url}document/", {"kind": "contract", "number": "17", "date": "2015-03-01",
                                                  "issuer": "Администрация",
                                                  "file": SimpleUploadedFile("dogovor.pdf", b"%PDF-1.4")},
                              HTTP_HOST=alpha.host)
    assert response.status_code == 302
    response = signed_in.post(f"{url}encumbrance/", {"kind": "lease", "basis": "договор аренды № 5",
                                                     "beneficiary": "ИП Иванов", "starts_on": "2023-01-01",
                                                     "ends_on": "2022-01-01"}, HTTP_HOST=alpha.host)
    assert "The term ends before it starts." in response.content.decode()
    response = signed_in.post(f"{url}remove/", {"kind": "write_off", "date": "2024-05-01", "removed_on": "2024-05-01",
                                                "reason": ""}, HTTP_HOST=alpha.host)
    assert response.status_code == 200
    response = signed_in.post(f"{url}remove/", {"kind": "write_off", "number": "12", "date": "2024-05-01",
                                                "removed_on": "2024-05-01", "reason": "снесено"}, HTTP_HOST=alpha.host)
    assert response.status_code == 302
    page = signed_in.get(f"{LIST}{asset.pk}/change/", HTTP_HOST=alpha.host).content.decode()
    assert "dogovor" in page and "снесено" in page and "act/remove/" not in page
    with schema_context(alpha.schema_name):
        asset.refresh_from_db()
        assert asset.status == AssetStatus.REMOVED
        assert [c.action for c in asset.changes.order_by("at", "pk")] == ["created", "document_added", "status_changed",
                                                                         "removed"]
    assert signed_in.post(f"{LIST}{asset.pk}/delete/", {"post": "yes"}, HTTP_HOST=alpha.host).status_code == 403


def _workbook(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    target = io.BytesIO()
    workbook.save(target)
    return target.getvalue()


def test_the_import_wizard(signed_in, alpha, media_root, django_capture_on_commit_callbacks):
    holder(alpha)
    content = _workbook([
        ["Наименование объекта", "Тип объекта", "Вид права", "ИНН правообладателя", "Балансовая стоимость", "Заметки"],
        ["Котельная № 3", "здание", "хозяйственное ведение", SCHOOL_INN, "1000", "старая"],
        ["Автобус", "транспортное средство", "оперативное управление", SCHOOL_INN, "5000000", ""],
    ])
    url = f"{LIST}import/"
    response = signed_in.post(url, {"file": SimpleUploadedFile("reestr.xlsx", content)}, HTTP_HOST=alpha.host)
    page = response.content.decode()
    assert response.status_code == 200 and "Заметки" in page
    fields = dict(re.findall(r'name="(column_\d+)"', page) and [
        (name, "") for name in re.findall(r'name="(column_\d+)"', page)])
    assert len(fields) == 6
    mapping = {"column_0": "name", "column_1": "kind", "column_2": "right_type", "column_3": "holder_inn",
               "column_4": "balance_value", "column_5": ""}
    response = signed_in.post(url, {"step": "dry_run", **mapping}, HTTP_HOST=alpha.host)
    page = response.content.decode()
    assert 'class="import-created"' in page and "Dry run: nothing was written." in page
    with schema_context(alpha.schema_name):
        assert not Asset.objects.exists()
    broker = dramatiq.get_broker()
    broker.flush_all()
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(url, {"step": "import", **mapping}, HTTP_HOST=alpha.host)
    assert response.status_code == 302 and "/imports/" in response.url  # a job, not an import in the request
    with schema_context(alpha.schema_name):
        assert not Asset.objects.exists()
    page = signed_in.get(response.url, HTTP_HOST=alpha.host).content.decode()
    assert "import_progress.js" in page and "<progress" in page
    status = signed_in.get(f"{response.url}status.json", HTTP_HOST=alpha.host).json()
    assert status["status"] == "queued" and status["finished"] is False
    assert run_queued(broker) == 1
    status = signed_in.get(f"{response.url}status.json", HTTP_HOST=alpha.host).json()
    assert (status["status"], status["percent"], status["created"], status["rowsDone"]) == ("done", 100, 2, 2)
    with schema_context(alpha.schema_name):
        assert sorted(Asset.objects.values_list("register_number", "name")) == [
            ("1.000001", "Котельная № 3"), ("2.000001", "Автобус")]
        assert Asset.objects.get(name="Автобус").balance_value == Decimal("5000000.00")


def test_the_import_wizard_reports_a_bad_file(signed_in, alpha, media_root):
    response = signed_in.post(f"{LIST}import/", {"file": SimpleUploadedFile("r.csv", "Имя\n".encode("utf-16"))},
                              HTTP_HOST=alpha.host)
    assert "UTF-8 or Windows-1251" in response.content.decode()


def test_extract_download(signed_in, alpha):
    building(alpha)
    response = signed_in.get(f"{LIST}extract.xlsx", HTTP_HOST=alpha.host)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[1][:3] == ("1.000001", "здание", "Здание школы № 1")
    response = signed_in.get(f"{LIST}extract.geojson", HTTP_HOST=alpha.host)
    assert b"FeatureCollection" in b"".join(response.streaming_content)


def test_another_municipalitys_objects_are_not_found(signed_in, alpha, beta):
    theirs = building(beta)
    for url in (f"{LIST}{theirs.pk}/change/", f"{LIST}{theirs.pk}/act/remove/"):
        response = signed_in.get(url, HTTP_HOST=alpha.host, follow=True)
        assert theirs.name not in response.content.decode()
    assert signed_in.get(f"{LIST}{theirs.pk}/act/remove/", HTTP_HOST=alpha.host).status_code == 404
    response = signed_in.get(f"{LIST}extract.csv", {"section": "real_estate"}, HTTP_HOST=alpha.host)
    assert theirs.name not in b"".join(response.streaming_content).decode()
    with schema_context(beta.schema_name):
        theirs.refresh_from_db()
        assert theirs.status == AssetStatus.IN_REGISTER
