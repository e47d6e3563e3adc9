"""Who may do what in the opportunity editor: one role × action table over the real pages,
plus the policy functions the other parts of the site call with the object in hand."""

from __future__ import annotations

import html
from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.opportunities import policy
from marketplace.opportunities.models import Opportunity, OpportunityEvent, OpportunityStatus
from tests import factories
from tests import factories_relations as fr
from tests.conftest import csrf_token

BASE = "/gestione/opportunita"
ROLES = ("anonymous", "candidate", "company", "other_company", "operator", "partner_admin", "admin")


@pytest.fixture
def world(db_session):
    partner = factories.partner("SIL Adda Martesana")
    org = factories.organization("Logistica Martesana S.r.l.")
    other = factories.organization("Panificio Ronchi S.n.c.")
    users = {
        "anonymous": None,
        "candidate": fr.user(Role.CANDIDATE),
        "company": fr.user(Role.COMPANY, organization_id=org.id),
        "other_company": fr.user(Role.COMPANY, organization_id=other.id),
        "operator": fr.user(Role.OPERATOR, partner_id=partner.id),
        "partner_admin": fr.user(Role.PARTNER_ADMIN, partner_id=partner.id),
        "admin": fr.user(Role.ADMIN),
    }
    db.session.commit()
    return {"org": org, "other": other, "users": users}


def make(world, status: OpportunityStatus) -> Opportunity:
    opportunity = factories.opportunity(world["org"], status=status, title=f"Opportunità {status.value}")
    if status == OpportunityStatus.IN_REVIEW:
        opportunity.submitted_at = utcnow()
    db.session.commit()
    return opportunity


def client_for(app, world, role):
    return fr.sign_in(app.test_client(), world["users"][role])


def token(client, signed_in: bool = True) -> str:
    # Any page with a form carries the session's CSRF token: the sign-out button, or the login form.
    return csrf_token(client, "/area-personale" if signed_in else "/accedi")


def outcome(response) -> str:
    """'ok' (200 or a redirect back into the editor), 'login' (sent to sign in) or 'denied' (403)."""
    if response.status_code == 403:
        return "denied"
    if response.status_code == 302 and "/accedi" in response.headers["Location"]:
        return "login"
    if response.status_code in {200, 302}:
        return "ok"
    return str(response.status_code)


def _events(opportunity_id: int) -> int:
    query = select(OpportunityEvent).where(OpportunityEvent.opportunity_id == opportunity_id)
    return len(db.session.scalars(query).all())


# Expected outcome per action, in ROLES order: anonymous, candidate, company (own organisation),
# other_company, operator, partner_admin, admin.
L, D, K = "login", "denied", "ok"
TABLE = {
    "list": (L, D, K, K, K, K, K),
    # Each company writes for its own organisation whatever the URL says (see the test below).
    "new (own organisation / chosen one)": (L, D, K, K, K, K, K),
    "edit a draft": (L, D, K, D, K, K, K),
    "history": (L, D, K, D, K, K, K),
    "submit for review": (L, D, K, D, K, K, K),
    "close": (L, D, K, D, K, K, K),
    "reopen": (L, D, K, D, K, K, K),
    "archive": (L, D, K, D, K, K, K),
    "review queue": (L, D, D, D, D, K, K),
    "approve": (L, D, D, D, D, K, K),
    "reject": (L, D, D, D, D, K, K),
    "editions": (L, D, K, D, K, K, K),
}
# The status each action starts from, and the one it leads to when allowed.
ACTIONS = {
    "list": ("get", None, lambda o: f"{BASE}/", None),
    # Staff choose the organisation; a company always writes for its own (the parameter is ignored).
    "new (own organisation / chosen one)": ("get", None, lambda o: f"{BASE}/nuova?organizzazione={{org}}", None),
    "edit a draft": ("get", OpportunityStatus.DRAFT, lambda o: f"{BASE}/{o.id}/modifica", None),
    "history": ("get", OpportunityStatus.DRAFT, lambda o: f"{BASE}/{o.id}/storia", None),
    "submit for review": ("post", OpportunityStatus.DRAFT, lambda o: f"{BASE}/{o.id}/invia", "in_review"),
    "close": ("post", OpportunityStatus.PUBLISHED, lambda o: f"{BASE}/{o.id}/chiudi", "closed"),
    "reopen": ("post", OpportunityStatus.CLOSED, lambda o: f"{BASE}/{o.id}/riapri", "in_review"),
    "archive": ("post", OpportunityStatus.DRAFT, lambda o: f"{BASE}/{o.id}/archivia", "archived"),
    "review queue": ("get", None, lambda o: f"{BASE}/revisione", None),
    "approve": ("post", OpportunityStatus.IN_REVIEW, lambda o: f"{BASE}/{o.id}/approva", "published"),
    "reject": ("post", OpportunityStatus.IN_REVIEW, lambda o: f"{BASE}/{o.id}/respingi", "draft"),
    "editions": ("get", OpportunityStatus.DRAFT, lambda o: f"{BASE}/{o.id}/edizioni", None),
}
CASES = [(action, role, TABLE[action][i]) for action in TABLE for i, role in enumerate(ROLES)]


