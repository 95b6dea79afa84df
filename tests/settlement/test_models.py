"""The rules on cases hold in the database, whatever path writes them."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction

from goals.loaders import FixtureError
from goals.locking import allow_locked_period_writes
from goals.models import Agency
from imdi_reporting.roles import Role, permissions_for
from settlement.loaders import load_cases, load_settlement_demo
from settlement.models import County, Municipality, SettlementCase
from tests.settlement.conftest import SETTLEMENT_FIXTURES


@pytest.fixture
def settlement_2006(imdi):
    """Loaded for each test: the tests here load files into a database without them."""
    return load_settlement_demo(directory=SETTLEMENT_FIXTURES, agency=imdi)


@pytest.fixture
def oslo(imdi):
    county = County.objects.create(code="03", name="Oslo")
    return Municipality.objects.create(code="0301", name="Oslo", county=county)


def make(**values) -> SettlementCase:
    fields = {
        "agency": Agency.objects.get(code="IMDi"),
        "case_key": "K1",
        "category": "reception",
        "nationality": "Irak",
        "sex": "M",
        "birth_year": 1975,
        "permit_date": date(2006, 1, 10),
    }
    fields.update(values)
    # Dated in the submitted 2006-H1: written as fixture data, as the demo loader does.
    with allow_locked_period_writes():
        return SettlementCase.objects.create(**fields)


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ({"ready_date": date(2006, 1, 9)}, "ready_after_permit"),
        ({"searched_out_date": date(2006, 1, 9)}, "searched_after_permit"),
        (
            {"settled_date": date(2006, 2, 1), "searched_out_date": date(2006, 3, 1)},
            "settled_after_searched",
        ),
        ({"arrived_date": date(2006, 2, 1)}, "arrival_only_off"),
        ({"settled_date": date(2006, 2, 1), "municipality": None}, "settled_has_municipality"),
        ({"category": "asylum"}, "category_valid"),
        ({"family_size": 0}, "family_size"),
    ],
)
def test_the_database_refuses_inconsistent_cases(oslo, values, constraint):
    values.setdefault("municipality", oslo)
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        make(**values)


def test_a_consistent_case_is_saved(oslo):
    make(
        category="transfer_refugee",
        searched_out_date=date(2006, 2, 1),
        arrived_date=date(2006, 3, 1),
        settled_date=date(2006, 3, 1),
        municipality=oslo,
    )
    assert SettlementCase.objects.count() == 1


def test_case_keys_are_unique(oslo):
    make()
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_the_exact_figures_permission_goes_to_the_approver_only(db):
    exact = Permission.objects.get(codename="view_exact_figures")
    forecast = Permission.objects.get(codename="view_forecast")
    assert exact in permissions_for(Role.APPROVER)
    assert exact in permissions_for(Role.ADMINISTRATOR)
    assert exact not in permissions_for(Role.MINISTRY_READER)
    assert exact not in permissions_for(Role.UNIT_EDITOR)
    for role in Role.values:
        assert forecast in permissions_for(role)


def test_loading_the_demo_twice_changes_nothing(settlement_2006):
    before = list(SettlementCase.objects.order_by("case_key").values_list())
    again = load_settlement_demo(directory=SETTLEMENT_FIXTURES)  # the one agency with the module
    assert again["cases"] == {"created": 0, "updated": 0, "unchanged": 3294}
    assert list(SettlementCase.objects.order_by("case_key").values_list()) == before


def test_a_bad_fixture_row_is_a_fixture_error_naming_file_row_and_field(oslo, imdi, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(
        "case_key,category,nationality,sex,birth_year,permit_date\n"
        "K1,reception,Irak,X,1975,2006-01-10\n",
        encoding="utf-8",
    )
    with pytest.raises(FixtureError) as error:
        load_cases(path=path, agency=imdi)
    assert str(error.value).endswith("cases.csv: row 2, sex: 'X' is not one of F, M")
