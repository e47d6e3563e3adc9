"""From spreadsheet cells to organisation values: column guessing, row checks, comune and ATECO lookups.

Everything here is pure except `Resolver.load`, which reads the comuni and ATECO codes
once per run so that checking a row never queries the database.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.common import identifiers
from marketplace.organizations.models import OrganizationKind, OrganizationStatus

MAX_NAME = 250
MAX_ADDRESS = 250
MAX_WEBSITE = 250
MAX_EMAIL = 254
MAX_DESCRIPTION = 5000
MAX_EMPLOYEES = 1_000_000


# -- target fields and the guess of which column holds each -----------------------------


@dataclass(frozen=True)
class TargetField:
    key: str
    label: Any  # lazy Italian string
    # Header names, folded (lowercase, letters and digits only), matched whole.
    synonyms: tuple[str, ...]
    # Distinctive words that also count when found inside a longer header ("Telefono referente").
    partial: tuple[str, ...] = ()


FIELDS: tuple[TargetField, ...] = (
    TargetField("name", _l("Ragione sociale"), (
        "ragionesociale", "denominazione", "denominazionesociale", "ragsociale", "nome", "nomeazienda",
        "azienda", "impresa", "organizzazione", "ente", "name", "companyname", "company", "legalname",
        "businessname", "organization", "organisation",
    ), ("ragionesociale", "denominazione")),
    TargetField("vat_number", _l("Partita IVA"), (
        "piva", "partitaiva", "pi", "partiva", "numeropartitaiva", "vat", "vatnumber", "vatcode", "vatid",
    ), ("partitaiva", "piva")),
    TargetField("tax_code", _l("Codice fiscale"), (
        "codicefiscale", "cf", "codfiscale", "codfisc", "taxcode", "fiscalcode",
    ), ("codicefiscale",)),
    TargetField("municipality", _l("Comune"), (
        "comune", "citta", "localita", "comunesede", "comunesedelegale", "municipality", "city", "town",
    ), ("comune",)),
    TargetField("municipality_code", _l("Codice ISTAT del comune"), (
        "codiceistat", "istat", "codistat", "codiceistatcomune", "codicecomune", "istatcode", "municipalitycode",
    ), ("istat",)),
    TargetField("ateco_code", _l("Codice ATECO"), (
        "ateco", "codiceateco", "ateco2025", "ateco2007", "codiceattivita", "atecocode", "nace",
    ), ("ateco",)),
    TargetField("kind", _l("Forma giuridica"), (
        "formagiuridica", "naturagiuridica", "tipologia", "tipo", "tipoente", "tipologiaente", "legalform",
        "kind", "type",
    ), ("formagiuridica", "naturagiuridica")),
    TargetField("address", _l("Indirizzo"), (
        "indirizzo", "via", "indirizzosede", "sedelegale", "sede", "address", "street",
    ), ("indirizzo",)),
    TargetField("employees", _l("Numero di dipendenti"), (
        "dipendenti", "addetti", "numerodipendenti", "ndipendenti", "numeroaddetti", "nrdipendenti",
        "employees", "staff", "headcount",
    ), ("dipendenti", "addetti")),
    TargetField("website", _l("Sito web"), (
        "sitoweb", "sito", "web", "website", "url", "sitointernet",
    ), ("sitoweb", "website", "sitointernet")),
    TargetField("email", _l("Email"), (
        "email", "mail", "postaelettronica", "indirizzoemail", "emailaddress", "pec",
    ), ("email",)),
    TargetField("phone", _l("Telefono"), (
        "telefono", "tel", "phone", "cellulare", "numeroditelefono", "recapitotelefonico", "telephone",
    ), ("telefono", "cellulare")),
    TargetField("status", _l("Stato"), ("stato", "status", "statorapporto")),
    TargetField("description", _l("Descrizione"), (
        "descrizione", "descrizioneattivita", "attivita", "description",
    ), ("descrizione",)),
)  # fmt: skip
FIELDS_BY_KEY = {item.key: item for item in FIELDS}
IDENTIFIER_FIELDS = ("vat_number", "tax_code")
MUNICIPALITY_FIELDS = ("municipality", "municipality_code")


def fold(text: str) -> str:
    """Lowercase, without accents or apostrophes, punctuation turned into single spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    # "d'Adda", "d’Adda" and "dAdda" are the same comune: apostrophes join, they do not split.
    plain = re.sub(r"['’`´]", "", plain)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def header_key(text: str) -> str:
    return fold(text).replace(" ", "")


