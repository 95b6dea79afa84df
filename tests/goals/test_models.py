"""Invariants held by the database itself."""

import pytest
from django.db import IntegrityError, transaction

from goals.locking import allow_locked_period_writes
from goals.models import (
    Activity,
    Feedback,
    PeriodEvent,
    PriorityItem,
    ResultRequirement,
    SpecialReportingRequirement,
    StatusUpdate,
)


def fails(create) -> bool:
    """Whether the database refuses ``create``. The rows go into the year of the submitted
    2006-H1, so they are written as fixture data (the lock: tests/security)."""
    try:
        with transaction.atomic(), allow_locked_period_writes():
            create()
    except IntegrityError:
        return True
    return False


def test_special_reporting_hangs_under_exactly_one_of_requirement_or_main_goal(content):
    r11 = ResultRequirement.objects.get(code="R1-1")
    year = r11.main_goal.budget_year
    assert fails(
        lambda: SpecialReportingRequirement.objects.create(
            budget_year=year, code="X1", text="x", requirement=r11, main_goal=r11.main_goal
        )
    )
    assert fails(
        lambda: SpecialReportingRequirement.objects.create(budget_year=year, code="X2", text="x")
    )
    assert not fails(
        lambda: SpecialReportingRequirement.objects.create(
            budget_year=year, code="X3", text="x", main_goal=r11.main_goal
        )
    )


def test_an_activity_has_exactly_one_parent(content):
    r11 = ResultRequirement.objects.get(code="R1-1")
    year = r11.main_goal.budget_year
    item = PriorityItem.objects.get(letter="a")
    assert fails(lambda: Activity.objects.create(budget_year=year, position=90, activity="x"))
    assert fails(
        lambda: Activity.objects.create(
            budget_year=year, position=91, activity="x", requirement=r11, priority_item=item
        )
    )
    assert not fails(
        lambda: Activity.objects.create(
            budget_year=year, position=92, activity="x", requirement=r11
        )
    )


def test_one_status_update_per_activity_and_period(content, year_period):
    activity = Activity.objects.get(position=1)
    StatusUpdate.objects.create(activity=activity, period=year_period, status="on_track")
    assert fails(
        lambda: StatusUpdate.objects.create(
            activity=activity, period=year_period, status="achieved"
        )
    )


def test_a_returned_update_has_a_reason(content, year_period):
    activity = Activity.objects.get(position=1)
    assert fails(
        lambda: StatusUpdate.objects.create(
            activity=activity, period=year_period, status="on_track", state="returned"
        )
    )


def test_reopening_is_recorded_with_a_reason(content, h1, demo_user):
    assert fails(
        lambda: PeriodEvent.objects.create(period=h1, kind="reopened", actor=demo_user("direktor"))
    )


def test_requirement_codes_are_unique_per_main_goal(content):
    r11 = ResultRequirement.objects.get(code="R1-1")
    assert fails(
        lambda: ResultRequirement.objects.create(
            main_goal=r11.main_goal, code="R1-1", text="x", responsible_unit=r11.responsible_unit
        )
    )


def test_feedback_is_allowed_on_a_locked_period(content, h1, demo_user):
    requirement = ResultRequirement.objects.get(code="R1-1")
    Feedback.objects.create(requirement=requirement, period=h1, author=demo_user("aid"), text="?")
    assert Feedback.objects.count() == 1


@pytest.mark.parametrize("model", [StatusUpdate, Activity, ResultRequirement])
def test_models_name_their_norwegian_term(model):
    assert ":" in model.__doc__
