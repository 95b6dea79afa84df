"""Notifications in the app and by e-mail, and deadline reminders sent once."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from goals.choices import NotificationKind
from goals.models import Activity, Notification, UserProfile
from goals.services import (
    add_feedback,
    approve_update,
    mark_ready,
    reopen_period,
    return_update,
    save_status_update,
    send_reminders,
    submit_period,
)


@pytest.fixture
def addresses(organisation, demo_user):
    for name in ("ne", "vest", "aid", "direktor"):
        user = demo_user(name)
        user.email = f"{name}@example.org"
        user.save()


def ready_r1_3(demo_user, period):
    update = save_status_update(
        user=demo_user("ne"),
        activity=Activity.objects.get(requirement__code="R1-3"),
        period=period,
        version=0,
        attainment="Utkast.",
        status="on_track",
    )
    return mark_ready(user=demo_user("ne"), update=update)


def test_it_tells_the_unit_in_the_app_and_by_mail_when_an_update_is_returned(
    content, demo_user, year_period, addresses, mailoutbox, django_capture_on_commit_callbacks
):
    update = ready_r1_3(demo_user, year_period)
    with django_capture_on_commit_callbacks(execute=True):
        return_update(user=demo_user("direktor"), update=update, reason="Mer tall.")
    told = Notification.objects.get()
    assert (told.user.username, told.kind) == ("ne", NotificationKind.RETURNED)
    assert "Mer tall." in told.text
    assert told.url == reverse("goals:edit-status-update", args=[year_period.slug, 3])
    assert [m.to for m in mailoutbox] == [["ne@example.org"]]
    assert "Mer tall." in mailoutbox[0].body
    assert UserProfile.objects.get(user__username="ne").unread_notifications == 1


def test_a_mail_server_that_is_down_loses_no_change_and_no_notification(
    content,
    demo_user,
    year_period,
    addresses,
    django_capture_on_commit_callbacks,
    monkeypatch,
    caplog,
):
    def refused(messages):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("goals.mail.send_mass_mail", refused)
    update = ready_r1_3(demo_user, year_period)
    with django_capture_on_commit_callbacks(execute=True):
        return_update(user=demo_user("direktor"), update=update, reason="Mer tall.")
    update.refresh_from_db()
    assert update.state == "returned"
    assert Notification.objects.get().user.username == "ne"
    assert "not sent" in caplog.text


def test_it_sends_no_mail_to_someone_who_turned_it_off(
    content,
    client_for,
    demo_user,
    year_period,
    addresses,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client_for("ne").post(reverse("notifications"), {"action": "email"})
    assert UserProfile.objects.get(user__username="ne").email_notifications is False
    update = ready_r1_3(demo_user, year_period)
    with django_capture_on_commit_callbacks(execute=True):
        approve_update(user=demo_user("direktor"), update=update)
    assert Notification.objects.get().kind == NotificationKind.APPROVED
    assert mailoutbox == []


def test_it_tells_the_ministry_of_a_submission_and_the_editors_of_a_reopening(
    content, demo_user, year_period, addresses, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit_period(user=demo_user("direktor"), period=year_period, reason="Frist.")
    submitted = Notification.objects.filter(kind=NotificationKind.SUBMITTED)
    names = set(submitted.values_list("user__username", flat=True))
    assert {"aid", "ne", "vest"} <= names and "direktor" not in names
    reopen_period(user=demo_user("direktor"), period=year_period, reason="Rettelse.")
    reopened = Notification.objects.get(kind=NotificationKind.REOPENED, user__username="aid")
    assert "Rettelse." in reopened.text
    assert "aid@example.org" in {m.to[0] for m in mailoutbox}


def test_it_tells_the_directorate_of_a_comment_and_the_author_of_a_reply(
    content, demo_user, h1, addresses
):
    requirement = Activity.objects.get(requirement__code="R1-3").requirement
    comment = add_feedback(
        user=demo_user("aid"), requirement=requirement, period=h1, text="Hvorfor?"
    )
    told = set(
        Notification.objects.filter(kind=NotificationKind.FEEDBACK).values_list(
            "user__username", flat=True
        )
    )
    assert {"direktor", "ne"} <= told and "vest" not in told and "aid" not in told
    add_feedback(
        user=demo_user("direktor"),
        requirement=requirement,
        period=h1,
        text="Fordi.",
        parent=comment,
    )
    reply = Notification.objects.get(kind=NotificationKind.REPLY)
    assert reply.user.username == "aid" and "Fordi." in reply.text


def test_it_reminds_units_with_unanswered_rows_once(content, demo_user, year_period, addresses):
    year_period.budget_year.agency.reminder_days = 10
    year_period.budget_year.agency.save()
    too_early = year_period.deadline - timedelta(days=11)
    assert send_reminders(today=too_early) == 0
    day = year_period.deadline - timedelta(days=10)
    sent = send_reminders(today=day)
    reminded = set(
        Notification.objects.filter(kind=NotificationKind.REMINDER).values_list(
            "user__username", flat=True
        )
    )
    assert sent == len(reminded) and {"ne", "vest", "adm"} <= reminded
    assert "paks" not in reminded  # PAKS answers for no row of the small form
    assert send_reminders(today=day + timedelta(days=1)) == 0
    call_command("send_reminders", "--date", day.isoformat())
    assert Notification.objects.filter(kind=NotificationKind.REMINDER).count() == sent


def test_it_lists_the_notifications_with_the_unread_count_and_marks_them_read(
    content, client_for, demo_user, year_period
):
    update = ready_r1_3(demo_user, year_period)
    return_update(user=demo_user("direktor"), update=update, reason="Mer tall.")
    client = client_for("ne")
    page = client.get(reverse("notifications"))
    assert "Mer tall." in page.text
    assert '1<span class="visually-hidden"> ulest</span>' in page.text
    client.post(reverse("notifications"), {"action": "read"})
    assert UserProfile.objects.get(user__username="ne").unread_notifications == 0
    assert Notification.objects.get().read_at is not None
    assert 'visually-hidden"> ulest' not in client.get(reverse("home")).text


def test_it_runs_a_bounded_number_of_queries_for_the_list(
    content, client_for, demo_user, year_period, django_assert_num_queries
):
    update = return_update(
        user=demo_user("direktor"), update=ready_r1_3(demo_user, year_period), reason="Mer tall."
    )
    update = mark_ready(user=demo_user("ne"), update=update)
    approve_update(user=demo_user("direktor"), update=update)
    client = client_for("ne")
    # session, user, user and group permissions (the menu), profile (with the unread
    # count), the notifications with their period.
    with django_assert_num_queries(6):
        page = client.get(reverse("notifications"))
    assert page.text.count('class="unread"') == 2


def test_it_tells_each_person_in_the_language_they_chose(
    content, demo_user, year_period, addresses, mailoutbox, django_capture_on_commit_callbacks
):
    UserProfile.objects.filter(user__username="ne").update(language="nn")
    update = ready_r1_3(demo_user, year_period)
    with django_capture_on_commit_callbacks(execute=True):
        approve_update(user=demo_user("direktor"), update=update)
    told = Notification.objects.get()
    # Written in the approver's session language (bokmål), read in the editor's nynorsk.
    assert " godkjende " in told.text and " godkjente " not in told.text
    assert " godkjende " in mailoutbox[0].subject
