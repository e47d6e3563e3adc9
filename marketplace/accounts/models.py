"""Users, their roles, and the partner organisations operators belong to."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models_base import TimestampMixin


class Role(enum.StrEnum):
    CANDIDATE = "candidate"
    COMPANY = "company"
    OPERATOR = "operator"
    PARTNER_ADMIN = "partner_admin"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.CANDIDATE: _l("Candidato/a"),
    Role.COMPANY: _l("Azienda o ente"),
    Role.OPERATOR: _l("Operatore/operatrice"),
    Role.PARTNER_ADMIN: _l("Referente di ente partner"),
    Role.ADMIN: _l("Amministratore/amministratrice"),
}

# Roles whose members act for an ente partner and must belong to one.
PARTNER_ROLES = frozenset({Role.OPERATOR, Role.PARTNER_ADMIN})


def enum_column(enum_cls: type[enum.Enum], length: int = 40) -> Enum:
    """Store enums as their value in a plain VARCHAR: portable and readable in SQL."""
    return Enum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Partner(TimestampMixin, db.Model):
    """An ente partner of the network (SIL, social cooperative, municipality service…)."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))

    members: Mapped[list[User]] = relationship(back_populates="partner")

    def __repr__(self) -> str:
        return f"<Partner {self.name}>"


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[Role] = mapped_column(enum_column(Role), nullable=False, default=Role.CANDIDATE)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    is_active_account: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Changing it invalidates every outstanding password-reset token and session.
    session_token: Mapped[str] = mapped_column(String(64), nullable=False)

    partner: Mapped[Partner | None] = relationship(back_populates="members")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    def get_id(self) -> str:
        # The session stores the token, not the id: rotating it logs out every device.
        return self.session_token

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
