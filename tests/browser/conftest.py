"""Journeys in real headless Chromium (Debian's /usr/bin/chromium), driven by Playwright.

Never downloads a browser. Locally the tests skip when Chromium is missing; under
CI=true that is a failure (.ci/run installs it).
"""

import os

import pytest
from django.core.management import call_command

from tests.conftest import require_tool

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser():
    require_tool(CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def demo_site(live_server, transactional_db):
    """The live server with the complete demo data loaded."""
    call_command("load_demo", verbosity=0)
    return live_server


@pytest.fixture
def page(browser, demo_site):
    context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.url_for = lambda path: demo_site.url + path
    yield page
    context.close()


def log_in(page, username: str, password: str = "demo") -> None:
    """Log in with the keyboard only: tab to each field, type, press Enter."""
    page.goto(page.url_for("/logg-inn/"))
    page.focus("#id_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(page.url_for("/"))


def axe_violations(page) -> list[dict]:
    """WCAG 2.1 A and AA violations that axe-core finds on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results.response["violations"]
    ]
