"""The JSON API, /api/v1: public reading of opportunities and the partner write API.

Reads are public and take the search page's own URL parameters (one parser for both).
Writes carry `Authorization: Bearer opp_…`, a token a partner_admin created: the write acts
as that partner_admin, so the web's rules apply unchanged — network staff may publish for
any (active) organisation, a published opportunity still needs the network's approval.

Every answer is JSON, errors included; messages are Italian unless Accept-Language asks
for English.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from marketplace.access import ACCESS_ATTR
from marketplace.accounts.models import User
from marketplace.api import openapi, presenters, tokens
from marketplace.api.schemas import OpportunityCreate, OpportunityUpdate, field_errors
from marketplace.audit.context import acting_as
from marketplace.common.concurrency import StaleRecord
from marketplace.core.errors import MESSAGES
from marketplace.extensions import csrf, db, limiter
from marketplace.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from marketplace.opportunities import editing, policy, services, workflow
from marketplace.opportunities.models import CloseReason, Opportunity, OpportunityStatus
from marketplace.opportunities.search_params import parse_search_args
from marketplace.opportunities.search_params import query_string_for as search_query_string
from marketplace.organizations.models import Organization
from marketplace.territory.models import Municipality, Sector
from search import QueryError, SearchUnavailable
from search.queries import MAX_PER_PAGE

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
# Clients authenticate with a bearer token, never a cookie: no cross-site form can write.
csrf.exempt(bp)

MAX_BODY_BYTES = 256 * 1024  # the longest description is 20,000 characters
DEFAULT_PER_PAGE = 20
T = TypeVar("T", bound=BaseModel)


class ApiError(Exception):
    """Answered as {"error": {"code", "message"}}, or {"errors": {...}} for a 422."""

    def __init__(
        self, code: int, message: str = "", *, errors: dict[str, str] | None = None, headers: dict | None = None
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.errors, self.headers = code, message, errors, headers or {}


def _locale() -> str:
    return request.accept_languages.best_match(SUPPORTED_LOCALES, default=DEFAULT_LOCALE) or DEFAULT_LOCALE


def api_view(access: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declares who may call the view (for marketplace.access) and answers in the client's language."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with force_locale(_locale()):
                return view(*args, **kwargs)

        setattr(wrapped, ACCESS_ATTR, access)
        return wrapped

    return decorator


# -- rate limits (Flask-Limiter, counters in Redis) ---------------------------------------------


def read_limit() -> str:
    return current_app.config.get("API_READ_LIMIT", "60 per minute")


def write_limit() -> str:
    return current_app.config.get("API_WRITE_LIMIT", "60 per minute")


def write_ip_limit() -> str:
    # Made-up tokens each get a counter of their own: the address caps them all together.
    return current_app.config.get("API_WRITE_IP_LIMIT", "300 per minute")


def token_key() -> str:
    """A hash of the presented secret names its counter: knowing a token's public prefix is not
    enough to use up its allowance, and Redis never holds a secret."""
    match = tokens.TOKEN_PATTERN.fullmatch(_bearer() or "")
    return f"api-token:{tokens.digest(match.group(2))[:32]}" if match else f"api-anon:{get_remote_address()}"


def _read_limited(view: Callable[..., Any]) -> Callable[..., Any]:
    return limiter.shared_limit(read_limit, scope="api-read", key_func=get_remote_address)(view)


def _write_limited(view: Callable[..., Any]) -> Callable[..., Any]:
    view = limiter.shared_limit(write_limit, scope="api-write", key_func=token_key)(view)
    return limiter.shared_limit(write_ip_limit, scope="api-write-ip", key_func=get_remote_address)(view)


# -- request plumbing ---------------------------------------------------------------------------


@bp.before_request
def _limit_body() -> None:
    # Werkzeug refuses a longer body (413) before anything reads it.
    request.max_content_length = MAX_BODY_BYTES


@bp.after_request
def _language_header(response: Response) -> Response:
    response.headers["Content-Language"] = _locale()
    response.vary.add("Accept-Language")  # cached reads differ by language
    # A client (or a browser opening the URL) must never sniff a JSON string as HTML.
    response.headers["X-Content-Type-Options"] = "nosniff"
    public_read = request.method in {"GET", "HEAD"} and response.status_code == 200
    response.headers.setdefault("Cache-Control", "public, max-age=30" if public_read else "no-store")
    if request.method in {"GET", "HEAD"}:
        # Public data without credentials: other sites may show the listings from the browser.
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _authenticated_actor() -> User:
    presented = _bearer()
    challenge = 'Bearer realm="opportunita"'
    if presented is None:
        raise ApiError(
            401, _("Serve un token API: intestazione Authorization: Bearer <token>."),
            headers={"WWW-Authenticate": challenge},
        )  # fmt: skip
    try:
        token = tokens.authenticate(presented)
    except tokens.TokenRefused as refused:
        if refused.forbidden:
            raise ApiError(403, _("Chi ha creato questo token non è più referente dell'ente partner.")) from None
        message = _("Il token è stato revocato.") if refused.reason == "revoked" else _("Token non valido.")
        raise ApiError(401, message, headers={"WWW-Authenticate": f'{challenge}, error="invalid_token"'}) from None
    # The use is recorded even when the write is then refused.
    db.session.commit()
    return token.created_by


def token_write(view: Callable[..., Any]) -> Callable[..., Any]:
    """Authenticates the bearer token and runs the view as its creator (audit entries name them)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        actor = _authenticated_actor()
        with acting_as(actor.id, actor.partner_id, "api"):
            return view(*args, actor=actor, **kwargs)

    return wrapped


