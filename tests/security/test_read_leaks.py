"""Probes: a ministry reader reads nothing of a period that is not submitted, whatever page
or prefetch it comes through (issue 12, reads that never leak)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from goals.choices import PeriodKind, PeriodState, Status
from goals.locking import allow_locked_period_writes
from goals.models import (
    Agency,
    Indicator,
    IndicatorValue,
    ReportingPeriod,
    StatusUpdate,
)
from goals.selectors import activities_of_requirement
from imdi_reporting.services import FIXTURES_DIR
from settlement.selectors import month_end

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
    # value must not be the latest value of any indicator it shows. H1 is submitted, so
    # clearing its values is arranged as fixture data.
    with allow_locked_period_writes():
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


# --- settlement: nothing after the latest submitted period, no differencing -----------------

STATISTICS = "/api/settlement/statistics/"


@pytest.fixture
def settlement(organisation):
    from settlement.loaders import load_settlement_demo

    imdi = Agency.objects.get(code="IMDi")
    load_settlement_demo(directory=FIXTURES_DIR / "settlement", agency=imdi)
    return imdi


def test_it_cuts_the_ministrys_figures_at_the_end_of_the_submitted_half_year(
    client_for, settlement
):
    from settlement.loaders import import_cases

    july = {
        "case_key": "after-h1",
        "category": "reception",
        "nationality": "Eritrea",
        "sex": "F",
        "birth_year": "1985",
        "permit_date": "2006-03-01",
        "ready_date": "2006-03-15",
        "searched_out_date": "2006-06-01",
        "settled_date": "2006-07-15",
        "municipality": "0301",
    }
    # Its earlier dates lie in the submitted H1: a late case, arranged as fixture data.
    with allow_locked_period_writes():
        import_cases(rows=[july], agency=settlement)
    [entry] = client_for("aid").get(STATISTICS, {"date": "2006-12-31"}).json()
    assert (entry["end"], entry["settled"]) == ("2006-06-30", 1813)
    [later] = client_for("direktor").get(STATISTICS, {"date": "2006-12-31"}).json()
    assert later["settled"] > 1813
    page = client_for("aid").get("/bosetting/", {"start": "2006-01-01", "end": "2006-12-31"})
    assert page.context["end"] == date(2006, 6, 30)
    assert page.context["form"].errors
    assert "30.06.2006" in page.text


def test_it_shows_the_ministry_nothing_before_a_submission(client_for, settlement):
    ReportingPeriod.objects.filter(kind=PeriodKind.HALF_YEAR).update(
        state=PeriodState.OPEN, submitted_at=None, submitted_by=None
    )
    assert client_for("aid").get(STATISTICS, {"date": "2006-06-30"}).json() == []
    assert client_for("aid").get("/bosetting/").status_code == 404


@pytest.mark.parametrize("day", ["2006-01-09", "2006-01-10", "2006-06-15"])
def test_it_refuses_a_day_that_is_no_month_end_to_readers_without_exact_figures(
    client_for, settlement, day
):
    response = client_for("aid").get(STATISTICS, {"date": day})
    assert response.status_code == 400
    assert "date" in response.json()
    assert client_for("direktor").get(STATISTICS, {"date": day}).status_code == 200


def test_it_refuses_a_start_other_than_new_year_to_readers_without_exact_figures(
    client_for, settlement
):
    query = {"from": "2006-02-01", "date": "2006-06-30"}
    assert client_for("aid").get(STATISTICS, query).status_code == 400
    page = client_for("vest").get("/bosetting/", {"start": "2006-02-01", "end": "2006-06-30"})
    assert page.context["start"] == date(2006, 1, 1)
    assert page.context["form"].errors


def test_it_lets_no_two_month_end_answers_differ_by_a_small_count(client_for, settlement, settings):
    # A threshold near a month's settlements, so that some months are small.
    settings.SETTLEMENT_SUPPRESSION_THRESHOLD = 320
    client = client_for("aid")
    answers = {}
    for month in range(1, 7):
        end = month_end(date(2006, month, 1))
        [entry] = client.get(STATISTICS, {"date": end.isoformat()}).json()
        answers[month] = entry
    exact = {
        m: client_for("direktor").get(STATISTICS, {"date": month_end(date(2006, m, 1))}).json()[0]
        for m in answers
    }
    assert any(a["settled"] is None for a in answers.values())
    shown = {m: a for m, a in answers.items() if a["settled"] is not None}
    for later in shown:
        for earlier in (m for m in shown if m < later):
            for key in ("settled", "off_settled", "family_reunification_settled"):
                a, b = shown[later][key], shown[earlier][key]
                if a is not None and b is not None:
                    assert not 0 < a - b < 320, (key, earlier, later)
    for m, a in shown.items():
        assert a["settled"] == exact[m]["settled"]


def test_it_keeps_the_month_table_from_giving_away_a_withheld_month(
    client_for, settlement, settings
):
    settings.SETTLEMENT_SUPPRESSION_THRESHOLD = 320
    page = client_for("aid").get("/bosetting/", {"start": "2006-01-01", "end": "2006-06-30"})
    months = page.context["months"]
    assert any(row["settled"] == ":" for row in months)
    previous_total = 0
    for row in months:
        # A shown count and two shown running totals around it must not all be there
        # when the month's count is withheld.
        if row["cumulative"] != ":" and row["settled"] != ":":
            assert row["cumulative"] - row["settled"] == previous_total or previous_total is None
        previous_total = row["cumulative"] if row["cumulative"] != ":" else None
    withheld = [i for i, row in enumerate(months) if row["settled"] == ":"]
    for i in withheld:
        assert months[i]["cumulative"] == ":" or months[i]["settled"] == ":"
        if i + 1 < len(months) and months[i]["cumulative"] == ":":
            assert months[i + 1]["settled"] == ":" or months[i + 1]["cumulative"] == ":"
    assert page.context["forecast_difference"] == ":" or page.context["settled"] != ":"