@pytest.mark.parametrize(("action", "role", "expected"), CASES, ids=[f"{a}-{r}" for a, r, _ in CASES])
def test_role_by_action(app, world, action, role, expected):
    method, status, path_of, leads_to = ACTIONS[action]
    opportunity = make(world, status) if status is not None else None
    if action == "editions":
        opportunity.kind = "workshop"
        db.session.commit()
    client = client_for(app, world, role)
    path = path_of(opportunity).replace("{org}", str(world["org"].id))
    if method == "get":
        response = client.get(path)
    else:
        data = {"csrf_token": token(client, signed_in=role != "anonymous")}
        if action == "close":
            data["close-reason"] = "filled"
        if action == "reject":
            data[f"reject-{opportunity.id}-reason"] = "Descrizione da completare."
        response = client.post(path, data=data)
    assert outcome(response) == expected
    if opportunity is not None and leads_to is not None:
        db.session.expire_all()
        after = db.session.get(Opportunity, opportunity.id)
        if expected == "ok":
            assert after.status.value == leads_to and _events(opportunity.id) == 1
        else:
            assert after.status == status and _events(opportunity.id) == 0  # refused: nothing changed


def test_a_company_new_form_is_always_for_its_own_organisation(app, world):
    client = client_for(app, world, "company")
    page = client.get(f"{BASE}/nuova?organizzazione={world['other'].id}").get_data(as_text=True)
    assert "Logistica Martesana" in page and "Panificio Ronchi" not in page


def test_a_company_without_an_organisation_is_sent_to_link_one_first(app, world):
    loner = fr.user(Role.COMPANY)
    db.session.commit()
    client = fr.sign_in(app.test_client(), loner)
    before = db.session.scalar(select(func.count()).select_from(Opportunity))
    for response in (client.get(f"{BASE}/nuova"), client.post(f"{BASE}/nuova", data={
        "csrf_token": csrf_token(client, "/area-personale"), "title": "Tirocinio senza organizzazione",
    })):  # fmt: skip
        assert response.status_code == 302 and response.headers["Location"].endswith("/la-mia-organizzazione")
    assert db.session.scalar(select(func.count()).select_from(Opportunity)) == before
    landing = html.unescape(client.get("/la-mia-organizzazione").get_data(as_text=True))
    assert "non è ancora collegato a un'organizzazione. Cercala e chiedi di gestirla" in landing
    listing = html.unescape(client.get(f"{BASE}/").get_data(as_text=True))
    assert "non è ancora collegato" in listing and 'href="/la-mia-organizzazione"' in listing


def test_nobody_writes_for_an_archived_or_merged_organisation(app, world):
    world["other"].archived_at = utcnow()
    db.session.commit()
    client = client_for(app, world, "operator")
    assert client.get(f"{BASE}/nuova?organizzazione={world['other'].id}").status_code == 403
    assert client_for(app, world, "other_company").get(f"{BASE}/nuova").status_code == 403


def test_archived_opportunities_are_read_only_but_their_history_stays(app, world):
    archived = make(world, OpportunityStatus.ARCHIVED)
    for role in ("company", "operator", "admin"):
        client = client_for(app, world, role)
        assert client.get(f"{BASE}/{archived.id}/modifica").status_code == 403
        assert client.get(f"{BASE}/{archived.id}/storia").status_code == 200


def test_missing_opportunities_answer_404(app, world):
    client = client_for(app, world, "admin")
    assert client.get(f"{BASE}/999999/modifica").status_code == 404
    assert client.get(f"{BASE}/999999/storia").status_code == 404
    assert client.post(f"{BASE}/999999/approva", data={"csrf_token": token(client)}).status_code == 404


# -- the policy functions, for the parts of the site that call them directly ----------


def _user(role: Role | None, **fields):
    if role is None:
        return AnonymousUserMixin()
    return SimpleNamespace(**{"is_authenticated": True, "role": role, "organization_id": None, **fields})


@pytest.mark.parametrize(
    ("status", "anonymous", "own_company", "other_company", "operator"),
    [
        ("draft", False, True, False, True),
        ("in_review", False, True, False, True),
        ("published", True, True, True, True),
        ("closed", True, True, True, True),
        ("archived", False, True, False, True),
    ],
)
def test_who_sees_an_opportunity_in_each_status(status, anonymous, own_company, other_company, operator):
    opportunity = SimpleNamespace(status=status, organization_id=7)
    assert policy.can_view(_user(None), opportunity) is anonymous
    assert policy.can_view(_user(Role.COMPANY, organization_id=7), opportunity) is own_company
    assert policy.can_view(_user(Role.COMPANY, organization_id=8), opportunity) is other_company
    assert policy.can_view(_user(Role.OPERATOR), opportunity) is operator
    assert policy.can_view(_user(Role.CANDIDATE), opportunity) is (status in {"published", "closed"})


def test_only_company_edits_of_published_ones_need_review():
    assert policy.edits_need_review(_user(Role.COMPANY, organization_id=7))
    for role in (Role.OPERATOR, Role.PARTNER_ADMIN, Role.ADMIN):
        assert not policy.edits_need_review(_user(role))
    assert [policy.can_review(_user(role)) for role in Role] == [
        role in {Role.PARTNER_ADMIN, Role.ADMIN} for role in Role
    ]
    assert not policy.can_review(_user(None))


def test_applicants_are_seen_by_the_organisation_and_the_network_only():
    opportunity = SimpleNamespace(status="published", organization_id=7)
    assert policy.can_manage_applicants(_user(Role.COMPANY, organization_id=7), opportunity)
    assert not policy.can_manage_applicants(_user(Role.COMPANY, organization_id=8), opportunity)
    assert not policy.can_manage_applicants(_user(Role.CANDIDATE), opportunity)
    assert not policy.can_manage_applicants(_user(None), opportunity)
    assert policy.can_manage_applicants(_user(Role.OPERATOR), opportunity)
