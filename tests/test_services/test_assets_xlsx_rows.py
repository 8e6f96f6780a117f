"""The import's XLSX reader: the same values as openpyxl, shared and rich strings as Excel writes them,
dates in custom formats, rows left out of the file, and hostile XML refused."""

from __future__ import annotations

import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from gorodok_services.assets.xlsx_rows import iter_rows

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def openpyxl_rows(path) -> list[list]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    return rows


def trimmed(rows):
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        out.append(row)
    return out


@pytest.mark.parametrize("write_only", [True, False])
def test_the_same_values_as_openpyxl(tmp_path, write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("Реестр") if write_only else workbook.active
    sheet.append(["Наименование", "Сумма", "Дата", "Флаг", "Пусто", "Целое"])
    sheet.append(["Здание школы", 1250000.5, date(2015, 3, 12), True, None, 7])
    sheet.append(["=HYPERLINK(\"x\")", -3.25e-5, datetime(2020, 1, 2, 3, 4), False, None, 0])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    assert trimmed(iter_rows(path)) == trimmed(openpyxl_rows(path))


def write_parts(path, parts: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)


def excel_like(sheet_data: str, shared: str = "", styles: str = "") -> dict[str, str]:
    return {
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                           'relationships"><workbookPr/><sheets><sheet name="Лист1" sheetId="1" r:id="rId1"/>'
                           "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                                      'relationships"><Relationship Id="rId1" Type="x" Target="worksheets/data.xml"/>'
                                      "</Relationships>",
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">{shared}</sst>',
        "xl/styles.xml": f'<styleSheet xmlns="{MAIN}">{styles}</styleSheet>',
        "xl/worksheets/data.xml": f'<worksheet xmlns="{MAIN}"><sheetData>{sheet_data}</sheetData></worksheet>',
    }


def test_shared_and_rich_strings_custom_dates_and_gaps(tmp_path):
    shared = ('<si><t>Котельная</t></si><si><r><t>Дом </t></r><r><rPr><b/></rPr><t>№ 5</t></r>'
              "<rPh><t>ふりがな</t></rPh></si>")
    styles = ('<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
              '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs>')
    sheet = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>'
             '<row r="4"><c r="B4" s="1"><v>42075</v></c><c r="C4" t="b"><v>1</v></c>'
             '<c r="D4" t="str"><v>итог</v></c><c r="E4" t="inlineStr"><is><t>ввод</t></is></c></row>')
    path = tmp_path / "excel.xlsx"
    write_parts(path, excel_like(sheet, shared, styles))
    assert list(iter_rows(path)) == [
        ["Котельная", None, "Дом № 5"], [], [], [None, datetime(2015, 3, 12), True, "итог", "ввод"]]


def test_entities_are_not_expanded(tmp_path):
    from gorodok_services.assets.imports import open_table

    bomb = ('<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
            '<!ENTITY ext SYSTEM "file:///etc/passwd">]>')
    parts = excel_like('<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;&ext;</t></is></c></row>')
    parts["xl/worksheets/data.xml"] = bomb + parts["xl/worksheets/data.xml"]
    path = tmp_path / "bomb.xlsx"
    write_parts(path, parts)
    try:
        with open_table(path) as (headers, _rows):
            text = "".join(headers)
    except Exception as exc:  # refused outright is fine too
        assert "XLSX" in str(exc)
    else:
        assert "root:" not in text and "lol" not in text  # neither expanded nor read from the disk
