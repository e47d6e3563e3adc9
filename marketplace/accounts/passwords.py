"""Password hashing (argon2id) and the NIST SP 800-63B acceptance rules.

No composition rules: length 8 to 128, not a commonly used password, not built from
the account's own name or email, not the service's name.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 8
MAX_LENGTH = 128
SERVICE_WORDS = ("opportunita", "opportunità", "password")

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# A real argon2 hash to verify against when the account does not exist, so the
# response time does not reveal which emails are registered.
DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")


@cache
def common_passwords() -> frozenset[str]:
    """Frequently used passwords, from the zxcvbn package's breach-derived list."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", full_name: str = "") -> str | None:
    """Why this password is refused (a translated message), or None if it is fine."""
    if len(password) < MIN_LENGTH:
        return str(_l("La password deve avere almeno %(n)d caratteri.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("La password può avere al massimo %(n)d caratteri.", n=MAX_LENGTH))
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        return str(_l("Questa password è troppo comune e facile da indovinare: scegline un'altra."))
    personal = [part for part in [email.split("@")[0].lower(), *full_name.lower().split()] if len(part) >= 4]
    if any(lowered == part or (lowered.startswith(part) and len(lowered) - len(part) < 4) for part in personal):
        return str(_l("La password non deve essere ricavata dal tuo nome o dalla tua email."))
    if any(word in lowered and len(lowered) - len(word) < 4 for word in SERVICE_WORDS):
        return str(_l("La password non deve contenere il nome del servizio."))
    return None
