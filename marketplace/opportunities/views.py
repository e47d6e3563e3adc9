"""Public opportunity search and detail pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from werkzeug.datastructures import MultiDict

from marketplace.access import public
from marketplace.opportunities import services
from marketplace.opportunities.forms import SearchForm
from marketplace.opportunities.models import OPPORTUNITY_KIND_LABELS
from search import OpportunityQuery, SearchUnavailable
from search.queries import GeoFilter

bp = Blueprint("opportunities", __name__, url_prefix="/opportunita")
PER_PAGE = 20


def _tristate(value: str | None) -> bool | None:
    return {"1": True, "0": False}.get(value or "")


def _query_from(form: SearchForm, comuni: dict) -> OpportunityQuery:
    place = comuni.get(form.comune.data) if form.comune.data else None
    near = GeoFilter(place.latitude, place.longitude, form.km.data) if place and form.km.data else None
    sort = form.sort.data or "relevance"
    if sort == "closest" and near is None:
        sort = "relevance"
    return OpportunityQuery(
        text=(form.q.data or "")[:200],
        kinds=tuple(form.kind.data or ()),
        district=form.district.data or None,
        municipality_code=form.comune.data if place and not near else None,
        near=near,
        paid=_tristate(form.paid.data),
        minors_allowed=_tristate(form.minors.data),
        sort=sort,
        page=form.page.data or 1,
        per_page=PER_PAGE,
    )


@bp.route("/")
@public
def search():
    comuni = {m.istat_code: m for m in services.municipalities()}
    form = SearchForm(MultiDict(request.args))
    form.comune.choices = [("", "—")] + [(code, m.name) for code, m in comuni.items()]
    result, query, unavailable = None, OpportunityQuery(), False
    # Invalid parameters are reported and ignored, never turned into an error page.
    if not request.args or form.validate():
        query = _query_from(form, comuni)
        try:
            result = services.search(query)
        except SearchUnavailable:
            unavailable = True
    page = render_template(
        "opportunities/search.html", form=form, result=result, query=query, search_unavailable=unavailable,
        kind_labels=OPPORTUNITY_KIND_LABELS, comuni=comuni, per_page=PER_PAGE,
    )  # fmt: skip
    return page, 503 if unavailable else 200


@bp.route("/<int:opportunity_id>")
@public
def detail(opportunity_id: int):
    opportunity = services.get_public(opportunity_id)
    if opportunity is None:
        abort(404)
    return render_template(
        "opportunities/detail.html", opportunity=opportunity, kind_labels=OPPORTUNITY_KIND_LABELS
    )
