"""A new year from last year: the 2006 demo becomes 2007 without touching 2006."""

from datetime import date
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from goals.locking import allow_locked_period_writes
from goals.models import (
    Activity,
    Agency,
    BudgetYear,
    CacheGeneration,
    ChangeRecord,
    Deliverable,
    Indicator,
    IndicatorValue,
    MainGoal,
    OtherReportingTopic,
    PriorityArea,
    PriorityItem,
    ReportingPeriod,
    RequirementNarrative,
    ResultRequirement,
    SpecialReportingRequirement,
    StatisticalTable,
    StatusUpdate,
)
from goals.selectors import new_year_preview, next_year_source, one_year_later
from goals.services import create_next_year
from imdi_reporting.services import demo_steps
from tests.conftest import kept_for_the_module

LETTER_DATE = date(2007, 1, 20)


@pytest.fixture(scope="module")
def year_2006_kept(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        dict(demo_steps())["goals content"]()
        yield


@pytest.fixture
def year_2006(year_2006_kept, organisation):
    """The IMDi 2006 demo: letter, half-year report and reporting form (loaded once for the
    module)."""
    return BudgetYear.objects.select_related("agency").get(agency__code="IMDi", year=2006)


def create_2007(year_2006) -> BudgetYear:
    return create_next_year(budget_year=year_2006, allocation_letter_date=LETTER_DATE)


def _unit(unit) -> str | None:
    return unit.code if unit else None


def letter_and_form(budget_year: BudgetYear) -> dict[str, list[tuple]]:
    """A year's content by codes and texts, without ids, so that two years compare."""
    of_year = {"budget_year": budget_year}
    return {
        "main goals": [(g.code, g.title, g.position) for g in MainGoal.objects.filter(**of_year)],
        "requirements": [
            (r.main_goal.code, r.code, r.text, r.responsible_unit.code, r.position)
            for r in ResultRequirement.objects.filter(main_goal__budget_year=budget_year)
        ],
        "priority areas": [
            (a.position, a.title, _unit(a.responsible_unit))
            for a in PriorityArea.objects.filter(**of_year)
        ],
        "priority items": [
            (i.area.position, i.letter, i.text)
            for i in PriorityItem.objects.filter(area__budget_year=budget_year)
        ],
        "special reporting": [
            (s.code, s.text, str(s.requirement or s.main_goal), _unit(s.responsible_unit))
            for s in SpecialReportingRequirement.objects.filter(**of_year)
        ],
        "other reporting": [
            (t.code, t.title, t.text, _unit(t.responsible_unit), t.position)
            for t in OtherReportingTopic.objects.filter(**of_year)
        ],
        "activities": [
            (a.position, a.parent_key, a.activity, a.indicator_text)
            for a in Activity.objects.filter(**of_year)
        ],
        "indicators": [
            (
                i.code,
                i.parent_key,
                i.activity.position if i.activity else None,
                i.name,
                i.unit,
                i.target,
                i.direction,
                i.baseline,
                i.baseline_text,
                i.note,
            )
            for i in Indicator.objects.filter(**of_year)
        ],
    }


def dump_of_everything() -> dict[str, list[dict]]:
    """Every row of every goals model, by primary key (but the cache generation, which
    every write replaces)."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("goals").get_models()
        if model is not CacheGeneration
    }


def test_the_2006_demo_becomes_2007_with_the_same_letter_and_form(year_2006):
    year_2007 = create_2007(year_2006)

    before, after = letter_and_form(year_2006), letter_and_form(year_2007)
    assert after == before
    assert len(after["requirements"]) == 16
    assert len(after["activities"]) == Activity.objects.filter(budget_year=year_2006).count()
    assert (year_2007.allocation_letter_date, year_2007.vision) == (
        LETTER_DATE,
        "Like muligheter og like levekår i et flerkulturelt samfunn",
    )
    assert year_2007.allocation_letter_reference == "200503237-/LOP"


def test_the_2007_form_rows_hang_under_2007_objects_only(year_2006):
    year_2007 = create_2007(year_2006)

    rows = Activity.objects.filter(budget_year=year_2007)
    assert not rows.exclude(requirement=None).exclude(requirement__main_goal__budget_year=year_2007)
    assert not rows.exclude(special=None).exclude(special__budget_year=year_2007)
    assert not rows.exclude(other_topic=None).exclude(other_topic__budget_year=year_2007)
    assert not rows.exclude(priority_item=None).exclude(priority_item__area__budget_year=year_2007)
    indicators = Indicator.objects.filter(budget_year=year_2007)
    assert not indicators.exclude(activity=None).exclude(activity__budget_year=year_2007)


def test_the_2007_periods_are_open_and_a_year_later(year_2006):
    year_2007 = create_2007(year_2006)

    periods = ReportingPeriod.objects.filter(budget_year=year_2007).order_by("end")
    assert [(p.slug, p.start, p.end, p.deadline, p.state) for p in periods] == [
        ("IMDi-2007-H1", date(2007, 1, 1), date(2007, 6, 30), date(2007, 8, 15), "open"),
        ("IMDi-2007", date(2007, 1, 1), date(2007, 12, 31), date(2008, 3, 1), "open"),
    ]
    assert all(p.submitted_at is None and p.submitted_by is None for p in periods)


def test_a_period_ending_on_29_february_ends_on_28_february_next_year(organisation):
    year_2008 = BudgetYear.objects.create(
        agency=Agency.objects.get(code="IMDi"), year=2008, allocation_letter_date=date(2008, 1, 2)
    )
    ReportingPeriod.objects.create(
        budget_year=year_2008,
        kind="Y",
        start=date(2008, 1, 1),
        end=date(2008, 12, 31),
        deadline=date(2009, 2, 28),
    )
    ReportingPeriod.objects.create(
        budget_year=year_2008,
        kind="T1",
        start=date(2008, 1, 1),
        end=date(2008, 2, 29),
        deadline=date(2008, 3, 15),
    )

    year_2009 = create_next_year(budget_year=year_2008, allocation_letter_date=date(2009, 1, 5))

    periods = ReportingPeriod.objects.filter(budget_year=year_2009).order_by("end")
    assert [(p.kind, p.start, p.end, p.deadline) for p in periods] == [
        ("T1", date(2009, 1, 1), date(2009, 2, 28), date(2009, 3, 15)),
        ("Y", date(2009, 1, 1), date(2009, 12, 31), date(2010, 2, 28)),
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2006, 8, 15), date(2007, 8, 15)),
        (date(2006, 6, 30), date(2007, 6, 30)),
        (date(2008, 2, 29), date(2009, 2, 28)),
        (date(2007, 2, 28), date(2008, 2, 29)),
        (date(2007, 2, 27), date(2008, 2, 27)),
    ],
)
def test_a_date_a_year_later_keeps_the_end_of_the_month(day, expected):
    assert one_year_later(day) == expected


def test_the_settlement_requirement_maps_to_2007_r1_1(year_2006):
    year_2007 = create_2007(year_2006)

    assert year_2006.settlement_requirement.code == "R1-1"
    assert year_2007.settlement_requirement.code == "R1-1"
    assert year_2007.settlement_requirement.main_goal.budget_year == year_2007


def test_indicator_targets_are_carried_and_their_dates_move_with_the_year(year_2006):
    year_2007 = create_2007(year_2006)

    tolk = Indicator.objects.get(budget_year=year_2007, code="tolkeregister")
    assert (tolk.target, tolk.target_date) == (650, date(2007, 12, 31))


def test_deliverables_and_period_data_are_not_carried(year_2006):
    year_2007 = create_2007(year_2006)

    assert Deliverable.objects.filter(requirement__main_goal__budget_year=year_2006).exists()
    assert not Deliverable.objects.filter(requirement__main_goal__budget_year=year_2007).exists()
    in_2007 = {"period__budget_year": year_2007}
    for model in (StatusUpdate, RequirementNarrative, IndicatorValue, StatisticalTable):
        assert not model.objects.filter(**in_2007).exists(), model.__name__


def test_nothing_in_2006_changes(year_2006):
    before = dump_of_everything()

    create_2007(year_2006)

    after = dump_of_everything()
    for name, rows in before.items():
        kept = {row["id"] for row in rows}
        assert [row for row in after[name] if row["id"] in kept] == rows, name


def test_an_existing_2007_is_refused_without_adding_anything(year_2006):
    BudgetYear.objects.create(
        agency=year_2006.agency, year=2007, allocation_letter_date=LETTER_DATE
    )
    before = dump_of_everything()

    with pytest.raises(ValidationError, match="IMDi 2007"):
        create_2007(year_2006)

    assert dump_of_everything() == before


def test_a_2007_created_meanwhile_is_refused_too(organisation, monkeypatch):
    """Two requests at once: both previews saw no 2007, the unique year stops the second."""
    year_2006 = BudgetYear.objects.select_related("agency").get(year=2006)
    seen_before = next_year_source(budget_year=year_2006)
    BudgetYear.objects.create(
        agency=year_2006.agency, year=2007, allocation_letter_date=LETTER_DATE
    )
    monkeypatch.setattr("goals.rollover.next_year_source", lambda budget_year: seen_before)

    with pytest.raises(ValidationError, match="IMDi 2007"):
        create_2007(year_2006)
    assert not ReportingPeriod.objects.filter(budget_year__year=2007).exists()


def test_creating_twice_is_refused(year_2006):
    create_2007(year_2006)
    with pytest.raises(ValidationError):
        create_2007(year_2006)
    assert BudgetYear.objects.filter(year=2007).count() == 1


def _add_activities(budget_year: BudgetYear, count: int) -> None:
    requirement = ResultRequirement.objects.get(main_goal__budget_year=budget_year, code="R1-1")
    last = Activity.objects.filter(budget_year=budget_year).order_by("-position").first().position
    with allow_locked_period_writes():  # 2006-H1 is submitted; the setup grows its year
        Activity.objects.bulk_create(
            Activity(budget_year=budget_year, requirement=requirement, position=last + i)
            for i in range(1, count + 1)
        )


# Reads: whether 2007 exists, main goals, requirements, priority areas, priority items,
# special reporting, other reporting, activities, indicators, periods, the number of
# deliverables (11). Writes: savepoint and release around the service (2), and around the
# budget year's insert (2) with the insert itself (1); one bulk insert per kind: main goals,
# requirements, priority areas, priority items, special reporting, other reporting,
# activities, indicators, periods (9); the settlement requirement's update (1). The lock
# (goals.locking) asks whether the new year has a submitted period once per bulk insert of a
# year's rows (8: main goals, requirements, priority areas, priority items, special and other
# reporting, activities, indicators), once more for requirements and priority items to find
# their year (2), and for the budget year's update (1). The agency's cache generation is
# retired by the budget year's insert and by the settlement requirement's update (2).
# Besides these, the history: per kind created (10) one content type and one insert of its
# records (in batches of 1000), and one for the year's settlement requirement; the agency
# that names the new year, the special reporting of the new activities, the year as
# stored before the settlement requirement is set and the requirement that names it (4).
CREATE_QUERIES = 39
HISTORY_KINDS = 10
HISTORY_READS = 4


@pytest.mark.parametrize("extra", [0, 150])
def test_creating_runs_as_many_queries_whatever_the_size(year_2006, extra):
    _add_activities(year_2006, extra)

    with CaptureQueriesContext(connection) as queries:
        year_2007 = create_2007(year_2006)

    history = [q for q in queries if "goals_changerecord" in q["sql"]]
    lookups = [q for q in queries if "django_content_type" in q["sql"]]
    # On PostgreSQL each question the lock asks about the year first reads the year's
    # periods FOR SHARE, so that a submission in flight waits (9: the 8 bulk inserts and
    # the budget year's update).
    shares = [q for q in queries if "FOR SHARE" in q["sql"]]
    assert len(shares) == (9 if connection.vendor == "postgresql" else 0)
    assert (
        len(queries) - len(history) - len(lookups) - len(shares) == CREATE_QUERIES + HISTORY_READS
    )
    assert len(lookups) <= HISTORY_KINDS
    created = ChangeRecord.objects.filter(action="created").values("content_type")
    per_kind = [row["n"] for row in created.annotate(n=Count("pk"))]
    assert len(per_kind) == HISTORY_KINDS
    assert len(history) == sum(-(-n // 1000) for n in per_kind) + 1

    assert (
        Activity.objects.filter(budget_year=year_2007).count()
        == Activity.objects.filter(budget_year=year_2006).count()
    )


def test_the_preview_lists_what_will_be_created(year_2006):
    with translation.override("en"):
        preview = new_year_preview(source=next_year_source(budget_year=year_2006))

    codes = {kind.label: kind.codes for kind in preview["kinds"]}
    assert codes["Main goals"] == ["HM1", "HM2", "HM3"]
    assert len(codes["Result requirements"]) == 16
    assert codes["Priority items"] == ["a", "b", "c"]
    assert [p.slug for p in preview["periods"]] == ["IMDi-2007-H1", "IMDi-2007"]
    assert preview["settlement_requirement"] == "R1-1"
    assert preview["deliverables_left"] == Deliverable.objects.count()
    assert {"code": "tolkeregister", "target_date": date(2007, 12, 31)}.items() <= next(
        p for p in preview["target_proposals"] if p["code"] == "tolkeregister"
    ).items()
    assert not BudgetYear.objects.filter(year=2007).exists()


def run(*args: str) -> str:
    out = StringIO()
    call_command("create_next_year", *args, stdout=out)
    return out.getvalue()


def test_the_command_creates_2007(year_2006):
    output = run("--agency", "IMDi", "--year", "2006", "--letter-date", "2007-01-20")

    assert "Result requirements: 16 (R1-1, " in output
    assert "IMDi-2007-H1: 2007-01-01 to 2007-06-30, deadline 2007-08-15" in output
    assert "Created IMDi 2007." in output
    assert BudgetYear.objects.get(year=2007).allocation_letter_date == LETTER_DATE


def test_the_command_dry_run_prints_the_preview_and_creates_nothing(year_2006):
    before = dump_of_everything()

    output = run("--agency", "IMDi", "--year", "2006", "--dry-run")

    assert "IMDi 2007 from 2006:" in output
    assert "Main goals: 3 (HM1, HM2, HM3)" in output
    assert "Settlement figures under R1-1" in output
    assert "Target proposed for tolkeregister: 650" in output
    assert "Dry run: nothing was created." in output
    assert dump_of_everything() == before


def test_the_command_refuses_without_agency_when_there_are_several(year_2006):
    Agency.objects.create(
        code="UDI", name="Utlendingsdirektoratet", ministry=year_2006.agency.ministry
    )

    with pytest.raises(CommandError, match="Several agencies"):
        run("--year", "2006", "--letter-date", "2007-01-20")
    assert not BudgetYear.objects.filter(year=2007).exists()


def test_the_command_refuses_an_existing_year(year_2006):
    run("--agency", "IMDi", "--letter-date", "2007-01-20")

    with pytest.raises(CommandError, match="IMDi 2007 already exists"):
        run("--agency", "IMDi", "--year", "2006", "--letter-date", "2007-01-20")


def test_the_command_asks_for_the_letter_date(year_2006):
    with pytest.raises(CommandError, match="--letter-date"):
        run("--agency", "IMDi")
    assert not BudgetYear.objects.filter(year=2007).exists()


URL = "/resultatkrav/nytt-ar/"


def test_the_page_previews_2007_for_the_approver(year_2006, client_for, django_assert_num_queries):
    client = client_for("direktor")
    client.get(URL)
    # session, user, profile, user and group permissions (2), latest budget year, then the
    # preview's 11 reads.
    with django_assert_num_queries(17):
        page = client.get(URL)

    assert page.status_code == 200
    assert "IMDi 2007" in page.text
    assert "IMDi-2007-H1" in page.text
    assert "tolkeregister" in page.text
    assert 'type="date"' in page.text


def test_the_approver_creates_2007_on_the_page(year_2006, client_for):
    client = client_for("direktor")

    response = client.post(URL, {"allocation_letter_date": "2007-01-20"})

    assert response.status_code == 302
    assert response.url == reverse("goals:requirement-list") + "?periode=IMDi-2007-H1"
    assert BudgetYear.objects.get(year=2007).allocation_letter_date == LETTER_DATE
    page = client.get(response.url)
    assert "IMDi 2007 er opprettet fra IMDi 2006." in page.text
    assert "R1-1" in page.text


def test_the_page_without_a_letter_date_creates_nothing(year_2006, client_for):
    page = client_for("direktor").post(URL, {"allocation_letter_date": ""})

    assert page.status_code == 200
    assert not BudgetYear.objects.filter(year=2007).exists()


def test_the_administrator_may_open_the_page(year_2006, client_for):
    assert client_for("admin").get(URL).status_code == 200


@pytest.mark.parametrize("username", ["ne", "aid"])
def test_the_page_is_forbidden_to_editors_and_the_ministry(year_2006, client_for, username):
    client = client_for(username)

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"allocation_letter_date": "2007-01-20"}).status_code == 403
    assert not BudgetYear.objects.filter(year=2007).exists()


def test_the_approval_page_links_to_the_new_year(year_2006, client_for):
    approval = reverse("goals:approval", args=["IMDi-2006"])

    assert reverse("goals:new-year") == URL
    assert f'href="{URL}"' in client_for("direktor").get(approval).text
