"""Public opportunity search and detail pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from marketplace.access import public
from marketplace.opportunities import page as detail_page
from marketplace.opportunities import policy, search_page, services
from marketplace.opportunities.search_params import clean_text, parse_search_args, query_string_for
from search import SearchUnavailable

bp = Blueprint("opportunities", __name__, url_prefix="/opportunita")
PER_PAGE = 20
SUGGESTIONS = 8
SUGGEST_MIN_PREFIX = 2
SUGGEST_MAX_PREFIX = 60


@bp.route("/")
@public
def search():
    """Public search: the whole state is in the URL; invalid parameters are reported and ignored."""
    query, errors = parse_search_args(request.args, per_page=PER_PAGE)
    if not errors and any(not value.strip() for _name, value in request.args.items(multi=True)):
        # A submitted GET form sends its empty fields too ("comune=&km=…"): the canonical URL
        # instead, short and shareable. Links on the page are canonical already.
        canonical = query_string_for(query)
        return redirect(url_for("opportunities.search") + (f"?{canonical}" if canonical else ""))
    result, unavailable = None, False
    try:
        result = services.search(query)
    except SearchUnavailable:
        unavailable = True
    view = search_page.build(query, result, errors)
    html = render_template(
        "opportunities/search.html", view=view, search_unavailable=unavailable, query_string=view.query_string
    )
    return html, 503 if unavailable else 200


@bp.route("/suggerimenti")
@public
def suggest():
    """Typeahead for the query box: {"q": prefix, "suggestions": [text, ...]}."""
    prefix = clean_text(request.args.get("q", ""))[:SUGGEST_MAX_PREFIX]
    if len(prefix) < SUGGEST_MIN_PREFIX:
        return jsonify(q=prefix, suggestions=[])
    try:
        found = current_app.extensions["search"].suggest("opportunities", prefix, size=SUGGESTIONS)
    except SearchUnavailable:
        return jsonify(q=prefix, suggestions=[]), 503
    # The same words from a title and an organisation name are offered once.
    unique: dict[str, str] = {}
    for text in found:
        tidy = " ".join(text.split())
        unique.setdefault(tidy.casefold(), tidy)
    return jsonify(q=prefix, suggestions=[text for text in unique.values() if text])


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
