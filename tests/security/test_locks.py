"""Probes of the lock: every model a submitted report prints, tried through every path
against the submitted 2006-H1 report, changes nothing (a checksum of every table of goals,
budget and settlement before and after). The models come from the app registry, so a new
model fails here until it is locked or named free with a reason.

The rows of the budget year (YearLock) are versioned: they are locked while 2006-H1 has no
snapshot of its submission (the demo's H1 was submitted before snapshots existed) and once
the year report is submitted; the probes run in both states. Between the two, with H1's
snapshot stored and the year report open, they accept changes for the year report."""

import csv
import json
import re
import threading
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, models, transaction
from django.forms.models import model_to_dict
from django.urls import reverse

from goals.loaders import load_goals_demo
from goals.lock_admin import LockedAdminMixin, LockedInlineMixin, lock_error
from goals.locking import (
    LOCKS,
    DatedLock,
    Guarded,
    GuardedQuerySet,
    OwnPeriodLock,
    PeriodLock,
    YearLock,
    settlement_lock_ends,
)
from goals.models import (
    Agency,
    ChangeRecord,
    IndicatorValue,
    ReportingPeriod,
    StatusUpdate,
)
from goals.services import (
    approve_update,
    save_requirement_narrative,
    save_status_update,
    submit_period,
)
from imdi_reporting.reports.services import take_snapshots
from imdi_reporting.services import FIXTURES_DIR
from settlement.models import SettlementCase
from tests.security.conftest import GUARDED_APPS, checksum

# Models of the three apps that no report freezes, and why.
FREE = {
    "goals.ministry": "the ministry's code and name, not part of a period",
    "goals.agency": "the agency's settings, not part of a period",
    "goals.organisationalunit": "the agency's units, the same in every year",
    "goals.userprofile": "where a user works",
    "goals.feedback": "the ministry comments on a submitted report by design",
    "goals.changerecord": "the history of changes, written by the writes themselves",
    "goals.periodevent": "the history of submissions and reopenings",
    "goals.notification": "notifications of the workflow, submission and reopening included",
    "goals.cachegeneration": "a key of cached roll-ups, replaced by every write",
    "budget.chapter": "the agency's chapters, the same in every year",
    "budget.post": "the agency's posts, the same in every year",
    "budget.subpost": "the agency's sub-posts, the same in every year",
    "settlement.county": "the national list of counties",
    "settlement.municipality": "the national list of municipalities",
    "settlement.stockchange": "derived from the cases (locked) by the database's triggers",
}
LOCKED_STATES = ("submitted", "locked")


def guarded_models() -> list[type[models.Model]]:
    return [
        model
        for app in GUARDED_APPS
        for model in apps.get_app_config(app).get_models()
        if model._meta.label_lower not in FREE
    ]


def test_it_locks_every_model_of_the_apps_or_names_why_not():
    for app in GUARDED_APPS:
        for model in apps.get_app_config(app).get_models():
            label = model._meta.label_lower
            assert (label in LOCKS) != (label in FREE), f"{label}: lock it or name it free"
    for model in guarded_models():
        assert issubclass(model, Guarded), model
        assert isinstance(model._default_manager.all(), GuardedQuerySet), model
        model_admin = admin.site._registry.get(model)
        if model_admin is not None:
            assert isinstance(model_admin, LockedAdminMixin), model
            for inline in model_admin.inlines:
                if inline.model._meta.label_lower in LOCKS:
                    assert issubclass(inline, LockedInlineMixin), inline


def locked_row(model):
    """A row of the demo that the submitted 2006-H1 report printed or counted."""
    rule = LOCKS[model._meta.label_lower]
    queryset = model._base_manager.order_by("pk")
    if isinstance(rule, PeriodLock):
        queryset = queryset.filter(**{f"{rule.path}__state__in": LOCKED_STATES})
    elif isinstance(rule, YearLock):
        prefix = "" if rule.path == "pk" else f"{rule.path}__"
        queryset = queryset.filter(**{f"{prefix}periods__state__in": LOCKED_STATES})
    elif isinstance(rule, DatedLock):
        ends = settlement_lock_ends(Agency.objects.values_list("pk", flat=True))
        queryset = queryset.filter(rule.locked_q(ends))
    else:
        assert isinstance(rule, OwnPeriodLock)
        queryset = queryset.filter(state__in=LOCKED_STATES)
    # A year's appropriation dated after the submitted period is not locked: skip those.
    return next((obj for obj in queryset[:50] if lock_error(obj) is not None), None)


