"""Two agencies of two ministries in one installation: the IMDi 2006 demo (AID) and the
fictional Familietjenestedirektoratet (FTD, under BLD) with the same year, whose letter,
budget and users go in the way a new customer's would: import_letter, import_budget."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from budget.loaders import load_chapters
from budget.models import AllocationEntry, Chapter
from goals.formatting import format_int
from goals.loaders import load_organisation
from goals.models import Agency, ReportingPeriod
from imdi_reporting.services import load_demo, load_demo_users
from tests.conftest import kept_for_the_module

FTD = Path(__file__).resolve().parents[1] / "data" / "ftd"


def load_ftd() -> None:
    load_organisation(path=FTD / "organisation.yaml")
    load_demo_users(path=FTD / "users.yaml")
    call_command(
        "import_letter", str(FTD / "letter_2006.yaml"), "--agency", "FTD", "--year", "2006"
    )
    load_chapters(path=FTD / "chapters.yaml")
    for name in ("allocations-2006.csv", "accounts-2006-H1.csv"):
        call_command("import_budget", str(FTD / name), "--agency", "FTD")
    # Submitted, so that BLD's reader sees it as AID's reader sees IMDi's half year.
    ReportingPeriod.objects.filter(budget_year__agency__code="FTD", kind="H1").update(
        state="submitted",
        submitted_at=datetime(2006, 8, 10, 12, tzinfo=UTC),
        submitted_by=get_user_model().objects.get(username="ftd"),
    )


def markers(agency: Agency) -> list[str]:
    """What gives an agency's data away on another agency's page: its name and code, its
    chapter numbers and its appropriations as the pages print them."""
    amounts = {
        entry.amount
        for entry in AllocationEntry.objects.filter(post__chapter__agency=agency)
        if entry.amount >= Decimal(100_000)
    }
    return [
        agency.name,
        agency.code,
        *Chapter.objects.filter(agency=agency).values_list("number", flat=True),
        *(format_int(amount) for amount in amounts),
    ]


@pytest.fixture(scope="module")
def two_agencies_loaded(django_db_setup, django_db_blocker):
    """The markers of each agency; the data is loaded once per test module."""
    with kept_for_the_module(django_db_blocker):
        load_demo()
        load_ftd()
        yield {
            "IMDi": markers(Agency.objects.get(code="IMDi")),
            "FTD": markers(Agency.objects.get(code="FTD")),
        }


@pytest.fixture
def two_agencies(two_agencies_loaded, db):
    return two_agencies_loaded