def guess_mapping(headers: Sequence[str]) -> dict[str, int]:
    """field -> column index, from the header names; each column and each field used once."""
    candidates: list[tuple[int, int, str, int]] = []  # (exact?, synonym length, field, column)
    for column, header in enumerate(headers):
        key = header_key(header)
        if not key:
            continue
        for target in FIELDS:
            if key in target.synonyms:
                candidates.append((1, len(key), target.key, column))
            candidates.extend((0, len(word), target.key, column) for word in target.partial if word in key)
    mapping: dict[str, int] = {}
    used: set[int] = set()
    # Exact names first, then the longest (most specific) partial matches.
    for _exact, _length, key, column in sorted(candidates, key=lambda c: (-c[0], -c[1], c[3])):
        if key not in mapping and column not in used:
            mapping[key] = column
            used.add(column)
    return mapping


def mapping_problems(mapping: dict[str, int]) -> list[str]:
    """What makes a column mapping unusable, in Italian; empty when it can be imported."""
    problems = []
    if "name" not in mapping:
        problems.append(_("Indica la colonna con la ragione sociale."))
    if not any(key in mapping for key in IDENTIFIER_FIELDS):
        problems.append(_("Indica la colonna della partita IVA o quella del codice fiscale (almeno una)."))
    if not any(key in mapping for key in MUNICIPALITY_FIELDS):
        problems.append(_("Indica la colonna del comune o quella del codice ISTAT (almeno una)."))
    by_column: dict[int, list[str]] = {}
    for key, column in mapping.items():
        by_column.setdefault(column, []).append(str(FIELDS_BY_KEY[key].label))
    for labels in by_column.values():
        if len(labels) > 1:
            problems.append(_("La stessa colonna è indicata per più campi: %(fields)s.", fields=", ".join(labels)))
    return problems


# -- lookups built once per run --------------------------------------------------------


def municipality_key(name: str) -> str:
    """How comune names are compared: folded, "S." read as "San", province in brackets ignored."""
    text = re.sub(r"\((\s*[a-z]{2}\s*)\)\s*$", "", (name or "").strip(), flags=re.IGNORECASE)
    words = fold(text).split()
    words = ["san" if word == "s" else word for word in words]
    return "".join(words)


@dataclass
class Resolver:
    """Comuni (by ISTAT code, cadastral code and name) and valid ATECO codes, cached in dicts."""

    names: dict[str, str]  # ISTAT code -> name
    by_cadastral: dict[str, str]
    by_name: dict[str, str]
    sector_codes: frozenset[str]
    _ateco: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def build(cls, municipalities: Sequence[tuple[str, str, str]], sector_codes: Sequence[str]) -> Resolver:
        """From (istat_code, name, cadastral_code) triples and the ATECO codes the database knows."""
        names = {code: name for code, name, _cadastral in municipalities}
        return cls(
            names=names,
            by_cadastral={cadastral.upper(): code for code, _name, cadastral in municipalities},
            by_name={municipality_key(name): code for code, name, _cadastral in municipalities},
            sector_codes=frozenset(sector_codes),
        )

    @classmethod
    def load(cls) -> Resolver:
        from sqlalchemy import select

        from marketplace.extensions import db
        from marketplace.territory.models import Municipality, Sector

        municipalities = db.session.execute(
            select(Municipality.istat_code, Municipality.name, Municipality.cadastral_code)
        ).all()
        return cls.build([tuple(row) for row in municipalities], db.session.scalars(select(Sector.code)).all())

    def municipality_by_code(self, text: str) -> str | None:
        compact = re.sub(r"\s", "", text or "")
        if compact.isdigit() and 4 <= len(compact) <= 6:
            # A numeric cell loses its leading zeros: 15108 is 015108.
            code = compact.zfill(6)
            return code if code in self.names else None
        return self.by_cadastral.get(compact.upper())

    def municipality_by_name(self, text: str) -> str | None:
        return self.by_name.get(municipality_key(text)) or self.municipality_by_code(text)

    def ateco(self, text: str) -> str | None:
        """The canonical ATECO 2025 code, or None when it is not one."""
        if text not in self._ateco:
            self._ateco[text] = self._lookup_ateco(text)
        return self._ateco[text]

    def _lookup_ateco(self, text: str) -> str | None:
        value = re.sub(r"\s", "", text).replace(",", ".")
        # Spreadsheets drop leading zeros: "1.11" is 01.11, 11100 is 01.11.00.
        if re.fullmatch(r"\d(\.\d+)*", value) or (value.isdigit() and len(value) % 2 == 1):
            value = "0" + value
        try:
            code, _title = identifiers.ateco_code(value)
        except identifiers.InvalidIdentifier:
            return None
        return code if code in self.sector_codes else None


