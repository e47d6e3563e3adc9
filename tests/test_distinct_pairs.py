"""Pairs checked and found to be different organisations: no longer offered as duplicates."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.organizations import distinct
from marketplace.organizations.models import DistinctPair
from tests import factories
from tests.conftest import csrf_token, login

GORGONZOLA = "015108"


@pytest.fixture
def lookalikes(db_session):
    """Two different companies of one family, in the same comune: alike once legal forms are set aside."""
    first = factories.organization("Officine Rossi S.r.l.", municipality_code=GORGONZOLA)
    second = factories.organization("Officine Rossi S.p.A.", municipality_code=GORGONZOLA)
    staff = factories.user(Role.PARTNER_ADMIN, email="referente-doppioni@example.org")
    return {"first": first, "second": second, "staff": staff}


def _paths(pair) -> tuple[str, str]:
    first_id, second_id = sorted((pair["first"].id, pair["second"].id))
    base = f"/banca-dati/duplicati/{first_id}/{second_id}"
    return f"{base}/diverse", f"{base}/riproponi"


def _stored() -> int:
    return db.session.scalar(select(func.count()).select_from(DistinctPair)) or 0


def _page(client) -> str:
    return html.unescape(client.get("/banca-dati/duplicati").get_data(as_text=True))


def test_a_pair_marked_different_leaves_the_list_and_can_be_offered_again(client, lookalikes):
    mark, unmark = _paths(lookalikes)
    login(client, lookalikes["staff"].email, factories.PASSWORD)
    assert mark in _page(client)  # offered as a likely duplicate, with the button

    response = client.post(mark, data={"csrf_token": csrf_token(client, "/banca-dati/duplicati")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/banca-dati/duplicati")
    page = _page(client)
    assert "la coppia non compare più tra i possibili doppioni" in page
    assert mark not in page and unmark in page  # now among the decided pairs
    assert "1 coppia non viene più proposta come possibile doppione." in page
    [decision] = db.session.scalars(select(DistinctPair)).all()
    assert decision.decided_by_id == lookalikes["staff"].id

    client.post(unmark, data={"csrf_token": csrf_token(client, "/banca-dati/duplicati")})
    page = _page(client)
    assert mark in page and unmark not in page and _stored() == 0


def test_marking_twice_or_in_either_order_keeps_one_decision(lookalikes):
    first, second = lookalikes["first"].id, lookalikes["second"].id
    assert distinct.mark(second, first, lookalikes["staff"].id) is True
    assert distinct.mark(first, second, lookalikes["staff"].id) is False
    assert _stored() == 1
    assert (min(first, second), max(first, second)) not in {c.key for c in distinct.open_candidates()[0]}


@pytest.mark.parametrize("case", ["itself", "missing"])
def test_bad_pairs_are_refused_with_a_message_and_change_nothing(client, lookalikes, case):
    login(client, lookalikes["staff"].email, factories.PASSWORD)
    real = lookalikes["first"].id
    other = real if case == "itself" else 99_999_999
    path = f"/banca-dati/duplicati/{min(real, other)}/{max(real, other)}/diverse"
    token = csrf_token(client, "/banca-dati/duplicati")
    response = client.post(path, data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    expected = "non può essere diversa da sé stessa" if case == "itself" else "Una delle due organizzazioni non esiste"
    assert expected in html.unescape(response.get_data(as_text=True))
    assert _stored() == 0


def test_without_the_csrf_token_nothing_is_recorded(client, lookalikes):
    mark, _unmark = _paths(lookalikes)
    login(client, lookalikes["staff"].email, factories.PASSWORD)
    assert client.post(mark).status_code == 400
    assert _stored() == 0


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), (Role.CANDIDATE, 403), (Role.COMPANY, 403), (Role.OPERATOR, 403),
     (Role.PARTNER_ADMIN, 302), (Role.ADMIN, 302)],
)  # fmt: skip
def test_only_partner_admins_and_admins_decide_about_pairs(client, lookalikes, role, expected):
    mark, unmark = _paths(lookalikes)
    if role != "anonymous":
        user = factories.user(role, email=f"{role.value}-distinct@example.org", organization_id=None)
        login(client, user.email, factories.PASSWORD)
    token = csrf_token(client, "/registrati" if role == "anonymous" else "/area-personale")
    response = client.post(mark, data={"csrf_token": token})
    assert response.status_code == expected
    if expected == 302 and role == "anonymous":
        assert "/accedi" in response.headers["Location"]
    assert _stored() == (1 if role in (Role.PARTNER_ADMIN, Role.ADMIN) else 0)
    if role not in (Role.PARTNER_ADMIN, Role.ADMIN):
        # someone allowed decides; the others cannot undo it either
        distinct.mark(lookalikes["first"].id, lookalikes["second"].id, lookalikes["staff"].id)
        assert client.post(unmark, data={"csrf_token": token}).status_code == expected
        assert _stored() == 1
