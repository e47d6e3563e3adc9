"""Import every model so metadata (and Alembic) sees all tables."""

from marketplace.accounts.models import Partner, User
from marketplace.agreements.models import Agreement
from marketplace.alerts.models import SavedSearch
from marketplace.api.models import ApiToken
from marketplace.applications.models import Application, ApplicationEvent, ApplicationNote
from marketplace.audit.models import AuditEntry
from marketplace.candidates.models import CandidateProfile, Person
from marketplace.exports.models import ExportRun
from marketplace.imports.models import ImportRejection, ImportRun
from marketplace.indexing.models import SearchOutboxEntry
from marketplace.interactions.models import Interaction
from marketplace.mail.models import OutgoingMail
from marketplace.opportunities.models import Edition, Opportunity, OpportunityEvent
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
    "ApiToken",
    "Application",
    "ApplicationEvent",
    "ApplicationNote",
    "AuditEntry",
    "CandidateProfile",
    "Contact",
    "District",
    "Edition",
    "ExportRun",
    "ImportRejection",
    "ImportRun",
    "InclusionProfile",
    "Interaction",
    "Municipality",
    "Opportunity",
    "OpportunityEvent",
    "Organization",
    "OrganizationClaim",
    "OutgoingMail",
    "Partner",
    "PartnerNote",
    "Person",
    "SavedFilter",
    "SavedSearch",
    "SearchOutboxEntry",
    "Sector",
    "Site",
    "User",
]
