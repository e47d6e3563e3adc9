"""Duplicate organisations: the list of likely pairs and the side-by-side merge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.access import roles
from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.organizations import distinct, merge
from marketplace.organizations.merge_forms import FIELD_LABELS, FIELD_PREFIX, DecisionForm, merge_form_class
from marketplace.organizations.models import ORGANIZATION_KIND_LABELS, ORGANIZATION_STATUS_LABELS, Organization
from marketplace.territory.models import Municipality, Sector

bp = Blueprint("merge", __name__)
SHOWN_PAIRS = 200


@bp.route("/banca-dati/duplicati")
@roles(Role.PARTNER_ADMIN)
def duplicates():
    shown, total = distinct.open_candidates(SHOWN_PAIRS)
    decided, decided_total = distinct.recent(SHOWN_PAIRS)
    pairs = [c.key for c in shown] + [d.key for d in decided]
    organizations = merge.organizations_by_id(id_ for pair in pairs for id_ in pair)
    return render_template(
        "organizations/merge/duplicates.html", candidates=shown, total=total,
        decided=decided, decided_total=decided_total, organizations=organizations,
        kind_labels=ORGANIZATION_KIND_LABELS, decision_form=DecisionForm(),
    )  # fmt: skip


@bp.route("/banca-dati/duplicati/<int:first_id>/<int:second_id>/diverse", methods=["POST"])
@roles(Role.PARTNER_ADMIN)
def mark_distinct(first_id: int, second_id: int):
    if DecisionForm().validate_on_submit():
        try:
            distinct.mark(first_id, second_id, current_user.id)
        except distinct.NotAPair as refused:
            flash(str(refused.message), "danger")
        else:
            db.session.commit()
            flash(
                _("Segnate come organizzazioni diverse: la coppia non compare più tra i possibili doppioni."), "success"
            )
    return redirect(url_for("merge.duplicates"))


@bp.route("/banca-dati/duplicati/<int:first_id>/<int:second_id>/riproponi", methods=["POST"])
@roles(Role.PARTNER_ADMIN)
def unmark_distinct(first_id: int, second_id: int):
    if DecisionForm().validate_on_submit() and distinct.unmark(first_id, second_id):
        db.session.commit()
        flash(_("La coppia torna tra i possibili doppioni, se lo è ancora."), "success")
    return redirect(url_for("merge.duplicates"))


@dataclass(frozen=True)
class ComparedField:
    name: str
    label: Any
    survivor: str
    duplicate: str
    state: str  # same | conflict | fill (taken from the duplicate) | kept


def _display(organization: Organization, name: str) -> str:
    value = getattr(organization, name)
    if value is None or value == "":
        return "—"
    if name == "kind":
        return str(ORGANIZATION_KIND_LABELS[value])
    if name == "status":
        return str(ORGANIZATION_STATUS_LABELS[value])
    if name == "municipality_code":
        place = db.session.get(Municipality, value)
        return place.name if place else value
    if name == "ateco_code":
        sector = db.session.get(Sector, value)
        return f"{value} – {sector.title}" if sector else value
    if isinstance(value, bool):
        return _("Sì") if value else _("No")
    return str(value)


def _compared(survivor: Organization, duplicate: Organization) -> list[ComparedField]:
    conflicts = set(merge.conflicting_fields(survivor, duplicate))
    filled = set(merge.filled_fields(survivor, duplicate))
    rows = []
    for name in FIELD_LABELS:
        mine, theirs = _display(survivor, name), _display(duplicate, name)
        if name in conflicts:
            state = "conflict"
        elif name in filled:
            state = "fill"
        elif mine == theirs:
            state = "same"
        else:
            state = "kept"  # an identifier the survivor already has: the duplicate keeps its own
        rows.append(ComparedField(name, FIELD_LABELS[name], mine, theirs, state))
    return rows


def _refused(message: Any):
    flash(str(message), "danger")
    return redirect(url_for("merge.duplicates"))


@bp.route("/banca-dati/organizzazioni/<int:survivor_id>/unisci/<int:duplicate_id>", methods=["GET", "POST"])
@roles(Role.PARTNER_ADMIN)
def merge_pair(survivor_id: int, duplicate_id: int):
    survivor, duplicate = db.session.get(Organization, survivor_id), db.session.get(Organization, duplicate_id)
    try:
        merge.check_mergeable(survivor, duplicate)
    except merge.MergeRefused as refused:
        return _refused(refused.message)
    conflicts = merge.conflicting_fields(survivor, duplicate)
    form = merge_form_class(conflicts)()
    if form.validate_on_submit():
        survivor, duplicate = merge.lock_pair(survivor_id, duplicate_id)
        try:
            merge.merge(
                survivor, duplicate, take_from_duplicate=form.choices_from_duplicate(conflicts),
                expected_versions=form.versions(),
            )  # fmt: skip
        except merge.MergeRefused as refused:
            db.session.rollback()
            flash(str(refused.message), "danger")
            return redirect(url_for("merge.merge_pair", survivor_id=survivor_id, duplicate_id=duplicate_id))
        db.session.commit()
        flash(_("Organizzazioni unite: «%(name)s» ora comprende anche i dati del doppione.", name=survivor.name),
              "success")  # fmt: skip
        return redirect(url_for("organizations.record", organization_id=survivor.id))
    if not form.is_submitted():
        form.survivor_version.data = str(survivor.version)
        form.duplicate_version.data = str(duplicate.version)
    return render_template(
        "organizations/merge/compare.html", survivor=survivor, duplicate=duplicate, form=form,
        compared=_compared(survivor, duplicate), field_prefix=FIELD_PREFIX,
        survivor_counts=merge.child_counts(survivor.id), duplicate_counts=merge.child_counts(duplicate.id),
    )  # fmt: skip
