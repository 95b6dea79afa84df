"""Submitting queues freezing the PDFs as a task; a database worker stores exactly one copy
of each part per submission, however often the task runs."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from goals.models import ReportingPeriod
from goals.services import submit_period
from imdi_reporting.models import FrozenReport
from imdi_reporting.reports import services
from imdi_reporting.reports.tasks import freeze_submission


@pytest.fixture
def database_tasks(settings):
    """Tasks are stored for the worker, as under make serve, instead of run at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The memory of queued tasks outlives a test's database.
    cache.clear()
    yield
    cache.clear()


def run_worker_once() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def year_period() -> ReportingPeriod:
    return ReportingPeriod.objects.select_related("budget_year__agency").get(kind="Y")


def stored_parts(period) -> list[tuple[str, int]]:
    return sorted(FrozenReport.objects.filter(period=period).values_list("part", "version"))


# The worker commits as it would in production, and between tasks closes a connection that
# is inside a transaction, which would be the test's own.
@pytest.mark.django_db(transaction=True)
def test_the_worker_stores_one_copy_per_part_and_a_second_run_adds_none(
    client_for, demo_user, database_tasks
):
    period = year_period()
    submit_period(
        user=demo_user("direktor"), period=period, reason="Sendt inn uten alle svar (test)."
    )
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "imdi_reporting.reports.tasks.freeze_submission"
    assert queued.args_kwargs["kwargs"] == {"period_id": period.pk}
    assert not FrozenReport.objects.exists()

    client = client_for("direktor")
    url = reverse("reports:full_pdf", args=["2006"])
    waiting = client.get(url)
    assert waiting.status_code == 202
    assert waiting["Retry-After"] == "5"
    assert b'<meta http-equiv="refresh" content="5">' in waiting.content
    assert "PDF-en lages" in waiting.content.decode()
    # The task is already queued; the download does not queue another.
    assert DBTaskResult.objects.count() == 1

    run_worker_once()
    assert stored_parts(period) == [("accounts", 1), ("form", 1), ("full", 1)]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"

    # A duplicate (a retry, a second worker, a download after the memory expired).
    freeze_submission.enqueue(period_id=period.pk)
    run_worker_once()
    assert stored_parts(period) == [("accounts", 1), ("form", 1), ("full", 1)]
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL"] * 2

    ready = client.get(url)
    assert ready.status_code == 200
    assert ready["Content-Type"] == "application/pdf"
    assert ready["X-Content-SHA256"] == FrozenReport.objects.get(period=period, part="full").sha256


@pytest.mark.django_db(transaction=True)
def test_a_period_submitted_before_freezing_existed_is_queued_by_its_first_download(
    client_for, database_tasks
):
    url = reverse("reports:form_pdf", args=["2006-H1"])
    client = client_for("aid")
    assert client.get(url).status_code == 202
    assert client.get(url).status_code == 202
    assert DBTaskResult.objects.count() == 1
    run_worker_once()
    assert client.get(url).status_code == 200
    assert FrozenReport.objects.filter(part="form").count() == 1


def test_two_renderings_of_one_submission_at_once_store_one_copy(demo_user, monkeypatch):
    """Both workers find no copy and render; the unique constraint on (period, part,
    submitted_at) stores the first, and the second returns it."""
    monkeypatch.setattr(services, "render_report_pdf", lambda **kwargs: b"%PDF-1.7 stub")
    period = year_period()
    submit_period(
        user=demo_user("direktor"), period=period, reason="Sendt inn uten alle svar (test)."
    )
    period.refresh_from_db()
    first = services.freeze_report(period=period, part="full")
    second = services.freeze_report(period=period, part="full")
    assert second.pk == first.pk
    assert stored_parts(period) == [("full", 1)]
