"""Expected spend at a period's end follows the agency's convention (whole months or days
of the year elapsed), or a post's periodised budget where it has one; the basis is shown
beside every deviation on the budget pages, in the API and in the report."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from budget.models import BudgetProfile, Post
from budget.selectors import budget_overview, expense_deviations
from budget.services import save_budget_profile
from goals.choices import LinearBasis
from goals.loaders import load_goals_demo
from goals.locking import allow_locked_period_writes
from goals.models import Agency, BudgetYear, ReportingPeriod
from imdi_reporting.services import FIXTURES_DIR

D = Decimal
H1 = "IMDi-2006-H1"
# 0650.01 at 30 June 2006: appropriation 79 183 000, accounts 33 055 761.
MONTHS = ("39 591 500", "\u22126 535 739", "Hele måneder gått")  # 79 183 000 x 6/12
DAYS = ("39 266 090", "\u22126 210 329", "Dager gått")  # 79 183 000 x 181/365
# A periodised budget of 5 500 000 a month to June, more in the autumn: 33 000 000 expected.
PROFILE = {**dict.fromkeys(range(1, 7), D(5500000)), **dict.fromkeys(range(7, 12), D(7700000))}
PROFILE[12] = D(7683000)
PROFILED = ("33 000 000", "55 761", "Periodisert budsjett")


def use_days() -> None:
    Agency.objects.filter(code="IMDi").update(linear_basis=LinearBasis.DAYS)


def add_profile() -> None:
    # 2006-H1 is submitted, which locks its year's periodised budget: fixture data here.
    with allow_locked_period_writes():
        save_budget_profile(
            post=Post.objects.get(chapter__number="0650", number="01"),
            budget_year=BudgetYear.objects.get(agency__code="IMDi", year=2006),
            amounts=PROFILE,
        )


def chapter_page(client) -> str:
    return client.get(reverse("budget:chapter", args=[H1, "0650"])).content.decode()


def api_post(api_for) -> dict:
    data = api_for("ne").get(f"/api/budget/posts/?period={H1}&chapter=0650").json()
    return data["results"][0]


@pytest.mark.django_db
def test_imdi_counts_whole_months_on_the_budget_pages(budget_2006, client_for):
    client = client_for("direktor")
    html = chapter_page(client)
    assert all(text in html for text in MONTHS)
    post = client.get(reverse("budget:post", args=[H1, "0650", "01"])).content.decode()
    assert all(text in post for text in MONTHS)
    overview = client.get(reverse("budget:period", args=[H1])).content.decode()
    assert "\u22126 535 739" in overview and "(grunnlag: Hele måneder gått)" in overview


@pytest.mark.django_db
def test_the_report_prints_the_months_deviation_with_its_basis(budget_2006, client_for):
    load_goals_demo(directory=FIXTURES_DIR / "goals")
    html = client_for("direktor").get(reverse("reports:accounts", args=[H1])).content.decode()
    assert "39 591 500" in html and "\u22126 535 739" in html
    assert "(grunnlag: Hele måneder gått)" in html


@pytest.mark.django_db
def test_an_agency_that_counts_days_gets_todays_figures(budget_2006, client_for, api_for):
    use_days()
    assert all(text in chapter_page(client_for("direktor")) for text in DAYS)
    post = api_post(api_for)
    assert (post["linear_expected"], post["deviation_from_linear"]) == ("39266090", "-6210329")
    assert (post["linear_basis"], post["linear_basis_label"]) == ("days", "Dager gått")


@pytest.mark.django_db
@pytest.mark.parametrize("days", [False, True], ids=["months", "days"])
def test_a_periodised_budget_overrides_either_convention(budget_2006, client_for, api_for, days):
    if days:
        use_days()
    add_profile()
    html = chapter_page(client_for("direktor"))
    assert all(text in html for text in PROFILED)
    post = api_post(api_for)
    assert (post["linear_expected"], post["deviation_from_linear"]) == ("33000000", "55761")
    assert (post["linear_basis"], post["linear_basis_label"]) == (
        "profile",
        "Periodisert budsjett",
    )
    # Posts without a profile keep the agency's convention.
    other = api_for("ne").get(f"/api/budget/posts/?period={H1}&chapter=0652").json()
    assert other["results"][0]["linear_basis"] == ("days" if days else "months")


@pytest.mark.django_db
def test_the_overview_runs_as_many_queries_with_a_profile(
    budget_2006, client_for, django_assert_num_queries
):
    add_profile()
    client = client_for("direktor")
    url = reverse("budget:period", args=[H1])
    client.get(url)
    cache.clear()  # the overview is computed again, not read from the cache
    # session, user, user and group permissions, profile, the period, the count of chapters
    # (for the pager), the agency's cache generation, the page's chapters, their posts,
    # allocations (each with its post's profile to date), accounts; the totals of all
    # expense posts; the period list.
    with django_assert_num_queries(14):
        assert "55 761" in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_profile_with_a_month_out_of_range_saves_nothing(budget_2006):
    with pytest.raises(ValidationError) as error:
        save_budget_profile(
            post=Post.objects.get(chapter__number="0650", number="01"),
            budget_year=BudgetYear.objects.get(agency__code="IMDi", year=2006),
            amounts={1: D(100), 13: D(100)},
        )
    assert "budget_budgetprofile_month" in str(error.value)
    assert not BudgetProfile.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("profile", [False, True], ids=["linear", "profile"])
@pytest.mark.parametrize("days", [False, True], ids=["months", "days"])
def test_it_sums_each_posts_deviation_in_the_database_as_its_figures_give_it(
    budget_2006, days, profile
):
    if days:
        use_days()
    if profile:
        add_profile()
    compared = 0
    for period in ReportingPeriod.objects.filter(budget_year__year=2006):
        figures = [p for c in budget_overview(period=period).expense_chapters for p in c.posts]
        expected = [(p.post.pk, p.deviation) for p in figures if p.share_spent is not None]
        assert list(expense_deviations(period=period).items()) == expected, period
        compared += len(expected)
    assert compared
