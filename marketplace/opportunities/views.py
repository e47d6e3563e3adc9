"""Public opportunity search and detail pages."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from marketplace.access import public
from marketplace.opportunities import page as detail_page
from marketplace.opportunities import policy, services
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


def _viewable_or_404(opportunity_id: int):
    """Published and closed ones for everybody; drafts, reviews and archived ones only for their editors.

    Anybody else gets 404, not 403: a draft's existence is nobody else's business.
    """
    opportunity = services.get_for_page(opportunity_id)
    if opportunity is None or not policy.can_view(current_user, opportunity):
        abort(404)
    return opportunity


@bp.route("/<int:opportunity_id>")
@public
def detail(opportunity_id: int):
    opportunity = _viewable_or_404(opportunity_id)
    view = detail_page.build(opportunity, current_user, today=detail_page.rome_today())
    html = render_template(
        "opportunities/detail.html", page=view, opportunity=opportunity,
        meta_description=detail_page.plain_summary(opportunity),
    )  # fmt: skip
    response = make_response(html)
    if view.preview:
        # A preview is for its editors only: no shared cache keeps it, no search engine lists it.
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/<int:opportunity_id>/edizioni.ics", defaults={"edition_id": None})
@bp.route("/<int:opportunity_id>/edizioni/<int:edition_id>.ics")
@public
def editions_ics(opportunity_id: int, edition_id: int | None):
    """The editions as an iCalendar file: all of them, or the one the link names."""
    opportunity = _viewable_or_404(opportunity_id)
    editions = [e for e in opportunity.editions if edition_id is None or e.id == edition_id]
    if not editions:
        abort(404)
    body = detail_page.editions_calendar(
        opportunity, editions,
        page_url=url_for("opportunities.detail", opportunity_id=opportunity.id, _external=True),
        uid_domain=request.host.split(":")[0],
    )  # fmt: skip
    name = f"opportunita-{opportunity.id}" + (f"-edizione-{edition_id}" if edition_id else "-edizioni") + ".ics"
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    if opportunity.status.value not in policy.PUBLIC_STATUSES:
        response.headers["Cache-Control"] = "private, no-store"
    return response
