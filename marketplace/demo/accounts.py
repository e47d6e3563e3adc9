"""Partners (enti partner) and user accounts, including one demo login per role."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marketplace.accounts.models import Role
from marketplace.accounts.services import new_session_token
from marketplace.demo import content, writing
from marketplace.demo.context import DemoContext

DEMO_PASSWORD = "demo-opportunita-2026"
ADMIN_EMAIL = "admin@demo.opportunita.it"
PARTNER_ADMIN_EMAIL = "partner@demo.opportunita.it"
OPERATOR_EMAIL = "operatore@demo.opportunita.it"
COMPANY_EMAIL = "azienda@demo.opportunita.it"
CANDIDATE_EMAIL = "candidato@demo.opportunita.it"

# Shown by `flask demo seed`, in the order a visitor would try them.
DEMO_LOGINS: tuple[tuple[str, str], ...] = (
    ("Amministratore", ADMIN_EMAIL),
    ("Referente ente partner", PARTNER_ADMIN_EMAIL),
    ("Operatore", OPERATOR_EMAIL),
    ("Azienda", COMPANY_EMAIL),
    ("Candidato", CANDIDATE_EMAIL),
)
OPERATORS_PER_PARTNER = 3
# Share of active organisations whose staff have an account (beyond the demo company).
COMPANY_ACCOUNT_SHARE = 0.25


def partner_rows(ctx: DemoContext, district_ids: dict[str, int]) -> list[dict[str, Any]]:
    created_at = ctx.days_ago(700, 800)
    return [
        {"name": name, "district_id": district_ids.get(code or ""), "created_at": created_at, "updated_at": created_at}
        for name, code in content.PARTNERS
    ]


class UserRows:
    """Builds user rows that all share one argon2 hash (hashing costs ~50 ms each)."""

    def __init__(self, ctx: DemoContext, password_hash: str) -> None:
        self.ctx = ctx
        self.password_hash = password_hash
        self.serial = 0

    def generated_email(self, full_name: str, domain: str) -> str:
        # The serial keeps addresses unique however many namesakes Faker produces.
        self.serial += 1
        return f"{writing.slug(full_name)}.{self.serial}@{domain}"

    def row(
        self,
        full_name: str,
        role: Role,
        *,
        email: str | None = None,
        partner_id: int | None = None,
        organization_id: int | None = None,
        created_at: datetime | None = None,
    ) -> dict[str, Any]:
        created_at = created_at or self.ctx.days_ago(30, 700)
        return {
            "email": email or self.generated_email(full_name, "example.org"),
            "full_name": full_name,
            "password_hash": self.password_hash,
            "role": role,
            "partner_id": partner_id,
            "organization_id": organization_id,
            "is_active_account": True,
            "session_token": new_session_token(),
            "created_at": created_at,
            "updated_at": created_at,
        }


def staff_rows(users: UserRows, partner_ids: list[int]) -> list[dict[str, Any]]:
    """The platform admin, then a partner_admin and three operators per partner.

    The first partner's partner_admin and first operator are the demo logins.
    """
    fake = users.ctx.fake
    rows = [users.row("Amministrazione Opportunità", Role.ADMIN, email=ADMIN_EMAIL)]
    for position, partner_id in enumerate(partner_ids):
        first = position == 0
        rows.append(
            users.row(
                writing.full_name(fake),
                Role.PARTNER_ADMIN,
                partner_id=partner_id,
                email=PARTNER_ADMIN_EMAIL if first else None,
            )
        )
        for number in range(OPERATORS_PER_PARTNER):
            rows.append(
                users.row(
                    writing.full_name(fake),
                    Role.OPERATOR,
                    partner_id=partner_id,
                    email=OPERATOR_EMAIL if first and number == 0 else None,
                )
            )
    return rows


def company_rows(
    users: UserRows, organization_ids: list[int], active: list[bool]
) -> tuple[list[dict[str, Any]], list[int]]:
    """Accounts for organisation staff; returns the rows and the organisation index of each."""
    rng, fake = users.ctx.rng, users.ctx.fake
    rows = [users.row(writing.full_name(fake), Role.COMPANY, email=COMPANY_EMAIL, organization_id=organization_ids[0])]
    owners = [0]
    for index in range(1, len(organization_ids)):
        if active[index] and rng.random() < COMPANY_ACCOUNT_SHARE:
            rows.append(users.row(writing.full_name(fake), Role.COMPANY, organization_id=organization_ids[index]))
            owners.append(index)
    return rows, owners
