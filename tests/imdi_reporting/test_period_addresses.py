"""A period's address names its agency; short addresses of earlier links still work while
they are unambiguous, and are answered with a choice when they are not."""

from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from goals.models import Agency, BudgetYear, Ministry, ReportingPeriod


@pytest.fixture
def sibling(organisation):
    """A second agency of the same ministry (AID) with a submitted 2006-H1."""
    agency = Agency.objects.create(
        code="TST", name="Testdirektoratet", ministry=Ministry.objects.get(code="AID")
    )
    year = BudgetYear.objects.create(
        agency=agency, year=2006, allocation_letter_date=date(2006, 1, 20)
    )
    return ReportingPeriod.objects.create(
        budget_year=year,
        kind="H1",
        start=date(2006, 1, 1),
        end=date(2006, 6, 30),
        deadline=date(2006, 8, 15),
        state="submitted",
        submitted_at=datetime(2006, 8, 1, tzinfo=UTC),
    )


def test_the_full_address_names_the_agency(organisation):
    period = ReportingPeriod.objects.get(budget_year__agency__code="IMDi", kind="H1")
    assert period.slug == "IMDi-2006-H1"
    assert period.short_slug == "2006-H1"
    assert ReportingPeriod.objects.get(kind="Y").slug == "IMDi-2006"


def test_a_short_address_still_works_for_an_agencys_own_users(sibling, client_for):
    response = client_for("ne").get(reverse("reports:full", args=["2006-H1"]))
    assert response.status_code == 200
    assert response.context["report"].period.slug == "IMDi-2006-H1"


def test_a_shared_short_address_offers_the_choice(sibling, client_for):
    response = client_for("aid").get(reverse("budget:period", args=["2006-H1"]) + "?x=1")
    assert response.status_code == 300
    assert 'href="/budsjett/IMDi-2006-H1/?x=1"' in response.text
    assert 'href="/budsjett/TST-2006-H1/?x=1"' in response.text
    assert "Testdirektoratet (TST)" in response.text


def test_each_full_address_reaches_its_own_agency(sibling, client_for):
    client = client_for("aid")
    imdi = client.get(reverse("reports:full", args=["IMDi-2006-H1"]))
    tst = client.get(reverse("reports:full", args=["TST-2006-H1"]))
    assert imdi.context["report"].period.budget_year.agency.code == "IMDi"
    assert tst.context["report"].period.budget_year.agency.code == "TST"


def test_the_period_chooser_names_the_agency_of_each_option(sibling, client_for):
    response = client_for("aid").get(reverse("home"))
    labels = dict(response.context["form"].fields["period"].choices)
    assert labels["IMDi-2006-H1"].startswith("IMDi: ")
    assert labels["TST-2006-H1"].startswith("TST: ")


def test_the_export_command_refuses_to_guess(sibling, tmp_path):
    with pytest.raises(CommandError, match=r"Several agencies have 2006-H1 .*give --agency"):
        call_command("export_report", "2006-H1", "--output", str(tmp_path / "r.html"))


def test_the_export_command_takes_the_agency_or_the_full_address(sibling, tmp_path):
    for args in (["2006-H1", "--agency", "TST"], ["TST-2006-H1"]):
        target = tmp_path / "r.html"
        call_command(
            "export_report", *args, "--part", "form", "--format", "html", "--output", str(target)
        )
        assert "Testdirektoratet" in target.read_text(encoding="utf-8")


def test_an_agency_code_is_letters_and_digits(organisation):
    from django.core.exceptions import ValidationError

    agency = Agency(code="A-B", name="X", ministry=Ministry.objects.get(code="AID"))
    with pytest.raises(ValidationError) as error:
        agency.full_clean()
    assert "bokstaver og sifre" in str(error.value)
