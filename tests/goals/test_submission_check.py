"""Submitting a period: a page that lists what is incomplete and asks for a reason."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from goals.choices import PeriodEventKind, PeriodState
from goals.models import Activity, Deliverable, PeriodEvent, ReportingPeriod
from goals.selectors import submission_check
from goals.services import (
    approve_update,
    mark_ready,
    responsible_unit_of,
    save_requirement_narrative,
    save_status_update,
    submit_period,
)


def answer_everything(period, editor, approver):
    """Each row answered by its unit's editor (four eyes: the approver may not approve
    a version they saved), approved, and every narrative written."""
    for activity in Activity.objects.filter(budget_year=period.budget_year):
        unit = responsible_unit_of(parent=activity.parent)
        author = editor
        if unit is not None:
            author = get_user_model().objects.filter(profile__unit=unit).first() or editor
        update = save_status_update(
            user=author,
            activity=activity,
            period=period,
            version=0,
            attainment="Ok.",
            status="on_track",
        )
        approve_update(user=approver, update=mark_ready(user=author, update=update))
    # Every deliverable met, so that no status contradicts its deadlines; after the
    # submitted half year, whose report must keep what it printed.
    for deliverable in Deliverable.objects.filter(
        requirement__main_goal__budget_year=period.budget_year
    ):
        deliverable.met_on = max(deliverable.due, date(2006, 7, 3))
        deliverable.save()
    for code in ("R1-1", "R1-3"):
        save_requirement_narrative(
            user=approver,
            requirement=period.budget_year.main_goals.get().requirements.get(code=code),
            period=period,
            version=0,
            status="Gjennomført.",
        )


def test_it_lists_unanswered_rows_unapproved_updates_and_missing_narratives(
    content, demo_user, year_period
):
    r1_3 = Activity.objects.get(requirement__code="R1-3")
    save_status_update(
        user=demo_user("ne"),
        activity=r1_3,
        period=year_period,
        version=0,
        attainment="Utkast.",
        status="on_track",
    )
    check = submission_check(period=year_period)
    assert len(check.unanswered) == 3
    assert [u.activity_id for u in check.unapproved] == [r1_3.pk]
    assert [r.code for r in check.missing_narratives] == ["R1-1", "R1-3"]
    assert [(g["code"], len(g["rows"])) for g in check.unanswered_by_unit] == [
        ("", 1),
        ("ADM", 1),
        ("VEST", 1),
    ]
    assert not check.is_complete


def test_it_refuses_an_incomplete_period_without_a_reason(content, demo_user, year_period):
    with pytest.raises(ValidationError) as refused:
        submit_period(user=demo_user("direktor"), period=year_period, reason="  ")
    assert "4 skjemarader er ikke besvart" in str(refused.value)
    year_period.refresh_from_db()
    assert year_period.state == PeriodState.OPEN


def test_it_records_the_reason_for_submitting_anyway(content, demo_user, year_period):
    submit_period(user=demo_user("direktor"), period=year_period, reason="Frist i dag.")
    event = PeriodEvent.objects.get(period=year_period)
    assert (event.kind, event.reason, event.actor.username) == (
        PeriodEventKind.SUBMITTED,
        "Frist i dag.",
        "direktor",
    )


def test_it_lists_a_status_that_contradicts_its_deadlines(content, demo_user, year_period):
    answer_everything(year_period, demo_user("ne"), demo_user("direktor"))
    late = Deliverable.objects.get(requirement__code="R1-3", due=date(2006, 9, 1))
    late.met_on = None
    late.save()
    check = submission_check(period=year_period)
    assert [(w.requirement.code, w.rule) for w in check.warnings] == [
        ("R1-3", "on-track-with-overdue")
    ]
    assert not check.is_complete
    with pytest.raises(ValidationError):
        submit_period(user=demo_user("direktor"), period=year_period)


def test_it_submits_a_complete_period_without_a_reason(content, demo_user, year_period):
    answer_everything(year_period, demo_user("ne"), demo_user("direktor"))
    assert submission_check(period=year_period).is_complete
    submit_period(user=demo_user("direktor"), period=year_period)
    assert ReportingPeriod.objects.get(pk=year_period.pk).state == PeriodState.SUBMITTED
    # The log also holds every save and approval; the submission is logged exactly once.
    submitted = PeriodEvent.objects.get(period=year_period, kind=PeriodEventKind.SUBMITTED)
    assert submitted.reason == ""


def test_it_shows_the_check_page_and_asks_for_a_reason(content, client_for, year_period):
    client = client_for("direktor")
    url = reverse("goals:submit-check", args=[year_period.slug])
    page = client.get(url)
    assert page.status_code == 200
    text = page.text
    assert "4 skjemarader er ikke besvart." in text
    assert "2 resultatkrav mangler rapportering." in text
    # Nothing is answered yet, so no status can contradict its evidence.
    assert "0 resultatkrav har en status som motsies av indikatorene eller fristene." in text
    assert reverse("goals:edit-narrative", args=[year_period.slug, "R1-1"]) in text
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert "Oppgi en begrunnelse" in refused.text
    assert ReportingPeriod.objects.get(pk=year_period.pk).state == PeriodState.OPEN
    done = client.post(url, {"reason": "Fristen er i dag."})
    assert done.status_code == 302
    assert PeriodEvent.objects.get(period=year_period).reason == "Fristen er i dag."


def test_it_runs_a_bounded_number_of_queries(
    content, client_for, year_period, django_assert_num_queries
):
    client = client_for("direktor")
    url = reverse("goals:submit-check", args=[year_period.slug])
    # session, user, user's permissions and groups' permissions, profile, the period (with
    # year and agency), the form's activities, the period's updates, requirements without
    # a narrative; the consistency warnings: requirements, their status updates and
    # indicator progress (2), deliverables, indicator values.
    with django_assert_num_queries(14):
        client.get(url)


def test_it_is_refused_to_an_editor(content, client_for, year_period):
    url = reverse("goals:submit-check", args=[year_period.slug])
    assert client_for("ne").get(url).status_code == 403
