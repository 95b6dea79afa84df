"""The settlement page at /bosetting/: figures, chart, breakdowns and suppression."""

import re

import pytest
from django.urls import reverse

from goals.locking import allow_locked_period_writes
from settlement.models import SettlementCase

URL = "/bosetting/?start=2006-01-01&end=2006-06-30"
# The figures are cached per agency generation: the first request reads the generation
# twice (latest settled date, the page) besides the 23 reads of the figures;
# the summary of the data's change history is read on every request.
PAGE_QUERIES = 26


@pytest.fixture
def data(organisation, settlement_2006):
    return settlement_2006


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_url_name(db):
    assert reverse("settlement:index") == "/bosetting/"


def test_the_approver_sees_the_report_figures(client_for, data):
    response = client_for("direktor").get(URL)
    assert response.status_code == 200
    page = text(response)
    for figure in ("1 813", "1 800", "4 185", "8,6", "3,2", "5,9", "4,7", "1 190", "707", "496"):
        assert f">{figure}<" in page, figure
    for figure in ("647", "290", "95", "576", "78", "291", "176", "51"):
        assert f">{figure}<" in page, figure


def test_the_chart_has_a_text_alternative_and_a_table_with_the_same_numbers(client_for, data):
    page = text(client_for("direktor").get(URL))
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--line" role="img"' in page
    assert "<title id=" in page
    assert "<desc id=" in page
    # The June point of the running total and its table cell.
    assert ": 1 813</title>" in page
    assert '<td class="num">1 813</td>' in page


def test_a_ministry_reader_sees_small_counts_suppressed(client_for, data):
    reader = text(client_for("aid").get(URL))
    approver = text(client_for("direktor").get(URL))
    assert '<td class="num">:</td>' in reader
    assert '<td class="num">:</td>' not in approver
    # The big figures stay visible to the reader.
    assert '<td class="num">1 813</td>' in reader


def test_the_threshold_comes_from_the_settings(client_for, data, settings):
    settings.SETTLEMENT_SUPPRESSION_THRESHOLD = 2000
    page = text(client_for("aid").get(URL))
    assert ">1 813<" not in page
    assert ": 1 813</title>" not in page
    assert '<td class="num">1 190</td>' not in page
    # The forecast is not a count of persons and stays visible.
    assert '<td class="num">1 800</td>' in page


def test_unit_editors_see_suppressed_figures_too(client_for, data):
    assert '<td class="num">:</td>' in text(client_for("vest").get(URL))


def test_the_navigation_shows_the_page_to_those_who_may_see_it(client_for, data):
    page = client_for("aid").get("/").content.decode()
    assert 'href="/bosetting/"' in page


def test_a_user_without_the_permission_is_refused(client, data, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x")
    client.force_login(user)
    assert client.get(URL).status_code == 403


def test_anonymous_users_are_sent_to_the_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/logg-inn/" in response["Location"]


def test_a_bad_period_shows_an_error_and_the_default_period(client_for, data):
    page = text(client_for("direktor").get("/bosetting/?start=2006-07-01&end=2006-01-01"))
    assert 'role="alert"' in page
    assert ">1 813<" in page


def test_the_default_period_ends_at_the_last_settlement(client_for, data):
    page = text(client_for("direktor").get("/bosetting/"))
    assert 'value="2006-06-30"' in page
    assert 'value="2006-01-01"' in page


def test_the_page_runs_a_fixed_number_of_queries(client_for, data, django_assert_num_queries):
    client = client_for("direktor")
    # 1 session, 1 user, 2 permissions (user and group) for has_perm and the menu;
    # 1 profile with its agency (the agency's module flag, for the page and the menu);
    # 1 latest settled date; 1 forecast; 1 settled; 1 by month; 1 the stocks at the start
    # and the end (ready in reception, over the limit, OFF not arrived, and those waiting
    # per breakdown value); 1 OFF settled; 1 within the limit; 1 mean waits; 1 from
    # searched out; 1 family reunification; 6 breakdowns (those settled, per group); 1
    # municipalities; 1 places in total; 2 reads of the agency's cache generation; 1
    # summary of the data's change history.
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(URL).status_code == 200
    # Cached: the 18 reads of the figures are left out.
    with django_assert_num_queries(PAGE_QUERIES - 18):
        assert client.get(URL).status_code == 200


def test_the_query_count_does_not_grow_with_the_data(client_for, data, django_assert_num_queries):
    with allow_locked_period_writes():  # dated in the submitted 2006-H1: fixture data
        extra = SettlementCase.objects.bulk_create(
            SettlementCase(
                agency_id=SettlementCase.objects.values_list("agency_id", flat=True).first(),
                case_key=f"extra{i}",
                category="reception",
                nationality=f"Land {i}",
                sex="F",
                birth_year=1980,
                permit_date="2006-01-01",
                ready_date="2006-01-02",
            )
            for i in range(50)
        )
    assert len(extra) == 50
    client = client_for("direktor")
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(URL).status_code == 200
