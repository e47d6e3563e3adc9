"""The OpenAPI 3.1 document of /api/v1: schemas from the pydantic models, paths described by hand.

Served at /api/v1/openapi.json. A test validates it and checks that every route of the
blueprint is described here, so a new route cannot go undocumented.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel

from marketplace.api.schemas import (
    ErrorResponse,
    OpportunityCreate,
    OpportunityOut,
    OpportunityPage,
    OpportunityUpdate,
    ValidationErrorResponse,
)
from marketplace.opportunities.models import OpportunityKind, TargetGroup
from search.queries import MAX_PER_PAGE, OPPORTUNITY_SORTS, STARTING_WITHIN_DAYS

REF = "#/components/schemas/{model}"
INPUT_MODELS: tuple[type[BaseModel], ...] = (OpportunityCreate, OpportunityUpdate)
OUTPUT_MODELS: tuple[type[BaseModel], ...] = (OpportunityOut, OpportunityPage, ErrorResponse, ValidationErrorResponse)


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for models, mode in ((INPUT_MODELS, "validation"), (OUTPUT_MODELS, "serialization")):
        for model in models:
            schema = model.model_json_schema(ref_template=REF, mode=mode)
            schemas.update(schema.pop("$defs", {}))
            schemas[model.__name__] = schema
    return schemas


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


def _json(name: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


def _error(description: str) -> dict[str, Any]:
    return _json("ErrorResponse", description)


def _query_parameters() -> list[dict[str, Any]]:
    """The search page's own URL parameters (marketplace.opportunities.search_params), plus per_page."""

    def param(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": description, **extra}

    return [
        param("q", {"type": "string", "maxLength": 200}, "Testo cercato (titolo, descrizione, organizzazione)."),
        param(
            "kind",
            {"type": "array", "items": {"type": "string", "enum": [k.value for k in OpportunityKind]}},
            "Tipo di opportunità; ripetibile.",
            style="form",
            explode=True,
        ),
        param("sector", {"type": "string", "pattern": "^[A-Za-z]$"}, "Sezione ATECO (una lettera)."),
        param("district", {"type": "string", "maxLength": 40}, "Codice dell'ambito territoriale."),
        param("comune", {"type": "string", "pattern": "^[0-9]{6}$"}, "Codice ISTAT del comune."),
        param("km", {"type": "integer", "minimum": 1, "maximum": 100}, "Con `comune`: entro questi km dal comune."),
        param("paid", {"type": "string", "enum": ["1", "0"]}, "1 = retribuite, 0 = non retribuite."),
        param("minors", {"type": "string", "enum": ["1", "0"]}, "1 = aperte ai minorenni (14-17 anni)."),
        param(
            "target",
            {"type": "array", "items": {"type": "string", "enum": [t.value for t in TargetGroup]}},
            "Destinatari; ripetibile.",
            style="form",
            explode=True,
        ),
        param("starting", {"type": "integer", "enum": list(STARTING_WITHIN_DAYS)}, "Iniziano entro questi giorni."),
        param("sort", {"type": "string", "enum": list(OPPORTUNITY_SORTS), "default": "relevance"}, "Ordinamento."),
        param("page", {"type": "integer", "minimum": 1, "default": 1}, "Pagina (al massimo 10.000 risultati)."),
        param(
            "per_page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20},
            "Risultati per pagina.",
        ),
    ]


ID_PARAMETER = {"name": "opportunity_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
TOKEN = [{"partnerToken": []}]


def _write_errors() -> dict[str, Any]:
    return {
        "400": _error("Corpo non JSON o non un oggetto."),
        "401": _error("Token mancante, non valido o revocato."),
        "403": _error("Il token non consente l'operazione (organizzazione archiviata, referente non più attivo)."),
        "413": _error("Corpo troppo grande."),
        "415": _error("Content-Type diverso da application/json."),
        "422": _json("ValidationErrorResponse", "Campi non validi: un messaggio per campo."),
        "429": _error("Troppe richieste con questo token o da questo indirizzo."),
    }


@functools.cache
def _document_template() -> dict[str, Any]:
    read_errors = {"429": _error("Troppe richieste da questo indirizzo (60 al minuto).")}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Opportunità — API",
            "version": "1.0.0",
            "description": (
                "Lettura pubblica delle opportunità pubblicate e scrittura per gli enti partner della rete.\n\n"
                "Le scritture richiedono un token (`Authorization: Bearer opp_…`) creato da un referente di ente "
                "partner in /gestione/token-api: agiscono come quel referente, quindi per qualsiasi organizzazione "
                "attiva, come sul sito. Un'opportunità creata è una bozza; con `submit: true` va in revisione e la "
                "rete la approva prima che diventi pubblica. Messaggi in italiano; `Accept-Language: en` per "
                "l'inglese."
            ),
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "partnerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "opp_<prefisso>_<segreto>",
                    "description": "Token di un ente partner, mostrato una sola volta alla creazione.",
                }
            },
        },
        "paths": {
            "/api/v1/opportunities": {
                "get": {
                    "operationId": "listOpportunities",
                    "summary": "Cerca tra le opportunità pubblicate",
                    "description": "Gli stessi filtri, faccette e ordinamenti della pagina di ricerca pubblica.",
                    "parameters": _query_parameters(),
                    "responses": {
                        "200": _json("OpportunityPage", "Una pagina di risultati con faccette e link."),
                        "422": _json("ValidationErrorResponse", "Parametri non validi: un messaggio per parametro."),
                        "503": _error("Motore di ricerca non disponibile."),
                        **read_errors,
                    },
                },
                "post": {
                    "operationId": "createOpportunity",
                    "summary": "Crea una bozza (e con submit: true la invia in revisione)",
                    "security": TOKEN,
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("OpportunityCreate")}},
                    },
                    "responses": {"201": _json("OpportunityOut", "Creata."), **_write_errors()},
                },
            },
            "/api/v1/opportunities/{opportunity_id}": {
                "parameters": [ID_PARAMETER],
                "get": {
                    "operationId": "getOpportunity",
                    "summary": "Un'opportunità pubblicata o chiusa (con il motivo della chiusura)",
                    "responses": {
                        "200": _json("OpportunityOut", "L'opportunità."),
                        "404": _error("Non esiste o non è pubblica."),
                        **read_errors,
                    },
                },
                "put": {
                    "operationId": "updateOpportunity",
                    "summary": "Modifica i campi inviati; serve la versione letta per ultima",
                    "security": TOKEN,
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("OpportunityUpdate")}},
                    },
                    "responses": {
                        "200": _json("OpportunityOut", "Modificata."),
                        "404": _error("Non esiste o è archiviata."),
                        "409": _error("Versione superata, o invio in revisione non possibile nello stato attuale."),
                        **_write_errors(),
                    },
                },
                "delete": {
                    "operationId": "withdrawOpportunity",
                    "summary": "Ritira: chiude una pubblicata, archivia una bozza o una in revisione",
                    "security": TOKEN,
                    "responses": {
                        "204": {"description": "Ritirata."},
                        "404": _error("Non esiste o è già archiviata."),
                        **{code: item for code, item in _write_errors().items() if code in {"401", "403", "429"}},
                    },
                },
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapiDocument",
                    "summary": "Questo documento",
                    "responses": {
                        "200": {"description": "Documento OpenAPI 3.1.", "content": {"application/json": {}}},
                        **read_errors,
                    },
                }
            },
        },
    }


def document() -> dict[str, Any]:
    return _document_template()
