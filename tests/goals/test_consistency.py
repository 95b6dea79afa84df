"""A requirement whose status contradicts its own indicators or deadlines is flagged, with
the rule that fired, on the requirement page, the approver's page and the control list."""

from datetime import date

import pytest
from django.urls import reverse

from goals.loaders import load_goals_demo
from goals.locking import allow_locked_period_writes
from goals.models import Deliverable, IndicatorValue, ReportingPeriod, StatusUpdate
from goals.selectors import ConsistencyRule, consistency_warnings
from imdi_reporting.services import FIXTURES_DIR


@pytest.fixture
def content(organisation):
    load_goals_demo(directory=FIXTURES_DIR / "goals")
    return ReportingPeriod.objects.get(budget_year__year=2006, kind="H1")


def _fired(period) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for warning in consistency_warnings(period=period):
        found.setdefault(warning.requirement.code, set()).add(warning.rule)
    return found


def test_it_flags_a_not_started_requirement_whose_indicator_has_moved(content):
    warning = next(w for w in consistency_warnings(period=content) if w.requirement.code == "R2-5")
    assert warning.rule == ConsistencyRule.NOT_STARTED_WITH_PROGRESS
    # 139 registered against a target of 100, both from the database.
    assert "139" in warning.message and "100" in warning.message


def test_it_flags_an_on_track_requirement_with_overdue_deliverables(content):
    fired = _fired(content)
    assert fired["R3-2"] == {ConsistencyRule.ON_TRACK_WITH_OVERDUE}
    warning = next(w for w in consistency_warnings(period=content) if w.requirement.code == "R3-2")
    assert "01.04.2006" in warning.message and "01.05.2006" in warning.message


def test_it_takes_a_date_met_as_delivery(content):
    # R3-4's recommendation was sent on its due date; the letter's data says so.
    assert "R3-4" not in _fired(content)
    with allow_locked_period_writes():  # 2006-H1 is submitted; its data, as fixture data
        Deliverable.objects.filter(requirement__code="R3-2").update(met_on=date(2006, 3, 30))
    assert "R3-2" not in _fired(content)


def test_it_flags_an_achieved_requirement_short_of_its_target(content):
    with allow_locked_period_writes():  # 2006-H1 is submitted; its data, as fixture data
        changed = StatusUpdate.objects.filter(
            period=content, activity__requirement__code="R2-5"
        ).update(status="achieved")
    assert changed > 0
    assert "R2-5" not in _fired(content)  # 139 of 100: achieved and above target
    with allow_locked_period_writes():
        IndicatorValue.objects.filter(period=content, indicator__requirement__code="R2-5").update(
            value=60
        )
    assert _fired(content)["R2-5"] == {ConsistencyRule.ACHIEVED_BELOW_TARGET}


def test_it_says_nothing_of_a_period_without_statuses(content):
    year = ReportingPeriod.objects.get(budget_year__year=2006, kind="Y")
    assert consistency_warnings(period=year) == []


@pytest.mark.parametrize(
    "url",
    [
        ("goals:requirement-detail", ["IMDi-2006-H1", "R3-2"]),
        ("goals:approval", ["IMDi-2006-H1"]),
        ("budget:controls", ["IMDi-2006-H1"]),
    ],
)
def test_it_shows_the_rule_that_fired_on_the_pages(content, client_for, url):
    name, args = url
    if name == "budget:controls":
        page = client_for("direktor").get(reverse(name, kwargs={"period": args[0]}))
    else:
        page = client_for("direktor").get(reverse(name, args=args))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Status mot indikatorer og frister" in html
    assert "Regel: «I rute» eller «Oppnådd», men en leveranse er forsinket" in html
    assert "R3-2" in html
