"""The company-database list: from its form to a search query, the export rows, saved filters.

The list is served by the search index (filters, facets, order); exports take the ids
the search returns and read the rows from the database, a window at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from marketplace.agreements.models import Agreement, AgreementStatus
from marketplace.common.sql import among
from marketplace.extensions import db
from marketplace.organizations.list_forms import MAX_QUERY_LENGTH, OrganizationListForm
from marketplace.organizations.models import (
    HOSTING_SCHEME_LABELS,
    ORGANIZATION_KIND_LABELS,
    ORGANIZATION_STATUS_LABELS,
    SIZE_CLASS_LABELS,
    InclusionProfile,
    Organization,
    SavedFilter,
    Site,
)
from marketplace.territory.models import District, Municipality, Sector
from search import OrganizationQuery, SearchResult
from search.queries import GeoFilter

PER_PAGE = 20
EXPORT_LIMIT = 50_000
EXPORT_WINDOW = 1000
EXPORT_FILE_STEM = "organizzazioni"  # organizzazioni-20261130.csv
SAVED_FILTER_SCOPE = "organizations"
MAX_SAVED_QUERY = 2000
# The parameters a list URL (and so a saved filter) may carry; the page number is not kept.
LIST_PARAMETERS = ("q", "district", "comune", "km", "ateco", "division", "kind", "size", "status", "scheme",
                   "agreement", "l68", "months", "archived", "sort")  # fmt: skip


class DuplicateFilterName(ValueError):
    """The user already has a saved filter with this name."""


# -- the list ------------------------------------------------------------------------


@dataclass(frozen=True)
class ListChoices:
    """What the filter selects offer, read once per request."""

    districts: dict[str, str]  # code -> name
    municipalities: dict[str, Municipality]  # ISTAT code -> comune
    sections: dict[str, str]  # ATECO section letter -> title
    divisions: dict[str, str]  # ATECO division (two digits) -> its section letter


def list_choices() -> ListChoices:
    districts = db.session.execute(select(District.code, District.name).order_by(District.name)).tuples()
    municipalities = db.session.scalars(select(Municipality).order_by(Municipality.name))
    sectors = db.session.execute(
        select(Sector.code, Sector.level, Sector.title, Sector.section_code)
        .where(Sector.level.in_(("section", "division")))
        .order_by(Sector.code)
    ).all()
    return ListChoices(
        districts=dict(districts.all()),
        municipalities={m.istat_code: m for m in municipalities},
        sections={row.code: row.title.capitalize() for row in sectors if row.level == "section"},
        divisions={row.code: row.section_code for row in sectors if row.level == "division"},
    )


def list_form(args: MultiDict, choices: ListChoices) -> OrganizationListForm:
    """The form filled from the URL and validated: fields with errors are then left out."""
    form = OrganizationListForm(args)
    form.district.choices = [("", _("Tutti gli ambiti")), *choices.districts.items()]
    form.comune.choices = [("", _("Tutti i comuni")), *((code, m.name) for code, m in choices.municipalities.items())]
    sections = [(code, f"{code} – {title}") for code, title in choices.sections.items()]
    form.ateco.choices = [("", _("Tutti i settori")), *sections]
    form.divisions = choices.divisions
    if any(key in args for key in (*LIST_PARAMETERS, "page")):
        form.validate()
    return form


def query_from(
    form: OrganizationListForm, choices: ListChoices, today: date | None = None
) -> tuple[OrganizationQuery, list[str]]:
    """The search the form asks for, and notes about what could not be applied as asked."""
    notes: list[str] = []
    place = choices.municipalities.get(form.valid("comune") or "")
    km = form.valid("km")
    near = GeoFilter(place.latitude, place.longitude, km) if place and km else None
    if km and place is None:
        notes.append(_("Per cercare entro una distanza scegli anche un comune."))
    sort = form.valid("sort") or "relevance"
    if sort == "closest" and near is None:
        notes.append(_("Per ordinare dalla più vicina scegli un comune e una distanza."))
        sort = "relevance"
    query = OrganizationQuery(
        text=(form.valid("q") or "")[:MAX_QUERY_LENGTH],
        kinds=tuple(form.valid("kind") or ()),
        statuses=tuple(form.valid("status") or ()),
        district=form.valid("district") or None,
        municipality_code=place.istat_code if place and near is None else None,
        near=near,
        ateco_section=form.valid("ateco") or None,
        ateco_division=form.valid("division") or None,
        size_classes=tuple(form.valid("size") or ()),
        schemes=tuple(form.valid("scheme") or ()),
        quota_68_uncovered=bool(form.valid("l68")),
        agreement_valid=bool(form.valid("agreement")),
        not_contacted_months=form.valid("months"),
        include_archived=bool(form.valid("archived")),
        sort=sort,
        page=form.valid("page") or 1,
        per_page=PER_PAGE,
        today=today,
    )
    return query, notes


def search(query: OrganizationQuery) -> SearchResult:
    return current_app.extensions["search"].search_organizations(query)


def valid_until(agreement_periods: list[dict[str, str]], today: date | None = None) -> str | None:
    """The end (ISO day) of the signed agreement valid today, from a search document."""
    day = (today or date.today()).isoformat()
    ends = [period["lte"] for period in agreement_periods or () if period["gte"] <= day <= period["lte"]]
    return max(ends) if ends else None


# -- export ----------------------------------------------------------------------------


def export_limit() -> int:
    return int(current_app.config.get("ORGANIZATION_EXPORT_LIMIT", EXPORT_LIMIT))


def export_ids(query: OrganizationQuery) -> tuple[list[int], int]:
    """The ids of the whole list (every page, up to the limit) in its order, and how many matched."""
    return current_app.extensions["search"].search_organization_ids(query, export_limit())


@dataclass(frozen=True)
class ExportTable:
    """A whole list ready to write: its header, how many rows, the rows (read lazily) and a sheet title."""

    header: list[str]
    total: int
    rows: Iterator[list[Any]]
    title: str


def export_table(args: MultiDict) -> ExportTable:
    """The list the URL's parameters select, every page of it up to the export limit."""
    choices = list_choices()
    query, _notes = query_from(list_form(args, choices), choices)
    ids, _total = export_ids(query)
    return ExportTable(export_header(), len(ids), export_rows(ids), _("Organizzazioni"))


