"""Rows for the shared company database (banca dati aziende)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from stdnum.it import iva

from marketplace.demo import content, writing
from marketplace.demo.codes import partita_iva
from marketplace.demo.content import Line, Theme
from marketplace.demo.context import DemoContext
from marketplace.organizations.models import (
    COMPANY_KINDS,
    OBLIGATION_68_THRESHOLD,
    OrganizationKind,
    OrganizationStatus,
    SizeClass,
    size_class_for,
)

# The first organisations cover every kind, so even the smallest demo shows them all.
# The very first is a type-B cooperative: it hosts every kind of opportunity plausibly,
# and it is the one the demo company account manages.
_FIRST_KINDS = (
    "social_coop_b",
    "company",
    "social_coop_a",
    "association",
    "public_body",
    "social_enterprise",
    "company",
    "social_coop_b",
    "company",
    "association",
)
_EMPLOYEES = {  # (low, high) ranges with weights, by kind
    "company": (((1, 9), 55), ((10, 49), 28), ((50, 249), 14), ((250, 900), 3)),
    "social_coop_b": (((8, 30), 50), ((31, 120), 50)),
    "social_coop_a": (((10, 60), 60), ((61, 300), 40)),
    "social_enterprise": (((3, 25), 80), ((26, 80), 20)),
    "association": (((0, 5), 80), ((6, 20), 20)),
    "public_body": (((15, 80), 60), ((81, 400), 40)),
}


# A company's legal form follows its size: a ditta individuale is small, an S.p.A. rarely is.
# The keys are the suffixes of its name ("" is a ditta individuale).
_LEGAL_FORMS = {
    SizeClass.MICRO: content.weights("S.r.l.:44 | S.r.l.s.:12 | S.n.c.:12 | S.a.s.:10 | :22"),
    SizeClass.SMALL: content.weights("S.r.l.:66 | S.n.c.:10 | S.a.s.:8 | S.p.A.:6 | Soc. cons. a r.l.:4 | :6"),
    SizeClass.MEDIUM: content.weights("S.r.l.:55 | S.p.A.:38 | Soc. cons. a r.l.:7"),
    SizeClass.LARGE: content.weights("S.r.l.:30 | S.p.A.:70"),
}
_KIND_OF_LEGAL_FORM = {
    "S.r.l.": OrganizationKind.SRL,
    "S.r.l.s.": OrganizationKind.SRL,
    "S.n.c.": OrganizationKind.SNC,
    "S.a.s.": OrganizationKind.SAS,
    "S.p.A.": OrganizationKind.SPA,
    "Soc. cons. a r.l.": OrganizationKind.COMPANY,  # a consortium: "altra impresa"
    "": OrganizationKind.SOLE_PROPRIETORSHIP,
}
# Of the employers obliged by L. 68/1999: quota covered, not covered, not known to the network.
_QUOTA_68 = ((True, 60), (False, 28), (None, 12))


@dataclass(frozen=True)
class OrganizationPlan:
    """What later builders need to know about an organisation besides its row."""

    kind: str
    theme: Theme
    line: Line
    active: bool
    municipality_code: str
    ateco_code: str
    obligated_68: bool
    employees: int
    status: OrganizationStatus


def organization_count(scale: int) -> int:
    return max(10, scale // 4)


class _VatNumbers:
    """Unique, valid 11-digit numbers (partita IVA, or an entity's numeric codice fiscale)."""

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.seen: set[str] = set()

    def new(self, *, non_commercial: bool = False) -> str:
        while True:
            number = self.ctx.fake.company_vat().removeprefix("IT")
            if non_commercial:
                # Associations get a codice fiscale starting with 9, as non-commercial entities do.
                number = partita_iva("9" + number[1:10])
            if iva.is_valid(number) and number not in self.seen:
                self.seen.add(number)
                return number


def _employees(ctx: DemoContext, kind: str) -> int:
    ranges, weights = zip(*_EMPLOYEES[kind], strict=True)
    low, high = ctx.rng.choices(ranges, weights=weights)[0]
    return ctx.rng.randint(low, high)


def _status(ctx: DemoContext, index: int) -> OrganizationStatus:
    if index < len(_FIRST_KINDS):
        return OrganizationStatus.ACTIVE
    roll = ctx.rng.random()
    if roll < 0.85:
        return OrganizationStatus.ACTIVE
    return OrganizationStatus.PROSPECT if roll < 0.95 else OrganizationStatus.INACTIVE


def _municipality(ctx: DemoContext, index: int) -> str:
    if index == 0:  # a comune whose name shows an elision in every page of the demo company
        return ctx.territory.code_named("Cassano d'Adda") or ctx.territory.local.pick(ctx.rng)
    return ctx.territory.pick(ctx.rng)


def _quota_covered(ctx: DemoContext) -> bool | None:
    values, weights = zip(*_QUOTA_68, strict=True)
    return ctx.rng.choices(values, weights=weights)[0]


def _last_contact(ctx: DemoContext, status: OrganizationStatus) -> date | None:
    """Most active organisations were contacted lately, prospects mostly never, inactive ones long ago."""
    rng = ctx.rng
    if status == OrganizationStatus.PROSPECT:
        return ctx.today - timedelta(days=rng.randint(5, 400)) if rng.random() < 0.15 else None
    if status == OrganizationStatus.INACTIVE:
        return ctx.today - timedelta(days=rng.randint(300, 1500)) if rng.random() < 0.5 else None
    if rng.random() < 0.2:
        return None
    return ctx.today - timedelta(days=int(rng.random() ** 2 * 1000))  # skewed towards recent


def build_organizations(
    ctx: DemoContext, count: int, partner_ids: list[int]
) -> tuple[list[dict[str, Any]], list[OrganizationPlan]]:
    rng, fake = ctx.rng, ctx.fake
    numbers = _VatNumbers(ctx)
    rows: list[dict[str, Any]] = []
    plans: list[OrganizationPlan] = []
    for index in range(count):
        family = (
            _FIRST_KINDS[index]
            if index < len(_FIRST_KINDS)
            else writing.weighted(rng, content.ORGANIZATION_KIND_WEIGHTS)
        )
        theme = ctx.themes[writing.weighted(rng, content.THEMES_BY_ORGANIZATION_KIND[family])]
        line = rng.choice(theme.lines)
        code = _municipality(ctx, index)
        comune = ctx.territory.names[code]
        employees = _employees(ctx, family)
        size_class = size_class_for(employees)
        kind = OrganizationKind(family)
        legal_form = None
        if family == "company":
            legal_form = writing.weighted(rng, _LEGAL_FORMS[size_class])
            kind = _KIND_OF_LEGAL_FORM[legal_form]
        name = writing.organization_name(rng, fake, family, line, comune, legal_form)
        obligated = employees >= OBLIGATION_68_THRESHOLD
        if family == "association":
            tax_code = numbers.new(non_commercial=True)
            vat = numbers.new() if rng.random() < 0.3 else None
        else:
            vat = numbers.new()
            # Companies and cooperatives use the partita IVA as their codice fiscale too.
            tax_code = vat
        status = _status(ctx, index)
        ateco = rng.choice(ctx.sectors.for_line(line))
        created_at = ctx.days_ago(30, 900)
        rows.append(
            {
                "name": name[:250],
                "kind": kind,
                "vat_number": vat,
                "tax_code": tax_code,
                "ateco_code": ateco,
                "municipality_code": code,
                "address": writing.street_address(rng, fake),
                "website": writing.website(rng, name),
                "description": writing.organization_description(rng, name, family, line, comune, obligated),
                "status": status,
                "employees": employees,
                "size_class": size_class,
                "obligated_68": obligated,
                "quota_68_covered": _quota_covered(ctx) if obligated else None,
                "last_contact_on": _last_contact(ctx, status),
                "created_by_partner_id": rng.choice(partner_ids) if rng.random() < 0.7 else None,
                "version": 1,
                "created_at": created_at,
                "updated_at": ctx.between(created_at, ctx.now),
            }
        )
        plans.append(
            OrganizationPlan(
                kind=family,
                theme=theme,
                line=line,
                active=status == OrganizationStatus.ACTIVE,
                municipality_code=code,
                ateco_code=ateco,
                obligated_68=obligated,
                employees=employees,
                status=status,
            )
        )
    return rows, plans


# Legal forms as a second partner might type them: the duplicates check sets legal forms aside.
_RETYPED_FORMS = {"S.r.l.": "srl", "S.p.A.": "SPA", "S.r.l.s.": "srls", "S.n.c.": "snc", "S.a.s.": "sas"}


def lookalike_rows(ctx: DemoContext, rows: list[dict[str, Any]], partner_ids: list[int]) -> list[dict[str, Any]]:
    """Organisations entered twice, as happens in a database several partners keep: what the duplicates page is for.

    A company typed again by another partner (a letter lost, the legal form spelled otherwise, no
    identifiers), and an association whose codice fiscale another partner entered as its partita IVA.
    """
    found = []
    company = next((row for row in rows if row["kind"] in COMPANY_KINDS and row["vat_number"]), None)
    if company is not None:
        found.append({**_entered_again(ctx, company, partner_ids), "name": _retyped(company["name"])})
    association = next((row for row in rows if row["kind"] == OrganizationKind.ASSOCIATION and row["tax_code"]), None)
    if association is not None:
        found.append({**_entered_again(ctx, association, partner_ids), "vat_number": association["tax_code"]})
    return found


def _entered_again(ctx: DemoContext, row: dict[str, Any], partner_ids: list[int]) -> dict[str, Any]:
    others = [partner for partner in partner_ids if partner != row["created_by_partner_id"]] or partner_ids
    created_at = ctx.days_ago(1, 60)
    return {
        **row, "vat_number": None, "tax_code": None, "status": OrganizationStatus.PROSPECT, "website": None,
        "last_contact_on": None, "created_by_partner_id": ctx.rng.choice(others), "version": 1,
        "created_at": created_at, "updated_at": created_at,
    }  # fmt: skip


def _retyped(name: str) -> str:
    """The name with one letter of its longest plain word lost and its legal form spelled otherwise."""
    words = name.split(" ")
    longest = max(range(len(words)), key=lambda i: len(words[i]) if words[i].isalpha() else 0)
    word = words[longest]
    if word.isalpha() and len(word) >= 5:
        middle = len(word) // 2
        words[longest] = word[:middle] + word[middle + 1 :]
    return " ".join(_RETYPED_FORMS.get(word, word) for word in words)
