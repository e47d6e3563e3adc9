"""Duplicate organisations: finding likely pairs and merging one into the other.

A merge keeps both histories. The duplicate is not deleted: it is archived with
`merged_into_id` pointing at the survivor, its audit entries stay under its own id,
and everything that hung off it (sites, contacts, agreements, opportunities, company
accounts…) moves to the survivor in one transaction.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.agreements.models import Agreement
from marketplace.audit.hooks import record
from marketplace.common.errors import Refused
from marketplace.extensions import db
from marketplace.interactions.models import Interaction
from marketplace.models_base import utcnow
from marketplace.opportunities.models import Opportunity
from marketplace.organizations import services
from marketplace.organizations.models import (
    Contact,
    InclusionProfile,
    Organization,
    OrganizationClaim,
    OrganizationStatus,
    PartnerNote,
    PremisesAccess,
    Site,
    json_list,
)
from search.analysis import fold_accents

NAME_SIMILARITY = 0.9
# Sorted neighbourhood (see `_neighbours`): each name meets the NEAR names after it, and up
# to DEEP names after it as long as they share SHARED of its beginning (or ending).
NEAR = 6
DEEP = 30
SHARED = 0.5
MAX_CHAIN = 100  # merges form chains (a → b → c); a longer one would be a bug, not data

# Fields a partner chooses between when both organisations have a different value.
# P.IVA and codice fiscale are handled apart (unique constraints), derived fields follow employees.
CHOOSABLE_FIELDS = (
    "name", "kind", "status", "ateco_code", "municipality_code", "address", "website", "email", "phone",
    "description", "employees", "quota_68_covered",
)  # fmt: skip
IDENTIFIER_FIELDS = ("vat_number", "tax_code")

# Words of legal forms that say nothing about which organisation it is.
_LEGAL_PHRASES = (
    "societa cooperativa sociale", "cooperativa sociale", "societa cooperativa", "coop sociale", "coop soc",
    "impresa sociale", "a responsabilita limitata", "semplificata", "per azioni", "in nome collettivo",
    "in accomandita semplice", "ditta individuale",
)  # fmt: skip
_LEGAL_WORDS = frozenset({
    "srl", "srls", "spa", "snc", "sas", "sapa", "scarl", "scrl", "scpa", "arl", "sc", "scs", "soc",
    "coop", "cooperativa", "onlus", "ets", "aps", "odv", "asd", "ssd",
})  # fmt: skip
_PHRASES = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in _LEGAL_PHRASES) + r")\b")
_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}[a-z]?\.?|\b(?:[a-z]\.)+[a-z]{1,2}\b")


# -- names ---------------------------------------------------------------------------


def normalize_name(name: str) -> str:
    """A name reduced to what identifies the organisation.

    "Cooperativa Sociale Il Ponte ONLUS" and "Il Ponte soc. coop. sociale" both become
    "il ponte": case, accents, punctuation and legal-form words are dropped.
    """
    text = fold_accents(name or "").casefold()
    # Dotted abbreviations first ("s.r.l.", "s.p.a", "soc.coop.") so they read as one word.
    text = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)
    text = re.sub(r"[^\w\s]|_", " ", text)
    text = " ".join(text.split())
    text = _PHRASES.sub(" ", text)
    words = [word for word in text.split() if word not in _LEGAL_WORDS]
    return " ".join(words) or " ".join(text.split())


def name_similarity(first: str, second: str) -> float:
    """SequenceMatcher's ratio of two normalised names (0 when clearly below the threshold)."""
    if first == second:
        return 1.0
    return _similar_to(first, {first: _signature(first), second: _signature(second)})(second)


# Character counts folded into a small bit set: slot = code point mod _SLOTS, counts in
# unary up to _CAP. The popcount of the XOR of two signatures never exceeds how many
# characters cannot be matched between the names, so it bounds SequenceMatcher's ratio
# from above for the price of one integer operation.
_SLOTS, _CAP = 61, 4


