"""End to end in a real Chromium (Debian's), driven by Playwright, with axe-core checks."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from marketplace.accounts.models import Role
from marketplace.config import PROJECT_ROOT
from marketplace.extensions import db
from tests import factories

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium keeps reaching for Google services this machine cannot reach.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
AXE = PROJECT_ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def live_server(app, committed) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page(tmp_path: Path):
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


def test_login_reaches_the_dashboard(live_server, page):
    org = factories.organization("Cooperativa Sociale Il Girasole")
    factories.user(Role.COMPANY, email="girasole@example.org", organization_id=org.id)
    db.session.commit()

    page.goto(f"{live_server}/accedi")
    page.get_by_label("Email").fill("girasole@example.org")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(f"{live_server}/area-personale")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Area personale"
    assert "Utente Prova" in page.content()


def test_home_page_has_no_serious_accessibility_violations(live_server, page):
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "it"
    violations = serious_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