def export_header() -> list[str]:
    return [
        _("ID"), _("Denominazione"), _("Tipo"), _("Partita IVA"), _("Codice fiscale"), _("Codice ATECO"),
        _("Settore ATECO"), _("Dimensione"), _("Addetti"), _("Stato"), _("Comune (sede legale)"), _("Ambito"),
        _("Indirizzo"), _("Comuni delle altre sedi"), _("Sito web"), _("Email"), _("Telefono"),
        _("Obbligo L. 68/99"), _("Quota L. 68/99 coperta"), _("Disponibile a ospitare"),
        _("Convenzione valida fino al"), _("Ultimo contatto"), _("Archiviata"),
    ]  # fmt: skip


@dataclass(frozen=True)
class _ExportLabels:
    """Every translated word of the export, looked up once (not once per cell of 50,000 rows)."""

    kinds: dict[str, str]
    sizes: dict[str, str]
    statuses: dict[str, str]
    schemes: dict[str, str]
    yes: str
    no: str
    unknown: str

    @classmethod
    def current(cls) -> _ExportLabels:
        def plain(labels: dict[Any, Any]) -> dict[str, str]:
            return {key.value: str(label) for key, label in labels.items()}

        return cls(plain(ORGANIZATION_KIND_LABELS), plain(SIZE_CLASS_LABELS), plain(ORGANIZATION_STATUS_LABELS),
                   plain(HOSTING_SCHEME_LABELS), _("Sì"), _("No"), _("Non nota"))  # fmt: skip

    def yes_no(self, value: bool | None) -> str:
        if value is None:
            return self.unknown
        return self.yes if value else self.no


_OFFICE = Municipality.__table__.alias("office")
_EXPORT_COLUMNS = (
    Organization.id, Organization.name, Organization.kind, Organization.vat_number, Organization.tax_code,
    Organization.ateco_code, Sector.title.label("sector_title"), Organization.size_class, Organization.employees,
    Organization.status, _OFFICE.c.name.label("comune"), District.name.label("district"), Organization.address,
    Organization.website, Organization.email, Organization.phone, Organization.obligated_68,
    Organization.quota_68_covered, Organization.last_contact_on, Organization.archived_at,
)  # fmt: skip


def export_rows(ids: list[int], today: date | None = None) -> Iterator[list[Any]]:
    """One row per id, in the order given, read from the database in windows of plain rows."""
    today = today or date.today()
    labels = _ExportLabels.current()
    for start in range(0, len(ids), EXPORT_WINDOW):
        window = ids[start : start + EXPORT_WINDOW]
        query = (
            select(*_EXPORT_COLUMNS)
            .outerjoin(Sector, Sector.code == Organization.ateco_code)
            .outerjoin(_OFFICE, _OFFICE.c.istat_code == Organization.municipality_code)
            .outerjoin(District, District.id == _OFFICE.c.district_id)
            .where(among(Organization.id, window))
        )
        rows = {row.id: row for row in db.session.execute(query)}
        schemes, other_places = _schemes_of(window), _other_places_of(window)
        valid_until = _agreements_valid_until(window, today)
        for org_id in window:
            if org_id in rows:  # deleted since the search answered: nothing to export
                yield _export_row(rows[org_id], labels, schemes.get(org_id, []), other_places.get(org_id, []),
                                  valid_until.get(org_id))  # fmt: skip


