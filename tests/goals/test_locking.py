"""A submitted or locked period accepts no change by any path, and says why."""

import pytest
import tablib
from django.urls import reverse

from goals.locking import allow_locked_period_writes
from goals.models import StatisticalTableRow, StatusUpdate
from goals.resources import StatusUpdateResource
from goals.services import PeriodLockedError


def h1_update(h1) -> StatusUpdate:
    return StatusUpdate.objects.get(activity__requirement__code="R1-3", period=h1)


def test_the_model_refuses_to_save_or_delete_in_a_locked_period(content, h1):
    update = h1_update(h1)
    update.attainment = "Endret"
    with pytest.raises(PeriodLockedError, match=r"09\.08\.2006"):
        update.save()
    with pytest.raises(PeriodLockedError):
        update.delete()
    row = StatisticalTableRow.objects.first()
    row.label = "Endret"
    with pytest.raises(PeriodLockedError):
        row.save()
    assert h1_update(h1).attainment == "Gjennomført."


def test_the_admin_shows_a_locked_update_read_only_and_says_why(content, h1, client_for):
    client = client_for("admin")
    url = reverse("admin:goals_statusupdate_change", args=[h1_update(h1).pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Direktør IMDi" in page.text
    assert "2006-H1" in page.text
    assert 'name="attainment"' not in page.text
    response = client.post(url, {"attainment": "Endret", "status": "achieved", "state": "draft"})
    assert response.status_code == 403
    assert h1_update(h1).attainment == "Gjennomført."


def test_the_admin_refuses_deleting_in_a_locked_period(content, h1, client_for):
    client = client_for("admin")
    url = reverse("admin:goals_statusupdate_delete", args=[h1_update(h1).pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert StatusUpdate.objects.filter(period=h1).count() == 4


def test_the_admin_refuses_adding_to_a_locked_period(content, h1, client_for):
    client = client_for("admin")
    update = h1_update(h1)
    with allow_locked_period_writes():  # set up a free slot
        StatusUpdate.objects.filter(pk=update.pk).delete()
    response = client.post(
        reverse("admin:goals_statusupdate_add"),
        {
            "period": h1.pk,
            "activity": update.activity_id,
            "attainment": "Ny",
            "status": "achieved",
            "state": "draft",
            "version": 1,
        },
    )
    assert response.status_code == 200
    assert "låst" in response.text or "locked" in response.text
    assert not StatusUpdate.objects.filter(pk=update.pk).exists()
    assert StatusUpdate.objects.filter(period=h1).count() == 3


def import_rows(period_slug: str, attainment: str):
    dataset = tablib.Dataset(headers=["agency", "period", "position", "status", "attainment"])
    dataset.append(["IMDi", period_slug, 3, "achieved", attainment])
    return StatusUpdateResource().import_data(dataset, dry_run=False, raise_errors=False)


def test_an_import_into_the_locked_period_is_refused(content, h1):
    result = import_rows("2006-H1", "Importert")
    assert result.has_validation_errors()
    errors = [str(row.error) for row in result.invalid_rows]
    assert any("2006-H1" in e and "Direktør IMDi" in e for e in errors)
    assert h1_update(h1).attainment == "Gjennomført."


def test_an_import_into_the_open_period_works(content, year_period):
    result = import_rows("2006", "Importert")
    assert not result.has_errors()
    assert not result.has_validation_errors()
    update = StatusUpdate.objects.get(period=year_period, activity__position=3)
    assert update.attainment == "Importert"
    assert update.version == 1
