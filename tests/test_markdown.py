"""Descriptions written in Markdown: what renders, and what never reaches the page."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import Flask, render_template_string
from markupsafe import Markup

from marketplace.common.markdown import markdown_to_text, render_markdown


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


def test_lists_links_and_emphasis_render() -> None:
    html = render_markdown("Cosa farai:\n\n- accoglienza\n- **cassa**\n\n1. uno\n2. due\n\n[Sito](https://esempio.it)")
    assert isinstance(html, Markup)
    assert "<ul>" in html and "<li>accoglienza</li>" in html and "<strong>cassa</strong>" in html
    assert "<ol>" in html and "<li>due</li>" in html
    assert '<a href="https://esempio.it" rel="nofollow noopener">Sito</a>' in html


def test_headings_start_below_the_page_headings() -> None:
    html = render_markdown("# Grande\n\n## Medio\n\n### Piccolo")
    assert "<h1" not in html and "<h2" not in html
    assert "<h3>Grande</h3>" in html and "<h4>Medio</h4>" in html and "<h4>Piccolo</h4>" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "Ciao <script>alert('x')</script> mondo",
        '<img src="x" onerror="alert(1)">',
        '<a href="#" onclick="alert(1)">clic</a>',
        "<iframe src='https://evil.example'></iframe>",
        "<div style='position:fixed'>coperto</div>",
    ],
)
def test_raw_html_is_shown_as_text_never_as_markup(source: str) -> None:
    built = elements(str(render_markdown(source)))
    assert built, "the text is still shown"
    assert {tag for tag, _ in built} == {"p"}
    assert all(not attrs for _, attrs in built)


@pytest.mark.parametrize(
    "source",
    [
        "[clic](javascript:alert(1))",
        "[clic](JAVASCRIPT:alert(1))",
        "[clic](vbscript:msgbox(1))",
        "[clic](data:text/html;base64,PHNjcmlwdD4=)",
        "<javascript:alert(1)>",
    ],
)
def test_dangerous_link_schemes_never_become_links(source: str) -> None:
    for tag, attrs in elements(str(render_markdown(source))):
        href = (attrs.get("href") or "").lower()
        assert not href.startswith(("javascript", "vbscript", "data:")), (tag, attrs)


def test_images_are_dropped() -> None:
    assert "<img" not in render_markdown("![foto](https://esempio.it/x.png)")


def test_text_that_looks_like_markup_is_escaped_once() -> None:
    html = render_markdown("Prezzo < 5 & niente > 10")
    assert "&lt; 5 &amp; niente &gt; 10" in html


def test_empty_text_gives_empty_markup() -> None:
    assert render_markdown("") == Markup("")
    assert render_markdown(None) == Markup("")


def test_plain_text_keeps_the_words_and_drops_the_tags() -> None:
    text = markdown_to_text("# Chi siamo\n\nUn **bar** sociale & <b>caffè</b>.\n\n- uno\n- due")
    assert text.startswith("Chi siamo\nUn bar sociale & <b>caffè</b>.")
    assert "<strong>" not in text and "uno\ndue" in text


def test_the_jinja_filter_is_registered(app: Flask) -> None:
    with app.test_request_context():
        out = render_template_string("{{ text | markdown }}", text="**ok** <script>x</script>")
    assert "<strong>ok</strong>" in out and "<script>" not in out
