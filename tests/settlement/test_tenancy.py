"""Settlement is a module an agency has or has not, and each agency sees only its own data.

FTD (Familietjenestedirektoratet, under BLD) is a fictional agency without the module;
TST (under AID, beside IMDi) is a fictional agency with it.
"""

import re
from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from goals.choices import PeriodKind, PeriodState, UnitKind
from goals.loaders import FixtureError, load_goals_demo
from goals.locking import allow_locked_period_writes
from goals.models import (
    Agency,
    BudgetYear,
    Ministry,
    OrganisationalUnit,
    ReportingPeriod,
    ResultRequirement,
)
from goals.services import set_user_profile
from imdi_reporting.reports.selectors import report_context
from imdi_reporting.roles import Role
from imdi_reporting.services import FIXTURES_DIR
from settlement import selectors
from settlement.loaders import import_cases, load_settlement_demo
from settlement.models import Forecast, SettlementCase
from settlement.resources import SettlementCaseResource
from tests.settlement.conftest import SETTLEMENT_FIXTURES

PAGE = "/bosetting/?start=2006-01-01&end=2006-06-30"
API = "/api/settlement/statistics/?from=2006-01-01&date=2006-06-30"
START, END = date(2006, 1, 1), date(2006, 6, 30)
IMDI_SETTLED = 1813  # the half-year report's figure (test_report_figures.py)
TST_SETTLED = 6


def make_agency(
    code: str, name: str, ministry: str, *, has_settlement: bool, submitted: bool = False
) -> Agency:
    """An agency with one unit, the budget year 2006 and its first half year (submitted,
    so that its ministry may read it, when ``submitted``)."""
    agency = Agency.objects.create(
        code=code,
        name=name,
        ministry=Ministry.objects.get(code=ministry),
        has_settlement=has_settlement,
    )
    OrganisationalUnit.objects.create(
        agency=agency, code="ADM", name="Administrasjon", kind=UnitKind.CENTRAL
    )
    year = BudgetYear.objects.create(
        agency=agency, year=2006, allocation_letter_date=date(2006, 1, 20)
    )
    ReportingPeriod.objects.create(
        budget_year=year,
        kind=PeriodKind.HALF_YEAR,
        start=START,
        end=END,
        deadline=date(2006, 8, 15),
        state=PeriodState.LOCKED if submitted else PeriodState.OPEN,
        submitted_at=datetime(2006, 8, 9, 12, tzinfo=UTC) if submitted else None,
    )
    return agency


def make_user(django_user_model, username: str, role: str, *, agency=None, ministry=None):
    user = django_user_model.objects.create_user(username, password="x")
    user.groups.set([Group.objects.get(name=role)])
    unit = agency.units.first() if agency and role == Role.UNIT_EDITOR else None
    set_user_profile(
        user=user,
        agency=agency,
        ministry=Ministry.objects.get(code=ministry) if ministry else None,
        unit=unit,
    )
    return user


def tst_case(key: str, **values) -> dict:
    row = {
        "case_key": key,
        "category": "reception",
        "nationality": "Eritrea",
        "sex": "F",
        "birth_year": "1985",
        "permit_date": "2005-12-01",
        "ready_date": "2005-12-15",
        "searched_out_date": "2006-02-01",
        "settled_date": "2006-03-01",
        "municipality": "0301",
    }
    row.update(values)
    return row


@pytest.fixture
def ftd(settlement_2006, django_user_model):
    """FTD without the module, an FTD unit editor and a BLD ministry reader."""
    agency = make_agency("FTD", "Familietjenestedirektoratet", "BLD", has_settlement=False)
    make_user(django_user_model, "ftd", Role.UNIT_EDITOR, agency=agency)
    make_user(django_user_model, "bld", Role.MINISTRY_READER, ministry="BLD")
    return agency


@pytest.fixture
def tst(settlement_2006, django_user_model):
    """TST with the module under AID, with six cases settled in the first half of 2006
    (one with the key of an IMDi case), a forecast and an approver."""
    agency = make_agency("TST", "Testdirektoratet", "AID", has_settlement=True, submitted=True)
    imdi_key = SettlementCase.objects.filter(agency__code="IMDi").values_list(
        "case_key", flat=True
    )[0]
    keys = [imdi_key, *[f"T{i}" for i in range(1, TST_SETTLED)]]
    # The half year is submitted, so its cases and forecast go in only as fixture data.
    with allow_locked_period_writes():
        import_cases(rows=[tst_case(key) for key in keys], agency=agency)
        Forecast.objects.create(agency=agency, year=2006, cut_off_date=END, persons=10)
    make_user(django_user_model, "tst", Role.APPROVER, agency=agency)
    return agency


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- an agency without the module --------------------------------------------------------


