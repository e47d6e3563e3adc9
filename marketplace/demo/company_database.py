"""What the network knows about each demo organisation: sites, contacts, inclusion profile, agreements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from marketplace.agreements.models import AgreementKind, AgreementStatus
from marketplace.demo import content, writing
from marketplace.demo.context import DemoContext, WeightedPicker
from marketplace.demo.organizations import OrganizationPlan
from marketplace.organizations.models import ContactChannel, HostingScheme, OrganizationStatus, PremisesAccess

# What each kind of organisation is usually willing to host.
_SCHEMES = {
    "company": "extracurricular_internship:30 | curricular_internship:20 | pcto:20 | apprenticeship:15 | hiring:25"
    " | inclusion_internship:10 | work_grant:5",
    "social_coop_b": "inclusion_internship:35 | work_grant:30 | extracurricular_internship:20 | hiring:15"
    " | workshop:10",
    "social_coop_a": "curricular_internship:30 | pcto:20 | volunteering:15 | extracurricular_internship:15 | hiring:10",
    "social_enterprise": "inclusion_internship:25 | work_grant:20 | workshop:20 | extracurricular_internship:20"
    " | hiring:10",
    "association": "volunteering:50 | workshop:30 | pcto:15 | curricular_internship:10",
    "public_body": "curricular_internship:30 | pcto:25 | extracurricular_internship:20 | volunteering:15"
    " | work_grant:10",
}
# Share of organisations with an inclusion profile, by kind (active ones; others far fewer).
_PROFILE_SHARE = {"company": 0.5, "social_coop_b": 0.9, "social_coop_a": 0.8, "social_enterprise": 0.85,
                  "association": 0.6, "public_body": 0.6}  # fmt: skip
_AGREEMENT_KIND = {
    HostingScheme.EXTRACURRICULAR_INTERNSHIP.value: AgreementKind.EXTRACURRICULAR_INTERNSHIP,
    HostingScheme.INCLUSION_INTERNSHIP.value: AgreementKind.INCLUSION_INTERNSHIP,
    HostingScheme.CURRICULAR_INTERNSHIP.value: AgreementKind.CURRICULAR_INTERNSHIP,
    HostingScheme.PCTO.value: AgreementKind.PCTO,
    HostingScheme.WORK_GRANT.value: AgreementKind.WORK_GRANT,
}
_PREMISES = content.weights("accessible:45 | partial:25 | not_accessible:10 | unknown:20")
_CHANNELS = content.weights("email:45 | phone:35 | whatsapp:12 | in_person:8")
_JOB_TITLES = (
    "Titolare", "Responsabile risorse umane", "Ufficio personale", "Amministratore delegato", "Presidente",
    "Responsabile di produzione", "Coordinatrice dei servizi", "Referente inserimenti lavorativi", "Direttore",
)  # fmt: skip
_SITE_LABELS = ("Sede operativa", "Magazzino", "Punto vendita", "Laboratorio", "Unità locale")
_OTHER_LANGUAGES = ("fr", "es", "ar", "ro", "zh", "uk", "sq")
# Real Italian mobile prefixes; Milan landlines start with 02.
_MOBILE_PREFIXES = ("320", "324", "328", "329", "331", "333", "334", "335", "338", "339", "340", "342", "345",
                    "347", "348", "349", "351", "366", "377", "380", "388", "389", "392", "393")  # fmt: skip
_AGREEMENT_YEARS = ((1, 45), (2, 35), (3, 20))


@dataclass
class CompanyDatabaseRows:
    sites: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    profiles: list[dict[str, Any]] = field(default_factory=list)
    agreements: list[dict[str, Any]] = field(default_factory=list)


def build_company_database(
    ctx: DemoContext, org_ids: list[int], org_rows: list[dict[str, Any]], plans: list[OrganizationPlan],
    partner_ids: list[int],
) -> CompanyDatabaseRows:  # fmt: skip
    rows = CompanyDatabaseRows()
    schemes = {kind: _picker(text) for kind, text in _SCHEMES.items()}
    for org_id, org, plan in zip(org_ids, org_rows, plans, strict=True):
        rows.sites += _sites(ctx, org_id, plan)
        rows.contacts += _contacts(ctx, org_id, org, plan)
        hosted = _hosted_schemes(ctx, plan, schemes[plan.kind])
        if hosted is None:
            continue
        rows.profiles.append(_profile(ctx, org_id, plan, hosted))
        partner_id = org["created_by_partner_id"] or ctx.rng.choice(partner_ids)
        rows.agreements += _agreements(ctx, org_id, hosted, partner_id, serial=len(rows.agreements))
    return rows


def _picker(text: str) -> WeightedPicker:
    values, weights = zip(*content.weights(text), strict=True)
    return WeightedPicker(values, weights)


def _morning(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _sites(ctx: DemoContext, org_id: int, plan: OrganizationPlan) -> list[dict[str, Any]]:
    """Bigger organisations more often work from several places."""
    rng = ctx.rng
    many = plan.employees >= 50
    count = rng.choice((0, 1, 1, 2, 3)) if many else int(rng.random() < 0.12)
    created = ctx.days_ago(30, 700)
    return [
        {"organization_id": org_id, "label": rng.choice(_SITE_LABELS), "address": writing.street_address(rng, ctx.fake),
         "postal_code": None, "municipality_code": ctx.territory.pick(rng), "latitude": None, "longitude": None,
         "created_at": created, "updated_at": created}
        for _ in range(count)
    ]  # fmt: skip


def _phone(ctx: DemoContext) -> str | None:
    """E.164, as the forms store it: +39 and the national number."""
    rng = ctx.rng
    roll = rng.random()
    if roll < 0.1:
        return None
    if roll < 0.6:
        return f"+39{rng.choice(_MOBILE_PREFIXES)}{rng.randint(0, 9_999_999):07d}"
    return f"+3902{rng.randint(10_000_000, 99_999_999)}"


def _contacts(ctx: DemoContext, org_id: int, org: dict[str, Any], plan: OrganizationPlan) -> list[dict[str, Any]]:
    rng = ctx.rng
    share = 0.85 if plan.status == OrganizationStatus.ACTIVE else 0.4
    if rng.random() >= share:
        return []
    count = 2 if plan.employees >= 50 and rng.random() < 0.5 else 1
    domain = (org["website"] or "https://www.ente.example.org").removeprefix("https://www.")
    contacts = []
    for _ in range(count):
        name = writing.full_name(ctx.fake)
        consent = rng.random() < 0.75
        recorded = ctx.between(org["created_at"], ctx.now) if consent else None
        contacts.append({
            "organization_id": org_id, "full_name": name, "job_title": rng.choice(_JOB_TITLES),
            "email": f"{writing.slug(name)}@{domain}" if rng.random() < 0.85 else None, "phone": _phone(ctx),
            "preferred_channel": ContactChannel(writing.weighted(rng, _CHANNELS)), "consent_to_contact": consent,
            "consent_recorded_at": recorded, "created_at": org["created_at"], "updated_at": org["created_at"],
        })  # fmt: skip
    return contacts


def _hosted_schemes(ctx: DemoContext, plan: OrganizationPlan, picker: WeightedPicker) -> list[str] | None:
    """The schemes of its inclusion profile, or None when it has no profile."""
    rng = ctx.rng
    share = _PROFILE_SHARE[plan.kind] if plan.status == OrganizationStatus.ACTIVE else 0.12
    if rng.random() >= share:
        return None
    hosted = {picker.pick(rng) for _ in range(rng.choice((1, 2, 2, 3, 4)))}
    return sorted(hosted)


def _profile(ctx: DemoContext, org_id: int, plan: OrganizationPlan, hosted: list[str]) -> dict[str, Any]:
    rng = ctx.rng
    languages = ["it"]
    if rng.random() < 0.3:
        languages.append("en")
    if rng.random() < 0.1:
        languages.append(rng.choice(_OTHER_LANGUAGES))
    roles = list(rng.sample(plan.line.roles, k=min(2, len(plan.line.roles)))) if plan.line.roles else []
    created = ctx.days_ago(10, 600)
    return {
        "organization_id": org_id, "schemes": hosted, "capacity": rng.randint(1, max(1, min(8, plan.employees // 8))),
        "tutor_available": rng.random() < 0.7,
        "premises_access": PremisesAccess(writing.weighted(rng, _PREMISES)), "accessibility_notes": None,
        "languages": languages, "recruiting_sectors": [plan.ateco_code] if rng.random() < 0.5 else [],
        "recruiting_roles": roles, "created_at": created, "updated_at": created,
    }  # fmt: skip


def _agreements(ctx: DemoContext, org_id: int, hosted: list[str], partner_id: int, serial: int) -> list[dict[str, Any]]:
    """Zero to a few successive agreements: some expired, many valid today, a few about to expire."""
    rng = ctx.rng
    kinds = [_AGREEMENT_KIND[scheme] for scheme in hosted if scheme in _AGREEMENT_KIND]
    if not kinds or rng.random() < 0.4:
        return []
    kind = rng.choice(kinds)
    start = ctx.today - timedelta(days=rng.randint(30, 1400))
    rows = []
    while start <= ctx.today + timedelta(days=30) and len(rows) < 4:
        years = rng.choices(*zip(*_AGREEMENT_YEARS, strict=True))[0]
        end = _years_later(start, years) - timedelta(days=1)
        status = AgreementStatus.DRAFT if start > ctx.today else (
            AgreementStatus.TERMINATED if rng.random() < 0.07 else AgreementStatus.ACTIVE)  # fmt: skip
        signed = _morning(min(start, ctx.today))
        rows.append({
            "organization_id": org_id, "partner_id": partner_id, "kind": kind, "status": status,
            "reference": f"CONV-{start.year}/{serial + len(rows) + 1:05d}", "valid_from": start, "valid_to": end,
            "document_key": None, "document_filename": None, "document_size": None, "document_sha256": None,
            "created_by_id": None, "expiry_notified_at": None, "created_at": signed, "updated_at": signed,
        })  # fmt: skip
        # Renewed a little before or after the end, or not at all.
        if rng.random() < 0.35:
            break
        start = end + timedelta(days=rng.randint(-20, 90))
    return rows