def mutation(obj, *, keep: tuple[str, ...] = ()) -> tuple[str, object]:
    """The first plain field of ``obj`` (not one of ``keep``) and a different value for it."""
    for field in obj._meta.concrete_fields:
        if field.name in keep or field.primary_key or field.is_relation or field.choices:
            continue
        if not field.editable:
            continue
        value = getattr(obj, field.attname)
        if isinstance(field, (models.CharField, models.TextField)) and value:
            return field.name, value[:-1] + ("X" if value[-1] != "X" else "Y")
        if isinstance(field, (models.IntegerField, models.DecimalField)) and value is not None:
            return field.name, value + (Decimal(1) if isinstance(value, Decimal) else 1)
        if isinstance(field, models.DateField) and value is not None:
            return field.name, value + timedelta(days=1)
    raise AssertionError(f"{obj._meta.label}: no field to change")


def copy_of(obj):
    """A new row like ``obj`` (in the same period, year or dates), for the add paths."""
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    values[obj._meta.pk.attname] = None
    copy = type(obj)(**values)
    rule = LOCKS[obj._meta.label_lower]
    name, value = mutation(copy, keep=(rule.dated_by,) if isinstance(rule, DatedLock) else ())
    setattr(copy, name, value)
    return copy


def may_be_created(model) -> bool:
    # A new period or budget year is no part of a submitted report.
    rule = LOCKS[model._meta.label_lower]
    return isinstance(rule, OwnPeriodLock) or (isinstance(rule, YearLock) and rule.path == "pk")


def orm_probes(model, obj):
    name, value = mutation(obj)
    rows = model.objects.filter(pk=obj.pk)

    def changed():
        fresh = model.objects.get(pk=obj.pk)
        setattr(fresh, name, value)
        return fresh

    yield "save", lambda: changed().save()
    yield "delete", lambda: model.objects.get(pk=obj.pk).delete()
    yield "QuerySet.update", lambda: rows.update(**{name: value})
    yield "QuerySet.delete", lambda: rows.delete()
    yield "bulk_update", lambda: model.objects.bulk_update([changed()], [name])
    if not may_be_created(model):
        yield "create", lambda: copy_of(obj).save()
        yield "bulk_create", lambda: model.objects.bulk_create([copy_of(obj)])


def try_orm_probes(models) -> tuple[list, list]:
    """Every ORM probe against each model's locked row: (model, path) of those tried and
    of those the guard let through."""
    tried, accepted = [], []
    for model in models:
        obj = locked_row(model)
        if obj is None:
            continue
        for path, probe in orm_probes(model, obj):
            tried.append((model._meta.label_lower, path))
            try:
                probe()
            except ValidationError:
                continue
            accepted.append(tried[-1])
    return tried, accepted


# The states in which the year's rows are locked, and the report a refusal names.
LOCKED_YEAR = {
    # 2006-H1 as the demo loads it: submitted before snapshots existed.
    "half-year-without-snapshot": "2006-H1",
    # 2006-H1 with its snapshot, and the year report IMDi-2006 submitted too.
    "year-report-submitted": "IMDi-2006",
}


@pytest.fixture(params=list(LOCKED_YEAR))
def locked_year(request, demo, demo_user) -> str:
    if request.param == "year-report-submitted":
        take_snapshots(period=ReportingPeriod.objects.get(kind="H1"))
        submit_period(
            user=demo_user("direktor"),
            period=ReportingPeriod.objects.get(kind="Y"),
            reason="Sendt inn uten alle svar (test).",
        )
    return LOCKED_YEAR[request.param]


