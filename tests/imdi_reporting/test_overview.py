"""The overview (Oversikt) at /: requirements per main goal for a period, with filters."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from budget.loaders import load_budget_demo
from budget.selectors import budget_overview
from goals.choices import Status
from goals.loaders import load_goals_demo
from goals.locking import allow_locked_period_writes
from goals.models import (
    Activity,
    Deliverable,
    Indicator,
    IndicatorValue,
    ReportingPeriod,
    ResultRequirement,
    StatusUpdate,
)
from goals.paging import PAGE_SIZE
from goals.services import bump_generation
from imdi_reporting.selectors import (
    BUDGET_ROWS_SHOWN,
    DeadlineState,
    deadline_state,
    reference_date,
    requirement_rows,
    requirement_statuses,
    worst_status,
)
from imdi_reporting.services import FIXTURES_DIR
from tests.budget.test_pages import copy_chapters
from tests.conftest import kept_for_the_module


@pytest.fixture(scope="module")
def demo_2006_kept(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        load_goals_demo(directory=FIXTURES_DIR / "goals")
        load_budget_demo(directory=FIXTURES_DIR / "budget")
        yield


@pytest.fixture
def demo_2006(demo_2006_kept, organisation):
    """The 2006 letter, report, form and budget, loaded once for the module."""


def rows_by_code(response):
    return {
        row.requirement.code: row
        for group in response.context["shown"].groups
        for row in group.rows
    }


def test_a_ministry_reader_sees_the_submitted_half_year_by_default(client_for, demo_2006):
    response = client_for("aid").get(reverse("home"))
    assert response.context["period"].slug == "IMDi-2006-H1"
    assert [slug for slug, _label in response.context["form"].fields["period"].choices] == [
        "IMDi-2006-H1"
    ]
    assert "Utkast: ikke sendt" not in response.text
    # R2-7 holds the interpreter register: 440 of 650 in the half-year.
    tolk = next(
        i for i in rows_by_code(response)["R2-7"].indicators if i.indicator.code == "tolkeregister"
    )
    assert (tolk.value, tolk.indicator.target) == (Decimal("440"), Decimal("650"))
    assert tolk.bar_percent == 68
    assert "440 av 650 tolker" in response.text


def test_a_ministry_reader_cannot_choose_the_open_period(client_for, demo_2006):
    response = client_for("aid").get(reverse("home"), {"period": "2006"})
    assert response.context["period"].slug == "IMDi-2006-H1"


def test_directorate_users_see_the_open_period_marked_as_draft(client_for, demo_2006):
    response = client_for("ne").get(reverse("home"))
    assert response.context["period"].slug == "IMDi-2006"
    assert "Utkast: ikke sendt til departementet" in response.text
    # No update is written yet in the annual period; the half-year's indicator value shows.
    rows = rows_by_code(response)
    assert {row.status for row in rows.values()} == {"not_reported"}
    tolk = next(i for i in rows["R2-7"].indicators if i.indicator.code == "tolkeregister")
    assert tolk.value_period.slug == "IMDi-2006-H1"


def test_the_status_is_the_worst_of_the_activities_updates(client_for, demo_2006):
    period = ReportingPeriod.objects.get(kind="H1")
    expected = {}
    for update in StatusUpdate.objects.filter(
        period=period, activity__requirement__isnull=False
    ).select_related("activity__requirement"):
        expected.setdefault(update.activity.requirement.code, []).append(update.status)
    rows = rows_by_code(client_for("aid").get(reverse("home")))
    assert expected, "the 2006 form has status updates on requirements"
    for code, statuses in expected.items():
        assert rows[code].status == worst_status(statuses)
    assert worst_status([Status.ACHIEVED, Status.DEVIATION, Status.ON_TRACK]) == Status.DEVIATION
    assert worst_status([]) == "not_reported"


def test_counts_per_status_add_up_to_the_requirements(client_for, demo_2006):
    response = client_for("aid").get(reverse("home"))
    counts = {c.status: c.count for c in response.context["shown"].counts}
    assert sum(counts.values()) == ResultRequirement.objects.count()
    assert counts["deviation"] == sum(
        1 for r in rows_by_code(response).values() if r.status == "deviation"
    )


def test_filters_by_main_goal_unit_and_status(client_for, demo_2006):
    client = client_for("aid")
    rows = rows_by_code(client.get(reverse("home"), {"main_goal": "HM1"}))
    assert set(rows) == set(
        ResultRequirement.objects.filter(main_goal__code="HM1").values_list("code", flat=True)
    )
    rows = rows_by_code(client.get(reverse("home"), {"unit": "VEST"}))
    assert set(rows) == set(
        ResultRequirement.objects.filter(responsible_unit__code="VEST").values_list(
            "code", flat=True
        )
    )
    response = client.get(reverse("home"), {"status": "deviation"})
    assert rows_by_code(response) and {r.status for r in rows_by_code(response).values()} == {
        "deviation"
    }


def test_an_unknown_filter_value_is_reported_and_ignored(client_for, demo_2006):
    response = client_for("aid").get(reverse("home"), {"unit": "NOPE"})
    assert response.context["form"].errors["unit"]
    assert len(rows_by_code(response)) == ResultRequirement.objects.count()


def test_deadline_states_relative_to_the_reference_date():
    reference = date(2006, 6, 30)
    assert (
        deadline_state(due=date(2006, 6, 1), reference=reference, achieved=False)
        == DeadlineState.OVERDUE
    )
    assert (
        deadline_state(due=date(2006, 7, 30), reference=reference, achieved=False)
        == DeadlineState.DUE_SOON
    )
    assert (
        deadline_state(due=date(2006, 7, 31), reference=reference, achieved=False)
        == DeadlineState.UPCOMING
    )
    assert (
        deadline_state(due=date(2006, 6, 1), reference=reference, achieved=True)
        == DeadlineState.MET
    )


def test_a_period_is_judged_no_later_than_its_end(organisation):
    period = ReportingPeriod.objects.get(kind="H1")
    assert reference_date(period=period, today=date(2026, 1, 1)) == date(2006, 6, 30)
    assert reference_date(period=period, today=date(2006, 3, 1)) == date(2006, 3, 1)


def test_the_half_year_deliverable_of_r1_2_is_upcoming_at_its_end(demo_2006, demo_user):
    period = ReportingPeriod.objects.get(kind="H1")
    r1_2 = ResultRequirement.objects.get(code="R1-2")
    (row,) = requirement_rows(
        period=period,
        user=demo_user("direktor"),
        reference=reference_date(period=period),
        statuses=[s for s in requirement_statuses(period=period) if s.requirement_id == r1_2.pk],
    )
    assert [(d.deliverable.due, d.state) for d in row.deliverables] == [
        (date(2006, 9, 1), DeadlineState.UPCOMING)
    ]


def test_the_budget_summary_shows_each_expense_post_against_linear(client_for, demo_2006):
    response = client_for("aid").get(reverse("home"))
    rows = response.context["budget_rows"]
    assert rows
    chart = response.context["budget_chart"]
    assert chart.categories == [row.code for row in rows]
    for row in rows:
        assert row.deviation == row.accounts - round(row.appropriation * row.elapsed)
    assert "<svg" in response.text and "Andel forbrukt (%)" in response.text


def add_tenfold(period):
    """Nine more copies of every requirement, with activities, updates, deliverables and
    indicators, so that the year holds ten times the 2006 rows (bulk_create, because the
    half-year is locked against ordinary saves)."""
    requirements = list(ResultRequirement.objects.filter(main_goal__budget_year=period.budget_year))
    position = Activity.objects.count() + 1000
    for copy in range(1, 10):
        clones = ResultRequirement.objects.bulk_create(
            ResultRequirement(
                main_goal_id=r.main_goal_id,
                code=f"{r.code}-x{copy}",
                text=r.text,
                responsible_unit_id=r.responsible_unit_id,
                position=r.position + 100 * copy,
            )
            for r in requirements
        )
        Deliverable.objects.bulk_create(
            Deliverable(requirement=c, due=period.end, title=f"Leveranse {c.code}") for c in clones
        )
        activities = []
        for clone in clones:
            for _n in range(3):
                position += 1
                activities.append(
                    Activity(
                        budget_year_id=period.budget_year_id, requirement=clone, position=position
                    )
                )
        activities = Activity.objects.bulk_create(activities)
        StatusUpdate.objects.bulk_create(
            StatusUpdate(activity=a, period=period, status=Status.ON_TRACK) for a in activities
        )
        indicators = Indicator.objects.bulk_create(
            Indicator(
                budget_year_id=period.budget_year_id,
                requirement=c,
                code=f"ind-{c.code}",
                name="Indikator",
                target=Decimal(100),
                direction="increase",
            )
            for c in clones
        )
        IndicatorValue.objects.bulk_create(
            IndicatorValue(indicator=i, period=period, value=Decimal(50)) for i in indicators
        )
    # bulk_create sends no signals: like every bulk write, it retires the cached roll-ups.
    bump_generation(agency_id=period.budget_year.agency_id)
    return len(requirements)


def test_the_overview_runs_the_same_queries_with_ten_times_the_data(
    client_for, demo_2006, django_assert_num_queries
):
    client = client_for("aid")
    # 1 session, 2 user, 3 user permissions, 4 group permissions, 5 profile with ministry,
    # agency and unit, 6 visible periods; the overview: 7 the agency's cache generation,
    # 8 main goals, 9 units, 10 the requirements in order, 11 the roll-up of their updates
    # in the period, then of the page's requirements: 12 the requirements with main goal,
    # unit and narrative saved, 13 deliverables, 14 indicators, 15 indicator values with
    # their period; the budget summary: 16 generation, 17 the sums per expense post,
    # 18 periodised budgets to date, then of the posts shown: 19 posts with chapter,
    # 20 allocations, 21 accounts; 22 group names for the role label; 23 the ministry's
    # agencies with the settlement module (the menu); the ministry's work list: 24 comments
    # awaiting a reply, 25 replies to the reader's comments.
    with django_assert_num_queries(25):
        first = client.get(reverse("home"))
    # Cached: the overview's and the budget's reads (8-15, 17-21) are gone.
    with django_assert_num_queries(12):
        client.get(reverse("home"))
    before = len(rows_by_code(first))
    with allow_locked_period_writes():  # H1 is submitted; the setup grows it as fixture data
        original = add_tenfold(ReportingPeriod.objects.get(kind="H1"))
    with django_assert_num_queries(25):
        response = client.get(reverse("home"))
    # The rows come a page at a time; the pager counts them all.
    assert response.context["pager"].page.paginator.count == before + 9 * original
    assert before + 9 * original == 10 * original > PAGE_SIZE
    assert len(rows_by_code(response)) == PAGE_SIZE
    # Another page is cached apart: the overview's reads (8-15) again, the budget's not.
    with django_assert_num_queries(20):
        last = client.get(reverse("home") + "?side=99")  # beyond the last page: the last
    assert len(rows_by_code(last)) == 10 * original - (10 * original - 1) // PAGE_SIZE * PAGE_SIZE


def test_each_requirement_links_to_its_page_and_the_budget_pages_are_linked(client_for, demo_2006):
    response = client_for("aid").get(reverse("home"))
    row = rows_by_code(response)["R1-1"]
    assert row.url == reverse("goals:requirement-detail", args=["IMDi-2006-H1", "R1-1"])
    assert f'href="{row.url}"' in response.text
    assert response.context["budget_url"] == reverse("budget:period", args=["IMDi-2006-H1"])
    assert client_for("aid").get(row.url).status_code == 200


def test_each_deviation_names_the_basis_of_the_expected_spend(client_for, demo_2006):
    from goals.models import Agency

    response = client_for("aid").get(reverse("home"))
    row = next(r for r in response.context["budget_rows"] if r.code == "0650.01")
    assert row.deviation == Decimal(-6535739)
    assert "(Hele måneder gått)" in response.text
    # Saved as the admin saves it: the save retires the cached budget overview.
    agency = Agency.objects.get(code="IMDi")
    agency.linear_basis = "days"
    agency.save()
    response = client_for("aid").get(reverse("home"))
    row = next(r for r in response.context["budget_rows"] if r.code == "0650.01")
    assert row.deviation == Decimal(-6210329)
    assert "(Dager gått)" in response.text


def worst_statuses(period) -> dict[str, str]:
    """Each requirement's status in the period by worst_status, from every update read."""
    statuses = {code: [] for code in ResultRequirement.objects.values_list("code", flat=True)}
    for code, status in StatusUpdate.objects.filter(
        period=period, activity__requirement__isnull=False
    ).values_list("activity__requirement__code", "status"):
        statuses[code].append(status)
    return {code: worst_status(found) for code, found in statuses.items()}


