"""A read page is kept for the session that asked for it (goals.page_cache) and served
from there, in four queries, until anyone writes anything a page may show."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import add_message, constants
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from budget.loaders import load_budget_demo
from goals.choices import NotificationKind
from goals.loaders import load_goals_demo
from goals.page_cache import page_key
from goals.services import NotificationText, mark_notifications_read, notify
from imdi_reporting.services import FIXTURES_DIR, create_api_token
from settlement.loaders import load_settlement_demo
from settlement.models import SettlementCase
from settlement.services import save_cases
from tests.conftest import kept_for_the_module
from tests.imdi_reporting.test_rollup_cache import a_case_after_the_half_year

PERIOD = "IMDi-2006-H1"
PAGES = [
    "/",
    "/bosetting/",
    "/resultatkrav/",
    f"/resultatkrav/{PERIOD}/R1-1/",
    f"/budsjett/{PERIOD}/",
    f"/budsjett/{PERIOD}/kapittel/0651/",
    f"/budsjett/{PERIOD}/kapittel/0651/post/62/",
    f"/api/budget/posts/?period={PERIOD}",
    "/api/budget/chapters/",
    f"/api/goals/result-requirements/?period={PERIOD}",
    f"/api/goals/status-updates/?period={PERIOD}",
    f"/api/settlement/statistics/?period={PERIOD}",
]
# Cases after the submitted half year; those it counted refuse writes.
SETTLEMENT = "/bosetting/?start=2006-07-01&end=2006-12-31"
NONCE = re.compile(r'nonce="([^"]+)"')


@pytest.fixture(autouse=True)
def kept_pages(settings):
    settings.PAGE_CACHE_TIMEOUT = 600


@pytest.fixture(scope="module", autouse=True)
def demo_loaded(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        load_goals_demo(directory=FIXTURES_DIR / "goals")
        load_budget_demo(directory=FIXTURES_DIR / "budget")
        load_settlement_demo(directory=FIXTURES_DIR / "settlement")
        yield


@pytest.fixture
def demo(organisation):
    """The letter, report, form, budget and settlement cases of 2006 (demo_loaded)."""


@pytest.fixture
def reader(demo, client_for):
    client = client_for("direktor")
    client.get("/")  # the session's CSRF cookie, which a kept page's forms carry
    return client


def without_nonce(content: bytes) -> str:
    return NONCE.sub('nonce=""', content.decode())


@pytest.mark.parametrize("path", PAGES)
def test_it_serves_the_second_read_from_the_kept_page(reader, path, django_assert_num_queries):
    first = reader.get(path)
    assert first.status_code == 200
    # 1. the session, 2. the user, 3. the agencies' cache generations and 4. the user's
    # profile (its unread notifications), which make the key
    with django_assert_num_queries(4):
        second = reader.get(path)
    assert second.status_code == 200
    assert second["Content-Type"] == first["Content-Type"]
    assert without_nonce(second.content) == without_nonce(first.content)


def test_the_kept_page_carries_the_nonce_of_the_requests_own_policy(reader):
    reader.get("/")
    kept = reader.get("/")
    nonces = set(NONCE.findall(kept.content.decode()))
    assert len(nonces) == 1
    assert f"'nonce-{nonces.pop()}'" in kept["Content-Security-Policy"]


def test_a_case_saved_by_anyone_shows_at_the_readers_next_read(reader):
    first = reader.get(SETTLEMENT)
    # Rendered afresh, a page has its template context; served kept, it has none.
    assert reader.get(SETTLEMENT).context is None
    save_cases(agency=SettlementCase.objects.first().agency, cases=[a_case_after_the_half_year()])
    after = reader.get(SETTLEMENT)
    assert after.context["settled"] == first.context["settled"] + 1


def test_a_role_taken_away_shows_at_the_next_read(reader, demo_user):
    budget = f"/budsjett/{PERIOD}/"
    assert reader.get(budget).status_code == 200
    assert reader.get(budget).context is None
    demo_user("direktor").groups.clear()
    assert reader.get(budget).status_code == 403


def test_a_login_by_someone_else_keeps_the_pages(reader, demo_user, django_assert_num_queries):
    reader.get("/")
    APIClient().force_login(demo_user("ne"))
    with django_assert_num_queries(4):
        reader.get("/")


def test_another_session_of_the_same_user_gets_no_copy_of_the_first(reader, demo_user):
    reader.get("/")
    assert reader.get("/").context is None
    other = APIClient()
    other.force_login(demo_user("direktor"))
    other.get("/")
    assert other.get("/").context is not None  # its own CSRF cookie came with the first


def test_a_new_day_renders_the_page_afresh(reader, monkeypatch):
    reader.get("/")
    assert reader.get("/").context is None
    tomorrow = date.today() + timedelta(days=1)
    monkeypatch.setattr("goals.selectors.today", lambda: tomorrow)
    assert reader.get("/").context is not None


def test_an_api_key_reads_the_list_afresh_every_time(demo, demo_user):
    # A key has no session to keep a page for.
    _token, key = create_api_token(user=demo_user("direktor"), name="uttrekk")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    path = f"/api/budget/posts/?period={PERIOD}"
    assert api.get(path).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert api.get(path).status_code == 200
    assert any("budget_post" in query["sql"] for query in queries)


def test_a_page_is_not_kept_while_a_message_waits(demo, demo_user):
    request = RequestFactory().get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    request.session.save()
    MessageMiddleware(lambda r: None).process_request(request)
    request.user = demo_user("direktor")
    request.META["CSRF_COOKIE"] = "x" * 32
    assert page_key(request) is not None
    add_message(request, constants.SUCCESS, "Lagret.")
    assert page_key(request) is None


def unread_badge(page) -> str | None:
    found = re.search(r'class="badge badge--warn">(\d+)<', page.content.decode())
    return found.group(1) if found else None


def test_notifications_told_and_read_show_in_the_header_at_the_next_read(reader, demo_user):
    direktor = demo_user("direktor")
    reader.get("/")
    assert unread_badge(reader.get("/")) is None
    # A reminder to many users is written in bulk and retires no cache generation.
    notify(
        users=get_user_model().objects.filter(pk=direktor.pk),
        kind=NotificationKind.REMINDER,
        text=NotificationText("Frist nærmer seg", {}),
    )
    assert unread_badge(reader.get("/")) == "1"
    assert unread_badge(reader.get("/")) == "1"
    mark_notifications_read(user=direktor)
    assert unread_badge(reader.get("/")) is None
