"""Italian identifiers checked by their checksums (python-stdnum, phonenumbers, ateco).

Each function returns the canonical form, or raises InvalidIdentifier with an Italian
message (a lazy string, translated where it is shown).
"""

from __future__ import annotations

import ateco
import phonenumbers
from flask_babel import lazy_gettext as _l
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale, iva


class InvalidIdentifier(ValueError):
    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def vat_number(value: str) -> str:
    """A partita IVA: 11 digits with a valid check digit ("IT" prefix and spaces allowed)."""
    compact = iva.compact(value or "")
    if compact.upper().startswith("IT"):
        compact = compact[2:]
    try:
        return iva.validate(compact)
    except StdnumError:
        raise InvalidIdentifier(_l("Partita IVA non valida: controlla le 11 cifre.")) from None


def tax_code(value: str) -> str:
    """A codice fiscale: 16 characters for people, or 11 digits for organisations."""
    compact = codicefiscale.compact(value or "")
    if len(compact) == 11 and compact.isdigit():
        try:
            return iva.validate(compact)
        except StdnumError:
            raise InvalidIdentifier(_l("Codice fiscale numerico non valido.")) from None
    try:
        return codicefiscale.validate(compact)
    except StdnumError:
        raise InvalidIdentifier(_l("Codice fiscale non valido.")) from None


def ateco_code(value: str) -> tuple[str, str]:
    """An ATECO 2025 code and its Italian title."""
    node = ateco.lookup((value or "").strip()) if (value or "").strip() else None
    if node is None:
        raise InvalidIdentifier(_l("Codice ATECO non trovato nella classificazione ATECO 2025."))
    return node.code, node.title


def phone_e164(value: str, region: str = "IT") -> str:
    """A phone number in E.164 (+39…); Italian numbers may be written without the prefix."""
    try:
        number = phonenumbers.parse(value or "", region)
    except phonenumbers.NumberParseException:
        raise InvalidIdentifier(_l("Numero di telefono non valido.")) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier(_l("Numero di telefono non valido."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_for_display(e164: str | None) -> str | None:
    """A stored E.164 number written for people (+39 02 1234 5678); an unreadable one as it is."""
    if not e164:
        return None
    try:
        number = phonenumbers.parse(e164, "IT")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
