"""The per-period roll-ups are cached under their agency's generation, and every way of
writing (a service, the admin, an import) retires them: the next read shows the new
figure."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budget.choices import AllocationKind
from budget.imports import import_budget_file
from budget.loaders import load_budget_demo
from budget.models import AccountsEntry, AllocationEntry, Post
from goals.choices import UnitKind
from goals.generations import retired_once
from goals.models import Agency, CacheGeneration, ReportingPeriod
from imdi_reporting.services import FIXTURES_DIR
from settlement.loaders import load_settlement_demo
from settlement.models import DATE_FIELDS, SettlementCase
from settlement.services import save_cases

BUDGET = reverse("budget:period", kwargs={"period": "IMDi-2006-H1"})
# The year report is open: its allocations dated after the submitted 2006-H1 may change.
YEAR = reverse("budget:period", kwargs={"period": "IMDi-2006"})
# Cases after the submitted half year; those it counted refuse writes.
SETTLEMENT = "/bosetting/?start=2006-07-01&end=2006-12-31"


@pytest.fixture
def budget_2006(organisation):
    load_budget_demo(directory=FIXTURES_DIR / "budget")


def appropriation(client, code: str) -> Decimal:
    return client.get(YEAR).context["overview"].post(code).sum_appropriation


@pytest.fixture
def autumn_allocation(budget_2006) -> AllocationEntry:
    """An RNB allocation of 0650.01 dated in the autumn: the open year report's, not the
    submitted half year's."""
    post = Post.objects.get(chapter__agency__code="IMDi", chapter__number="0650", number="01")
    year = ReportingPeriod.objects.get(budget_year__agency__code="IMDi", kind="Y").budget_year
    sequence = 1 + max(
        AllocationEntry.objects.filter(
            post=post, budget_year=year, kind=AllocationKind.RNB
        ).values_list("sequence", flat=True),
        default=0,
    )
    return AllocationEntry.objects.create(
        post=post,
        budget_year=year,
        kind=AllocationKind.RNB,
        sequence=sequence,
        amount=Decimal(5000),
        date=date(2006, 10, 1),
    )


def test_it_gives_every_agency_a_generation_when_it_is_created(organisation):
    agency = Agency.objects.create(
        code="NYTT", name="Nytt direktorat", ministry=Agency.objects.first().ministry
    )
    assert CacheGeneration.objects.filter(agency=agency).exists()


def test_it_serves_the_budget_overview_from_the_cache_until_the_data_changes(
    client_for, autumn_allocation
):
    client = client_for("direktor")
    first = appropriation(client, "0650.01")
    # Written behind the cache's back (no signal): the cached figure is still served,
    # which shows that the second read came from the cache.
    AllocationEntry.objects.filter(pk=autumn_allocation.pk).update(amount=0)
    assert AllocationEntry.objects.get(pk=autumn_allocation.pk).amount == 0
    assert appropriation(client, "0650.01") == first


def test_it_shows_an_allocation_changed_in_the_admin_at_the_next_read(
    client_for, autumn_allocation
):
    reader = client_for("direktor")
    before = appropriation(reader, "0650.01")
    entry = autumn_allocation
    admin = client_for("admin")
    url = reverse("admin:budget_allocationentry_change", args=[entry.pk])
    form = admin.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    data["amount"] = str(entry.amount + 1000)
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert appropriation(reader, "0650.01") == before + 1000


def test_it_shows_imported_accounts_at_the_next_read(client_for, budget_2006):
    ReportingPeriod.objects.filter(kind="H1").update(state="open")
    reader = client_for("direktor")
    overview = reader.get(BUDGET).context["overview"]
    before = overview.accounts_total
    AccountsEntry.objects.filter(period__kind="H1").delete()
    path = FIXTURES_DIR / "budget" / "import" / "accounts-2006-H1.csv"
    # The deletes retired the cache; the import must too, or the page shows no accounts.
    assert reader.get(BUDGET).context["overview"].accounts_total is None
    report = import_budget_file(content=path.read_bytes(), filename=path.name, year=2006)
    assert report.saved
    assert reader.get(BUDGET).context["overview"].accounts_total == before


@pytest.fixture
def settlement_2006(organisation):
    return load_settlement_demo(
        directory=FIXTURES_DIR / "settlement", agency=Agency.objects.get(code="IMDi")
    )


def settled(client) -> int:
    return client.get(SETTLEMENT).context["settled"]


def a_case_after_the_half_year() -> dict:
    """A new case of the open half year, like a March case of the demo, but granted and
    settled after 30.06.2006."""
    case = SettlementCase.objects.filter(settled_date__month=3, settled_date__year=2006).first()
    fields = {
        f.attname: getattr(case, f.attname)
        for f in SettlementCase._meta.concrete_fields
        if f.attname not in ("id", "agency_id")
    }
    dates = dict.fromkeys(DATE_FIELDS) | {
        "permit_date": date(2006, 7, 3),
        "settled_date": date(2006, 8, 1),
    }
    return fields | dates | {"case_key": "NY-1"}


def test_it_shows_cases_saved_by_the_service_at_the_next_read(client_for, settlement_2006):
    reader = client_for("direktor")
    before = settled(reader)
    save_cases(agency=Agency.objects.get(code="IMDi"), cases=[a_case_after_the_half_year()])
    assert settled(reader) == before + 1


def tokens() -> dict[str, str]:
    return dict(CacheGeneration.objects.values_list("agency__code", "token"))


def test_it_retires_a_loaders_rollups_once_at_its_end(organisation):
    before = tokens()
    imdi = Agency.objects.get(code="IMDi")
    with CaptureQueriesContext(connection) as queries, retired_once():
        for code in ("NY1", "NY2", "NY3"):
            imdi.units.create(code=code, name=f"Avdeling {code}", kind=UnitKind.REGIONAL)
        # Nothing is retired while the rows are written ...
        assert tokens() == before
    # ... and at the end IMDi's once.
    retiring = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "goals_cachegeneration"')]
    assert len(retiring) == 1
    after = tokens()
    assert after["IMDi"] != before["IMDi"]
    assert {code: token for code, token in after.items() if code != "IMDi"} == {
        code: token for code, token in before.items() if code != "IMDi"
    }


def test_it_retires_them_also_when_the_loader_fails(organisation):
    before = tokens()
    with pytest.raises(ZeroDivisionError), retired_once():
        Agency.objects.get(code="IMDi").units.create(
            code="NY1", name="Avdeling NY1", kind=UnitKind.REGIONAL
        )
        1 / 0  # noqa: B018
    assert tokens()["IMDi"] != before["IMDi"]


def test_it_retires_every_agencys_when_a_row_of_none_was_written(organisation):
    before = tokens()
    with retired_once():
        get_user_model().objects.create(username="ny")
    after = tokens()
    assert all(after[code] != token for code, token in before.items())
