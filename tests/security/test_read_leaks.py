"""Probes: a ministry reader reads nothing of a period that is not submitted, whatever page
or prefetch it comes through (issue 12, reads that never leak)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from goals.choices import PeriodKind, PeriodState, Status
from goals.models import (
    Indicator,
    IndicatorValue,
    ReportingPeriod,
    StatusUpdate,
)
from goals.selectors import activities_of_requirement

T1_DRAFT = "Utkast fra første tertial som departementet ikke skal se"
T1_VALUE = Decimal("999")


@pytest.fixture
def open_tertial(demo_2006, demo_user):
    """2006-T1 open beside the submitted 2006-H1, with a draft update under R2-7 and a
    draft value of its interpreter indicator."""
    h1 = ReportingPeriod.objects.get(kind=PeriodKind.HALF_YEAR)
    t1 = ReportingPeriod.objects.create(
        budget_year=h1.budget_year,
        kind=PeriodKind.FIRST_TERTIAL,
        start=date(2006, 1, 1),
        end=date(2006, 4, 30),
        deadline=date(2006, 5, 15),
        state=PeriodState.OPEN,
    )
    requirement = h1.budget_year.main_goals.get(code="HM2").requirements.get(code="R2-7")
    activity = activities_of_requirement(requirement=requirement).order_by("position").first()
    StatusUpdate.objects.create(
        period=t1,
        activity=activity,
        status=Status.ACHIEVED,
        attainment=T1_DRAFT,
        updated_by=demo_user("ne"),
    )
    indicator = Indicator.objects.get(budget_year=h1.budget_year, code="tolkeregister")
    IndicatorValue.objects.create(period=t1, indicator=indicator, value=T1_VALUE)
    return {"h1": h1, "t1": t1, "activity": activity}


def test_it_shows_the_ministry_no_draft_period_as_previous_on_the_requirement_page(
    client_for, open_tertial
):
    response = client_for("aid").get(
        reverse("goals:requirement-detail", args=["IMDi-2006-H1", "R2-7"])
    )
    assert response.status_code == 200
    assert response.context["previous"] is None
    assert T1_DRAFT not in response.text
    assert "IMDi-2006-T1" not in response.text


def test_it_shows_the_directorate_the_open_tertial_as_previous(client_for, open_tertial):
    response = client_for("direktor").get(
        reverse("goals:requirement-detail", args=["IMDi-2006-H1", "R2-7"])
    )
    assert response.context["previous"] == open_tertial["t1"]
    assert T1_DRAFT in response.text


def test_it_keeps_draft_indicator_values_out_of_the_ministrys_history(client_for, open_tertial):
    response = client_for("aid").get(
        reverse("goals:requirement-detail", args=["IMDi-2006-H1", "R2-7"])
    )
    tolk = next(i for i in response.context["indicators"] if i.code == "tolkeregister")
    periods = [v.period.slug for v in tolk.values.all()]
    assert periods == ["IMDi-2006-H1"]
    assert "999" not in response.text


def test_it_gives_the_directorate_the_tertials_value_in_the_history(client_for, open_tertial):
    response = client_for("direktor").get(
        reverse("goals:requirement-detail", args=["IMDi-2006-H1", "R2-7"])
    )
    tolk = next(i for i in response.context["indicators"] if i.code == "tolkeregister")
    assert [v.value for v in tolk.values.all()] == [T1_VALUE, Decimal("440")]


def test_it_keeps_the_draft_out_of_the_ministrys_status_update_page(client_for, open_tertial):
    position = open_tertial["activity"].position
    response = client_for("aid").get(
        reverse("goals:edit-status-update", args=["IMDi-2006-H1", position])
    )
    assert response.status_code == 200
    assert response.context["previous_period"] is None
    assert T1_DRAFT not in response.text


def test_it_keeps_draft_values_out_of_the_ministrys_overview(client_for, open_tertial):
    # The year report is open, so the ministry's overview is of H1; the tertial's
    # value must not be the latest value of any indicator it shows.
    IndicatorValue.objects.filter(period=open_tertial["h1"]).delete()
    response = client_for("aid").get(reverse("home"))
    indicators = [
        i
        for group in response.context["shown"].groups
        for row in group.rows
        for i in row.indicators
    ]
    assert indicators
    assert all(i.value != T1_VALUE for i in indicators)
    assert all(i.value_period is None for i in indicators)


def test_it_keeps_draft_values_out_of_the_api_indicator_list(client_for, open_tertial):
    response = client_for("aid").get("/api/goals/indicators/?period=IMDi-2006-H1&limit=500")
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    values = [v for row in rows for v in row["values"]]
    assert values
    assert all(v["period"] != "IMDi-2006-T1" for v in values)
