"""Text preparation done in Python, before indexing and before querying.

The Elasticsearch distribution we run has no analysis-common module: no elision filter,
no ascii folding. One shared function does that work so both sides agree.
"""

from __future__ import annotations

import re
import unicodedata

# Elided articles and prepositions: "dell'informatica" is about "informatica".
ELIDED_PREFIXES = frozenset(
    {
        "l", "un", "d", "dell", "dall", "nell", "sull", "all", "coll", "pell", "c", "m", "s", "t", "v",
        "quest", "quell", "nessun", "tutt", "anch", "bell", "buon", "sant", "grand", "mezz", "senz", "dov",
        "com", "cos", "tra", "fra", "de", "po",
    }
)  # fmt: skip
APOSTROPHES = ("’", "‘", "`", "´")
ELISION = re.compile(r"\b(\w+)'(?=\w)")


def _elided(match: re.Match[str]) -> str:
    return " " if match.group(1).lower() in ELIDED_PREFIXES else match.group(0)


def drop_elisions(text: str) -> str:
    for mark in APOSTROPHES:
        if mark in text:
            text = text.replace(mark, "'")
    return ELISION.sub(_elided, text) if "'" in text else text


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Accented Latin letters (Latin-1 Supplement, Latin Extended-A/B) mapped to their base
# letters once: a C-speed translate instead of a per-character loop on every document.
_FOLD_TABLE = {code: _strip_marks(chr(code)) for code in range(0xC0, 0x250) if _strip_marks(chr(code)) != chr(code)}


def fold_accents(text: str) -> str:
    if text.isascii():
        return text
    folded = text.translate(_FOLD_TABLE)
    # Symbols such as € or « » have nothing to fold; only decomposable leftovers (accents
    # outside the table, ligatures) need the slow path.
    return folded if unicodedata.is_normalized("NFKD", folded) else _strip_marks(folded)


def prepare(text: str | None) -> str:
    """The text as both the index and the query see it (accents kept)."""
    if not text:
        return ""
    return " ".join(drop_elisions(text).split())


def prepare_folded(text: str | None) -> str:
    """The accent-folded, lowercased twin, for the *_folded fields."""
    return fold_accents(prepare(text)).lower()


def prepare_both(text: str | None) -> tuple[str, str]:
    """`prepare` and `prepare_folded` of one text, computing the shared part once."""
    prepared = prepare(text)
    return prepared, fold_accents(prepared).lower()
