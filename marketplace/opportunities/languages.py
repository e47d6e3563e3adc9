"""Languages an opportunity may ask for, named in the reader's language by Babel's CLDR data."""

from __future__ import annotations

from babel import Locale
from flask_babel import get_locale

# ISO 639-1 codes: the languages most asked for by employers around Milan and those most
# spoken by the people the network follows.
LANGUAGES = (
    "it", "en", "fr", "de", "es", "pt", "ro", "sq", "ar", "zh", "uk", "ru",
    "pl", "hi", "bn", "ur", "pa", "tl", "si", "ta", "wo", "ff", "am", "ti",
)  # fmt: skip


def language_name(code: str) -> str:
    locale = get_locale() or Locale("it")
    return locale.languages.get(code, code)


def language_choices() -> list[tuple[str, str]]:
    return sorted(((code, language_name(code)) for code in LANGUAGES), key=lambda pair: pair[1])
