"""Markdown that organisations write (descriptions), turned into HTML that is safe to show.

Two layers, on purpose: markdown-it-py with raw HTML disabled never emits the author's tags,
and nh3 (the Ammonia sanitiser) then keeps only a short allow-list of tags and attributes, so
a bug or a future option in the parser still cannot let a script or an event handler through.
"""

from __future__ import annotations

import re
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote", "code"})
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# The page already has its h1 and h2: the author's headings start below them.
HEADING_OFFSET = 2
DEEPEST_HEADING = 4


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False})


def _demote_headings(tokens: list) -> None:
    for token in tokens:
        if token.type in {"heading_open", "heading_close"}:
            level = min(int(token.tag[1]) + HEADING_OFFSET, DEEPEST_HEADING)
            token.tag = f"h{level}"


def render_markdown(text: str | None) -> Markup:
    """HTML for an author's Markdown, with everything outside the allow-list removed."""
    if not text:
        return Markup("")
    parser = _parser()
    tokens = parser.parse(text)
    _demote_headings(tokens)
    html = parser.renderer.render(tokens, parser.options, {})
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="nofollow noopener",
        strip_comments=True,
    )
    return Markup(cleaned)  # sanitised just above


def markdown_to_text(text: str | None) -> str:
    """The same content as plain text (for meta descriptions and structured data)."""
    if not text:
        return ""
    # markdown-it ends every block with a newline, so dropping the tags keeps the paragraphs apart.
    plain = nh3.clean(str(render_markdown(text)), tags=set())
    # nh3 escapes the text it keeps; unescape so callers get what the author wrote.
    plain = Markup(plain).unescape()
    return re.sub(r"\n{3,}", "\n\n", plain).strip()
