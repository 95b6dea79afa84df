"""Rows of the allocation letter and the report refuse references to another agency or
another year, in forms and the admin, and the admin's choices name agency and year."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from goals.models import (
    Activity,
    Agency,
    BudgetYear,
    MainGoal,
    Ministry,
    OrganisationalUnit,
    ReportingPeriod,
    ResultRequirement,
    StatusUpdate,
    UserProfile,
)
from goals.tenancy import agency_path, scope_of


@pytest.fixture
def other_agency(organisation):
    """FTD under BLD with its own unit, year 2006 and a main goal."""
    agency = Agency.objects.create(
        code="FTD", name="Familietjenestedirektoratet", ministry=Ministry.objects.get(code="BLD")
    )
    OrganisationalUnit.objects.create(agency=agency, code="ADM", name="Stab", kind="central")
    year = BudgetYear.objects.create(
        agency=agency, year=2006, allocation_letter_date=date(2006, 1, 20)
    )
    MainGoal.objects.create(budget_year=year, code="HM1", title="Gode tjenester", position=1)
    return agency


def test_a_requirement_with_another_agencys_unit_is_refused(content, other_agency):
    goal = MainGoal.objects.get(budget_year__agency=other_agency)
    imdi_unit = OrganisationalUnit.objects.get(agency__code="IMDi", code="ADM")
    requirement = ResultRequirement(
        main_goal=goal, code="K1", text="Krav", responsible_unit=imdi_unit
    )
    with pytest.raises(ValidationError) as error:
        requirement.full_clean()
    assert error.value.message_dict == {"responsible_unit": ["ADM tilhører IMDi, ikke FTD."]}


def test_an_activity_of_one_year_under_a_requirement_of_another_is_refused(content):
    later = BudgetYear.objects.create(
        agency=Agency.objects.get(code="IMDi"), year=2008, allocation_letter_date=date(2008, 1, 20)
    )
    activity = Activity(
        budget_year=later,
        requirement=ResultRequirement.objects.get(code="R1-1"),
        position=99,
        activity="Ny",
    )
    with pytest.raises(ValidationError) as error:
        activity.full_clean()
    assert error.value.message_dict["requirement"] == ["R1-1 tilhører IMDi 2006, ikke IMDi 2008."]


def test_a_status_update_for_another_agencys_period_is_refused(content, other_agency):
    ftd_year = BudgetYear.objects.get(agency=other_agency)
    ftd_h1 = ReportingPeriod.objects.create(
        budget_year=ftd_year,
        kind="H1",
        start=date(2006, 1, 1),
        end=date(2006, 6, 30),
        deadline=date(2006, 8, 15),
    )
    update = StatusUpdate(activity=Activity.objects.first(), period=ftd_h1, attainment="x")
    with pytest.raises(ValidationError) as error:
        update.full_clean()
    assert "activity" in error.value.message_dict


def test_the_settlement_requirement_must_be_of_the_same_year(content, other_agency):
    ftd_year = BudgetYear.objects.get(agency=other_agency)
    ftd_year.settlement_requirement = ResultRequirement.objects.get(code="R1-1")
    with pytest.raises(ValidationError) as error:
        ftd_year.full_clean()
    assert error.value.message_dict == {"settlement_requirement": ["R1-1 tilhører IMDi, ikke FTD."]}


def test_a_profile_with_another_agencys_unit_is_refused(content, other_agency, demo_user):
    profile = UserProfile.objects.get(user=demo_user("ne"))
    profile.unit = OrganisationalUnit.objects.get(agency=other_agency)
    with pytest.raises(ValidationError) as error:
        profile.full_clean()
    assert error.value.message_dict == {"unit": ["ADM er en enhet i FTD, ikke i IMDi."]}


def test_rows_know_their_agency_and_year(content):
    requirement = ResultRequirement.objects.get(code="R1-1")
    scope = scope_of(requirement)
    assert (scope.agency_code, scope.year) == ("IMDi", 2006)
    assert agency_path(ResultRequirement) == "main_goal__budget_year__agency"
    assert agency_path(StatusUpdate) == "period__budget_year__agency"
    assert agency_path(OrganisationalUnit) == "agency"


def test_the_admin_refuses_a_cross_agency_unit_and_saves_nothing(
    content, other_agency, client, demo_user
):
    client.force_login(demo_user("admin"))
    goal = MainGoal.objects.get(budget_year__agency=other_agency)
    imdi_unit = OrganisationalUnit.objects.get(agency__code="IMDi", code="VEST")
    response = client.post(
        reverse("admin:goals_resultrequirement_add"),
        {
            "main_goal": goal.pk,
            "code": "K1",
            "text": "Krav",
            "responsible_unit": imdi_unit.pk,
            "position": 1,
        },
    )
    assert response.status_code == 200
    assert "VEST tilhører IMDi, ikke FTD." in response.text
    assert not ResultRequirement.objects.filter(main_goal=goal).exists()


def test_the_admins_choices_name_agency_and_year(content, other_agency, client, demo_user):
    client.force_login(demo_user("admin"))
    page = client.get(reverse("admin:goals_activity_add")).text
    assert ">IMDi 2006 R1-1<" in page
    page = client.get(reverse("admin:goals_resultrequirement_add")).text
    assert ">IMDi 2006 HM1" in page
    assert ">FTD 2006 HM1" in page
