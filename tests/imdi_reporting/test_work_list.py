"""The start page as a work list: what waits for the editor, the approver and the ministry."""

import pytest
from django.urls import reverse

from goals.loaders import load_goals_demo
from goals.models import Activity, Feedback, ReportingPeriod, ResultRequirement, StatusUpdate
from goals.services import (
    add_feedback,
    mark_ready,
    return_update,
    save_status_update,
)
from imdi_reporting.services import FIXTURES_DIR


@pytest.fixture
def demo(organisation):
    load_goals_demo(directory=FIXTURES_DIR / "goals")
    return ReportingPeriod.objects.get(kind="Y")


def ne_activity(year):
    return (
        Activity.objects.filter(
            budget_year=year.budget_year, requirement__responsible_unit__code="NE"
        )
        .order_by("position")
        .first()
    )


def test_it_lists_the_editors_unanswered_and_returned_rows_with_the_reason(
    demo, demo_user, client_for
):
    activity = ne_activity(demo)
    update = save_status_update(
        user=demo_user("ne"),
        activity=activity,
        period=demo,
        version=0,
        attainment="Utkast.",
        status="on_track",
    )
    return_update(
        user=demo_user("direktor"),
        update=mark_ready(user=demo_user("ne"), update=update),
        reason="Mangler tall for Oslo.",
    )
    page = client_for("ne").get(reverse("home"))
    work = page.context["work"]
    ne_rows = Activity.objects.filter(
        budget_year=demo.budget_year, requirement__responsible_unit__code="NE"
    ).count()
    assert work.period == demo
    assert [u.activity_id for u in work.returned] == [activity.pk]
    assert activity not in work.unanswered
    assert len(work.unanswered) >= ne_rows - 1
    assert "1 oppdatering returnert til deg" in page.text
    assert "Mangler tall for Oslo." in page.text
    assert reverse("goals:edit-status-update", args=[demo.slug, activity.position]) in page.text


def test_it_shows_the_approver_what_is_ready_by_unit_and_the_completeness(
    demo, demo_user, client_for
):
    activity = ne_activity(demo)
    update = save_status_update(
        user=demo_user("ne"),
        activity=activity,
        period=demo,
        version=0,
        attainment="Ferdig.",
        status="achieved",
    )
    mark_ready(user=demo_user("ne"), update=update)
    page = client_for("direktor").get(reverse("home"))
    work = page.context["work"]
    rows = Activity.objects.filter(budget_year=demo.budget_year).count()
    assert [(i["unit"].code, i["count"]) for i in work.ready_by_unit] == [("NE", 1)]
    assert (work.answered, work.rows) == (1, rows)
    assert "1 oppdatering klar til godkjenning" in page.text
    assert f"1 av {rows} skjemarader er besvart." in page.text
    assert reverse("goals:approval", args=[demo.slug]) in page.text
    assert reverse("goals:submit-check", args=[demo.slug]) in page.text


def test_it_shows_the_ministry_submissions_and_replies_and_comments_awaiting_one(
    demo, demo_user, client_for
):
    h1 = ReportingPeriod.objects.get(kind="H1")
    requirement = ResultRequirement.objects.get(main_goal__budget_year=h1.budget_year, code="R1-1")
    answered = add_feedback(
        user=demo_user("aid"), requirement=requirement, period=h1, text="Hvorfor avvik?"
    )
    add_feedback(
        user=demo_user("direktor"),
        requirement=requirement,
        period=h1,
        text="Færre kommuner sa ja.",
        parent=answered,
    )
    add_feedback(user=demo_user("aid"), requirement=requirement, period=h1, text="Og EM?")
    page = client_for("aid").get(reverse("home"))
    work = page.context["work"]
    assert work.submissions == [h1]
    assert [r.text for r in work.replies] == ["Færre kommuner sa ja."]
    assert [c.text for c in work.awaiting_reply] == ["Og EM?"]
    assert reverse("reports:full", args=[h1.slug]) in page.text
    # The directorate sees the same open comment on its start page.
    approver = client_for("direktor").get(reverse("home")).context["work"]
    assert [c.text for c in approver.awaiting_reply] == ["Og EM?"]
    assert Feedback.objects.count() == 3
    assert not StatusUpdate.objects.filter(period=demo).exists()