@pytest.mark.parametrize("username", ["ftd", "bld"])
def test_without_the_module_there_is_no_menu_entry_page_or_api_data(ftd, client_for, username):
    client = client_for(username)
    assert 'href="/bosetting/"' not in client.get("/").content.decode()
    response = client.get(PAGE)
    assert response.status_code == 404
    assert client.get(API).json() == []
    assert client.get(API + "&agency=FTD").json() == []
    assert client.get(API + "&agency=IMDi").json() == []


def test_the_404_says_why(ftd, client_for, settings):
    settings.DEBUG = True  # the technical 404 page shows the message
    page = client_for("ftd").get(PAGE).content.decode()
    assert "bosettingsmodulen" in page


def test_the_report_of_an_agency_without_the_module_has_no_settlement_block(ftd, client_for):
    response = client_for("ftd").get(reverse("reports:full", args=["FTD-2006-H1"]))
    assert response.status_code == 200
    assert "settlement-figures-title" not in response.content.decode()


def test_settlement_rows_refuse_an_agency_without_the_module(ftd, imdi):
    forecast = Forecast(agency=ftd, year=2006, cut_off_date=END, persons=5)
    with pytest.raises(ValidationError) as error:
        forecast.full_clean()
    assert error.value.message_dict["agency"] == ["FTD har ikke bosettingsmodulen."]
    case = SettlementCase.objects.filter(agency=imdi).first()
    case.agency = ftd
    case.settled_date = date(2000, 1, 1)
    with pytest.raises(ValidationError) as error:
        case.full_clean()
    assert set(error.value.message_dict) >= {"agency", "settled_date"}