# -- one row ---------------------------------------------------------------------------


class CellProblem(ValueError):
    """A cell that cannot be imported; the message is Italian and says which cell and why."""


@dataclass
class ParsedRow:
    row_number: int
    cells: list[str]
    values: dict[str, Any] = field(default_factory=dict)  # organisation fields, only non-empty cells
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def identifiers(self) -> list[tuple[str, str]]:
        return [(key, self.values[key]) for key in IDENTIFIER_FIELDS if self.values.get(key)]


def _quoted(text: str, limit: int = 60) -> str:
    return "«" + (text if len(text) <= limit else text[: limit - 1] + "…") + "»"


def _text(raw: str, limit: int, label: Any) -> str:
    value = " ".join(raw.split())
    if len(value) > limit:
        raise CellProblem(
            _("%(field)s: testo troppo lungo, al massimo %(limit)s caratteri.", field=str(label), limit=limit)
        )
    return value


def _digits_padded(raw: str) -> str:
    compact = re.sub(r"[\s.\-/]", "", raw)
    # Spreadsheets store identifiers as numbers and drop their leading zeros.
    if compact.isdigit() and 8 <= len(compact) < 11:
        return compact.zfill(11)
    return raw


def _vat(raw: str) -> str:
    try:
        return identifiers.vat_number(_digits_padded(raw))
    except identifiers.InvalidIdentifier as error:
        raise CellProblem(f"{error.message} {_('Valore')}: {_quoted(raw)}.") from None


def _tax_code(raw: str) -> str:
    try:
        return identifiers.tax_code(_digits_padded(raw))
    except identifiers.InvalidIdentifier as error:
        raise CellProblem(f"{error.message} {_('Valore')}: {_quoted(raw)}.") from None


def _employees(raw: str) -> int:
    value = raw.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", value):  # Italian thousands: 1.200
        value = value.replace(".", "")
    value = re.sub(r"[.,]0+$", "", value)
    if not value.isdigit() or int(value) > MAX_EMPLOYEES:
        raise CellProblem(_("Numero di dipendenti non valido: %(value)s.", value=_quoted(raw)))
    return int(value)


def _website(raw: str) -> str:
    value = raw.strip()
    if not re.match(r"^[a-z][a-z0-9+.-]*://", value, re.IGNORECASE):
        value = "https://" + value
    parts = urlsplit(value)
    host = parts.hostname or ""
    valid = (
        parts.scheme.lower() in {"http", "https"}
        and "." in host
        and re.fullmatch(r"[a-z0-9.-]+", host)
        and not re.search(r"\s", value)
        and len(value) <= MAX_WEBSITE
    )
    if not valid:
        raise CellProblem(_("Sito web non valido: %(value)s.", value=_quoted(raw)))
    return value


