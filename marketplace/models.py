"""Import every model so metadata (and Alembic) sees all tables."""

from marketplace.accounts.models import Partner, User
from marketplace.agreements.models import Agreement
from marketplace.applications.models import Application
from marketplace.audit.models import AuditEntry
from marketplace.candidates.models import CandidateProfile, Person
from marketplace.imports.models import ImportRejection, ImportRun
from marketplace.indexing.models import SearchOutboxEntry
from marketplace.interactions.models import Interaction
from marketplace.mail.models import OutgoingMail
from marketplace.opportunities.models import Opportunity
from marketplace.organizations.models import (
    Contact,
    InclusionProfile,
    Organization,
    OrganizationClaim,
    PartnerNote,
    SavedFilter,
    Site,
)
from marketplace.territory.models import District, Municipality, Sector

__all__ = [
    "Agreement",
    "Application",
    "AuditEntry",
    "CandidateProfile",
    "Contact",
    "District",
    "ImportRejection",
    "ImportRun",
    "InclusionProfile",
    "Interaction",
    "Municipality",
    "Opportunity",
    "Organization",
    "OrganizationClaim",
    "OutgoingMail",
    "Partner",
    "PartnerNote",
    "Person",
    "SavedFilter",
    "SearchOutboxEntry",
    "Sector",
    "Site",
    "User",
]
