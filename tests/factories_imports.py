"""Spreadsheets of organisations for the import tests and benchmark: valid identifiers, realistic rows."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from stdnum import luhn

HEADER = [
    "Ragione sociale", "Forma giuridica", "P.IVA", "Codice fiscale", "Indirizzo", "Comune", "ATECO", "Dipendenti",
    "Sito web", "Email", "Telefono", "Stato",
]  # fmt: skip

COMUNI = [
    "Gorgonzola", "Melzo", "Cassano d'Adda", "Inzago", "Pioltello", "Segrate", "Cernusco sul Naviglio",
    "Vimodrone", "Trezzo sull'Adda", "Vaprio d'Adda", "Pozzo d'Adda", "Cassina de' Pecchi", "Milano",
    "Sesto San Giovanni", "San Giuliano Milanese",
]  # fmt: skip
FORMS = ["S.r.l.", "srl", "SPA", "s.n.c.", "S.a.s.", "ditta individuale", "cooperativa sociale di tipo B",
         "coop. soc. A", "associazione", "ETS", "impresa sociale", ""]  # fmt: skip
ATECO = ["49.41.00", "4941", "52.10", "88.10", "43.21.01", "10.71.10", "47.11", "81.21", ""]
WORDS = ["Logistica", "Trasporti", "Officine", "Servizi", "Costruzioni", "Panificio", "Pulizie", "Impianti",
         "Giardini", "Ristorazione", "Tipografia", "Falegnameria", "Meccanica", "Sartoria", "Verde"]  # fmt: skip
PLACES = ["Martesana", "Adda", "Naviglio", "Lombarda", "del Borgo", "Milanese", "Nord", "Est", "Insieme", "Il Ponte"]
STREETS = ["Via Roma", "Via Dante", "Via Milano", "Piazza della Libertà", "Via Garibaldi", "Via Mazzini"]


def vat(n: int) -> str:
    """A valid partita IVA built from a sequence number (office code 096, Luhn check digit)."""
    body = f"{n % 10_000_000 or 1:07d}096"
    return body + luhn.calc_check_digit(body)


def invalid_vat(n: int) -> str:
    good = vat(n)
    return good[:-1] + str((int(good[-1]) + 1) % 10)


@dataclass
class Sheet:
    header: list[str]
    rows: list[list[str]]
    # spreadsheet row number -> the start of the reason it must be rejected with
    bad: dict[int, str] = field(default_factory=dict)

    @property
    def good_count(self) -> int:
        return len(self.rows) - len(self.bad)


def generated_sheet(count: int, bad_share: float = 0.05, seed: int = 2026, first_vat: int = 1) -> Sheet:
    """`count` organisations, about `bad_share` of them broken in one of five ways."""
    rng = random.Random(seed)
    sheet = Sheet(list(HEADER), [])
    bad_kinds = ["vat", "comune", "ateco", "duplicate", "name"]
    for index in range(count):
        row_number = index + 2  # row 1 is the header
        number = first_vat + index
        name = f"{rng.choice(WORDS)} {rng.choice(PLACES)} {number}"
        form = rng.choice(FORMS)
        row = [
            f"{name} {form}".strip() if form in {"S.r.l.", "srl", "SPA", "s.n.c.", "S.a.s."} else name,
            form,
            vat(number),
            "",
            f"{rng.choice(STREETS)} {rng.randint(1, 200)}",
            rng.choice(COMUNI),
            rng.choice(ATECO),
            str(rng.choice([0, 3, 8, 12, 15, 40, 120, 300])),
            f"www.impresa{number}.it" if rng.random() < 0.6 else "",
            f"info@impresa{number}.it" if rng.random() < 0.7 else "",
            f"02 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}" if rng.random() < 0.5 else "",
            rng.choice(["Attiva", "Da contattare", ""]),
        ]
        if index > 0 and rng.random() < bad_share:
            kind = bad_kinds[len(sheet.bad) % len(bad_kinds)]
            if kind == "vat":
                row[2] = invalid_vat(number)
                sheet.bad[row_number] = "Partita IVA non valida"
            elif kind == "comune":
                row[5] = "Bergamo"
                sheet.bad[row_number] = "Comune sconosciuto"
            elif kind == "ateco":
                row[6] = "99.99.99"
                sheet.bad[row_number] = "Codice ATECO non valido"
            elif kind == "duplicate":
                earlier = rng.randrange(0, index)
                while earlier + 2 in sheet.bad:
                    earlier = rng.randrange(0, index)
                row[2] = sheet.rows[earlier][2]
                sheet.bad[row_number] = f"Duplicato nel file: stessa P.IVA della riga {earlier + 2}"
            else:
                row[0] = ""
                sheet.bad[row_number] = "Manca la ragione sociale"
        sheet.rows.append(row)
    return sheet


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[str]], encoding: str = "utf-8", delimiter: str = ";"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(header: Sequence[str], rows: Sequence[Sequence[object]], title: str = "Aziende") -> bytes:
    """Written like Excel writes it: shared strings and a <dimension> (openpyxl's write-only mode has neither)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text, as in the CSV
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