def _email(raw: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    try:
        value = validate_email(raw.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        value = ""
    if not value or len(value) > MAX_EMAIL:
        raise CellProblem(_("Email non valida: %(value)s.", value=_quoted(raw)))
    return value


def _phone(raw: str) -> str:
    try:
        return identifiers.phone_e164(raw)
    except identifiers.InvalidIdentifier:
        digits = re.sub(r"\D", "", raw)
        # An Italian landline typed in a number cell loses its leading 0 (0295… becomes 295…).
        if digits == raw.strip() and 6 <= len(digits) <= 10 and not digits.startswith(("0", "3")):
            try:
                return identifiers.phone_e164("0" + digits)
            except identifiers.InvalidIdentifier:
                pass
    raise CellProblem(_("Numero di telefono non valido: %(value)s.", value=_quoted(raw)))


def _merge_initials(words: list[str]) -> list[str]:
    """ "s r l" -> "srl": dotted abbreviations arrive as runs of single letters."""
    merged: list[str] = []
    run = ""
    for word in [*words, ""]:
        if len(word) == 1:
            run += word
            continue
        if run.endswith("arl") and len(run) > 3:
            # "coop. sociale B a r.l.": the type letter is not part of "a r.l."
            merged.append(run[:-3])
            run = "arl"
        if run:
            merged.append(run)
            run = ""
        if word:
            merged.append(word)
    return merged


_ASSOCIATION_WORDS = {"associazione", "ets", "aps", "odv", "onlus", "asd", "fondazione", "ass", "assoc"}
_PUBLIC_WORDS = {"comune", "pa", "asst", "ats", "ente pubblico"}
_COMPANY_WORDS = {
    "societa", "impresa", "azienda", "company", "consorzio", "sapa", "srlsu", "altra", "ltd", "gmbh",
}  # fmt: skip


def _social_coop_type(words: list[str]) -> OrganizationKind:
    for index, word in enumerate(words[:-1]):
        if word == "tipo" and words[index + 1] in {"a", "b"}:
            return OrganizationKind.SOCIAL_COOP_A if words[index + 1] == "a" else OrganizationKind.SOCIAL_COOP_B
    letters = {word for word in words if word in {"a", "b", "tipoa", "tipob"}}
    if letters in ({"a"}, {"tipoa"}):
        return OrganizationKind.SOCIAL_COOP_A
    if letters in ({"b"}, {"tipob"}):
        return OrganizationKind.SOCIAL_COOP_B
    raise CellProblem(_("Cooperativa sociale: indica se è di tipo A o di tipo B."))


def legal_form(raw: str) -> OrganizationKind:
    """The organisation kind from how Italians write legal forms ("S.r.l.", "coop. soc. B", "ETS"…)."""
    folded = fold(raw)
    words = _merge_initials(folded.split())
    joined = " ".join(words)
    compact = "".join(words)
    try:
        return OrganizationKind(folded.replace(" ", "_"))  # the stored values themselves
    except ValueError:
        pass
    is_coop = "coop" in compact
    if is_coop and ("sociale" in words or "coopsoc" in compact or "cooperativasoc" in compact):
        return _social_coop_type(words)
    if "impresa sociale" in joined:
        return OrganizationKind.SOCIAL_ENTERPRISE
    if is_coop or {"scarl", "scrl", "sc"} & set(words):
        return OrganizationKind.COMPANY
    if {"srl", "srls"} & set(words) or "responsabilita limitata" in joined:
        return OrganizationKind.SRL
    if "spa" in words or "societa per azioni" in joined:
        return OrganizationKind.SPA
    if "snc" in words or "nome collettivo" in joined:
        return OrganizationKind.SNC
    if "sas" in words or "accomandita semplice" in joined:
        return OrganizationKind.SAS
    if "individuale" in words or joined in {"ditta", "di", "imprenditore"}:
        return OrganizationKind.SOLE_PROPRIETORSHIP
    if _ASSOCIATION_WORDS & set(words) or "terzo settore" in joined:
        return OrganizationKind.ASSOCIATION
    if "pubblic" in compact or joined in _PUBLIC_WORDS or "ente locale" in joined:
        return OrganizationKind.PUBLIC_BODY
    if _COMPANY_WORDS & set(words) or "accomandita per azioni" in joined:
        return OrganizationKind.COMPANY
    raise CellProblem(_("Forma giuridica non riconosciuta: %(value)s.", value=_quoted(raw)))


_STATUS_WORDS = (
    (OrganizationStatus.INACTIVE, ("non attiva", "non attivo", "inattiva", "inattivo", "inactive", "cessata",
                                   "cessato", "chiusa", "chiuso", "sospesa")),
    (OrganizationStatus.PROSPECT, ("da contattare", "prospect", "potenziale", "nuova", "nuovo", "da attivare")),
    (OrganizationStatus.ACTIVE, ("attiva", "attivo", "active", "in attivita")),
)  # fmt: skip


def status(raw: str) -> OrganizationStatus:
    folded = fold(raw)
    for value, words in _STATUS_WORDS:
        if folded == value.value or folded in words:
            return value
    raise CellProblem(
        _("Stato non riconosciuto: %(value)s (usa: attiva, da contattare, non attiva).", value=_quoted(raw))
    )


# A file repeats a handful of legal forms and statuses thousands of times: parse each spelling once.
# Only successes are cached, so a problem is always worded in the current language.
@functools.lru_cache(maxsize=512)
def _known_legal_form(raw: str) -> OrganizationKind | None:
    try:
        return legal_form(raw)
    except CellProblem:
        return None


@functools.lru_cache(maxsize=128)
def _known_status(raw: str) -> OrganizationStatus | None:
    try:
        return status(raw)
    except CellProblem:
        return None


def cell_text(cells: Sequence[str], mapping: dict[str, int], key: str) -> str:
    column = mapping.get(key)
    if column is None or column >= len(cells):
        return ""
    return (cells[column] or "").strip()


# Optional cells: field -> parser. Empty cells are skipped (they never erase stored data).
_OPTIONAL = {
    "address": lambda raw: _text(raw, MAX_ADDRESS, _l("Indirizzo")),
    "kind": lambda raw: _known_legal_form(raw) or legal_form(raw),
    "employees": _employees,
    "website": _website,
    "email": _email,
    "phone": _phone,
    "status": lambda raw: _known_status(raw) or status(raw),
    "description": lambda raw: _text(raw, MAX_DESCRIPTION, _l("Descrizione")),
}


def _municipality(row: ParsedRow, cells: Sequence[str], mapping: dict[str, int], resolver: Resolver) -> None:
    name = cell_text(cells, mapping, "municipality")
    code_text = cell_text(cells, mapping, "municipality_code")
    by_code = resolver.municipality_by_code(code_text) if code_text else None
    by_name = resolver.municipality_by_name(name) if name else None
    if code_text and by_code is None:
        row.problems.append(_("Codice ISTAT sconosciuto: %(value)s.", value=_quoted(code_text)))
    elif name and by_name is None and by_code is None:
        row.problems.append(
            _("Comune sconosciuto: %(value)s (sono accettati i comuni della Città metropolitana di Milano).",
              value=_quoted(name))
        )  # fmt: skip
    elif by_code and by_name and by_code != by_name:
        row.problems.append(
            _("Il comune %(name)s non corrisponde al codice ISTAT %(code)s.", name=_quoted(name), code=code_text)
        )
    elif not name and not code_text:
        row.problems.append(_("Manca il comune."))
    else:
        row.values["municipality_code"] = by_code or by_name


def parse_row(row_number: int, cells: Sequence[str], mapping: dict[str, int], resolver: Resolver) -> ParsedRow:
    """Check one row; `values` holds what to write, `problems` why it cannot be imported."""
    row = ParsedRow(row_number, list(cells))
    name = cell_text(cells, mapping, "name")
    if not name:
        row.problems.append(_("Manca la ragione sociale."))
    else:
        try:
            row.values["name"] = _text(name, MAX_NAME, _l("Ragione sociale"))
        except CellProblem as problem:
            row.problems.append(str(problem))

    present = 0
    for key, parse in (("vat_number", _vat), ("tax_code", _tax_code)):
        raw = cell_text(cells, mapping, key)
        if not raw:
            continue
        present += 1
        try:
            row.values[key] = parse(raw)
        except CellProblem as problem:
            row.problems.append(str(problem))
    if not present:
        row.problems.append(_("Mancano sia la partita IVA sia il codice fiscale: serve almeno uno dei due."))

    _municipality(row, cells, mapping, resolver)

    ateco_text = cell_text(cells, mapping, "ateco_code")
    if ateco_text:
        code = resolver.ateco(ateco_text)
        if code is None:
            row.problems.append(
                _("Codice ATECO non valido: %(value)s (serve un codice della classificazione ATECO 2025).",
                  value=_quoted(ateco_text))
            )  # fmt: skip
        else:
            row.values["ateco_code"] = code

    for key, parse in _OPTIONAL.items():
        raw = cell_text(cells, mapping, key)
        if raw:
            try:
                row.values[key] = parse(raw)
            except CellProblem as problem:
                row.problems.append(str(problem))
    return row


class FileDuplicates:
    """P.IVA and codici fiscali of the rows accepted so far, to refuse a later row repeating one.

    Each identifier is compared with both columns, as `find_by_identifiers` does: a
    company's codice fiscale is usually its P.IVA.
    """

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def check(self, row: ParsedRow) -> None:
        for key, value in row.identifiers:
            earlier = self._seen.get(value)
            if earlier is not None:
                if key == "vat_number":
                    row.problems.append(_("Duplicato nel file: stessa P.IVA della riga %(row)s.", row=earlier))
                else:
                    row.problems.append(_("Duplicato nel file: stesso codice fiscale della riga %(row)s.", row=earlier))
                return

    def remember(self, row: ParsedRow) -> None:
        for _key, value in row.identifiers:
            self._seen.setdefault(value, row.row_number)
