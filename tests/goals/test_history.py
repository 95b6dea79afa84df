from decimal import Decimal

from goals.models import Activity, ChangeRecord, Indicator
from goals.services import (
    mark_ready,
    return_update,
    save_indicator_value,
    save_requirement_narrative,
    save_status_update,
)


def test_every_change_to_a_status_update_is_kept(content, demo_user, year_period):
    activity = Activity.objects.get(requirement__code="R1-3")
    ne = demo_user("ne")
    update = save_status_update(
        user=ne, activity=activity, period=year_period, version=0, attainment="A", status="on_track"
    )
    save_status_update(
        user=ne,
        activity=activity,
        period=year_period,
        version=update.version,
        attainment="B",
        status="deviation",
    )
    records = ChangeRecord.objects.filter(object_id=update.pk, field__in=["attainment", "status"])
    assert sorted(records.values_list("field", "old", "new", "changed_by__username")) == [
        ("attainment", "", "A", "ne"),
        ("attainment", "A", "B", "ne"),
        ("status", "", "on_track", "ne"),
        ("status", "on_track", "deviation", "ne"),
    ]
    assert set(records.values_list("requirement__code", flat=True)) == {"R1-3"}


def test_returning_records_the_state_and_reason(content, demo_user, year_period):
    activity = Activity.objects.get(requirement__code="R1-3")
    update = save_status_update(
        user=demo_user("ne"),
        activity=activity,
        period=year_period,
        version=0,
        attainment="A",
        status="on_track",
    )
    update = mark_ready(user=demo_user("ne"), update=update)
    return_update(user=demo_user("direktor"), update=update, reason="Mer tall.")
    last = list(
        ChangeRecord.objects.filter(object_id=update.pk, changed_by__username="direktor")
        .order_by("field")
        .values_list("field", "old", "new")
    )
    assert last == [("return_reason", "", "Mer tall."), ("state", "ready", "returned")]


def test_narrative_and_indicator_value_changes_are_kept(content, demo_user, year_period):
    requirement = Activity.objects.get(requirement__code="R1-3").requirement
    save_requirement_narrative(
        user=demo_user("ne"), requirement=requirement, period=year_period, version=0, status="S"
    )
    save_indicator_value(
        user=demo_user("ne"),
        indicator=Indicator.objects.get(code="tolkeregister"),
        period=year_period,
        version=0,
        value=Decimal("512"),
    )
    fields = set(ChangeRecord.objects.values_list("field", "new"))
    assert {("status", "S"), ("value", "512")} <= fields


def test_saving_the_same_text_again_records_nothing(content, demo_user, year_period):
    activity = Activity.objects.get(requirement__code="R1-3")
    kwargs = {"activity": activity, "period": year_period, "attainment": "A", "status": "on_track"}
    update = save_status_update(user=demo_user("ne"), version=0, **kwargs)
    count = ChangeRecord.objects.count()
    again = save_status_update(user=demo_user("ne"), version=update.version, **kwargs)
    assert again.version == update.version
    assert ChangeRecord.objects.count() == count


def test_an_import_is_recorded_in_the_history(content, demo_user, year_period):
    import tablib

    from goals.resources import StatusUpdateResource

    dataset = tablib.Dataset(headers=["agency", "period", "position", "status", "attainment"])
    dataset.append(["IMDi", "2006", 3, "achieved", "Importert."])
    result = StatusUpdateResource().import_data(dataset, user=demo_user("admin"))
    assert not result.has_errors()
    record = ChangeRecord.objects.get(field="attainment")
    assert (record.new, record.changed_by.username, record.requirement.code, record.path) == (
        "Importert.",
        "admin",
        "R1-3",
        "import",
    )
