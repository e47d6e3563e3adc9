"""What a run's page and its status JSON say about a background job (imports, exports)."""

from __future__ import annotations

import enum
from typing import Any


def progress_payload(
    status: enum.Enum, label: str, processed: int, total: int | None, *, done: bool, finished: bool
) -> dict[str, Any]:
    """The state job-progress.js polls: a finished run reads 100 %, otherwise the share of rows processed."""
    total = total or 0
    percent = 100 if done else (processed * 100 // total if total else 0)
    return {
        "status": status.value,
        "label": label,
        "processed": processed,
        "total": total,
        "percent": percent,
        "finished": finished,
    }
