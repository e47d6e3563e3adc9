"""Counting what a test stored: with the `upload_folder` fixture (conftest) each test has its own folder."""

from __future__ import annotations

from pathlib import Path


def stored_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []
