from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from goals.loaders import load_organisation
from imdi_reporting.services import FIXTURES_DIR, load_demo_users


def load_the_organisation() -> None:
    load_organisation(path=FIXTURES_DIR / "goals/organisation.yaml")
    load_demo_users(path=FIXTURES_DIR / "users.yaml")
    load_organisation(path=FIXTURES_DIR / "goals/periods.yaml")


# How many of the module's kept data (kept_for_the_module) are active: with any, the
# organisation is loaded already.
_kept = {"depth": 0}


@pytest.fixture
def organisation(db):
    """AID, IMDi with its units and the 2006 budget year, the demo users and the periods."""
    if not _kept["depth"]:
        load_the_organisation()


@pytest.fixture
def demo_user(organisation):
    """Return the demo user with the given username."""

    def get(username: str):
        return get_user_model().objects.get(username=username)

    return get


@pytest.fixture
def client_for(client, demo_user):
    """A test client logged in as the given demo user."""

    def login(username: str):
        client.force_login(demo_user(username))
        return client

    return login


@contextmanager
def kept_for_the_module(django_db_blocker) -> Iterator[None]:
    """For a module-scoped fixture: the organisation, and what the block loads, stay for
    every test of the module from the first that asks for them, and are rolled back when
    the module ends. Each test runs in a savepoint inside (pytest-django's db), so what
    one test writes is gone for the next. The demo data takes seconds to load (more on
    PostgreSQL under load), and most modules only read it. Not for modules with
    transactional tests: their flush would end the transaction."""
    with django_db_blocker.unblock(), transaction.atomic():
        if not _kept["depth"]:
            load_the_organisation()
        _kept["depth"] += 1
        try:
            yield
        finally:
            _kept["depth"] -= 1
            transaction.set_rollback(True)


def require_tool(path: str) -> str:
    """Skip locally when a system tool is missing; under CI=true a missing tool is a failure."""
    import os
    import shutil

    found = shutil.which(path)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is required in CI (.ci/run installs it)")
        pytest.skip(f"{path} is not installed")
    return found


def pdf_text(pdf: bytes) -> str:
    """The text a reader can search and copy, as extracted by poppler's pdftotext."""
    import subprocess

    tool = require_tool("pdftotext")
    result = subprocess.run([tool, "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Hashing the demo users' passwords with PBKDF2 would dominate the suite's run time."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True, scope="session")
def each_pdf_rendered_once():
    """Many tests read the same report (the demo's 53-page half year takes WeasyPrint
    several seconds). Within one test process, a document whose HTML was rendered before
    gets the bytes WeasyPrint made for it then; any other HTML is rendered afresh."""
    import hashlib

    import imdi_reporting.pdf

    render = imdi_reporting.pdf.render_pdf
    rendered: dict[str, bytes] = {}

    def render_once(*, html: str) -> bytes:
        key = hashlib.sha256(html.encode()).hexdigest()
        if key not in rendered:
            rendered[key] = render(html=html)
        return rendered[key]

    imdi_reporting.pdf.render_pdf = render_once
    yield
    imdi_reporting.pdf.render_pdf = render


@pytest.fixture(autouse=True)
def pages_rendered_afresh(request, settings):
    """Query pins and the template context measure a page's own work, so pages are not
    kept for the session here (goals.page_cache); the browser journeys keep them, as the
    site does, and tests/imdi_reporting/test_kept_pages.py turns them on."""
    if "browser" not in request.keywords:
        settings.PAGE_CACHE_TIMEOUT = 0


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test's database is rolled back, and so is what the cache remembers of it: a
    freeze marked as queued, a roll-up or a kept page of a row id that the next test's
    data reuses would otherwise carry over."""
    from django.core.cache import cache

    cache.clear()