def test_it_refuses_every_orm_write_to_what_a_submitted_report_printed(locked_year):
    before = checksum()
    tried, accepted = try_orm_probes(guarded_models())
    assert accepted == []
    assert checksum() == before
    # Every guarded model has rows in the demo's submitted report, and each was tried.
    assert {label for label, _path in tried} == {m._meta.label_lower for m in guarded_models()}
    assert len(tried) >= 7 * len(guarded_models()) - 2 * 2


def test_it_says_why_a_locked_row_cannot_change(demo):
    update = locked_row(apps.get_model("goals", "StatusUpdate"))
    update.attainment = "Endret"
    with pytest.raises(ValidationError, match=r"IMDi-2006-H1.*09\.08\.2006"):
        update.save()
    requirement = locked_row(apps.get_model("goals", "ResultRequirement"))
    with pytest.raises(ValidationError, match=r"IMDi-2006-H1"):
        requirement.delete()
    case = locked_row(apps.get_model("settlement", "SettlementCase"))
    case.nationality = "Annen"
    with pytest.raises(ValidationError, match=rf"{case.case_key}.*30\.06\.2006.*IMDi-2006-H1"):
        case.save()


def management_data(page: str) -> dict[str, str]:
    pattern = r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)" value="(\d+)"'
    return dict(re.findall(pattern, page))


def form_data(obj) -> dict[str, str]:
    data = {}
    for name, value in model_to_dict(obj).items():
        if value is None or name == obj._meta.pk.name:
            continue
        if isinstance(value, (list, dict)):
            value = json.dumps(value)
        elif isinstance(value, bool):
            value = "on" if value else ""
        data[name] = str(value)
    return data


