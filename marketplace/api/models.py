"""API tokens that partner_admins create for their partner's systems (the partner write API)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import Partner, User
from marketplace.extensions import db
from marketplace.models_base import utcnow


class ApiToken(db.Model):
    """Only a SHA-256 of the secret is kept: the secret is shown once, when the token is created.

    A token acts for its partner with the rights of a partner staff member who may publish
    on a company's behalf; revoking it takes effect on the next request.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), nullable=False, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    # The first characters of the secret, so people can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    secret_sha256: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    partner: Mapped[Partner] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