def _signature(name: str) -> int:
    seen: dict[int, int] = {}
    signature = 0
    for ch in name:
        slot = ord(ch) % _SLOTS
        count = seen.get(slot, 0)
        if count < _CAP:
            signature |= 1 << (slot * _CAP + count)
        seen[slot] = count + 1
    return signature


def _similar_to(anchor: str, signatures: dict[str, int]):
    """A scorer against one name, with the cheap upper bounds first: lengths, the
    character-count signature, the exact shared characters; SequenceMatcher last (it
    indexes its second sequence once, so the anchor goes there, and only when needed)."""
    length = len(anchor)
    mine = signatures[anchor]
    matcher: SequenceMatcher | None = None

    def score(other: str) -> float:
        nonlocal matcher
        total = length + len(other)
        # Characters that may go unmatched (a hair more, so a ratio of exactly 0.9 is not lost to rounding).
        slack = (1 - NAME_SIMILARITY) * total + 1e-9
        if abs(length - len(other)) > slack:
            return 0.0
        if (signatures[other] ^ mine).bit_count() > slack:
            return 0.0
        if matcher is None:
            matcher = SequenceMatcher(None, "", anchor, autojunk=False)
        matcher.set_seq1(other)
        if matcher.quick_ratio() < NAME_SIMILARITY:
            return 0.0
        return matcher.ratio()

    return score


# -- finding candidate pairs ---------------------------------------------------------


@dataclass
class Candidate:
    """A likely duplicate pair; `first_id` < `second_id`."""

    first_id: int
    second_id: int
    same_identifier: bool = False
    similarity: float | None = None  # of the normalised names, when they matched

    @property
    def key(self) -> tuple[int, int]:
        return self.first_id, self.second_id


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    vat_number: str | None
    tax_code: str | None
    municipality_code: str | None


def _live_rows() -> list[Row]:
    """Only the columns the comparison needs: 50k rows load in a fraction of a second."""
    query = select(
        Organization.id, Organization.name, Organization.vat_number, Organization.tax_code,
        Organization.municipality_code,
    ).where(Organization.archived_at.is_(None), Organization.merged_into_id.is_(None))  # fmt: skip
    return [Row(*values) for values in db.session.execute(query)]


def _identifier_pairs(rows: list[Row]) -> Iterable[tuple[int, int]]:
    # Each column is unique on its own, so a shared identifier is always one row's P.IVA
    # written as another row's codice fiscale.
    by_tax_code = {row.tax_code: row.id for row in rows if row.tax_code}
    for row in rows:
        other = by_tax_code.get(row.vat_number) if row.vat_number else None
        if other is not None and other != row.id:
            yield min(row.id, other), max(row.id, other)


def _name_pairs(rows: list[Row]) -> Iterable[tuple[int, int, float]]:
    """Near-identical names within each comune.

    Comparing every pair would be quadratic in the biggest comune (Milano), so pairs are
    drawn from a sorted neighbourhood, in alphabetical order and again in reversed-name
    order: a pair that differs in a letter or two shares a long beginning or a long
    ending, so it sorts close together in at least one of the two orders.
    """
    by_place: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if row.municipality_code:
            by_place[row.municipality_code][normalize_name(row.name)].append(row.id)
    for same_name in by_place.values():
        for ids in same_name.values():
            yield from _cross(ids, ids, 1.0)
        if len(same_name) < 2:
            continue
        signatures = {name: _signature(name) for name in same_name}
        # A pair met in both orders is scored twice: cheaper than remembering every pair
        # (nearly all are dropped by the signature check); find_candidates merges repeats.
        for anchor, others in _neighbours(list(same_name)):
            similarity = _similar_to(anchor, signatures)
            for other in others:
                score = similarity(other)
                if score >= NAME_SIMILARITY:
                    yield from _cross(same_name[anchor], same_name[other], score)


