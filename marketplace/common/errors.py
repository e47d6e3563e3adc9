"""The one shape of a refusal the user must read, and of a lookup that found nothing."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort

T = TypeVar("T")


class Refused(ValueError):
    """An action that cannot go ahead; `message` says why, in Italian (or lazily translated).

    The message stays lazy where it was given lazily: it is translated where it is shown,
    inside a request, in the reader's language. Nothing was changed by the refused action.
    """

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message


def or_404(found: T | None) -> T:
    """What a lookup found, or the 404 page when it found nothing."""
    if found is None:
        abort(404)
    return found
