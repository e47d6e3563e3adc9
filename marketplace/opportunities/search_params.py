"""The public search's URL parameters, read into an OpportunityQuery and written back.

One reading for every caller (the search page, the JSON API, saved-search alerts): an
invalid parameter is reported with an Italian message and dropped, never raised, so a
hand-edited or old shared link always gives a page.

URL parameters: q, kind (repeatable), sector (ATECO section letter), district, comune
(ISTAT code), km (with comune: a circle around it), paid (1/0), minors (1/0), target
(repeatable TargetGroup), starting (days: 30/90/180), sort, page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.opportunities.models import OpportunityKind, TargetGroup
from marketplace.territory.models import District, Municipality, Sector
from search.queries import (
    MAX_OFFSET,
    OPPORTUNITY_SORTS,
    STARTING_WITHIN_DAYS,
    GeoFilter,
    OpportunityQuery,
    QueryError,
)

PARAMS = ("q", "kind", "sector", "district", "comune", "km", "paid", "minors", "target", "starting", "sort", "page")
MAX_TEXT = 200
MAX_KM = 100
DEFAULT_PER_PAGE = 20
_KINDS = frozenset(kind.value for kind in OpportunityKind)
_TARGETS = frozenset(group.value for group in TargetGroup)
_YES_NO = {"1": True, "0": False}
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
ASCII_NUMBER = re.compile(r"[0-9]{1,6}")  # six digits: more is out of every range anyway


def clean_text(value: str) -> str:
    """Typed text with control characters (NUL…) as spaces and runs of spaces as one."""
    return " ".join(CONTROL.sub(" ", value).split())


def _values(args: Any, name: str) -> list[str]:
    """Every non-blank value of a parameter, from a MultiDict or a plain mapping.

    Control characters become U+FFFD: such a value is then simply unknown (the database
    refuses NUL in a lookup), while the text box gets `clean_text` instead.
    """
    if hasattr(args, "getlist"):
        raw = args.getlist(name)
    else:
        value = args.get(name) if isinstance(args, Mapping) else None
        raw = value if isinstance(value, list | tuple) else ([] if value is None else [value])
    cleaned = [CONTROL.sub("\ufffd", str(value)).strip() for value in raw]
    return [value for value in cleaned if value]


def _one(args: Any, name: str) -> str:
    values = _values(args, name)
    return values[0] if values else ""


def _many(args: Any, name: str, known: frozenset[str], errors: dict[str, str], message: str) -> tuple[str, ...]:
    values = _values(args, name)
    if any(value not in known for value in values):
        errors[name] = message
    # Sorted and without repeats: one canonical URL per search.
    return tuple(sorted({value for value in values if value in known}))


def _number(text: str, low: int, high: int) -> int | None:
    """A whole number in range, written in ASCII digits ("²" and "٣" pass str.isdigit, not int)."""
    if not ASCII_NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_search_args(
    args: Any, *, per_page: int = DEFAULT_PER_PAGE, today: date | None = None
) -> tuple[OpportunityQuery, dict[str, str]]:
    """The query the parameters ask for and {parameter: Italian message} for those dropped.

    `args` is a request's MultiDict or a mapping of names to a string or a list of strings.
    Needs an application context (comuni, ambiti and sectors are checked in the database).
    """
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {"per_page": per_page, "today": today}

    text = clean_text(_one(args, "q").replace("\ufffd", " "))
    if len(text) > MAX_TEXT:
        errors["q"] = _("Il testo cercato è troppo lungo: sono state usate solo le prime %(n)d lettere.", n=MAX_TEXT)
        text = text[:MAX_TEXT]
    fields["text"] = text
    fields["kinds"] = _many(args, "kind", _KINDS, errors, _("Tipo di opportunità non riconosciuto."))
    fields["target_groups"] = _many(args, "target", _TARGETS, errors, _("Destinatari non riconosciuti."))

    sector = _one(args, "sector").upper()
    if sector:
        known = db.session.scalar(select(Sector.section_code).where(Sector.section_code == sector).limit(1))
        if len(sector) == 1 and known:
            fields["sector_section"] = sector
        else:
            errors["sector"] = _("Settore non riconosciuto.")

    district = _one(args, "district")
    if district:
        if len(district) <= 40 and db.session.scalar(select(District.id).where(District.code == district)):
            fields["district"] = district
        else:
            errors["district"] = _("Ambito non riconosciuto.")

    _read_place(args, fields, errors)

    for name, field in (("paid", "paid"), ("minors", "minors_allowed")):
        value = _one(args, name)
        if value:
            if value in _YES_NO:
                fields[field] = _YES_NO[value]
            else:
                errors[name] = _("Scegli sì o no.")

    starting = _one(args, "starting")
    if starting:
        days = _number(starting, 1, max(STARTING_WITHIN_DAYS))
        if days in STARTING_WITHIN_DAYS:
            fields["starting_within_days"] = days
        else:
            errors["starting"] = _("Periodo di inizio non riconosciuto.")

    sort = _one(args, "sort") or "relevance"
    if sort not in OPPORTUNITY_SORTS:
        errors["sort"] = _("Ordinamento non riconosciuto.")
        sort = "relevance"
    elif sort == "closest" and fields.get("near") is None:
        errors["sort"] = _("Per ordinare per distanza scegli un comune e i km.")
        sort = "relevance"
    fields["sort"] = sort

    page = _one(args, "page")
    if page:
        number = _number(page, 1, MAX_OFFSET // per_page)
        if number is None:
            errors["page"] = _("Numero di pagina non valido.")
        else:
            fields["page"] = number

    try:
        return OpportunityQuery(**fields), errors
    except QueryError:  # every field was checked above; this is a last guard, never a 500
        errors["page"] = _("Ricerca non valida: sono stati usati i valori predefiniti.")
        return OpportunityQuery(per_page=per_page, today=today), errors


def _read_place(args: Any, fields: dict[str, Any], errors: dict[str, str]) -> None:
    """`comune` alone filters on that comune; with `km` it becomes a circle around it."""
    code, km_text = _one(args, "comune"), _one(args, "km")
    km = _number(km_text, 1, MAX_KM) if km_text else None
    if km_text and km is None:
        errors["km"] = _("La distanza deve essere un numero intero di km tra 1 e %(max)d.", max=MAX_KM)
    if not code:
        if km is not None:
            errors["km"] = _("Per cercare entro una distanza scegli anche un comune.")
        return
    place = db.session.get(Municipality, code) if len(code) == 6 and code.isdigit() else None
    if place is None:
        errors["comune"] = _("Comune non riconosciuto.")
        return
    if km is None:
        fields["municipality_code"] = code
    else:
        fields["near"] = GeoFilter(place.latitude, place.longitude, km, place=code)


def query_string_for(query: OpportunityQuery) -> str:
    """The canonical URL parameters of a query (no leading "?"); parse_search_args reads them back.

    Defaults are left out (relevance, page 1); `published_after`, paging size and the day are
    not URL state. A circle without a comune (built by code, not from a URL) cannot be written.
    """
    pairs: list[tuple[str, str]] = []
    if query.text:
        pairs.append(("q", query.text))
    pairs += [("kind", kind) for kind in sorted(set(query.kinds))]
    if query.sector_section:
        pairs.append(("sector", query.sector_section))
    if query.district:
        pairs.append(("district", query.district))
    if query.near is not None and query.near.place:
        pairs += [("comune", query.near.place), ("km", f"{query.near.radius_km:g}")]
    elif query.municipality_code:
        pairs.append(("comune", query.municipality_code))
    if query.paid is not None:
        pairs.append(("paid", "1" if query.paid else "0"))
    if query.minors_allowed is not None:
        pairs.append(("minors", "1" if query.minors_allowed else "0"))
    pairs += [("target", group) for group in sorted(set(query.target_groups))]
    if query.starting_within_days is not None:
        pairs.append(("starting", str(query.starting_within_days)))
    if query.sort != "relevance":
        pairs.append(("sort", query.sort))
    if query.page > 1 and query.after is None:
        pairs.append(("page", str(query.page)))
    return urlencode(pairs)
