"""The second agency goes in as a new customer's would (letter by import_letter, budget by
import_budget) and its next year by the new-year action; its report is its own."""

from io import StringIO

from django.core.management import call_command
from django.test import Client

from goals.models import Activity, BudgetYear, ReportingPeriod, ResultRequirement


def test_its_report_carries_its_letter_and_no_settlement_block(two_agencies, django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.get(username="ftd"))
    html = client.get("/rapporter/FTD-2006-H1/").content.decode()
    codes = ResultRequirement.objects.filter(
        main_goal__budget_year__agency__code="FTD"
    ).values_list("code", flat=True)
    assert len(codes) >= 4
    assert all(f">{code}" in html or f"{code} " in html for code in codes)
    assert "Familietjenestedirektoratet" in html
    assert "settlement-figures-title" not in html
    assert "0840" in client.get("/rapporter/FTD-2006-H1/regnskap/").content.decode()


def test_its_next_year_is_made_by_the_new_year_action(two_agencies):
    out = StringIO()
    call_command(
        "create_next_year",
        "--agency",
        "FTD",
        "--year",
        "2006",
        "--letter-date",
        "2007-01-19",
        stdout=out,
    )
    y2006 = BudgetYear.objects.get(agency__code="FTD", year=2006)
    y2007 = BudgetYear.objects.get(agency__code="FTD", year=2007)
    assert sorted(
        ResultRequirement.objects.filter(main_goal__budget_year=y2007).values_list(
            "code", flat=True
        )
    ) == sorted(
        ResultRequirement.objects.filter(main_goal__budget_year=y2006).values_list(
            "code", flat=True
        )
    )
    assert (
        Activity.objects.filter(budget_year=y2007).count()
        == Activity.objects.filter(budget_year=y2006).count()
    )
    assert [p.slug for p in ReportingPeriod.objects.filter(budget_year=y2007)] == [
        "FTD-2007-H1",
        "FTD-2007",
    ]
    # IMDi's years are not touched by FTD's new year.
    assert not BudgetYear.objects.filter(agency__code="IMDi", year=2007).exists()
