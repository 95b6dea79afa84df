"""Notification e-mail and the daily reminders run on the task worker: a change queues its
mail at the commit and the worker sends it; a refused mail fails its task, not the change;
`send_reminders --enqueue` leaves the reminders to the worker."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from goals.choices import NotificationKind
from goals.models import Notification, ReportingPeriod
from goals.services import submit_period

MAIL_TASK = "goals.mail.send_notification_mail"
REMINDERS_TASK = "goals.tasks.send_due_reminders"
WITH_ADDRESS = ("ne", "vest", "adm", "aid")


@pytest.fixture
def database_tasks(settings):
    """Tasks are stored for the worker, as under make serve, instead of run at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def addresses(organisation, demo_user):
    for name in WITH_ADDRESS:
        user = demo_user(name)
        user.email = f"{name}@example.org"
        user.save()


def run_worker_once() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def submit(demo_user) -> ReportingPeriod:
    period = ReportingPeriod.objects.get(kind="Y")
    submit_period(user=demo_user("direktor"), period=period, reason="Sendt inn (test).")
    return period


# The worker commits as it would in production, and between tasks closes a connection that
# is inside a transaction, which would be the test's own.
@pytest.mark.django_db(transaction=True)
def test_it_queues_a_changes_mail_for_the_worker_which_sends_it(
    demo_user, addresses, database_tasks, mailoutbox
):
    submit(demo_user)
    # The notifications are there at once; their e-mail waits for the worker.
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert {"aid", "ne", "vest", "adm"} <= told
    assert mailoutbox == []
    mail = DBTaskResult.objects.filter(task_path=MAIL_TASK).get()
    recipients = {message[3][0] for message in mail.args_kwargs["kwargs"]["messages"]}
    assert recipients == {
        "aid@example.org",
        "ne@example.org",
        "vest@example.org",
        "adm@example.org",
    }

    run_worker_once()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(recipients)
    assert all("2006" in m.subject for m in mailoutbox)
    assert DBTaskResult.objects.get(pk=mail.pk).status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_refused_mail_fails_its_task_and_keeps_the_change_and_the_notifications(
    demo_user, addresses, database_tasks, mailoutbox, monkeypatch, caplog
):
    def refused(messages):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("goals.mail.send_mass_mail", refused)
    period = submit(demo_user)
    run_worker_once()
    period.refresh_from_db()
    assert period.state == "submitted"
    assert Notification.objects.filter(user__username="aid").exists()
    task = DBTaskResult.objects.get(task_path=MAIL_TASK)
    assert task.status == "FAILED"
    assert "ConnectionRefusedError" in task.exception_class_path
    assert "Notification e-mail to 4 recipient(s) not sent" in caplog.text
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_the_command_queues_the_reminders_and_the_worker_makes_and_mails_them(
    content, demo_user, year_period, addresses, database_tasks, mailoutbox
):
    agency = year_period.budget_year.agency
    agency.reminder_days = 10
    agency.save()
    day = year_period.deadline - timedelta(days=10)
    call_command("send_reminders", "--enqueue", "--date", day.isoformat())
    queued = DBTaskResult.objects.get()
    assert queued.task_path == REMINDERS_TASK
    assert queued.args_kwargs["kwargs"] == {"day": day.isoformat()}
    assert not Notification.objects.exists()

    # The worker makes the reminders, which queue their mail, and then sends that.
    run_worker_once()
    reminded = set(
        Notification.objects.filter(kind=NotificationKind.REMINDER).values_list(
            "user__username", flat=True
        )
    )
    assert {"ne", "vest", "adm"} <= reminded
    assert {m.to[0] for m in mailoutbox} == {
        f"{name}@example.org" for name in reminded if name in WITH_ADDRESS
    }
    # One mail task for each unit's reminder.
    assert set(DBTaskResult.objects.values_list("task_path", "status")) == {
        (MAIL_TASK, "SUCCESSFUL"),
        (REMINDERS_TASK, "SUCCESSFUL"),
    }


@pytest.mark.django_db
def test_with_the_immediate_backend_the_command_makes_them_at_once(content, year_period):
    """make run has no worker: the task runs in the command, which says what it did."""
    agency = year_period.budget_year.agency
    agency.reminder_days = 10
    agency.save()
    day = year_period.deadline - timedelta(days=10)
    out = StringIO()
    call_command("send_reminders", "--enqueue", "--date", day.isoformat(), stdout=out)
    made = Notification.objects.filter(kind=NotificationKind.REMINDER).count()
    assert made > 0
    assert out.getvalue() == f"{made} reminders sent.\n"
