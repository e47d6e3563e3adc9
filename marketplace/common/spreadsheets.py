"""Exports that spreadsheets open safely.

A cell starting with = + - @ (or a tab / carriage return) is run as a formula by Excel
and LibreOffice: an organisation named "=HYPERLINK(…)" must arrive as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from flask import Response

from marketplace.common.uploads import private

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM and ';' separators: what Italian Excel opens without a wizard."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(_plain(cell)) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Export") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([_xlsx_cell(sheet, cell) for cell in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_spreadsheet(header: Sequence[str], rows: Iterable[Sequence[Any]], file_format: str, title: str) -> bytes:
    return to_csv(header, rows) if file_format == "csv" else to_xlsx(header, rows, title=title)


def spreadsheet_download(
    header: Sequence[str], rows: Iterable[Sequence[Any]], file_format: str, *, title: str, filename: str
) -> Response:
    """A table as a CSV or XLSX attachment named `filename` (without its extension)."""
    response = Response(to_spreadsheet(header, rows, file_format, title), mimetype=MIMETYPES[file_format])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return private(response)  # exports hold contact details


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else value


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """In XLSX the cell type says what it is: force text, so "=…" is shown, never run."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value
