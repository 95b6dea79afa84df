"""Journeys in real headless Chromium (Debian's /usr/bin/chromium), driven by Playwright.

Never downloads a browser. Locally the tests skip when Chromium is missing; under
CI=true that is a failure (.ci/run installs it).
"""

import pytest
from django.core.management import call_command

from imdi_reporting.services import load_demo
from tests.conftest import require_tool

CHROMIUM = "/usr/bin/chromium"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


# Per module: Playwright's event loop must be gone before other test files run in this
# process, or Django would refuse their ORM calls as coming from an async context.
@pytest.fixture(scope="module")
def browser():
    require_tool(CHROMIUM)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the ORM calls made
    # by the tests and the live server's set-up are still plain synchronous code.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
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


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """A live server with the complete demo data, loaded once per test file.

    The journeys of one file build on each other's changes, as a user's session would.
    pytest-django's own live_server fixture would flush the database after every test.
    """
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        load_demo()
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        yield server
        server._live_server_modified_settings.disable()
        server.stop()
        # flush re-runs post_migrate, which recreates permissions and the role groups.
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def orm(django_db_blocker):
    """Database access for assertions in a journey; reads what the live server committed."""
    with django_db_blocker.unblock():
        yield


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


def pytest_collection_modifyitems(items):
    """Every journey uses the test database: without a django_db mark, pytest-django would
    not set one up when only journeys run, and the demo data would go into the real one."""
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db)