def _neighbours(names: list[str]) -> Iterable[tuple[str, list[str]]]:
    """Each name with the names worth comparing it to: close in alphabetical order or in
    reversed-name order.

    Every name meets the next NEAR names. Names sharing a long beginning (at least
    SHARED of it) meet up to DEEP names ahead, so a dense run like a hundred
    "pizzeria da …" in Milano still pairs its near-twins; sorted order makes the shared
    beginning only shrink along the walk, so it stops at the first short one.
    """
    for reverse in (False, True):
        keys = sorted((name[::-1] if reverse else name, name) for name in names)
        shared = [_common_prefix(keys[k][0], keys[k + 1][0]) for k in range(len(keys) - 1)]
        for i, (key, name) in enumerate(keys):
            run, wanted, others = len(key), SHARED * len(key), []
            for j in range(i + 1, min(i + 1 + DEEP, len(keys))):
                run = min(run, shared[j - 1])
                if j - i > NEAR and run < wanted:
                    break
                others.append(keys[j][1])
            if others:
                yield name, others


def _common_prefix(first: str, second: str) -> int:
    n = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        n += 1
    return n


def _cross(first_ids: list[int], second_ids: list[int], score: float) -> Iterable[tuple[int, int, float]]:
    """Every pair of distinct ids across the two lists, smaller id first."""
    pairs = {(min(a, b), max(a, b)) for a in first_ids for b in second_ids if a != b}
    for first, second in sorted(pairs):
        yield first, second, score


def find_candidates(rows: list[Row] | None = None) -> list[Candidate]:
    """Likely duplicate pairs among live organisations: identifier matches first, then by similarity."""
    rows = _live_rows() if rows is None else rows
    found: dict[tuple[int, int], Candidate] = {}
    for first, second in _identifier_pairs(rows):
        found[(first, second)] = Candidate(first, second, same_identifier=True)
    for first, second, score in _name_pairs(rows):
        candidate = found.setdefault((first, second), Candidate(first, second))
        candidate.similarity = max(candidate.similarity or 0.0, score)
    return sorted(found.values(), key=lambda c: (not c.same_identifier, -(c.similarity or 0.0), c.key))


def organizations_by_id(ids: Iterable[int]) -> dict[int, Organization]:
    from sqlalchemy.orm import selectinload

    ids = sorted(set(ids))
    if not ids:
        return {}
    query = select(Organization).where(Organization.id.in_(ids)).options(selectinload(Organization.municipality))
    return {org.id: org for org in db.session.scalars(query)}


# -- following merges ----------------------------------------------------------------


def resolve(organization_id: int) -> int | None:
    """The organisation that now stands for this one: itself, or the end of its merge chain.

    None when there is no such organisation. Public pages of a merged organisation
    redirect to the id this returns when it differs from the one asked for.
    """
    current = db.session.get(Organization, organization_id)
    if current is None:
        return None
    visited = {current.id}
    while current.merged_into_id is not None and len(visited) < MAX_CHAIN:
        following = db.session.get(Organization, current.merged_into_id)
        if following is None or following.id in visited:
            break
        visited.add(following.id)
        current = following
    return current.id


def audit_subject_ids(organization_id: int) -> list[int]:
    """The organisation and every organisation merged into it, directly or through others.

    An audit page reads entries for all of these, so a survivor shows the history of the
    records it absorbed (which stay recorded under their own ids).
    """
    ids = [organization_id]
    frontier = [organization_id]
    while frontier and len(ids) < 10_000:
        merged = db.session.scalars(
            select(Organization.id).where(Organization.merged_into_id.in_(frontier)).order_by(Organization.id)
        ).all()
        frontier = [item for item in merged if item not in ids]
        ids.extend(frontier)
    return ids


# -- merging -------------------------------------------------------------------------


class MergeRefused(Refused):
    """The merge cannot go ahead."""


