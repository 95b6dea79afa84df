"""The ministry's portfolio: one row per agency of the ministry from its latest submitted
period, with links into the agency's pages."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import AccountsEntry, AllocationEntry, Chapter, Post
from goals.locking import allow_locked_period_writes
from goals.models import Agency, BudgetYear, MainGoal, Ministry, ReportingPeriod
from imdi_reporting.services import load_demo
from tests.conftest import kept_for_the_module


@pytest.fixture(scope="module")
def two_agencies_kept(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        yield add_second_agency()


@pytest.fixture
def two_agencies(two_agencies_kept, db):
    """The IMDi demo and a second agency of AID with a submitted 2006-H1, one chapter and
    one requirement without updates (loaded once for the module)."""
    return ReportingPeriod.objects.select_related("budget_year__agency").get(
        pk=two_agencies_kept.pk
    )


def add_second_agency() -> ReportingPeriod:
    load_demo()
    agency = Agency.objects.create(
        code="TST", name="Testdirektoratet", ministry=Ministry.objects.get(code="AID")
    )
    year = BudgetYear.objects.create(
        agency=agency, year=2006, allocation_letter_date=date(2006, 1, 20)
    )
    period = ReportingPeriod.objects.create(
        budget_year=year,
        kind="H1",
        start=date(2006, 1, 1),
        end=date(2006, 6, 30),
        deadline=date(2006, 8, 15),
        state="submitted",
        submitted_at=datetime(2006, 8, 1, tzinfo=UTC),
    )
    with allow_locked_period_writes():  # the letter of a submitted year, as fixture data
        MainGoal.objects.create(budget_year=year, code="TM1", title="Mål", position=1)
    return period


def row_of(response, code: str):
    return next(row for row in response.context["rows"] if row.agency.code == code)


def test_a_ministry_reader_sees_each_agency_of_the_ministry(two_agencies, client_for):
    response = client_for("aid").get(reverse("portfolio"))
    assert response.status_code == 200
    assert [row.agency.code for row in response.context["rows"]] == ["IMDi", "TST"]
    imdi = row_of(response, "IMDi")
    assert imdi.latest.slug == "IMDi-2006-H1"
    assert [p.slug for p in imdi.periods] == ["IMDi-2006-H1"]  # never the open year
    assert reverse("reports:full", args=["TST-2006-H1"]) in response.text
    assert reverse("budget:period", args=["IMDi-2006-H1"]) in response.text


def test_the_status_counts_cover_every_requirement_of_the_year(two_agencies, client_for):
    from goals.models import ResultRequirement

    response = client_for("aid").get(reverse("portfolio"))
    imdi = row_of(response, "IMDi")
    total = ResultRequirement.objects.filter(main_goal__budget_year__agency__code="IMDi").count()
    assert sum(imdi.status_counts.values()) == total
    assert row_of(response, "TST").status_counts == {}


def test_the_budget_figures_are_the_agencys_own(two_agencies, client_for):
    response = client_for("aid").get(reverse("portfolio"))
    imdi = row_of(response, "IMDi").budget
    posts = Post.objects.filter(chapter__kind="expense")
    assert imdi.sum_appropriation > Decimal(0)
    assert posts.exists()
    assert row_of(response, "TST").budget.sum_appropriation is None


def test_the_menu_offers_it_to_the_ministry_only(two_agencies, client_for):
    assert 'href="/portefolje/"' in client_for("aid").get(reverse("home")).text
    assert 'href="/portefolje/"' not in client_for("ne").get(reverse("home")).text
    assert client_for("ne").get(reverse("portfolio")).status_code == 403


def test_another_ministrys_agencies_are_not_shown(two_agencies, client_for):
    Agency.objects.filter(code="TST").update(ministry=Ministry.objects.get(code="BLD"))
    response = client_for("aid").get(reverse("portfolio"))
    assert [row.agency.code for row in response.context["rows"]] == ["IMDi"]
    assert "Testdirektoratet" not in response.text


def test_the_query_count_does_not_grow_with_agencies_data(
    two_agencies, client_for, django_assert_num_queries
):
    tst = two_agencies.budget_year
    # Each agency's budget reads its own chapters only (an agency without any has no
    # allocations or accounts to ask for), so TST starts with one post.
    chapter = Chapter.objects.create(
        agency=tst.agency, number="0999", name="Test", kind="expense", ministry=tst.agency.ministry
    )
    Post.objects.create(chapter=chapter, number="02", name="Post")
    client = client_for("aid")
    client.get(reverse("portfolio"))
    # session, user, permissions (user and group) for the menu, profile, the agencies
    # with the settlement module (menu), periods,
    # requirements, their years, updates, achieved, not achieved, deliverables; the
    # budget of both agencies at once: posts, allocations, accounts.
    with django_assert_num_queries(16) as before:
        client.get(reverse("portfolio"))
    for number in ("01", "21", "70"):
        post = Post.objects.create(chapter=chapter, number=number, name="Post")
        with allow_locked_period_writes():  # figures of the submitted H1, as fixture data
            AllocationEntry.objects.create(
                post=post, budget_year=tst, kind="allocation_letter", amount=Decimal(1000)
            )
            AccountsEntry.objects.create(
                post=post, period=two_agencies, category="payments", amount=Decimal(400)
            )
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(reverse("portfolio"))
