"""The audit log of an organisation as people read it: Italian labels instead of column names and codes.

Entries store plain text (see audit.hooks.audit_text); this module turns field names and
enum values back into what the forms call them. Unknown fields or values are shown as
stored, so nothing recorded is ever hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace.agreements.models import AGREEMENT_KIND_LABELS, AGREEMENT_STATUS_LABELS
from marketplace.audit.models import AuditEntry
from marketplace.extensions import db
from marketplace.i18n import moment_text
from marketplace.interactions.models import INTERACTION_KIND_LABELS, INTERACTION_OUTCOME_LABELS
from marketplace.organizations import services
from marketplace.organizations.forms import language_choices
from marketplace.organizations.models import (
    CONTACT_CHANNEL_LABELS,
    HOSTING_SCHEME_LABELS,
    ORGANIZATION_KIND_LABELS,
    ORGANIZATION_STATUS_LABELS,
    PREMISES_ACCESS_LABELS,
    SIZE_CLASS_LABELS,
)
from marketplace.territory.models import Municipality

ENTITY_LABELS = {
    "organization": _l("Organizzazione"),
    "site": _l("Sede"),
    "contact": _l("Referente"),
    "inclusion_profile": _l("Profilo di inclusione"),
    "agreement": _l("Convenzione"),
    "interaction": _l("Contatto registrato"),
}

ACTION_LABELS = {
    "create": _l("Creazione"),
    "set": _l("Valore iniziale"),
    "update": _l("Modifica"),
    "delete": _l("Eliminazione"),
    "archive": _l("Archiviazione"),
    "restore": _l("Ripristino"),
    "merge": _l("Unione di duplicati"),
    "claim": _l("Richiesta di gestione"),
}

SOURCE_LABELS = {"web": _l("sito"), "system": _l("sistema"), "api": _l("API")}

FIELD_LABELS: dict[str, dict[str, Any]] = {
    "organization": {
        "name": _l("Ragione sociale"),
        "kind": _l("Forma giuridica"),
        "vat_number": _l("Partita IVA"),
        "tax_code": _l("Codice fiscale"),
        "ateco_code": _l("Codice ATECO"),
        "municipality_code": _l("Comune della sede legale"),
        "address": _l("Indirizzo della sede legale"),
        "website": _l("Sito web"),
        "email": _l("Email"),
        "phone": _l("Telefono"),
        "description": _l("Descrizione"),
        "status": _l("Stato"),
        "employees": _l("Numero di addetti"),
        "size_class": _l("Dimensione"),
        "obligated_68": _l("Obbligo L. 68/1999"),
        "quota_68_covered": _l("Quota L. 68/1999 coperta"),
        "archived_at": _l("Archiviata il"),
        "merged_into_id": _l("Unita all'organizzazione"),
    },
    "site": {
        "label": _l("Nome della sede"),
        "address": _l("Indirizzo"),
        "postal_code": _l("CAP"),
        "municipality_code": _l("Comune"),
        "latitude": _l("Latitudine"),
        "longitude": _l("Longitudine"),
    },
    "contact": {
        "full_name": _l("Nome e cognome"),
        "job_title": _l("Ruolo"),
        "email": _l("Email"),
        "phone": _l("Telefono"),
        "preferred_channel": _l("Canale preferito"),
        "consent_to_contact": _l("Consenso a essere contattato/a"),
    },
    "inclusion_profile": {
        "schemes": _l("Percorsi che può ospitare"),
        "capacity": _l("Persone ospitabili contemporaneamente"),
        "tutor_available": _l("Tutor aziendale disponibile"),
        "premises_access": _l("Accessibilità dei locali"),
        "accessibility_notes": _l("Note sull'accessibilità"),
        "languages": _l("Lingue parlate"),
        "recruiting_sectors": _l("Settori in cui cerca personale"),
        "recruiting_roles": _l("Ruoli ricercati"),
    },
    "agreement": {
        "kind": _l("Tipo di convenzione"),
        "status": _l("Stato"),
        "reference": _l("Numero di protocollo"),
        "valid_from": _l("Valida dal"),
        "valid_to": _l("Valida fino al"),
        "document_filename": _l("Documento firmato"),
        "partner_id": _l("Ente promotore"),
    },
    "interaction": {
        "kind": _l("Tipo di contatto"),
        "occurred_on": _l("Data"),
        "outcome": _l("Esito"),
        "next_step_on": _l("Prossimo passo entro il"),
        "next_step_done_at": _l("Prossimo passo fatto il"),
    },
}

YES_NO = {"true": _l("Sì"), "false": _l("No")}
BOOLEAN_FIELDS = {"obligated_68", "quota_68_covered", "consent_to_contact", "tutor_available"}
DATE_FIELDS = {"archived_at", "valid_from", "valid_to", "occurred_on", "next_step_on", "next_step_done_at"}
# Lists whose items have labels; other lists (sectors, free-text roles) are shown as stored.
LABELLED_LIST_FIELDS = {"schemes", "languages"}

ENUM_LABELS: dict[tuple[str, str], Mapping[Any, Any]] = {
    ("organization", "kind"): ORGANIZATION_KIND_LABELS,
    ("organization", "status"): ORGANIZATION_STATUS_LABELS,
    ("organization", "size_class"): SIZE_CLASS_LABELS,
    ("contact", "preferred_channel"): CONTACT_CHANNEL_LABELS,
    ("inclusion_profile", "schemes"): HOSTING_SCHEME_LABELS,
    ("inclusion_profile", "premises_access"): PREMISES_ACCESS_LABELS,
    ("agreement", "kind"): AGREEMENT_KIND_LABELS,
    ("agreement", "status"): AGREEMENT_STATUS_LABELS,
    ("interaction", "kind"): INTERACTION_KIND_LABELS,
    ("interaction", "outcome"): INTERACTION_OUTCOME_LABELS,
}


@dataclass(frozen=True)
class Row:
    occurred_at: datetime
    actor: str | None
    partner: str | None
    source_key: str
    source: str
    entity_key: str
    entity: str
    entity_id: int
    action: str
    field: str | None
    old: str | None
    new: str | None


def _by_value(labels: Mapping[Any, Any]) -> dict[str, Any]:
    return {str(getattr(key, "value", key)): label for key, label in labels.items()}


def _comune_names(entries: list[AuditEntry]) -> dict[str, str]:
    codes = {value for e in entries if e.field == "municipality_code" for value in (e.old_value, e.new_value) if value}
    if not codes:
        return {}
    query = select(Municipality.istat_code, Municipality.name).where(Municipality.istat_code.in_(codes))
    return dict(db.session.execute(query).all())


def _date_text(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) <= 10:
        return moment.strftime("%d/%m/%Y")
    return moment_text(moment)


def _value_formatter(entries: list[AuditEntry]) -> Callable[[str, str | None, str | None], str | None]:
    comuni = _comune_names(entries)
    languages = dict(language_choices())
    partner_ids = {int(v) for e in entries if e.field == "partner_id" for v in (e.old_value, e.new_value) if v}
    partners = {str(k): v for k, v in services.names_of_partners(partner_ids).items()}

    def one(entity: str, field: str, value: str) -> str:
        if field in BOOLEAN_FIELDS:
            return str(YES_NO.get(value, value))
        if field in DATE_FIELDS:
            return _date_text(value)
        if field == "municipality_code":
            return f"{comuni[value]} ({value})" if value in comuni else value
        if field == "languages":
            return str(languages.get(value, value))
        if field == "partner_id":
            return partners.get(value, value)
        labels = ENUM_LABELS.get((entity, field))
        return str(_by_value(labels).get(value, value)) if labels else value

    def describe(entity: str, field: str, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if field in LABELLED_LIST_FIELDS:
            return ", ".join(one(entity, field, item) for item in value.split(", "))
        return one(entity, field, value)

    return describe


def describe(entries: list[AuditEntry]) -> list[Row]:
    users = services.names_of_users({e.actor_id for e in entries if e.actor_id})
    partners = services.names_of_partners({e.actor_partner_id for e in entries if e.actor_partner_id})
    value = _value_formatter(entries)
    rows = []
    for entry in entries:
        fields = FIELD_LABELS.get(entry.entity, {})
        rows.append(
            Row(
                occurred_at=entry.occurred_at,
                actor=users.get(entry.actor_id) if entry.actor_id else None,
                partner=partners.get(entry.actor_partner_id) if entry.actor_partner_id else None,
                source_key=entry.source,
                source=str(SOURCE_LABELS.get(entry.source, entry.source)),
                entity_key=entry.entity,
                entity=str(ENTITY_LABELS.get(entry.entity, entry.entity)),
                entity_id=entry.entity_id,
                action=str(ACTION_LABELS.get(entry.action, entry.action)),
                field=str(fields.get(entry.field, entry.field)) if entry.field else None,
                old=value(entry.entity, entry.field, entry.old_value) if entry.field else None,
                new=value(entry.entity, entry.field, entry.new_value) if entry.field else entry.new_value,
            )
        )
    return rows
