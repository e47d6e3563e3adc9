"""The one shape of a refusal the user must read."""

from __future__ import annotations

from typing import Any


class Refused(ValueError):
    """An action that cannot go ahead; `message` says why, in Italian (or lazily translated).

    The message stays lazy where it was given lazily: it is translated where it is shown,
    inside a request, in the reader's language. Nothing was changed by the refused action.
    """

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message
