"""Import and extract of the property register: XLSX and CSV (UTF-8, cp1251; commas, semicolons), the
column mapping, the dry run's row report, all or nothing, bad files; the extract's sheets, CSV and
GeoJSON, with formulas neutralised."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context
from openpyxl import Workbook, load_workbook

from gorodok_platform.integrations.models import OutboxEvent
from gorodok_services.assets import error_codes as codes
from gorodok_services.assets import exports, imports
from gorodok_services.assets.models import Asset, AssetChange
from tests.support.assets import SCHOOL_INN, building, holder

HEADERS = ["Реестровый номер", "Вид объекта", "Наименование", "Адрес (местоположение)", "Кадастровый номер",
           "Вид права", "ИНН правообладателя", "Балансовая стоимость, руб.", "Остаточная стоимость, руб."]


def rows_ok() -> list[list]:
    return [
        ["", "здание", "Здание школы № 2", "ул. Ленина, 1", "19:01:010101:11", "оперативное управление", SCHOOL_INN,
         "1 250 000,50", "1000000"],
        ["", "земельный участок", "Участок под школой № 2", "ул. Ленина, 1", "19:01:010101:12",
         "постоянное (бессрочное) пользование", SCHOOL_INN, "300000", ""],
        ["", "vehicle", "Автобус", "", "", "operational_management", SCHOOL_INN, 2500000, 1000000],
    ]


def write_xlsx(path, headers, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path, headers, rows, encoding="utf-8", delimiter=","):
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def run(tenant, path, **kwargs):
    with schema_context(tenant.schema_name):
        return imports.assets_import(path=path, filename=path.name, **kwargs)


def test_dry_run_reports_every_row_and_writes_nothing(alpha, tmp_path):
    holder(alpha)
    path = write_xlsx(tmp_path / "reestr.xlsx", HEADERS, rows_ok())
    report = run(alpha, path, dry_run=True)
    assert (report.created, report.updated, report.rejected, report.applied) == (3, 0, 0, False)
    assert [r.outcome for r in report.rows] == ["created"] * 3 and [r.row for r in report.rows] == [2, 3, 4]
    with schema_context(alpha.schema_name):
        assert Asset.objects.count() == 0


def test_import_xlsx_creates_numbers_history_and_events_in_bulk(alpha, tmp_path):
    holder(alpha)
    path = write_xlsx(tmp_path / "reestr.xlsx", HEADERS, rows_ok())
    report = run(alpha, path, dry_run=False)
    assert report.applied and report.created == 3
    with schema_context(alpha.schema_name):
        school = Asset.objects.get(name="Здание школы № 2")
        assert school.register_number == "1.000001" and school.section == "real_estate"
        assert school.balance_value == Decimal("1250000.50") and school.right_type == "operational_management"
        plot = Asset.objects.get(name="Участок под школой № 2")
        assert plot.residual_value == plot.balance_value == Decimal("300000.00")
        assert Asset.objects.get(kind="vehicle").register_number == "2.000001"
        assert AssetChange.objects.filter(source="import").count() == 3
        assert school.changes.get().changes["balance_value"] == [None, "1250000.50"]
        assert OutboxEvent.objects.filter(event_type="asset.created").count() == 3
        body = OutboxEvent.objects.get(payload__data__register_number="1.000001").payload
    # The same body outbox_emit writes: what subscribers receive does not depend on how the object came.
    assert set(body) == {"id", "type", "occurred_at", "municipality", "data"}
    assert body["municipality"]["schema"] == alpha.schema_name
    assert body["data"]["balance_value"] == "1250000.50" and body["data"]["included_on"]


def test_a_row_with_a_known_register_number_updates_it(alpha, tmp_path):
    asset = building(alpha)
    path = write_csv(tmp_path / "update.csv", ["Реестровый номер", "Вид объекта", "Наименование", "Вид права",
                                               "ИНН правообладателя", "Остаточная стоимость, руб."],
                     [[asset.register_number, "здание", asset.name, "оперативное управление", SCHOOL_INN,
                       "30000000"]])
    report = run(alpha, path, dry_run=False)
    assert (report.created, report.updated, report.applied) == (0, 1, True)
    with schema_context(alpha.schema_name):
        asset.refresh_from_db()
        assert asset.residual_value == Decimal("30000000.00")
        assert asset.changes.filter(source="import").get().changes == {"residual_value": [None, "30000000.00"]}


@pytest.mark.parametrize(("encoding", "delimiter"), [("cp1251", ";"), ("utf-8-sig", ";"), ("utf-8", ",")])
def test_csv_in_excel_encodings_and_delimiters(alpha, tmp_path, encoding, delimiter):
    holder(alpha)
    path = write_csv(tmp_path / "reestr.csv", HEADERS, rows_ok(), encoding=encoding, delimiter=delimiter)
    report = run(alpha, path, dry_run=False)
    assert report.applied and report.created == 3, [r.reasons for r in report.rows]
    with schema_context(alpha.schema_name):
        assert Asset.objects.filter(name="Здание школы № 2", address="ул. Ленина, 1").exists()


def test_one_rejected_row_and_nothing_is_written(alpha, tmp_path):
    holder(alpha)
    bad = [
        ["", "здание", "Плохой кадастровый", "", "19-01-1", "оперативное управление", SCHOOL_INN, "100", "50"],
        ["", "здание", "Отрицательная", "", "", "оперативное управление", SCHOOL_INN, "-5", "0"],
        ["", "здание", "Остаточная выше", "", "", "оперативное управление", SCHOOL_INN, "100", "200"],
        ["", "здание", "Чужой ИНН", "", "", "оперативное управление", "7707083893", "100", "50"],
        ["", "ракета", "Неизвестный вид", "", "", "оперативное управление", SCHOOL_INN, "100", "50"],
        ["1.000077", "здание", "Дубль номера 1", "", "", "оперативное управление", SCHOOL_INN, "100", "50"],
        ["1.000077", "здание", "Дубль номера 2", "", "", "оперативное управление", SCHOOL_INN, "100", "50"],
        ["", "здание", "=HYPERLINK(\"http://evil\")", "", "", "оперативное управление", SCHOOL_INN, "abc", "1"],
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", HEADERS, rows_ok() + bad)
    report = run(alpha, path, dry_run=False)
    assert not report.applied and (report.created, report.rejected) == (4, 7)
    reasons = {r.name: " ".join(r.reasons) for r in report.rows if r.outcome == "rejected"}
    assert "cadastral_number" in reasons["Плохой кадастровый"]
    assert "balance_value" in reasons["Отрицательная"]
    assert "residual_value" in reasons["Остаточная выше"]
    assert "7707083893" in reasons["Чужой ИНН"]
    assert "kind" in reasons["Неизвестный вид"]
    assert reasons["Дубль номера 2"].startswith("register_number") and "Дубль номера 1" not in reasons
    # A formula in a workbook is not a value (the import reads values only): the row has no name.
    assert "name" in reasons[""] and "balance_value" in reasons[""]
    with schema_context(alpha.schema_name):
        assert Asset.objects.count() == 0 and OutboxEvent.objects.count() == 0


def test_unknown_columns_need_a_mapping(alpha, tmp_path):
    holder(alpha)
    path = write_xlsx(tmp_path / "own.xlsx", [*HEADERS, "Примечание бухгалтера"],
                      [[*row, "что-то"] for row in rows_ok()])
    with pytest.raises(ValidationError) as caught:
        run(alpha, path, dry_run=True)
    assert caught.value.error_dict["file"][0].code == codes.UNKNOWN_COLUMNS
    assert "Примечание бухгалтера" in caught.value.messages[0]
    report = run(alpha, path, dry_run=True, mapping={"Примечание бухгалтера": ""})
    assert report.created == 3
    renamed = write_xlsx(tmp_path / "renamed.xlsx", ["Объект", *HEADERS[:2], *HEADERS[3:]],
                         [[r[2], *r[:2], *r[3:]] for r in rows_ok()])
    report = run(alpha, renamed, dry_run=True, mapping={"Объект": "name"})
    assert report.created == 3


@pytest.mark.parametrize(("content", "name", "code"), [
    ("Реестровый номер,Наименование\n".encode("utf-16"), "r.csv", codes.WRONG_ENCODING),
    (b"PK\x03\x04 not really a workbook", "r.xlsx", codes.UNREADABLE_FILE),
    (b"%PDF-1.4", "r.pdf", codes.UNREADABLE_FILE),
    ("Наименование,Адрес\nшкола,ул. Ленина\n".encode(), "r.csv", codes.MISSING_COLUMNS),
])
def test_bad_files_are_typed_errors(alpha, tmp_path, content, name, code):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationError) as caught:
        run(alpha, path, dry_run=False)
    assert caught.value.error_dict["file"][0].code == code


def test_a_file_above_the_limit_is_refused_before_reading(alpha, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "MAX_IMPORT_BYTES", 1024)
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(ValidationError) as caught:
        run(alpha, path, dry_run=True)
    assert caught.value.error_dict["file"][0].code == codes.FILE_TOO_LARGE


def test_a_50_mb_file_is_refused_at_the_real_limit(alpha, tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(ValidationError) as caught:
        run(alpha, path, dry_run=True)
    assert caught.value.error_dict["file"][0].code == codes.FILE_TOO_LARGE


def test_extract_xlsx_has_a_sheet_per_section_and_neutralises_formulas(alpha, tmp_path):
    from django.utils import translation

    building(alpha, name="=HYPERLINK(\"http://evil\",\"Нажми\")", purpose="+79001234567", parameters="@SUM(A1)")
    # The extract is in Russian whatever language is active.
    with schema_context(alpha.schema_name), translation.override("en"):
        target = io.BytesIO()
        exports.write_xlsx(target)
    workbook = load_workbook(io.BytesIO(target.getvalue()), read_only=True)
    assert [s.title for s in workbook.worksheets] == ["Раздел 1. Недвижимое имущество",
                                                      "Раздел 2. Движимое имущество", "Раздел 3. Правообладатели"]
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("Реестровый номер", "Вид объекта", "Наименование")
    assert rows[1][2] == "'=HYPERLINK(\"http://evil\",\"Нажми\")"
    assert rows[1][3] == "'+79001234567" and "'@SUM(A1)" in rows[1]
    assert rows[1][1] == "здание"
    holders = list(workbook.worksheets[2].iter_rows(values_only=True))
    assert holders[1][3] == SCHOOL_INN


def test_extract_csv_and_geojson(alpha):
    building(alpha, name="-1 здание")
    with schema_context(alpha.schema_name):
        text = "".join(exports.csv_lines("real_estate"))
        geo = json.loads("".join(exports.geojson_chunks()))
    assert text.startswith("\ufeffРеестровый номер;")
    row = next(csv.reader(io.StringIO(text.splitlines()[1]), delimiter=";"))
    assert row[2] == "'-1 здание" and row[-1] == "12.03.2015" and "64000000,00" in row
    assert geo["type"] == "FeatureCollection"
    assert geo["features"][0]["geometry"] == {"type": "Point", "coordinates": [91.429, 53.719]}


def test_what_is_exported_can_be_imported_back(alpha, beta, tmp_path):
    building(alpha)
    with schema_context(alpha.schema_name):
        exports.write_xlsx(tmp_path / "extract.xlsx")
    holder(beta)
    report = run(beta, tmp_path / "extract.xlsx", dry_run=False)
    assert report.applied and report.created == 1
    with schema_context(beta.schema_name):
        copy = Asset.objects.get()
    assert (copy.register_number, copy.cadastral_number, copy.balance_value) == (
        "1.000001", "19:01:010203:215", Decimal("64000000.00"))
