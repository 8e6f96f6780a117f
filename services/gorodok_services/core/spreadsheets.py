"""Cells of exported spreadsheets (XLSX, CSV) that cannot turn into formulas.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheet programs strip before looking) is a formula to Excel and LibreOffice: a municipality's name
or a classifier title received from outside could then run ``=HYPERLINK(...)`` or worse on a clerk's
computer. Such text gets a leading apostrophe, which shows the text as typed. Numbers stay numbers.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def spreadsheet_row(values: Iterable) -> list:
    return [spreadsheet_cell(value) for value in values]
