"""Identifier checks and spreadsheet-safe exports (pure functions: no services needed)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from marketplace.common import identifiers
from marketplace.common.spreadsheets import safe_cell, to_csv, to_xlsx


def test_vat_numbers_are_checked_and_normalised():
    assert identifiers.vat_number("IT 011 146 010 06") == "01114601006"
    with pytest.raises(identifiers.InvalidIdentifier):
        identifiers.vat_number("01114601007")  # wrong check digit
    with pytest.raises(identifiers.InvalidIdentifier):
        identifiers.vat_number("abc")


def test_tax_codes_for_people_and_organisations():
    assert identifiers.tax_code("rssmra85t10a562s") == "RSSMRA85T10A562S"
    assert identifiers.tax_code("01114601006") == "01114601006"
    with pytest.raises(identifiers.InvalidIdentifier):
        identifiers.tax_code("RSSMRA85T10A562X")


def test_ateco_codes_come_with_their_italian_title():
    assert identifiers.ateco_code("52.10") == ("52.10", "Magazzinaggio e deposito")
    with pytest.raises(identifiers.InvalidIdentifier):
        identifiers.ateco_code("99.99.99")


def test_phones_become_e164():
    assert identifiers.phone_e164("02 1234 5678") == "+390212345678"
    assert identifiers.phone_e164("+39 333 123 4567") == "+393331234567"
    with pytest.raises(identifiers.InvalidIdentifier):
        identifiers.phone_e164("12")


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+39 02", "-1", "@SUM(A1)", "\tx"])
def test_formula_like_cells_are_escaped(value):
    assert safe_cell(value) == "'" + value


def test_csv_export_escapes_formulas_and_opens_in_italian_excel():
    data = to_csv(["Nome", "P.IVA"], [["=cmd|' /C calc'!A0", "01114601006"], ["Coop Ponte", None]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["Nome", "P.IVA"], ["'=cmd|' /C calc'!A0", "01114601006"], ["Coop Ponte", ""]]


def test_xlsx_export_stores_formula_like_text_as_text():
    data = to_xlsx(["Nome"], [["=1+1"], ["Coop"]])
    sheet = load_workbook(io.BytesIO(data)).active
    cell = sheet["A2"]
    assert cell.value == "=1+1" and cell.data_type == "s"
