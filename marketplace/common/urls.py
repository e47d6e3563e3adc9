"""Where a `next` parameter may send the browser: only to a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: an open redirect would help phishing.

    Browsers read a backslash as a slash, so "/\\evil.example" would leave the site too.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None
