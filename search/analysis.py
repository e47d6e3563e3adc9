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
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
ELISION = re.compile(r"\b(\w+)'(?=\w)")


def drop_elisions(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        return " " if match.group(1).lower() in ELIDED_PREFIXES else match.group(0)

    return ELISION.sub(replace, text.translate(APOSTROPHES))


def fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def prepare(text: str | None) -> str:
    """The text as both the index and the query see it (accents kept)."""
    if not text:
        return ""
    return " ".join(drop_elisions(text).split())


def prepare_folded(text: str | None) -> str:
    """The accent-folded, lowercased twin, for the *_folded fields."""
    return fold_accents(prepare(text)).lower()
