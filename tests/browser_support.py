"""Shared pieces of the browser tests: Debian's Chromium through Playwright, and axe-core."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from werkzeug.serving import make_server

from marketplace.config import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium keeps reaching for Google services this machine cannot reach.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
AXE = PROJECT_ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def serve(app) -> Iterator[str]:
    """The app on a real HTTP server in a thread, for the browser to reach."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def chromium_page() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="it-IT")
        yield context.new_page()
        context.close()
        browser.close()


def serious_violations(page) -> list[dict]:
    assert AXE.exists(), "axe-core missing: run scripts/build-assets.sh"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
