"""Reading the first sheet of an XLSX workbook as rows of plain values, streamed.

The import reads thousands of rows and needs only their values: openpyxl's read-only mode builds a
rich-text object for every string cell and, for a sheet without a ``<dimension>`` (openpyxl's own
write-only files), reads the whole sheet once more just to size it; that was most of the import's time.
Here the sheet's XML is parsed once, incrementally, by lxml with entities, DTDs and the network off
(a workbook is hostile input); each row is released as soon as it is yielded, and values come out as
openpyxl gives them: text, int, float, bool, and datetime for numbers in a date format. Shared
strings (what Excel writes) are read into memory first, as every reader must.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_COLUMN = re.compile(r"^([A-Z]{1,3})")


class NotAWorkbook(Exception):
    """The file is not a workbook this reader understands (the caller reports it as unreadable)."""


def iterparse(handle, events=("end",), tag=None):
    """lxml's incremental parser, safe for hostile input: no entity expansion, no DTD, no network."""
    return etree.iterparse(handle, events=events, tag=tag, resolve_entities=False, load_dtd=False,
                           no_network=True, huge_tree=False, remove_comments=True, remove_pis=True)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _first_sheet(archive: zipfile.ZipFile) -> tuple[str, bool]:
    """(the first sheet's part name, whether dates count from 1904)."""
    try:
        with archive.open("xl/workbook.xml") as handle:
            first_rid, date1904 = None, False
            for _event, element in iterparse(handle):
                name = _local(element.tag)
                if name == "workbookPr":
                    date1904 = element.get("date1904", "").lower() in ("1", "true")
                elif name == "sheet" and first_rid is None:
                    first_rid = element.get(f"{REL}id")
        target = None
        with archive.open("xl/_rels/workbook.xml.rels") as handle:
            for _event, element in iterparse(handle):
                if _local(element.tag) == "Relationship" and element.get("Id") == first_rid:
                    target = element.get("Target")
    except KeyError as exc:
        raise NotAWorkbook from exc
    if not target:
        raise NotAWorkbook
    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return part, date1904


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    try:
        handle = archive.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    strings: list[str] = []
    with handle:
        for _event, element in iterparse(handle, tag=f"{MAIN}si"):
            if element.tag == f"{MAIN}si":
                # Plain text is <t>; rich text is runs <r><t>; phonetic hints (<rPh>) are not the text.
                parts = []
                for child in element:
                    if child.tag == f"{MAIN}t":
                        parts.append(child.text or "")
                    elif child.tag == f"{MAIN}r":
                        parts.extend(t.text or "" for t in child.iter(f"{MAIN}t"))
                strings.append("".join(parts))
                element.clear()
    return strings


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indices of the cell formats (``s`` of a cell) whose number format is a date."""
    try:
        handle = archive.open("xl/styles.xml")
    except KeyError:
        return set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    in_cell_xfs = False
    with handle:
        for event, element in iterparse(handle, events=("start", "end")):
            name = _local(element.tag)
            if name == "cellXfs":
                in_cell_xfs = event == "start"
            elif event == "end" and name == "numFmt":
                custom[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
            elif event == "end" and name == "xf" and in_cell_xfs:
                formats.append(int(element.get("numFmtId", "0")))
    dates = set()
    for index, format_id in enumerate(formats):
        code = custom.get(format_id) or BUILTIN_FORMATS.get(format_id, "")
        if code and is_date_format(code):
            dates.add(index)
    return dates


def _number(text: str):
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


def iter_rows(path) -> Iterator[list]:
    """The first sheet's rows, from row 1, as lists of values (None for an empty cell; a row missing
    from the file is an empty list, so row numbers stay those of the spreadsheet)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise NotAWorkbook from exc
    with archive:
        sheet, date1904 = _first_sheet(archive)
        strings = _shared_strings(archive)
        dates = _date_styles(archive)
        epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        try:
            handle = archive.open(sheet)
        except KeyError as exc:
            raise NotAWorkbook from exc
        with handle:
            yield from _rows(handle, strings, dates, epoch)


def _cell_value(cell, kind: str, strings: list[str], dates: set[int], epoch):
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{MAIN}t"))
    value = cell.find(f"{MAIN}v")
    text = value.text if value is not None else None
    if text is None:
        return None
    if kind == "s":
        return strings[int(text)]
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "d":
        return datetime.fromisoformat(text.rstrip("Z"))
    number = _number(text)
    style = cell.get("s")
    if style is not None and int(style) in dates:
        return from_excel(number, epoch)
    return number


def _rows(handle, strings: list[str], dates: set[int], epoch) -> Iterator[list]:
    expected = 1
    cell_tag = f"{MAIN}c"
    for _event, element in iterparse(handle, tag=f"{MAIN}row"):
        number = int(element.get("r") or expected)
        while expected < number:  # rows the file leaves out
            yield []
            expected += 1
        values: list = []
        for cell in element.iter(cell_tag):
            reference = cell.get("r")
            if reference:
                match = _COLUMN.match(reference)
                index = column_index_from_string(match.group(1)) - 1 if match else len(values)
                if index > len(values):
                    values.extend([None] * (index - len(values)))
            values.append(_cell_value(cell, cell.get("t", "n"), strings, dates, epoch))
        yield values
        expected = number + 1
        # Release the row and the ones before it (the parser keeps the tree it has built).
        element.clear(keep_tail=False)
        parent = element.getparent()
        while element.getprevious() is not None:
            del parent[0]
