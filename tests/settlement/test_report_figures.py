"""The 2006 case set reproduces the settlement figures of the half-year report (R1-1)."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from goals.models import Agency
from settlement import selectors

START, CUT = date(2006, 1, 1), date(2006, 6, 30)

REPORT_2006_H1 = {
    "settled": 1813,
    "forecast": 1800,
    "forecast_year": 4185,
    "mean_wait_months": {"reception": 8.6, "em": 5.9, "off": 4.7},
    "mean_wait_months_from_searched": 3.2,
    "ready_in_reception": 1190,
    "ready_in_reception_searched": 707,
    "waiting_over_limit": 496,
    "waiting_over_limit_not_searched": 95,
    "off_settled": 576,
    "off_special_rule": 78,
    "off_not_arrived": 291,
    "off_not_arrived_searched": 176,
    "family_reunification_settled": 51,
}


def stats(*args: str) -> dict:
    out = StringIO()
    call_command("settlement_stats", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_settlement_stats_prints_the_report_figures_at_30_june(settlement_2006):
    assert stats("--date", "2006-06-30", "--from", "2006-01-01") == REPORT_2006_H1


def test_the_period_starts_on_1_january_by_default(settlement_2006):
    assert stats("--date", "2006-06-30") == REPORT_2006_H1


def test_the_start_of_year_figures(settlement_2006):
    figures = stats("--date", "2006-01-01")
    assert figures["waiting_over_limit"] == 647
    assert figures["waiting_over_limit_not_searched"] == 290
    assert figures["settled"] == 0
    assert figures["mean_wait_months"] == {"reception": None, "em": None, "off": None}


def test_months_are_printed_with_one_decimal(settlement_2006):
    out = StringIO()
    call_command("settlement_stats", "--date", "2006-06-30", "--json", stdout=out)
    assert '"reception": 8.6' in out.getvalue()
    assert '"mean_wait_months_from_searched": 3.2' in out.getvalue()


@pytest.fixture
def imdi_cases(settlement_2006):
    return Agency.objects.get(code="IMDi")


# Figures that group by agency (they take a list of agencies) and figures of one agency.
PER_AGENCIES = [
    (selectors.settled_count, {"start": START, "end": CUT}),
    (selectors.forecast_at, {"at": CUT}),
    (selectors.mean_wait_months, {"start": START, "end": CUT}),
    (selectors.mean_wait_months_from_searched, {"start": START, "end": CUT}),
    (selectors.ready_in_reception, {"at": CUT}),
    (selectors.waiting_over_limit, {"at": CUT}),
    (selectors.transfer_refugees_settled, {"start": START, "end": CUT}),
    (selectors.family_reunification_settled, {"start": START, "end": CUT}),
]
PER_AGENCY = [
    (selectors.settled_within_limit, {"start": START, "end": CUT}),
    (selectors.settled_by_month, {"start": START, "end": CUT}),
    (selectors.municipalities, {"start": START, "end": CUT}),
    (selectors.places_total, {"year": 2006}),
]


@pytest.mark.parametrize(
    ("figure", "kwargs"), PER_AGENCIES, ids=lambda value: getattr(value, "__name__", "")
)
def test_each_statistic_over_agencies_is_one_query(
    imdi_cases, django_assert_num_queries, figure, kwargs
):
    with django_assert_num_queries(1):
        result = figure(agencies=[imdi_cases], **kwargs)
    assert list(result) == [imdi_cases.pk]


@pytest.mark.parametrize(
    ("figure", "kwargs"), PER_AGENCY, ids=lambda value: getattr(value, "__name__", "")
)
def test_each_statistic_of_an_agency_is_one_query(
    imdi_cases, django_assert_num_queries, figure, kwargs
):
    with django_assert_num_queries(1):
        figure(agency=imdi_cases, **kwargs)


def test_the_transfer_refugees_are_two_queries_alone(imdi_cases, django_assert_num_queries):
    # 1 OFF settled in the period; 2 the stocks at the end date (OFF not arrived), which
    # the report figures share with the reception stock.
    with django_assert_num_queries(2):
        result = selectors.transfer_refugees(agencies=[imdi_cases], start=START, end=CUT)
    assert result[imdi_cases.pk] == {
        "settled": 576,
        "special_rule": 78,
        "not_arrived": 291,
        "not_arrived_searched": 176,
    }


def test_the_report_figures_are_seven_queries_for_any_number_of_agencies(
    imdi_cases, django_assert_num_queries
):
    # 1 forecasts, 2 the stocks at the end date (ready in reception, over the limit, OFF
    # not arrived), 3 OFF settled, 4 settled, 5 mean waits, 6 from searched out, 7 family
    # reunification.
    with django_assert_num_queries(7):
        figures = selectors.report_figures(agencies=[imdi_cases], start=START, end=CUT)
    assert figures[imdi_cases.pk]["settled"] == 1813


@pytest.mark.parametrize("by", selectors.BREAKDOWNS)
def test_each_breakdown_is_one_query_beside_the_stocks(imdi_cases, django_assert_num_queries, by):
    # 1 the stocks at the end date, per breakdown value (the page reads them once for all
    # six breakdowns); 2 those settled in the period, grouped.
    with django_assert_num_queries(2):
        rows = selectors.breakdown(agency=imdi_cases, by=by, start=START, end=CUT)
    assert sum(row["settled"] for row in rows) == 1813
    assert sum(row["waiting"] for row in rows) == 1190
    waiting = selectors.stocks_at(agencies=[imdi_cases], dates=[CUT], breakdowns=True)
    with django_assert_num_queries(1):
        given = selectors.breakdown(
            agency=imdi_cases,
            by=by,
            start=START,
            end=CUT,
            waiting=waiting[CUT][imdi_cases.pk]["waiting"],
        )
    assert given == rows


def test_settled_within_the_limit(imdi_cases):
    result = selectors.settled_within_limit(agency=imdi_cases, start=START, end=CUT)
    assert result["settled"] == 1813
    assert result["within"] + result["not_within"] == 1813
    assert 0 < result["not_within"] < 1813
    assert result["share_within"] == Decimal(result["within"]) / Decimal(1813)


def test_settled_by_month_adds_up_to_the_half_year(imdi_cases):
    months = selectors.settled_by_month(agency=imdi_cases, start=START, end=CUT)
    assert [row["month"] for row in months] == [date(2006, m, 1) for m in range(1, 7)]
    assert months[-1]["cumulative"] == 1813
    assert sum(row["settled"] for row in months) == 1813
    forecast = selectors.forecast_at(agencies=[imdi_cases], at=CUT)[imdi_cases.pk]
    selectors.forecast_path(months=months, forecast=forecast, year_start=START)
    assert months[-1]["forecast"] == 1800
    assert months[0]["forecast"] == 300
    assert months[-1]["difference"] == 13


def test_municipalities_compare_accepted_places_with_settled(imdi_cases):
    rows = selectors.municipalities(agency=imdi_cases, start=START, end=CUT)
    oslo = next(row for row in rows if row["code"] == "0301")
    assert oslo["name"] == "Oslo"
    assert oslo["accepted"] > oslo["settled"] > 0
    assert sum(row["settled"] for row in rows) == 1813


def test_settlement_stats_refuses_bad_dates(db):
    with pytest.raises(CommandError, match="not a date"):
        call_command("settlement_stats", "--date", "30.06.2006", stdout=StringIO())
    with pytest.raises(CommandError, match="must not be after"):
        call_command(
            "settlement_stats", "--date", "2006-01-01", "--from", "2006-06-30", stdout=StringIO()
        )


def test_settlement_stats_prints_plain_lines_without_json(settlement_2006):
    out = StringIO()
    call_command("settlement_stats", "--date", "2006-06-30", stdout=out)
    assert "settled: 1813" in out.getvalue().splitlines()


def test_the_forecast_after_the_cut_off_is_the_next_one(imdi_cases):
    def forecast(at: date):
        return selectors.forecast_at(agencies=[imdi_cases], at=at)[imdi_cases.pk].forecast

    assert forecast(date(2006, 7, 31)) == 4185
    assert forecast(date(2007, 1, 31)) is None
