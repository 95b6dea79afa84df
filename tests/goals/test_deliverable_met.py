"""The unit that answers for a requirement records the date each deliverable was met, on
the requirement page, in an open period (the API: tests/api/test_deliverables.py)."""

from datetime import date

import pytest
from django.urls import reverse

from goals.loaders import load_goals_demo
from goals.locking import allow_locked_period_writes
from goals.models import ChangeRecord, Deliverable
from imdi_reporting.services import FIXTURES_DIR


@pytest.fixture
def deliverable(organisation):
    load_goals_demo(directory=FIXTURES_DIR / "goals")
    # R3-2 answers to PAKS; its first deliverable was due 01.04.2006.
    return Deliverable.objects.get(requirement__code="R3-2", due=date(2006, 4, 1))


# 2006-H1 (to 30.06.2006) is submitted and the year report IMDi-2006 is open: the year
# report may record a date met after the half year; one inside it would change what the
# submitted half-year report printed, so the period lock refuses it.
LATER = "2006-07-03"
INSIDE_H1 = "2006-04-03"


def _lock_message(deliverable) -> str:
    return f"{deliverable} hører til IMDi 2006, der rapporten IMDi-2006-H1 er sendt inn"


def _post(client, period, deliverable, met_on):
    return client.post(
        reverse("goals:deliverable-met", args=[period, deliverable.requirement.code]),
        {"deliverable": deliverable.pk, "met_on": met_on},
    )


def test_it_records_the_date_met_from_the_requirement_page(client_for, deliverable):
    client = client_for("paks")
    page = client.get(reverse("goals:requirement-detail", args=["IMDi-2006", "R3-2"]))
    assert f'name="deliverable" value="{deliverable.pk}"' in page.content.decode()
    response = _post(client, "IMDi-2006", deliverable, LATER)
    assert response.status_code == 302
    deliverable.refresh_from_db()
    assert deliverable.met_on == date(2006, 7, 3)
    change = ChangeRecord.objects.get(field="met_on", object_id=deliverable.pk)
    assert (change.old, change.new) == ("", LATER)


def test_it_refuses_a_date_inside_the_submitted_half_year_with_the_lock(client_for, deliverable):
    client = client_for("paks")
    response = _post(client, "IMDi-2006", deliverable, INSIDE_H1)
    deliverable.refresh_from_db()
    assert deliverable.met_on is None
    assert not ChangeRecord.objects.filter(field="met_on", object_id=deliverable.pk).exists()
    assert _lock_message(deliverable) in client.get(response.url).content.decode()


def test_it_clears_the_date_met(client_for, deliverable):
    with allow_locked_period_writes():  # a date met after the half year, as fixture data
        Deliverable.objects.filter(pk=deliverable.pk).update(met_on=date(2006, 7, 3))
    _post(client_for("paks"), "IMDi-2006", deliverable, "")
    deliverable.refresh_from_db()
    assert deliverable.met_on is None


def test_it_refuses_another_unit(client_for, deliverable):
    assert _post(client_for("ne"), "IMDi-2006", deliverable, LATER).status_code == 403
    deliverable.refresh_from_db()
    assert deliverable.met_on is None


def test_it_refuses_a_submitted_period(client_for, deliverable):
    response = _post(client_for("paks"), "IMDi-2006-H1", deliverable, INSIDE_H1)
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
