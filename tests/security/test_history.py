"""Complete history: every change of what a report shows is recorded with who, when,
old -> new and the path it came through; authorship is never rewritten; the period's
events are kept for ever."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import ProtectedError
from django.urls import reverse
from rest_framework.test import APIClient

from budget.models import BudgetProfile, Post
from budget.services import save_budget_profile
from goals.history import change_context
from goals.loaders import load_form, load_letter, load_report
from goals.models import (
    Activity,
    ChangeRecord,
    Feedback,
    PeriodEvent,
    ReportingPeriod,
    ResultRequirement,
    StatusUpdate,
)
from goals.services import (
    add_feedback,
    approve_update,
    mark_ready,
    reopen_period,
    save_status_update,
    submit_period,
)
from imdi_reporting.reports.services import take_snapshots
from imdi_reporting.services import FIXTURES_DIR
from settlement.loaders import load_settlement_demo
from settlement.models import SettlementCase
from tests.goals.conftest import FORM, LETTER, REPORT, write


@pytest.fixture
def content(organisation, tmp_path):
    """The small 2006 letter, report (H1, locked) and form of the goals tests."""
    load_letter(path=write(tmp_path, "letter.yaml", LETTER))
    load_report(path=write(tmp_path, "report.yaml", REPORT))
    load_form(path=write(tmp_path, "form.yaml", FORM))


@pytest.fixture
def year_period(organisation) -> ReportingPeriod:
    return ReportingPeriod.objects.get(kind="Y")


def records_of(obj, **filters):
    content_type = ContentType.objects.get_for_model(type(obj))
    return ChangeRecord.objects.filter(content_type=content_type, object_id=obj.pk, **filters)


def bosetting_update(*, user, period, text="Første tekst.", version=0) -> StatusUpdate:
    activity = Activity.objects.get(requirement__code="R1-1")
    return save_status_update(
        user=user, activity=activity, period=period, version=version, attainment=text,
        status="on_track",
    )  # fmt: skip


def test_it_records_a_page_edit_with_user_path_and_old_and_new(content, year_period, client_for):
    client = client_for("vest")
    url = reverse("goals:edit-status-update", args=[year_period.slug, 2])
    form = {"status": "on_track", "attainment": "Fra siden.", "version": 0}
    assert client.post(url, form).status_code == 302
    client.post(url, {**form, "attainment": "Rettet.", "version": 1})

    update = StatusUpdate.objects.get(period=year_period, activity__position=2)
    changes = records_of(update, field="attainment").order_by("pk")
    assert list(changes.values_list("old", "new", "path", "changed_by__username")) == [
        ("", "Fra siden.", "page", "vest"),
        ("Fra siden.", "Rettet.", "page", "vest"),
    ]
    assert {c.requirement.code for c in changes} == {"R1-1"}
    assert changes.first().source == url


def test_it_records_an_api_write_as_the_key_holder(content, year_period, demo_user):
    client = APIClient()
    client.force_authenticate(demo_user("vest"))
    activity = Activity.objects.get(requirement__code="R1-1")
    body = {"activity": activity.pk, "period": "2006", "version": 0, "status": "deviation",
            "attainment": "Fra API."}  # fmt: skip
    assert client.post("/api/goals/status-updates/", body, format="json").status_code == 201

    record = ChangeRecord.objects.get(field="attainment", new="Fra API.")
    assert (record.path, record.changed_by.username) == ("api", "vest")


def test_it_records_year_level_admin_changes_on_the_requirement_page(
    content, year_period, client_for, demo_user
):
    # The half year of the fixtures was submitted before snapshots existed, which locks the
    # year's requirements until its report is opened once and its snapshot stored; from
    # then on the half-year report keeps what it printed and the year's texts may change.
    client = client_for("admin")
    assert client.get(reverse("reports:full", args=["2006-H1"])).status_code == 200
    requirement = ResultRequirement.objects.get(code="R1-3")
    url = reverse("admin:goals_resultrequirement_change", args=[requirement.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields if form.initial.get(name)}
    data.update(
        {
            "text": "Ny tekst for kravet.",
            "deliverables-TOTAL_FORMS": 0,
            "deliverables-INITIAL_FORMS": 0,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]

    record = records_of(requirement, field="text").get()
    assert (record.path, record.changed_by.username, record.period) == ("admin", "admin", None)
    assert record.old.startswith("IMDi skal bidra") and record.new == "Ny tekst for kravet."
    detail = client.get(reverse("goals:requirement-detail", args=[year_period.slug, "R1-3"]))
    assert "Ny tekst for kravet." in detail.content.decode()


def test_it_records_a_period_date_change_and_shows_it_with_the_period(
    content, year_period, client_for
):
    client = client_for("admin")
    url = reverse("admin:goals_reportingperiod_change", args=[year_period.pk])
    data = {
        "budget_year": year_period.budget_year_id,
        "kind": "Y",
        "start": "2006-01-01",
        "end": "2006-12-31",
        "deadline": "2007-03-15",
    }
    assert client.post(url, data).status_code == 302

    record = records_of(year_period, field="deadline").get()
    assert (record.old, record.new, record.path) == ("2007-03-01", "2007-03-15", "admin")
    page = client_for("direktor").get(reverse("goals:approval", args=[year_period.slug]))
    assert "2007-03-15" in page.content.decode()


def test_it_records_a_command_import_with_the_command_as_source(organisation, tmp_path):
    load_settlement_demo(directory=FIXTURES_DIR / "settlement")
    assert not ChangeRecord.objects.exists()  # the demo data is the origin, not a change
    header = (FIXTURES_DIR / "settlement/cases_2006.csv").read_text().splitlines()[0]
    file = tmp_path / "cases.csv"
    file.write_text(
        f"{header}\nKNY1,reception,Somalia,M,1980,FNY1,1,2006-08-01,2006-09-01,,,,,\n",
        encoding="utf-8",
    )
    call_command("import_settlement", str(file), agency="IMDi", stdout=None)

    case = SettlementCase.objects.get(case_key="KNY1")
    created = records_of(case)
    assert set(created.values_list("path", "source", "action")) == {
        ("import", "import_settlement", "created")
    }
    # A new row is one record listing its fields, not one record per field.
    assert "nationality: Somalia" in created.get().new.split("; ")
    assert created.first().anchor == f"settlement.agency:{case.agency_id}"


def test_it_records_bulk_writes_that_send_no_signals(organisation):
    from budget.loaders import load_budget_demo

    load_budget_demo(directory=FIXTURES_DIR / "budget")
    # The half year of the fixtures locks the 2006 budget rows until its snapshot is
    # stored; with it, the year's periodised budget may change for the year report.
    take_snapshots(period=ReportingPeriod.objects.get(kind="H1"))
    post = Post.objects.get(chapter__number="0651", number="60")
    year = ReportingPeriod.objects.get(kind="Y").budget_year
    with change_context(path="command", source="test"):
        save_budget_profile(post=post, budget_year=year, amounts={1: Decimal("1000")})
        save_budget_profile(post=post, budget_year=year, amounts={2: Decimal("2000")})

    profile = BudgetProfile.objects.get(post=post)
    created = records_of(profile, action="created").get()
    assert "amount: 2000" in created.new.split("; ")
    deleted = ChangeRecord.objects.filter(action="deleted", field="amount")
    assert list(deleted.values_list("old", "new", "path")) == [("1000", "", "command")]
    bulk = ChangeRecord.objects.filter(path="command", source="test")
    assert set(bulk.values_list("anchor", flat=True)) == {f"budget.post:{post.pk}"}


def test_it_shows_the_post_history_on_the_post_page(organisation, client_for):
    from budget.loaders import load_budget_demo

    load_budget_demo(directory=FIXTURES_DIR / "budget")
    post = Post.objects.get(chapter__number="0651", number="60")
    client = client_for("admin")
    url = reverse("admin:budget_post_change", args=[post.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["name"] = "Integreringstilskudd, endret"
    assert client.post(url, data).status_code == 302

    page = client_for("direktor").get(
        reverse("budget:post", kwargs={"period": "IMDi-2006", "chapter": "0651", "post": "60"})
    )
    html = page.content.decode()
    assert "Integreringstilskudd, endret" in html and "admin" in html


def test_it_never_rewrites_the_author_of_the_ministrys_feedback(content, client_for, demo_user):
    period = ReportingPeriod.objects.get(kind="H1")
    requirement = ResultRequirement.objects.get(code="R1-3")
    comment = add_feedback(
        user=demo_user("aid"), requirement=requirement, period=period, text="Godt arbeid."
    )
    client = client_for("admin")
    url = reverse("admin:goals_feedback_change", args=[comment.pk])
    form = client.get(url).context["adminform"].form
    assert "author" not in form.fields
    data = {
        "requirement": requirement.pk,
        "period": period.pk,
        "text": "Omskrevet.",
        "parent": "",
        "author": demo_user("admin").pk,
    }
    assert client.post(url, data).status_code == 302

    comment.refresh_from_db()
    assert comment.author.username == "aid"
    record = records_of(comment, field="text", action="changed").get()
    assert (record.old, record.new, record.changed_by.username) == (
        "Godt arbeid.",
        "Omskrevet.",
        "admin",
    )


def test_it_returns_an_approved_update_edited_in_the_admin_to_draft(
    content, year_period, demo_user, client_for
):
    update = bosetting_update(user=demo_user("vest"), period=year_period)
    update = mark_ready(user=demo_user("vest"), update=update)
    approve_update(user=demo_user("direktor"), update=update)
    client = client_for("admin")
    url = reverse("admin:goals_statusupdate_change", args=[update.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["attainment"] = "Endret etter godkjenning."
    assert client.post(url, data).status_code == 302

    update.refresh_from_db()
    assert (update.state, update.attainment) == ("draft", "Endret etter godkjenning.")
    assert update.updated_by.username == "admin"
    assert records_of(update, field="state", path="admin").get().new == "draft"


def test_it_keeps_submission_and_reopening_events_for_ever(
    content, year_period, demo_user, client_for
):
    direktor = demo_user("direktor")
    submit_period(user=direktor, period=year_period, reason="Sendt inn før alle svar (test).")
    submitted_at = ReportingPeriod.objects.get(pk=year_period.pk).submitted_at
    reopen_period(user=direktor, period=year_period, reason="Feil i tabell 1.")

    events = PeriodEvent.objects.filter(period=year_period).order_by("pk")
    assert list(events.values_list("kind", "actor__username")) == [
        ("submitted", "direktor"),
        ("reopened", "direktor"),
    ]
    assert submitted_at is not None and events[0].created_at <= events[1].created_at
    assert ReportingPeriod.objects.get(pk=year_period.pk).submitted_at is None
    client = client_for("admin")
    delete = reverse("admin:goals_periodevent_delete", args=[events[0].pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    with pytest.raises(ProtectedError):
        ReportingPeriod.objects.filter(pk=year_period.pk).delete()
    assert PeriodEvent.objects.filter(period=year_period).count() == 2


def test_it_logs_every_transition_and_transitions_are_not_versions(content, year_period, demo_user):
    vest, direktor = demo_user("vest"), demo_user("direktor")
    update = bosetting_update(user=vest, period=year_period)
    update = mark_ready(user=vest, update=update)
    from goals.services import return_update

    update = return_update(user=direktor, update=update, reason="Mangler tall.")
    update = mark_ready(user=vest, update=update)
    update = approve_update(user=direktor, update=update)
    submit_period(user=direktor, period=year_period, reason="Resten kommer senere.")
    reopen_period(user=direktor, period=year_period, reason="Ny runde.")

    events = PeriodEvent.objects.filter(period=year_period).order_by("pk")
    assert list(events.values_list("kind", "actor__username", "reason")) == [
        ("saved", "vest", ""),
        ("ready", "vest", ""),
        ("returned", "direktor", "Mangler tall."),
        ("ready", "vest", ""),
        ("approved", "direktor", ""),
        ("submitted", "direktor", "Resten kommer senere."),
        ("reopened", "direktor", "Ny runde."),
    ]
    assert events[0].subject == "R1-1, rad 2"
    update.refresh_from_db()
    assert (update.version, update.updated_by.username) == (1, "vest")


def test_it_records_deletions_with_the_old_values(content, demo_user):
    comment = Feedback.objects.create(
        requirement=ResultRequirement.objects.get(code="R1-3"),
        period=ReportingPeriod.objects.get(kind="H1"),
        author=demo_user("aid"),
        text="Slettes.",
    )
    with change_context(path="command", user=demo_user("admin"), source="shell"):
        comment.delete()
    record = ChangeRecord.objects.get(action="deleted", field="text")
    assert (record.old, record.new, record.changed_by.username, record.path) == (
        "Slettes.",
        "",
        "admin",
        "command",
    )