def check_mergeable(survivor: Organization | None, duplicate: Organization | None) -> None:
    if survivor is None or duplicate is None:
        raise MergeRefused(_l("Una delle due organizzazioni non esiste."))
    if survivor.id == duplicate.id:
        raise MergeRefused(_l("Non si può unire un'organizzazione con sé stessa."))
    for org in (survivor, duplicate):
        if org.merged_into_id is not None:
            raise MergeRefused(_l("«%(name)s» è già stata unita a un'altra organizzazione.", name=org.name))
        if org.is_archived:
            raise MergeRefused(_l("«%(name)s» è archiviata: riattivala prima di unirla.", name=org.name))


def conflicting_fields(survivor: Organization, duplicate: Organization) -> list[str]:
    """Fields where both have a value and the values differ: the partner picks one."""
    return [
        name for name in CHOOSABLE_FIELDS
        if getattr(survivor, name) not in (None, "") and getattr(duplicate, name) not in (None, "")
        and getattr(survivor, name) != getattr(duplicate, name)
    ]  # fmt: skip


def filled_fields(survivor: Organization, duplicate: Organization) -> list[str]:
    """Fields (identifiers included) empty on the survivor that the duplicate will fill."""
    return [
        name for name in (*CHOOSABLE_FIELDS, *IDENTIFIER_FIELDS)
        if getattr(survivor, name) in (None, "") and getattr(duplicate, name) not in (None, "")
    ]  # fmt: skip


@dataclass
class MergeReport:
    moved: dict[str, int] = field(default_factory=dict)
    copied_fields: list[str] = field(default_factory=list)


# Child rows that simply change organisation, with the name they are counted under.
CHILD_TABLES: tuple[tuple[type, str], ...] = (
    (Site, "sites"),
    (Contact, "contacts"),
    (PartnerNote, "partner_notes"),
    (Agreement, "agreements"),
    (Interaction, "interactions"),
    (OrganizationClaim, "claims"),
    (Opportunity, "opportunities"),
    (User, "company_users"),
)


def child_counts(organization_id: int) -> dict[str, int]:
    """How many rows of each kind hang off the organisation (shown before a merge)."""
    counts = {}
    for model, label in CHILD_TABLES:
        query = select(func.count()).select_from(model).where(model.organization_id == organization_id)
        counts[label] = db.session.scalar(query) or 0
    return counts


def lock_pair(survivor_id: int, duplicate_id: int) -> tuple[Organization | None, Organization | None]:
    """Both rows, locked in id order (two merges of the same pair cannot deadlock or interleave)."""
    locked = {}
    for org_id in sorted({survivor_id, duplicate_id}):
        locked[org_id] = db.session.get(Organization, org_id, with_for_update=True, populate_existing=True)
    return locked.get(survivor_id), locked.get(duplicate_id)


