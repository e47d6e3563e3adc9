"""Optimistic locking: a form opened on an older row version must not undo newer changes."""

from __future__ import annotations


class StaleRecord(Exception):
    """Someone else saved the record after the form was opened."""