def _body(model: type[T]) -> T:
    if not request.is_json:
        raise ApiError(415, _("Invia i dati in JSON, con l'intestazione Content-Type: application/json."))
    raw = request.get_data(cache=False)
    try:
        return model.model_validate_json(raw or b"")
    except ValidationError as error:
        kinds = {(item["type"], item["loc"]) for item in error.errors(include_url=False)}
        if any(kind == "json_invalid" for kind, _loc in kinds):
            raise ApiError(400, _("Il corpo della richiesta non è JSON valido.")) from None
        if any(loc == () for _kind, loc in kinds):
            raise ApiError(400, _("Il corpo della richiesta deve essere un oggetto JSON.")) from None
        raise ApiError(422, errors=field_errors(error)) from None


def _check_references(values: dict[str, Any]) -> None:
    """Codes that name rows (sector, comune): a wrong one is a field error, not a database error."""
    errors = {}
    code = values.get("sector_code")
    if code and db.session.get(Sector, code) is None:
        errors["sector_code"] = _("Codice ATECO non trovato nella classificazione ATECO 2025.")
    code = values.get("municipality_code")
    if code and db.session.get(Municipality, code) is None:
        errors["municipality_code"] = _("Comune non riconosciuto.")
    if errors:
        raise ApiError(422, errors=errors)


def _editable(opportunity_id: int, actor: User) -> Opportunity:
    opportunity = db.session.get(Opportunity, opportunity_id)
    # Archived ones are gone for the API as for the public.
    if opportunity is None or opportunity.status == OpportunityStatus.ARCHIVED:
        raise ApiError(404, _("Opportunità non trovata."))
    if not policy.can_edit(actor, opportunity):
        raise ApiError(403, _("Il token non consente di modificare questa opportunità."))
    return opportunity


def _invalid(error: editing.InvalidOpportunity) -> NoReturn:
    db.session.rollback()
    raise ApiError(422, errors=error.errors)


def _detail_response(opportunity: Opportunity, status: int = 200) -> tuple[Response, int]:
    return jsonify(presenters.detail(opportunity).model_dump(mode="json")), status


# -- public reads ---------------------------------------------------------------------------------


