"""Every list endpoint runs the same number of queries with the demo data and with more
rows. Counts are per request of a freshly authenticated user (no permission cache)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budget.models import AllocationEntry, Chapter, Post, SubPost, SubPostLine
from goals.locking import allow_locked_period_writes
from goals.models import (
    Activity,
    BudgetYear,
    Feedback,
    Indicator,
    IndicatorValue,
    MainGoal,
    OrganisationalUnit,
    ReportingPeriod,
    RequirementNarrative,
    ResultRequirement,
    StatusUpdate,
)

# Queries of each list, with "perms" = the user's own and group permissions (2 queries),
# "profile" = the user's profile with ministry, agency and unit, "count" = the paginator's
# count and "page" = the page with its select_related joins.
LISTS = {
    # perms, profile, count, page
    "/api/goals/periods/": 5,
    # profile, count, page (content of the budget year needs no permission check)
    "/api/goals/main-goals/": 3,
    "/api/goals/result-requirements/": 3,
    "/api/goals/activities/": 3,
    # profile, count, page, the visible periods' values (one prefetch; the period
    # filter is a subquery that needs perms: 2)
    "/api/goals/indicators/": 6,
    # perms, profile, count, page (visible periods as a subquery)
    "/api/goals/indicator-values/": 5,
    # perms, profile, count, the page's keys, those rows with their joins
    "/api/goals/status-updates/": 6,
    "/api/goals/narratives/": 5,
    "/api/goals/feedback/": 5,
    # profile (the readable agencies are a subquery), count, page
    "/api/budget/chapters/": 3,
    # count, page of posts, perms (2), profile, the period, allocations, accounts
    "/api/budget/posts/?period=2006-H1": 8,
    "/api/budget/sub-posts/": 3,
    # perms, profile, count, page
    "/api/budget/sub-post-lines/": 5,
}


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def add_rows(demo_user) -> None:
    """One more of everything each list shows, in each period."""
    budget_year = BudgetYear.objects.get(year=2006)
    open_period = ReportingPeriod.objects.get(kind="Y")
    h1 = ReportingPeriod.objects.get(kind="H1")
    unit = OrganisationalUnit.objects.get(code="NE")
    for n in range(3):
        goal = MainGoal.objects.create(budget_year=budget_year, code=f"HMX{n}", title="Mål")
        requirement = ResultRequirement.objects.create(
            main_goal=goal, code=f"RX-{n}", text="Krav.", responsible_unit=unit
        )
        activity = Activity.objects.create(
            budget_year=budget_year, requirement=requirement, position=900 + n
        )
        indicator = Indicator.objects.create(
            budget_year=budget_year,
            requirement=requirement,
            code=f"x{n}",
            name="X",
            direction="increase",
        )
        IndicatorValue.objects.create(indicator=indicator, period=open_period, value=Decimal(1))
        StatusUpdate.objects.create(activity=activity, period=open_period)
        RequirementNarrative.objects.create(requirement=requirement, period=open_period)
        Feedback.objects.create(
            requirement=requirement, period=h1, author=demo_user("aid"), text="Spørsmål"
        )
        chapter = Chapter.objects.create(
            number=f"065{7 + n}",
            name="Kap",
            kind="expense",
            agency_id=goal.budget_year.agency_id,
            ministry_id=goal.budget_year.agency.ministry_id,
        )
        post = Post.objects.create(chapter=chapter, number="01", name="Drift")
        AllocationEntry.objects.create(
            post=post, budget_year=budget_year, kind="allocation_letter", amount=Decimal(1000)
        )
        subpost = SubPost.objects.create(post=post, code=f"010{n}", name="Under")
        SubPostLine.objects.create(
            subpost=subpost, period=h1, position=1, label="Linje", amount=Decimal(5)
        )


@pytest.mark.parametrize("username", ["ne", "aid"])
def test_every_list_runs_a_fixed_number_of_queries(budget_demo, api_for, demo_user, username):
    # The demo data has no feedback yet, and an empty page skips the page query.
    Feedback.objects.create(
        requirement=ResultRequirement.objects.get(code="R1-1"),
        period=ReportingPeriod.objects.get(kind="H1"),
        author=demo_user("aid"),
        text="Spørsmål",
    )
    before = {url: count_queries(api_for(username), url) for url in LISTS}
    with allow_locked_period_writes():  # rows of the submitted H1 and its year: fixture data
        add_rows(demo_user)
    after = {url: count_queries(api_for(username), url) for url in LISTS}
    assert before == after == LISTS
