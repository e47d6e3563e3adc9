"""Valid Italian identifiers for demo rows: codice fiscale of a person, partita IVA of an entity."""

from __future__ import annotations

import unicodedata
from datetime import date

from stdnum import luhn
from stdnum.it import codicefiscale

_MONTH_LETTERS = "ABCDEHLMPRST"
_VOWELS = set("AEIOU")


def ascii_letters(text: str) -> str:
    """Upper-case A-Z only: 'Nicolò D'Amico' -> 'NICOLODAMICO'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.upper() if "A" <= ch <= "Z")


def _split(text: str) -> tuple[str, str]:
    letters = ascii_letters(text)
    consonants = "".join(ch for ch in letters if ch not in _VOWELS)
    vowels = "".join(ch for ch in letters if ch in _VOWELS)
    return consonants, vowels


def _surname_part(last_name: str) -> str:
    consonants, vowels = _split(last_name)
    return (consonants + vowels + "XXX")[:3]


def _name_part(first_name: str) -> str:
    consonants, vowels = _split(first_name)
    # The rule for first names skips the second consonant when there are four or more.
    if len(consonants) >= 4:
        return consonants[0] + consonants[2] + consonants[3]
    return (consonants + vowels + "XXX")[:3]


def codice_fiscale(first_name: str, last_name: str, birth_date: date, female: bool, cadastral_code: str) -> str:
    """The codice fiscale the Agenzia delle Entrate would compute (ignoring omocodia)."""
    day = birth_date.day + (40 if female else 0)
    body = (
        _surname_part(last_name)
        + _name_part(first_name)
        + f"{birth_date.year % 100:02d}"
        + _MONTH_LETTERS[birth_date.month - 1]
        + f"{day:02d}"
        + cadastral_code.upper()
    )
    return body + codicefiscale.calc_check_digit(body)


def partita_iva(digits10: str) -> str:
    """Complete ten digits (seven serial + three office) with the Luhn check digit."""
    return digits10 + luhn.calc_check_digit(digits10)