@bp.route("/opportunities", methods=["GET"])
@_read_limited
@api_view("public")
def list_opportunities():
    errors: dict[str, str] = {}
    per_page = DEFAULT_PER_PAGE
    raw = request.args.get("per_page", "").strip()
    if raw:
        if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_PER_PAGE:
            per_page = int(raw)
        else:
            errors["per_page"] = _("Indica quanti risultati per pagina, da 1 a %(max)d.", max=MAX_PER_PAGE)
    query, search_errors = parse_search_args(request.args, per_page=per_page)
    errors.update(search_errors)
    if errors:
        # The page ignores a wrong parameter and says so; a program is better told plainly.
        raise ApiError(422, errors=errors)
    try:
        result = services.search(query)
    except SearchUnavailable:
        raise ApiError(503, _("La ricerca non è disponibile in questo momento: riprova tra poco.")) from None
    except QueryError:
        raise ApiError(422, errors={"page": _("Numero di pagina non valido.")}) from None
    items = services.published_in_order([hit.id for hit in result.hits])
    last_page = max(1, -(-result.total // per_page))
    payload = {
        "items": [presenters.summary(item).model_dump(mode="json") for item in items],
        "total": result.total,
        "page": query.page,
        "per_page": per_page,
        "facets": {
            name: [value.model_dump(mode="json") for value in values]
            for name, values in presenters.facets(result.facets).items()
        },
        "links": {
            "self": _page_url(query, query.page, per_page),
            "first": _page_url(query, 1, per_page),
            "prev": _page_url(query, query.page - 1, per_page) if query.page > 1 else None,
            "next": _page_url(query, query.page + 1, per_page)
            if query.page < last_page and (query.page + 1) * per_page <= 10_000
            else None,
        },
    }
    return jsonify(payload)


def _page_url(query: Any, page: int, per_page: int) -> str:
    # The canonical parameters are the page's: a link here is also a valid search page URL.
    params = [(name, value) for name, value in parse_qsl(search_query_string(query)) if name != "page"]
    if page > 1:
        params.append(("page", str(page)))
    if per_page != DEFAULT_PER_PAGE:
        params.append(("per_page", str(per_page)))
    base = url_for(".list_opportunities", _external=True)
    encoded = urlencode(params)
    return f"{base}?{encoded}" if encoded else base


@bp.route("/opportunities/<int:opportunity_id>", methods=["GET"])
@_read_limited
@api_view("public")
def get_opportunity(opportunity_id: int):
    opportunity = services.get_public(opportunity_id)
    if opportunity is None:
        raise ApiError(404, _("Opportunità non trovata."))
    return _detail_response(opportunity)


@bp.route("/openapi.json", methods=["GET"])
@_read_limited
@api_view("public")
def openapi_document():
    return jsonify(openapi.document())


# -- partner writes -------------------------------------------------------------------------------


@bp.route("/opportunities", methods=["POST"])
@_write_limited
@api_view("api-token")
@token_write
def create_opportunity(*, actor: User):
    payload = _body(OpportunityCreate)
    organization = db.session.get(Organization, payload.organization_id)
    if organization is None:
        raise ApiError(422, errors={"organization_id": _("Organizzazione non trovata.")})
    if not policy.can_create_for(actor, organization):
        message = _("Non si possono pubblicare opportunità per questa organizzazione (archiviata o unita a un'altra).")
        raise ApiError(403, message)
    values = payload.editing_values(only_set=False)
    _check_references(values)
    try:
        opportunity = editing.create(organization, values, actor=actor)
    except editing.InvalidOpportunity as error:
        _invalid(error)
    if payload.submit:
        workflow.submit(opportunity, actor=actor)
    db.session.commit()
    response, status = _detail_response(opportunity, 201)
    response.headers["Location"] = url_for(".get_opportunity", opportunity_id=opportunity.id, _external=True)
    return response, status


@bp.route("/opportunities/<int:opportunity_id>", methods=["PUT"])
@_write_limited
@api_view("api-token")
@token_write
def update_opportunity(opportunity_id: int, *, actor: User):
    opportunity = _editable(opportunity_id, actor)
    payload = _body(OpportunityUpdate)
    values = payload.editing_values(only_set=True)
    _check_references(values)
    try:
        editing.update(opportunity, values, actor=actor, expected_version=payload.version)
    except editing.InvalidOpportunity as error:
        _invalid(error)
    except StaleRecord:
        db.session.rollback()
        current = db.session.get(Opportunity, opportunity_id)
        raise ApiError(
            409,
            _("L'opportunità è stata modificata da qualcun altro (versione attuale %(version)s): rileggila e riprova.",
              version=current.version if current else "?"),
        ) from None  # fmt: skip
    if payload.submit and opportunity.status == OpportunityStatus.DRAFT:
        workflow.submit(opportunity, actor=actor)
    elif payload.submit and opportunity.status != OpportunityStatus.IN_REVIEW:
        db.session.rollback()
        raise ApiError(409, _("Solo una bozza si può inviare in revisione: nulla è stato modificato."))
    db.session.commit()
    return _detail_response(opportunity)


@bp.route("/opportunities/<int:opportunity_id>", methods=["DELETE"])
@_write_limited
@api_view("api-token")
@token_write
def delete_opportunity(opportunity_id: int, *, actor: User):
    """Withdraws it: a published one is closed ("ritirata", its page says so); a draft or one
    in review is archived. One already closed stays as it is."""
    opportunity = _editable(opportunity_id, actor)
    if opportunity.status == OpportunityStatus.PUBLISHED:
        workflow.close(opportunity, actor=actor, reason=CloseReason.WITHDRAWN)
    elif opportunity.status in {OpportunityStatus.DRAFT, OpportunityStatus.IN_REVIEW}:
        workflow.archive(opportunity, actor=actor)
    db.session.commit()
    return Response(status=204)


# -- errors: always JSON ------------------------------------------------------------------------

API_MESSAGES = {
    401: lambda: _("Serve un token API valido."),
    403: lambda: _("Operazione non consentita."),
    404: lambda: _("Risorsa non trovata."),
    405: lambda: str(MESSAGES[405][1]),
    413: lambda: _("La richiesta è troppo grande (al massimo %(kb)d KB).", kb=MAX_BODY_BYTES // 1024),
    429: lambda: str(MESSAGES[429][1]),
}


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    with force_locale(_locale()):
        if error.errors is not None:
            body = {"errors": {field: str(message) for field, message in error.errors.items()}}
        else:
            body = {"error": {"code": error.code, "message": str(error.message)}}
    return jsonify(body), error.code, error.headers


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    code = error.code or 500
    with force_locale(_locale()):
        message = API_MESSAGES[code]() if code in API_MESSAGES else str((MESSAGES.get(code) or MESSAGES[400])[1])
    response = jsonify(error={"code": code, "message": message})
    response.status_code = code
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response