def test_the_import_refuses_an_agency_without_the_module(ftd, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("case_key,category\n", encoding="utf-8")
    with pytest.raises(CommandError, match="FTD does not have the settlement module"):
        call_command("import_settlement", path, "--agency", "FTD", stdout=StringIO())
    with pytest.raises(CommandError, match="no agency with the code 'XYZ'"):
        call_command("import_settlement", path, "--agency", "XYZ", stdout=StringIO())


# --- two agencies with the module ---------------------------------------------------------


def test_each_agency_counts_only_its_own_cases(tst, imdi):
    figures = selectors.report_figures(agencies=[imdi, tst], start=START, end=END)
    assert figures[imdi.pk]["settled"] == IMDI_SETTLED
    assert figures[tst.pk]["settled"] == TST_SETTLED
    assert figures[tst.pk]["forecast"] == 10
    assert figures[imdi.pk]["forecast"] == 1800
    oslo = next(
        row
        for row in selectors.municipalities(agency=tst, start=START, end=END)
        if row["code"] == "0301"
    )
    assert oslo["settled"] == TST_SETTLED
    assert oslo["accepted"] is None  # IMDi's places are not TST's
    assert SettlementCase.objects.filter(agency=imdi).count() == 3294


def test_a_case_key_is_unique_per_agency_only(tst, imdi):
    key = SettlementCase.objects.filter(agency=tst).order_by("case_key").first().case_key
    assert SettlementCase.objects.filter(case_key=key).count() == 2


def test_the_page_of_an_agency_user_shows_their_agency(tst, client_for):
    tst_page = text(client_for("tst").get(PAGE))
    assert '<td class="num">6</td>' in tst_page
    assert "1 813" not in tst_page
    assert 'name="virksomhet"' not in tst_page
    imdi_page = text(client_for("direktor").get(PAGE))
    assert '<td class="num">1 813</td>' in imdi_page


def test_a_ministry_reader_with_two_settlement_agencies_gets_a_chooser(tst, client_for):
    client = client_for("aid")
    page = text(client.get(PAGE))
    assert '<select name="virksomhet"' in page
    assert '<option value="IMDi" selected>' in page
    assert '<option value="TST">' in page
    assert '<td class="num">1 813</td>' in page
    chosen = text(client.get(PAGE + "&virksomhet=TST"))
    assert '<option value="TST" selected>' in chosen
    assert '<td class="num">6</td>' in chosen
    # Counts below the threshold stay suppressed for the reader (TST's zeros among them).
    assert '<td class="num">:</td>' in chosen
    assert client.get(PAGE + "&virksomhet=FTD").status_code == 404


def test_the_api_lists_each_visible_agency(tst, client_for):
    data = client_for("aid").get(API).json()
    assert [(row["agency"], row["settled"]) for row in data] == [
        ("IMDi", IMDI_SETTLED),
        ("TST", TST_SETTLED),
    ]
    [only] = client_for("aid").get(API + "&agency=TST").json()
    assert only["settled"] == TST_SETTLED
    assert [row["agency"] for row in client_for("tst").get(API).json()] == ["TST"]
    assert [row["agency"] for row in client_for("direktor").get(API).json()] == ["IMDi"]
    assert client_for("direktor").get(API + "&agency=TST").json() == []


def test_the_demo_loader_and_the_import_refuse_to_guess_between_agencies(tst, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("case_key,category\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"several agencies .*\(IMDi, TST\).*--agency"):
        call_command("import_settlement", path, stdout=StringIO())
    with pytest.raises(FixtureError, match=r"agency: several agencies"):
        load_settlement_demo(directory=SETTLEMENT_FIXTURES)


def test_a_ministry_reader_sees_the_menu_entry(tst, client_for):
    assert 'href="/bosetting/"' in client_for("aid").get("/").content.decode()


# --- query counts with two agencies ------------------------------------------------------


def test_the_page_runs_the_same_queries_with_a_second_agency(
    settlement_2006, client_for, django_user_model, django_assert_num_queries
):
    from tests.settlement.test_page import PAGE_QUERIES

    reader = client_for("aid")
    # As test_page.py counts for the approver, and 13 more for the reader: the agencies
    # of the ministry that have the module (the approver's agency comes with the
    # profile), the end of the agency's latest submitted period, and the figures at the
    # previous month end that small differences are withheld against (3 flows, within
    # the limit, 6 breakdowns, municipalities); but 1 fewer, as the reader, who sees
    # suppressed figures only, is not shown the summary of the data's change history.
    reader_queries = PAGE_QUERIES + 13 - 1
    cache.clear()  # each count is of a page computed afresh
    with django_assert_num_queries(reader_queries):
        assert reader.get(PAGE).status_code == 200
    make_agency("TST", "Testdirektoratet", "AID", has_settlement=True, submitted=True)
    cache.clear()
    with django_assert_num_queries(reader_queries):
        assert reader.get(PAGE).status_code == 200
    cache.clear()
    with django_assert_num_queries(reader_queries):
        assert reader.get(PAGE + "&virksomhet=TST").status_code == 200
    approver = client_for("direktor")
    cache.clear()  # each count is of a page computed afresh
    with django_assert_num_queries(PAGE_QUERIES):
        assert approver.get(PAGE).status_code == 200


def test_the_api_runs_the_same_queries_for_one_agency_or_two(
    settlement_2006, client_for, django_assert_num_queries
):
    client = client_for("aid")
    # 1 session, 2 user, 3 user permissions, 4 group permissions, 5 profile, 6 the
    # ministry's agencies with the module; the report figures: 7 forecasts, 8 ready in
    # reception and over the limit, 9 OFF, 10 settled, 11 mean waits, 12 from searched
    # out, 13 family reunification; 14 the end of each agency's latest submitted
    # period, 15-17 the flows (settled, OFF, family reunification) at the previous month
    # end that small differences are withheld against. The end date is given, so no
    # latest-date query.
    with django_assert_num_queries(17):
        assert len(client.get(API).json()) == 1
    make_agency("TST", "Testdirektoratet", "AID", has_settlement=True, submitted=True)
    with django_assert_num_queries(17):
        assert len(client.get(API).json()) == 2


# --- where the report block goes ------------------------------------------------------


@pytest.fixture
def goals_2006(settlement_2006):
    load_goals_demo(directory=FIXTURES_DIR / "goals")
    return ReportingPeriod.objects.select_related("budget_year__agency").get(
        budget_year__agency__code="IMDi", kind=PeriodKind.HALF_YEAR
    )


def settlement_sections(period: ReportingPeriod) -> list[str]:
    report = report_context(period=period, part="full")
    return [
        section.requirement.code
        for goal in report.goals
        for section in goal.requirements
        if section.settlement is not None
    ]


def test_the_report_block_follows_the_requirement_the_data_names(goals_2006):
    assert settlement_sections(goals_2006) == ["R1-1"]
    year = goals_2006.budget_year
    year.settlement_requirement = ResultRequirement.objects.get(
        main_goal__budget_year=year, code="R1-2"
    )
    # The year's H1 is submitted, so its letter takes changes only as fixture data.
    with allow_locked_period_writes():
        year.save()
    assert settlement_sections(goals_2006) == ["R1-2"]
    year.settlement_requirement = None
    with allow_locked_period_writes():
        year.save()
    assert settlement_sections(goals_2006) == []


def test_no_report_block_once_the_agency_loses_the_module(goals_2006):
    agency = goals_2006.budget_year.agency
    agency.has_settlement = False
    agency.save()
    assert settlement_sections(goals_2006) == []


def test_the_admin_import_refuses_an_agency_without_the_module(ftd):
    from tests.settlement.test_import import case, dataset

    result = SettlementCaseResource().import_data(
        dataset([case(agency="FTD"), case(case_key="K2")]), dry_run=False
    )
    # The agency identifies the row, so a bad one is a row error rather than a field's.
    assert result.has_errors()
    messages = [str(error.error) for row in result.rows for error in row.errors]
    assert messages == ["the agency FTD does not have the settlement module"]
    assert not SettlementCase.objects.filter(case_key="K2").exists()
