"""The English catalog is complete: every visible string extracted from the code has a translation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "marketplace" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# The same extraction as `make i18n-update`, run afresh: a string added without refreshing the catalog fails here.
EXTRACT = [
    str(Path(sys.executable).parent / "pybabel"), "--quiet", "extract", "-F", "babel.cfg",
    "-k", "_l", "-k", "lazy_gettext", "--ignore-dirs=.venv node_modules static .git instance",
]  # fmt: skip
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{\{ *[a-z_.]+ *\}\}")


def _texts(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def test_every_extracted_string_has_an_english_translation(tmp_path):
    extracted = tmp_path / "messages.pot"
    subprocess.run([*EXTRACT, "-o", str(extracted), "."], cwd=ROOT, check=True, timeout=120)
    catalog = read_po(CATALOG.open("rb"))
    template = read_po(extracted.open("rb"))
    missing = [
        message.id
        for message in template
        if message.id
        and (
            (translated := catalog.get(message.id, context=message.context)) is None
            or translated.fuzzy
            or not all(_texts(translated.string))
        )
    ]
    assert missing == [], f"{len(missing)} strings without an English translation, e.g. {missing[:5]}"


def test_translations_keep_their_placeholders():
    catalog = read_po(CATALOG.open("rb"))
    broken = [
        message.id
        for message in catalog
        if message.id
        and message.string
        and sorted(PLACEHOLDER.findall(_texts(message.id)[0])) != sorted(PLACEHOLDER.findall(_texts(message.string)[0]))
    ]
    assert broken == []
