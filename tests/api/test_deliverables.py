"""Deliverables through the API: listed with the date met, which the requirement's unit
records in an open period (423 in a submitted one, 403 for another unit)."""

from datetime import date

import pytest
from django.urls import reverse

from goals.models import Deliverable


@pytest.fixture
def deliverable(goals_demo):
    return Deliverable.objects.get(requirement__code="R3-2", due=date(2006, 4, 1))


def test_it_records_the_date_met_through_the_api(api_for, deliverable):
    # 2006-H1 (to 30.06.2006) is submitted; the open year report records a later date.
    url = reverse("goals-api:deliverable-met", args=[deliverable.pk])
    response = api_for("paks").post(url, {"period": "IMDi-2006", "met_on": "2006-07-03"})
    assert response.status_code == 200, response.content
    assert response.json()["met_on"] == "2006-07-03"
    listed = api_for("paks").get(reverse("goals-api:deliverable-list"), {"requirement": "R3-2"})
    assert [d["met_on"] for d in listed.json()["results"]] == ["2006-07-03", None]


def test_the_api_refuses_a_date_inside_the_submitted_half_year_with_423(api_for, deliverable):
    # The submitted half-year report printed the deliverable as not met by 30.06.2006.
    url = reverse("goals-api:deliverable-met", args=[deliverable.pk])
    response = api_for("paks").post(url, {"period": "IMDi-2006", "met_on": "2006-04-03"})
    assert response.status_code == 423, response.content
    assert response.json()["detail"].startswith(
        f"{deliverable} hører til IMDi 2006, der rapporten IMDi-2006-H1 er sendt inn"
    )
    deliverable.refresh_from_db()
    assert deliverable.met_on is None


def test_the_api_refuses_a_submitted_period_with_423(api_for, deliverable):
    url = reverse("goals-api:deliverable-met", args=[deliverable.pk])
    response = api_for("paks").post(url, {"period": "IMDi-2006-H1", "met_on": "2006-04-03"})
    assert response.status_code == 423


def test_the_api_refuses_another_unit_with_403(api_for, deliverable):
    url = reverse("goals-api:deliverable-met", args=[deliverable.pk])
    response = api_for("ne").post(url, {"period": "IMDi-2006", "met_on": "2006-07-03"})
    assert response.status_code == 403