def test_it_refuses_every_admin_path_to_what_a_submitted_report_printed(locked_year, client_for):
    client = client_for("admin")
    before = checksum()
    for model in guarded_models():
        if model not in admin.site._registry:
            continue
        obj = locked_row(model)
        opts = model._meta
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        page = client.get(change)
        assert page.status_code == 200, change
        assert locked_year in page.text, change
        name, value = mutation(obj)
        assert f'name="{name}"' not in page.text, change
        data = {**form_data(obj), name: str(value)}
        assert client.post(change, data).status_code == 403, change
        delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403, delete
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        action = {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        # Refused with the reason (302 back to the list), as forbidden (403), or, for a row
        # that protects others, by the confirmation page (200); never deleted.
        assert client.post(changelist, action).status_code in (200, 302, 403), changelist
        assert model._base_manager.filter(pk=obj.pk).exists(), changelist
        if may_be_created(model):
            continue
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        copy = copy_of(obj)
        added = client.post(add, {**management_data(client.get(add).text), **form_data(copy)})
        assert added.status_code == 200, add
        assert locked_year in added.text, add
    assert checksum() == before


# Fields that name a row among its siblings (unique together with its year or parent): the
# probe below changes another field, so that the change itself is harmless.
IDENTIFYING = ("year", "month", "position", "code", "number", "letter")


def test_it_lets_the_year_rows_change_once_the_half_year_keeps_its_snapshot(demo):
    """2006-H1's report keeps what it printed in its snapshot, so the rows of the year take
    changes for the open year report; everything else the half year printed stays locked."""
    take_snapshots(period=ReportingPeriod.objects.get(kind="H1"))
    before = checksum()
    year_models = [m for m in guarded_models() if type(LOCKS[m._meta.label_lower]) is YearLock]
    assert len(year_models) >= 9
    for model in year_models:
        assert locked_row(model) is None, model
        rule = LOCKS[model._meta.label_lower]
        prefix = "" if rule.path == "pk" else f"{rule.path}__"
        obj = model._base_manager.filter(**{f"{prefix}periods__kind": "H1"}).first()
        name, value = mutation(obj, keep=IDENTIFYING)
        setattr(obj, name, value)
        obj.save()
    others = [m for m in guarded_models() if m not in year_models]
    tried, accepted = try_orm_probes(others)
    assert accepted == []
    assert {label for label, _path in tried} == {m._meta.label_lower for m in others}
    after = checksum()
    changed = {label for label in before if before[label] != after[label]}
    assert changed - {"goals.changerecord", "goals.cachegeneration"} == {
        m._meta.label_lower for m in year_models
    }


def settled_in_h1() -> int:
    return SettlementCase.objects.filter(
        agency__code="IMDi", settled_date__range=(date(2006, 1, 1), date(2006, 6, 30))
    ).count()


def case_file(tmp_path, change) -> str:
    """The demo's case file with ``change`` applied to its rows (dicts of strings)."""
    source = FIXTURES_DIR / "settlement" / "cases_2006.csv"
    with source.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows, fields = list(reader), reader.fieldnames
    change(rows)
    path = tmp_path / "cases.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def test_it_keeps_the_submitted_1_813_settled_through_import_settlement(demo, tmp_path):
    assert settled_in_h1() == 1813
    before = checksum()

    def unsettle_one(rows):
        row = next(r for r in rows if "2006-01-01" <= r["settled_date"] <= "2006-06-30")
        row["settled_date"] = ""

    with pytest.raises(CommandError, match=r"30\.06\.2006.*IMDi-2006-H1"):
        call_command("import_settlement", case_file(tmp_path, unsettle_one), agency="IMDi")
    assert settled_in_h1() == 1813
    assert checksum() == before


def test_it_still_takes_settlement_data_dated_after_the_submitted_period(demo, tmp_path):
    open_case = SettlementCase.objects.filter(
        agency__code="IMDi",
        settled_date__isnull=True,
        ready_date__isnull=False,
        municipality__isnull=False,
        permit_date__lte=date(2006, 6, 30),
    ).first()

    def settle_in_august_and_add_one(rows):
        row = next(r for r in rows if r["case_key"] == open_case.case_key)
        row["settled_date"] = "2006-08-15"
        rows.append(
            {
                **row,
                "case_key": "KNYSAK0001",
                "permit_date": "2006-07-10",
                "ready_date": "2006-07-20",
                "searched_out_date": "",
                "settled_date": "",
            }
        )

    out = StringIO()
    path = case_file(tmp_path, settle_in_august_and_add_one)
    call_command("import_settlement", path, agency="IMDi", stdout=out)
    assert "1 created, 1 updated" in out.getvalue()
    open_case.refresh_from_db()
    assert open_case.settled_date == date(2006, 8, 15)
    assert settled_in_h1() == 1813


def test_it_refuses_the_services_and_the_api_in_a_submitted_period(demo, api_for, demo_user):
    before = checksum()
    h1 = ReportingPeriod.objects.get(budget_year__agency__code="IMDi", kind="H1")
    update = StatusUpdate.objects.filter(period=h1).select_related("activity").first()
    direktor = demo_user("direktor")
    probes = [
        lambda: save_status_update(
            user=direktor,
            activity=update.activity,
            period=h1,
            version=update.version,
            attainment="Endret",
            status=update.status,
        ),
        lambda: approve_update(user=direktor, update=update),
        lambda: save_requirement_narrative(
            user=direktor,
            requirement=update.activity.requirement,
            period=h1,
            version=0,
            status="Ny",
        ),
    ]
    for probe in probes:
        with pytest.raises(ValidationError):
            probe()
    client = api_for("direktor")
    body = {"version": update.version, "status": update.status, "attainment": "Endret"}
    assert (
        client.put(f"/api/goals/status-updates/{update.pk}/", body, format="json").status_code
        == 423
    )
    value = IndicatorValue.objects.filter(period=h1).first()
    body = {"version": value.version, "value": "1"}
    assert (
        client.put(f"/api/goals/indicator-values/{value.pk}/", body, format="json").status_code
        == 423
    )
    assert checksum() == before


def test_it_still_takes_edits_of_the_open_year_report(demo, demo_user):
    year_report = ReportingPeriod.objects.get(budget_year__agency__code="IMDi", kind="Y")
    activity = StatusUpdate.objects.filter(period__kind="H1").first().activity
    saved = save_status_update(
        user=demo_user("direktor"),
        activity=activity,
        period=year_report,
        version=0,
        attainment="Skrevet i årsrapporten",
        status="on_track",
    )
    assert saved.attainment == "Skrevet i årsrapporten"


@pytest.mark.django_db(transaction=True)
def test_it_lets_no_edit_in_after_a_submission_it_raced(organisation, demo_user):
    """The submission holds the period row FOR UPDATE until it commits; an edit that started
    with the period open waits for it, then reads it submitted and is refused."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time")
    load_goals_demo(directory=FIXTURES_DIR / "goals")
    year_report = ReportingPeriod.objects.get(budget_year__agency__code="IMDi", kind="Y")
    activity = StatusUpdate.objects.filter(period__kind="H1").first().activity
    direktor = demo_user("direktor")
    submitted, go, outcome = threading.Event(), threading.Event(), {}

    def submit():
        try:
            with transaction.atomic():
                submit_period(
                    user=direktor, period=year_report, reason="Samtidig innsending (test)."
                )
                submitted.set()
                go.wait(timeout=30)
        finally:
            connection.close()

    def edit():
        try:
            save_status_update(
                user=direktor,
                activity=activity,
                period=year_report,
                version=0,
                attainment="For sent",
                status="on_track",
            )
            outcome["edit"] = "saved"
        except ValidationError as error:
            outcome["edit"] = error.code
        finally:
            connection.close()

    submitter = threading.Thread(target=submit)
    submitter.start()
    assert submitted.wait(timeout=30)
    editor = threading.Thread(target=edit)
    editor.start()
    editor.join(timeout=1)  # gives the edit time to reach the period row and wait there
    go.set()
    submitter.join(timeout=30)
    editor.join(timeout=30)
    assert outcome == {"edit": "period_locked"}
    year_report.refresh_from_db()
    # The submission's own record (state, submitted_at, submitted_by) is the only change
    # stamped at or after submitted_at.
    late = ChangeRecord.objects.filter(
        period=year_report, changed_at__gte=year_report.submitted_at
    ).exclude(content_type=ContentType.objects.get_for_model(ReportingPeriod))
    assert not late.exists()
    assert not StatusUpdate.objects.filter(period=year_report, activity=activity).exists()


def copy_rows(table: str, where: str, **changed: str) -> str:
    """INSERT ... SELECT of the table's rows that match where, with the changed columns'
    expressions; every other column copied as it is."""
    [model] = [m for m in apps.get_models() if m._meta.db_table == table]
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    values = [changed.get(column, column) for column in columns]
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM {table} WHERE {where}"
    )


def test_it_refuses_raw_sql_into_a_submitted_period_on_postgresql(demo):
    if connection.vendor != "postgresql":
        pytest.skip("the database triggers are PostgreSQL's; SQLite has the guard only")
    before = checksum()
    h1 = ReportingPeriod.objects.get(budget_year__agency__code="IMDi", kind="H1")
    statements = [
        ("UPDATE goals_statusupdate SET attainment = 'x' WHERE period_id = %s", [h1.pk]),
        ("DELETE FROM budget_accountsentry WHERE period_id = %s", [h1.pk]),
        ("DELETE FROM goals_statisticaltablerow", []),
        ("UPDATE goals_reportingperiod SET deadline = deadline + 1 WHERE id = %s", [h1.pk]),
        # INSERTs are checked once per statement, over all its rows: copies of the period's
        # rows, one column changed so that no unique constraint refuses them first.
        (copy_rows("budget_accountsentry", "period_id = %s", category="'probe' || id"), [h1.pk]),
        (
            copy_rows(
                "goals_statisticaltablerow",
                "table_id IN (SELECT id FROM goals_statisticaltable WHERE period_id = %s)",
                position="position + 1000",
            ),
            [h1.pk],
        ),
    ]
    for sql, params in statements:
        refused = pytest.raises(IntegrityError, match="period_locked")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert checksum() == before
