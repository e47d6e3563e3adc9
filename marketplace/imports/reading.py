"""Reading an uploaded spreadsheet as rows of text: CSV (UTF-8 or Windows-1252, ';' or ',') or XLSX.

The file type is decided by its content, never by its name alone: an executable renamed
`.csv` or `.xlsx` is refused here, before anything is stored.
"""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

FORMATS = ("csv", "xlsx")
DELIMITERS = ";,"
# Past this many columns a "spreadsheet" is not a list of organisations.
MAX_COLUMNS = 200
MAX_HEADER = 120  # characters of a column name kept (it is shown in selects and the report)
# Enough of the start of a CSV to judge its separator.
SNIFF_CHARS = 64 * 1024
UTF8_BOM = b"\xef\xbb\xbf"


class UnreadableFile(ValueError):
    """The upload is not a CSV or XLSX we can read; `message` says why, in Italian."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class FileFacts:
    """What the upload check learns, stored on the run so the job reads the file the same way."""

    file_format: str
    encoding: str | None
    delimiter: str | None
    headers: list[str]


def column_letter(index: int) -> str:
    """A, B, … Z, AA, …: how spreadsheets name the column at this 0-based index."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def inspect_upload(filename: str, data: bytes) -> FileFacts:
    """Check that the bytes really are what the name says and read the header row."""
    extension = Path(filename or "").suffix.lower().lstrip(".")
    if extension not in FORMATS:
        raise UnreadableFile(_l("Sono accettati solo file CSV (.csv) o Excel (.xlsx)."))
    if not data:
        raise UnreadableFile(_l("Il file è vuoto."))
    if extension == "xlsx":
        _check_xlsx(data)
        encoding = delimiter = None
    else:
        encoding = detect_encoding(data)
        delimiter = detect_delimiter(data[: SNIFF_CHARS * 2].decode(encoding, errors="ignore"))
    with table_from_bytes(data, extension, encoding, delimiter) as table:
        headers = table.headers
    if not headers:
        raise UnreadableFile(_l("Il file non contiene righe: la prima riga deve avere i nomi delle colonne."))
    return FileFacts(extension, encoding, delimiter, headers)


# -- CSV -------------------------------------------------------------------------------


def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM) if it decodes as such, else Windows-1252 (Excel's Italian default)."""
    if b"\x00" in data:
        # Binary files and UTF-16 exports both carry NUL bytes; neither is a CSV we can read.
        raise UnreadableFile(
            _l("Il file non è un CSV di testo. Salvalo da Excel come «CSV UTF-8» oppure caricalo in formato .xlsx.")
        )
    if data.startswith(UTF8_BOM):
        encoding = "utf-8-sig"
    else:
        try:
            data.decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        raise UnreadableFile(
            _l("Il file contiene caratteri non leggibili: salvalo come «CSV UTF-8» e riprova.")
        ) from None
    return encoding


def detect_delimiter(sample: str) -> str:
    """';' or ',': csv.Sniffer restricted to those two, falling back to counting them in the header."""
    lines = [line for line in sample.splitlines() if line.strip()]
    header = lines[0] if lines else ""
    try:
        found = csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=DELIMITERS).delimiter
    except csv.Error:
        found = None
    # A sniffed separator the header row does not even contain is a wrong guess.
    if found in (";", ",") and found in header:
        return found
    return ";" if header.count(";") >= header.count(",") else ","


# -- XLSX ------------------------------------------------------------------------------


def _check_xlsx(data: bytes) -> None:
    not_excel = _l("Il file non è un foglio Excel .xlsx valido. Se è un vecchio .xls, salvalo come .xlsx.")
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise UnreadableFile(not_excel)
    try:
        with zipfile.ZipFile(buffer) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        raise UnreadableFile(not_excel) from None
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise UnreadableFile(not_excel)


def _xlsx_text(value: Any) -> str:
    """A cell as the user reads it: numbers without a spurious '.0', dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "VERO" if value else "FALSO"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y") if value.time() == time(0) else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


# -- both ------------------------------------------------------------------------------


@dataclass
class Table:
    """The header row and an iterator over the data rows, each as (spreadsheet row number, cells)."""

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]


def _numbered_rows(raw_rows: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """Number rows as the spreadsheet does (from 1) and drop the blank ones.

    A file can be fine at the top and damaged further down (a truncated archive, a stray
    byte): that surfaces here, mid-way, and becomes an UnreadableFile naming the row.
    """
    number = 0
    while True:
        try:
            cells = next(raw_rows)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError, zipfile.BadZipFile, EOFError, OSError, KeyError, ValueError):
            if number == 0:
                raise UnreadableFile(_l("Il file non si può leggere: è danneggiato o incompleto.")) from None
            raise UnreadableFile(
                _l("Il file non si può leggere dopo la riga %(row)s: è danneggiato o incompleto.", row=number)
            ) from None
        number += 1
        if any(cells):
            yield number, cells


def _table(raw_rows: Iterator[list[str]]) -> Table:
    numbered = _numbered_rows(raw_rows)
    first = next(numbered, None)
    if first is None:
        return Table([], iter(()))
    header_cells = [cell[:MAX_HEADER] for cell in first[1][:MAX_COLUMNS]]
    # Unnamed columns get their spreadsheet letter, so the mapping page can still offer them.
    headers = [cell or str(_l("Colonna %(letter)s", letter=column_letter(i))) for i, cell in enumerate(header_cells)]
    width = len(headers)

    def data_rows() -> Iterator[tuple[int, list[str]]]:
        for number, cells in numbered:
            cells = cells[:width]
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            if any(cells):  # a row whose only values lie past the last named column
                yield number, cells

    return Table(headers, data_rows())


def _csv_rows(stream: io.TextIOBase, delimiter: str) -> Iterator[list[str]]:
    for record in csv.reader(stream, delimiter=delimiter):
        yield [cell.strip() for cell in record]


def _xlsx_rows(workbook: Any) -> Iterator[list[str]]:
    sheet = workbook.worksheets[0]
    for values in sheet.iter_rows(values_only=True):
        yield [_xlsx_text(value) for value in values]


@contextlib.contextmanager
def _open(source: Path | bytes, file_format: str, encoding: str | None, delimiter: str | None) -> Iterator[Table]:
    if file_format == "csv":
        if isinstance(source, bytes):
            stream: io.TextIOBase = io.TextIOWrapper(io.BytesIO(source), encoding=encoding or "utf-8", newline="")
        else:
            stream = open(source, encoding=encoding or "utf-8", newline="")  # noqa: SIM115 (closed below)
        try:
            yield _table(_csv_rows(stream, delimiter or ";"))
        finally:
            stream.close()
        return
    from openpyxl import load_workbook

    # A stream, not a path: stored files have no extension, and openpyxl judges paths by theirs.
    binary = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
    try:
        try:
            workbook = load_workbook(binary, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds of errors on damaged archives
            raise UnreadableFile(_l("Il file non è un foglio Excel .xlsx valido.")) from None
        try:
            if not workbook.worksheets:
                raise UnreadableFile(_l("Il file Excel non contiene fogli."))
            yield _table(_xlsx_rows(workbook))
        finally:
            workbook.close()
    finally:
        binary.close()


def table_from_bytes(data: bytes, file_format: str, encoding: str | None, delimiter: str | None):
    return _open(data, file_format, encoding, delimiter)


def open_table(path: Path, file_format: str, encoding: str | None, delimiter: str | None):
    """Context manager: the stored file as a Table (the file is closed on exit)."""
    return _open(path, file_format, encoding, delimiter)
