"""Import every model so metadata (and Alembic) sees all tables."""

from marketplace.accounts.models import Partner, User
from marketplace.applications.models import Application
from marketplace.candidates.models import CandidateProfile, Person
from marketplace.indexing.models import SearchOutboxEntry
from marketplace.mail.models import OutgoingMail
from marketplace.opportunities.models import Opportunity
from marketplace.organizations.models import Organization
from marketplace.territory.models import District, Municipality, Sector

__all__ = [
    "Application",
    "CandidateProfile",
    "District",
    "Municipality",
    "Opportunity",
    "Organization",
    "OutgoingMail",
    "Partner",
    "Person",
    "SearchOutboxEntry",
    "Sector",
    "User",
]