def test_it_counts_the_statuses_of_all_the_rows_while_it_shows_a_page(client_for, demo_2006):
    period = ReportingPeriod.objects.get(kind="H1")
    with allow_locked_period_writes():
        add_tenfold(period)
    response = client_for("aid").get(reverse("home"))
    counts = {c.status: c.count for c in response.context["shown"].counts}
    expected = Counter(worst_statuses(period).values())
    assert counts == {status: expected[status] for status in counts}
    assert sum(counts.values()) == ResultRequirement.objects.count() > PAGE_SIZE


def test_it_keeps_the_filters_from_page_to_page(client_for, demo_2006):
    period = ReportingPeriod.objects.get(kind="H1")
    with allow_locked_period_writes():
        add_tenfold(period)
    statuses = worst_statuses(period)
    expected = [
        code
        for code in ResultRequirement.objects.filter(main_goal__code="HM2").values_list(
            "code", flat=True
        )
        if statuses[code] == Status.ON_TRACK
    ]
    assert len(expected) > PAGE_SIZE
    client = client_for("aid")
    first = client.get(reverse("home"), {"main_goal": "HM2", "status": "on_track"})
    pager = first.context["pager"]
    assert pager.page.paginator.count == len(expected)
    assert "main_goal=HM2" in pager.next_url and "status=on_track" in pager.next_url
    second = client.get(reverse("home") + pager.next_url)
    assert [*rows_by_code(first), *rows_by_code(second)] == expected
    # The main goal's table runs over two pages: its caption tells how much of it is shown.
    shown = len(expected) - PAGE_SIZE
    assert f"({shown} av {len(expected)} under dette hovedmålet på denne siden)" in second.text
    # The counts cover every status of the main goal, not the page or the status filter.
    counts = {c.status: c.count for c in second.context["shown"].counts}
    assert sum(counts.values()) == ResultRequirement.objects.filter(main_goal__code="HM2").count()


def test_it_shows_the_expense_posts_furthest_from_linear_spending_of_many(client_for, demo_2006):
    copy_chapters(2)
    bump_generation(agency_id=None)
    period = ReportingPeriod.objects.get(kind="H1")
    every = [
        (p.post.code, p.deviation)
        for chapter in budget_overview(period=period).expense_chapters
        for p in chapter.posts
        if p.share_spent is not None
    ]
    assert len(every) > BUDGET_ROWS_SHOWN
    # Of posts as far off (the copies), the first in the budget's order.
    furthest = sorted(every, key=lambda row: abs(row[1]), reverse=True)[:BUDGET_ROWS_SHOWN]
    response = client_for("aid").get(reverse("home"))
    section = response.context["budget"]
    assert [(row.code, row.deviation) for row in section.rows] == [
        row for row in every if row in furthest
    ]
    assert response.context["budget_chart"].categories == [row.code for row in section.rows]
    assert section.post_count == len(every)
    assert f"({BUDGET_ROWS_SHOWN} av {len(every)} poster: de som avviker mest" in response.text