def merge(
    survivor: Organization,
    duplicate: Organization,
    *,
    take_from_duplicate: Iterable[str] = (),
    expected_versions: tuple[int, int] | None = None,
) -> MergeReport:
    """Merge `duplicate` into `survivor`. Flushes; the caller commits (or rolls back on MergeRefused).

    `take_from_duplicate` names the conflicting fields whose value the partner chose from
    the duplicate; fields empty on the survivor are filled from the duplicate anyway.
    `expected_versions` are the row versions the partner saw when choosing: if either
    organisation changed since, the choice may be wrong and nothing is done.
    """
    check_mergeable(survivor, duplicate)
    if expected_versions is not None and expected_versions != (survivor.version, duplicate.version):
        raise MergeRefused(
            _l("Nel frattempo una delle due organizzazioni è stata modificata: controlla di nuovo il confronto.")
        )
    conflicts = set(conflicting_fields(survivor, duplicate))
    unknown = set(take_from_duplicate) - conflicts
    if unknown:
        raise MergeRefused(_l("La scelta dei dati da tenere non corrisponde più al confronto: ricarica la pagina."))

    report = MergeReport()
    _move_identifiers(survivor, duplicate, report)
    values = {name: getattr(duplicate, name) for name in filled_fields(survivor, duplicate)
              if name not in IDENTIFIER_FIELDS}  # fmt: skip
    values.update({name: getattr(duplicate, name) for name in take_from_duplicate})
    if duplicate.last_contact_on and duplicate.last_contact_on > (survivor.last_contact_on or date.min):
        values["last_contact_on"] = duplicate.last_contact_on
    report.copied_fields += services.apply_values(survivor, values)

    moved: list[Any] = []
    for model, label in CHILD_TABLES:
        rows = db.session.scalars(select(model).where(model.organization_id == duplicate.id)).all()
        for row in rows:
            row.organization_id = survivor.id
        report.moved[label] = len(rows)
        moved += rows
    report.moved["inclusion_profile"] = _merge_inclusion_profiles(survivor, duplicate, moved)

    duplicate.merged_into_id = survivor.id
    duplicate.archived_at = utcnow()
    # Out of the default lists and searches, which show active and prospect organisations only.
    duplicate.status = OrganizationStatus.INACTIVE
    _outrun_versions(survivor, duplicate)
    # Language-neutral on purpose: the audit page shows it as is. Copied values have their
    # own field-by-field entries on the survivor, written at flush like every change.
    detail = f"#{duplicate.id} {duplicate.name} → #{survivor.id} {survivor.name}"
    record(db.session, survivor, "merged", detail)
    record(db.session, duplicate, "merged", detail)
    db.session.flush()
    # Only foreign keys were set: relationships loaded before the move (a site's
    # organisation, an opportunity's organisation in its search document…) would still
    # show the duplicate for the rest of this session.
    for row in moved:
        db.session.expire(row)
    db.session.expire(survivor, ["sites", "contacts", "inclusion_profile"])
    db.session.expire(duplicate, ["sites", "contacts", "inclusion_profile"])
    return report


def _move_identifiers(survivor: Organization, duplicate: Organization, report: MergeReport) -> None:
    moving = {name: getattr(duplicate, name) for name in IDENTIFIER_FIELDS
              if not getattr(survivor, name) and getattr(duplicate, name)}  # fmt: skip
    if not moving:
        return
    # The columns are unique: the duplicate lets go first, in its own flush.
    for name in moving:
        setattr(duplicate, name, None)
    db.session.flush()
    for name, value in moving.items():
        setattr(survivor, name, value)
    db.session.flush()
    report.copied_fields += list(moving)


def _merge_inclusion_profiles(survivor: Organization, duplicate: Organization, moved: list[Any]) -> int:
    theirs = db.session.scalar(select(InclusionProfile).where(InclusionProfile.organization_id == duplicate.id))
    if theirs is None:
        return 0
    ours = db.session.scalar(select(InclusionProfile).where(InclusionProfile.organization_id == survivor.id))
    if ours is None:
        theirs.organization_id = survivor.id
        moved.append(theirs)
        return 1
    # Lists are unions (assigned anew: in-place changes would be neither saved nor audited).
    for name in ("schemes", "languages", "recruiting_sectors", "recruiting_roles"):
        union = list(dict.fromkeys([*json_list(getattr(ours, name)), *json_list(getattr(theirs, name))]))
        if union != json_list(getattr(ours, name)):
            setattr(ours, name, union)
    if ours.capacity is None:
        ours.capacity = theirs.capacity
    ours.tutor_available = ours.tutor_available or theirs.tutor_available
    if ours.premises_access == PremisesAccess.UNKNOWN:
        ours.premises_access = theirs.premises_access
    if not ours.accessibility_notes:
        ours.accessibility_notes = theirs.accessibility_notes
    return 1


def _outrun_versions(survivor: Organization, duplicate: Organization) -> None:
    """Lift the survivor's row version above the duplicate's.

    An opportunity's search document is versioned by its own version plus its
    organisation's. Moving it to a survivor with a lower version would give the new
    document a lower version than the old one, and the index would keep the stale copy.
    Setting the version explicitly makes this UPDATE write it (the ORM still checks the
    old one in its WHERE clause).
    """
    survivor.version = max(survivor.version, duplicate.version) + 1
