from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from goals.choices import PeriodEventKind, PeriodState, WorkflowState
from goals.models import Activity, Feedback, Indicator, PeriodEvent, StatusUpdate
from goals.services import (
    PeriodLockedError,
    add_feedback,
    approve_update,
    mark_ready,
    reopen_period,
    return_update,
    save_indicator_value,
    save_requirement_narrative,
    save_status_update,
    submit_period,
)


def activity_of(code: str) -> Activity:
    return Activity.objects.get(requirement__code=code)


def save(user, code, period, *, version=0, text="Arbeidet går etter planen.", status="on_track"):
    return save_status_update(
        user=user,
        activity=activity_of(code),
        period=period,
        version=version,
        attainment=text,
        status=status,
    )


def test_the_ne_editor_edits_r1_3_in_the_open_period(content, demo_user, year_period):
    update = save(demo_user("ne"), "R1-3", year_period)
    assert update.state == WorkflowState.DRAFT
    assert update.version == 1
    assert update.updated_by.username == "ne"
    assert StatusUpdate.objects.get(pk=update.pk).attainment == "Arbeidet går etter planen."


def test_the_ne_editor_is_refused_on_r1_1_which_is_vest_s(content, demo_user, year_period):
    with pytest.raises(PermissionDenied, match="VEST"):
        save(demo_user("ne"), "R1-1", year_period)
    assert not StatusUpdate.objects.filter(period=year_period).exists()


def test_the_vest_editor_edits_r1_1(content, demo_user, year_period):
    assert save(demo_user("vest"), "R1-1", year_period).version == 1


def test_the_approver_may_edit_any_unit_s_update(content, demo_user, year_period):
    assert save(demo_user("direktor"), "R1-1", year_period).updated_by.username == "direktor"


def test_a_ministry_reader_cannot_edit(content, demo_user, year_period):
    with pytest.raises(PermissionDenied):
        save(demo_user("aid"), "R1-3", year_period)


def test_the_locked_period_is_refused(content, demo_user, h1):
    update = StatusUpdate.objects.get(activity__requirement__code="R1-3", period=h1)
    with pytest.raises(PeriodLockedError, match="2006-H1"):
        save(demo_user("ne"), "R1-3", h1, version=update.version)


def test_ready_return_with_reason_then_approve(content, demo_user, year_period):
    update = save(demo_user("ne"), "R1-3", year_period)
    update = mark_ready(user=demo_user("ne"), update=update)
    assert update.state == WorkflowState.READY
    with pytest.raises(ValidationError):
        return_update(user=demo_user("direktor"), update=update, reason="  ")
    update = return_update(user=demo_user("direktor"), update=update, reason="Mangler tall.")
    assert update.state == WorkflowState.RETURNED
    assert update.return_reason == "Mangler tall."
    update = save(demo_user("ne"), "R1-3", year_period, version=update.version, text="Med tall.")
    update = mark_ready(user=demo_user("ne"), update=update)
    update = approve_update(user=demo_user("direktor"), update=update)
    assert update.state == WorkflowState.APPROVED


def test_an_editor_cannot_approve_or_return(content, demo_user, year_period):
    update = mark_ready(user=demo_user("ne"), update=save(demo_user("ne"), "R1-3", year_period))
    with pytest.raises(PermissionDenied):
        approve_update(user=demo_user("ne"), update=update)
    with pytest.raises(PermissionDenied):
        return_update(user=demo_user("ne"), update=update, reason="Nei")


def test_submitting_needs_every_update_approved_or_explicit(content, demo_user, year_period):
    save(demo_user("ne"), "R1-3", year_period)
    with pytest.raises(ValidationError, match="1"):
        submit_period(user=demo_user("direktor"), period=year_period)
    period = submit_period(
        user=demo_user("direktor"), period=year_period, reason="Sendt inn uten alle svar (test)."
    )
    assert period.state == PeriodState.SUBMITTED
    assert period.submitted_by.username == "direktor"
    assert period.submitted_at is not None
    # The event log also holds the save; the submission is logged exactly once.
    event = PeriodEvent.objects.get(period=period, kind=PeriodEventKind.SUBMITTED)
    assert event.actor.username == "direktor"
    assert event.reason == "Sendt inn uten alle svar (test)."
    with pytest.raises(PeriodLockedError):
        save(demo_user("ne"), "R1-3", period, version=1)


def test_an_editor_cannot_submit_or_reopen(content, demo_user, year_period, h1):
    with pytest.raises(PermissionDenied):
        submit_period(user=demo_user("ne"), period=year_period)
    with pytest.raises(PermissionDenied):
        reopen_period(user=demo_user("ne"), period=h1, reason="Feil")


def test_reopening_needs_a_reason_and_is_recorded(content, demo_user, h1):
    with pytest.raises(ValidationError):
        reopen_period(user=demo_user("direktor"), period=h1, reason="")
    period = reopen_period(user=demo_user("direktor"), period=h1, reason="Feil i tabell 1.")
    assert period.state == PeriodState.OPEN
    event = PeriodEvent.objects.get(period=h1)
    assert (event.kind, event.reason, event.actor.username) == (
        PeriodEventKind.REOPENED,
        "Feil i tabell 1.",
        "direktor",
    )
    update = StatusUpdate.objects.get(activity__requirement__code="R1-3", period=h1)
    assert save(demo_user("ne"), "R1-3", period, version=update.version).version == (
        update.version + 1
    )


def test_narratives_and_indicator_values_follow_the_same_rules(content, demo_user, year_period):
    r13 = activity_of("R1-3").requirement
    narrative = save_requirement_narrative(
        user=demo_user("ne"), requirement=r13, period=year_period, version=0, status="Godt i gang."
    )
    assert narrative.version == 1
    with pytest.raises(PermissionDenied):
        save_requirement_narrative(
            user=demo_user("vest"), requirement=r13, period=year_period, version=1, status="x"
        )
    value = save_indicator_value(
        user=demo_user("ne"),
        indicator=Indicator.objects.get(code="tolkeregister"),
        period=year_period,
        version=0,
        value=Decimal(600),
    )
    assert value.value == Decimal(600)


def test_the_ministry_comments_and_the_directorate_replies(content, demo_user, h1):
    r13 = activity_of("R1-3").requirement
    comment = add_feedback(user=demo_user("aid"), requirement=r13, period=h1, text="Hvorfor?")
    reply = add_feedback(
        user=demo_user("ne"), requirement=r13, period=h1, text="Fordi.", parent=comment
    )
    assert reply.parent == comment
    with pytest.raises(PermissionDenied):
        add_feedback(user=demo_user("ne"), requirement=r13, period=h1, text="Selv")
    assert Feedback.objects.count() == 2


def test_the_ministry_cannot_comment_on_an_open_period(content, demo_user, year_period):
    r13 = activity_of("R1-3").requirement
    with pytest.raises(PermissionDenied):
        add_feedback(user=demo_user("aid"), requirement=r13, period=year_period, text="Hm")