def _schemes_of(ids: list[int]) -> dict[int, list[str]]:
    query = select(InclusionProfile.organization_id, InclusionProfile.schemes).where(
        among(InclusionProfile.organization_id, ids)
    )
    return {org_id: list(schemes or ()) for org_id, schemes in db.session.execute(query)}


def _other_places_of(ids: list[int]) -> dict[int, list[str]]:
    query = (
        select(Site.organization_id, Municipality.name)
        .join(Municipality, Municipality.istat_code == Site.municipality_code)
        .where(among(Site.organization_id, ids))
        .order_by(Site.organization_id, Site.id)
    )
    found: dict[int, list[str]] = {}
    for org_id, name in db.session.execute(query):
        if name not in found.setdefault(org_id, []):
            found[org_id].append(name)
    return found


def _agreements_valid_until(ids: list[int], today: date) -> dict[int, date]:
    query = (
        select(Agreement.organization_id, func.max(Agreement.valid_to))
        .where(
            among(Agreement.organization_id, ids),
            Agreement.status == AgreementStatus.ACTIVE,
            Agreement.valid_from <= today,
            Agreement.valid_to >= today,
        )
        .group_by(Agreement.organization_id)
    )
    return dict(db.session.execute(query).tuples().all())


def _export_row(
    row: Any, labels: _ExportLabels, schemes: list[str], other_places: list[str], valid_until: date | None
) -> list[Any]:
    hosted = [label for value, label in labels.schemes.items() if value in schemes]
    return [
        row.id, row.name, labels.kinds[row.kind.value], row.vat_number, row.tax_code, row.ateco_code,
        row.sector_title, labels.sizes[row.size_class.value] if row.size_class else None, row.employees,
        labels.statuses[row.status.value], row.comune, row.district, row.address, ", ".join(other_places),
        row.website, row.email, row.phone, labels.yes_no(row.obligated_68),
        labels.yes_no(row.quota_68_covered) if row.obligated_68 else None, ", ".join(hosted), valid_until,
        row.last_contact_on, labels.yes_no(row.archived_at is not None),
    ]  # fmt: skip


# -- saved filters -------------------------------------------------------------------------


def clean_pairs(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Only the list's own parameters, without empty values or the page: what links and saved filters keep."""
    return [(key, value[:MAX_QUERY_LENGTH]) for key, value in pairs if key in LIST_PARAMETERS and value.strip()]


def list_parameters(pairs: Iterable[tuple[str, str]]) -> str:
    """Only the list's own parameters, values untouched (the list's form judges them): what an export keeps."""
    return urlencode([(key, value) for key, value in pairs if key in LIST_PARAMETERS])


def parse_query_string(raw: str) -> list[tuple[str, str]]:
    return clean_pairs(parse_qsl(raw or "", keep_blank_values=False))


def clean_query_string(raw: str) -> str:
    return urlencode(parse_query_string(raw))[:MAX_SAVED_QUERY]


def query_string_of(args: MultiDict) -> str:
    return urlencode(clean_pairs(args.items(multi=True)))[:MAX_SAVED_QUERY]


def saved_filters(user_id: int) -> list[SavedFilter]:
    query = (
        select(SavedFilter)
        .where(SavedFilter.user_id == user_id, SavedFilter.scope == SAVED_FILTER_SCOPE)
        .order_by(func.lower(SavedFilter.name))
    )
    return list(db.session.scalars(query))


def own_filter(user_id: int, filter_id: int) -> SavedFilter | None:
    """The saved filter if it is this user's: anyone else's is as good as missing."""
    saved = db.session.get(SavedFilter, filter_id)
    if saved is None or saved.user_id != user_id or saved.scope != SAVED_FILTER_SCOPE:
        return None
    return saved


def save_filter(user_id: int, name: str, query_string: str) -> SavedFilter:
    name = " ".join(name.split())
    taken = select(SavedFilter.id).where(
        SavedFilter.user_id == user_id,
        SavedFilter.scope == SAVED_FILTER_SCOPE,
        func.lower(SavedFilter.name) == name.lower(),
    )
    if db.session.scalar(taken) is not None:
        raise DuplicateFilterName(name)
    saved = SavedFilter(user_id=user_id, scope=SAVED_FILTER_SCOPE, name=name,
                        query_string=clean_query_string(query_string))  # fmt: skip
    try:
        with db.session.begin_nested():  # two tabs saving the same name at once
            db.session.add(saved)
            db.session.flush()
    except IntegrityError:
        raise DuplicateFilterName(name) from None
    return saved


def delete_filter(saved: SavedFilter) -> None:
    db.session.delete(saved)
    db.session.flush()
