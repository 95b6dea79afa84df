"""The report and its form show each requirement's indicators (target, value by period,
progress, direction) and deliverables (due date, date met)."""

from datetime import date

import pytest

from goals.models import Deliverable, Indicator, IndicatorValue, ReportingPeriod
from imdi_reporting.reports.selectors import deliverable_row, report_context


@pytest.fixture
def h1(organisation):
    from goals.loaders import load_goals_demo
    from imdi_reporting.services import FIXTURES_DIR

    load_goals_demo(directory=FIXTURES_DIR / "goals")
    return ReportingPeriod.objects.get(budget_year__year=2006, kind="H1")


def test_it_prints_the_indicators_under_their_requirement(rendered_2006):
    text = rendered_2006["text"]
    assert "Indikatorer under R2-5" in text
    assert "Personer registrert i Mangfoldskilden" in text
    assert "30.06.2006: 139" in text
    assert "139 %" in text


def test_it_prints_the_deliverables_with_due_date_and_date_met(rendered_2006):
    text = rendered_2006["text"]
    assert "Leveranser under R3-4" in text
    # Due and met on the same day, as the half-year report says.
    assert "15.02.2006 15.02.2006 Oppfylt" in text
    assert "Leveranser under R3-2" in text
    assert "01.04.2006 \u2013 Forfalt" in text


def test_it_computes_the_progress_from_the_latest_value(h1):
    report = report_context(period=h1, part="full")
    row = next(
        i
        for g in report.goals
        for r in g.requirements
        if r.requirement.code == "R2-5"
        for i in r.indicators
    )
    stored = IndicatorValue.objects.get(indicator=row.indicator, period=h1)
    assert row.latest.value == stored.value
    assert row.progress == (stored.value / row.indicator.target).quantize(row.progress)


def test_it_shows_the_indicators_in_the_form_row_they_belong_to(h1):
    report = report_context(period=h1, part="form")
    with_indicators = [
        (row.activity.pk, [i.indicator.pk for i in row.indicators])
        for g in report.form
        for c in g.cells
        for row in c.rows
        if row.indicators
    ]
    expected = set(
        Indicator.objects.filter(budget_year=h1.budget_year, activity__isnull=False).values_list(
            "activity_id", "pk"
        )
    )
    assert {(a, i) for a, ids in with_indicators for i in ids} == expected
    assert expected


@pytest.mark.parametrize(
    ("met_on", "state"),
    [(date(2006, 3, 1), "met"), (date(2006, 5, 1), "late"), (None, "overdue")],
)
def test_it_judges_a_deliverable_at_the_periods_end(met_on, state):
    deliverable = Deliverable(due=date(2006, 4, 1), title="x", met_on=met_on)
    assert deliverable_row(deliverable, date(2006, 6, 30)).state == state
    assert (
        deliverable_row(Deliverable(due=date(2006, 9, 1), title="y"), date(2006, 6, 30)).state
        == "open"
    )
