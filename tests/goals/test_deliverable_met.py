"""The unit that answers for a requirement records the date each deliverable was met, on
the requirement page, in an open period (the API: tests/api/test_deliverables.py)."""

from datetime import date

import pytest
from django.urls import reverse

from goals.loaders import load_goals_demo
from goals.models import ChangeRecord, Deliverable
from imdi_reporting.services import FIXTURES_DIR


@pytest.fixture
def deliverable(organisation):
    load_goals_demo(directory=FIXTURES_DIR / "goals")
    # R3-2 answers to PAKS; its first deliverable was due 01.04.2006.
    return Deliverable.objects.get(requirement__code="R3-2", due=date(2006, 4, 1))


def _post(client, period, deliverable, met_on):
    return client.post(
        reverse("goals:deliverable-met", args=[period, deliverable.requirement.code]),
        {"deliverable": deliverable.pk, "met_on": met_on},
    )


def test_it_records_the_date_met_from_the_requirement_page(client_for, deliverable):
    client = client_for("paks")
    page = client.get(reverse("goals:requirement-detail", args=["IMDi-2006", "R3-2"]))
    assert f'name="deliverable" value="{deliverable.pk}"' in page.content.decode()
    response = _post(client, "IMDi-2006", deliverable, "2006-04-03")
    assert response.status_code == 302
    deliverable.refresh_from_db()
    assert deliverable.met_on == date(2006, 4, 3)
    change = ChangeRecord.objects.get(field="met_on", object_id=deliverable.pk)
    assert (change.old, change.new) == ("", "2006-04-03")


def test_it_clears_the_date_met(client_for, deliverable):
    Deliverable.objects.filter(pk=deliverable.pk).update(met_on=date(2006, 4, 3))
    _post(client_for("paks"), "IMDi-2006", deliverable, "")
    deliverable.refresh_from_db()
    assert deliverable.met_on is None


def test_it_refuses_another_unit(client_for, deliverable):
    assert _post(client_for("ne"), "IMDi-2006", deliverable, "2006-04-03").status_code == 403
    deliverable.refresh_from_db()
    assert deliverable.met_on is None


def test_it_refuses_a_submitted_period(client_for, deliverable):
    response = _post(client_for("paks"), "IMDi-2006-H1", deliverable, "2006-04-03")
    deliverable.refresh_from_db()
    assert deliverable.met_on is None
    assert response.status_code == 302


def test_it_refuses_a_date_outside_the_year_and_names_the_deliverable(client_for, deliverable):
    client = client_for("paks")
    response = _post(client, "IMDi-2006", deliverable, "2007-01-02")
    deliverable.refresh_from_db()
    assert deliverable.met_on is None
    page = client.get(response.url).content.decode()
    assert deliverable.title in page
    assert "31.12.2006" in page
