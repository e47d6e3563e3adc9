"""The applicant pipeline: which moves the organisation may make, and how the board is laid out.

Withdrawing is not here: it is the candidate's own move (or an operator's on their behalf),
made from any open state through services.withdraw.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.applications.models import ApplicationStatus

Status = ApplicationStatus

# Where the organisation may move an applicant from each state. Final states go nowhere:
# reopening a decision the candidate was already told about would confuse them.
TRANSITIONS: dict[ApplicationStatus, tuple[ApplicationStatus, ...]] = {
    Status.SENT: (Status.UNDER_REVIEW, Status.INTERVIEW, Status.NOT_SELECTED, Status.ACCEPTED),
    Status.UNDER_REVIEW: (Status.INTERVIEW, Status.ACCEPTED, Status.NOT_SELECTED),
    Status.INTERVIEW: (Status.ACCEPTED, Status.NOT_SELECTED),
}

# The board's columns, left to right, in the order an applicant travels them.
COLUMNS: tuple[ApplicationStatus, ...] = (
    Status.SENT,
    Status.UNDER_REVIEW,
    Status.INTERVIEW,
    Status.ACCEPTED,
    Status.NOT_SELECTED,
    Status.WITHDRAWN,
)

# What the move is called on the button, from the organisation's side.
MOVE_LABELS = {
    Status.UNDER_REVIEW: _l("Metti in valutazione"),
    Status.INTERVIEW: _l("Invita a colloquio"),
    Status.ACCEPTED: _l("Accetta / avvia"),
    Status.NOT_SELECTED: _l("Non selezionare"),
}


def allowed_moves(status: ApplicationStatus) -> tuple[ApplicationStatus, ...]:
    return TRANSITIONS.get(status, ())


def can_move(from_status: ApplicationStatus, to_status: ApplicationStatus) -> bool:
    return to_status in allowed_moves(from_status)
