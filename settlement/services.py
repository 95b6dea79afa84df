"""Writes of the settlement app. Reading files and checking their rows is the loaders'
work (settlement/loaders.py); what reaches here is valid, and is saved in one go."""

from django.db import transaction

from goals.bulk import create_rows
from goals.history import record_changes
from goals.models import Agency
from goals.services import bump_generation
from settlement.models import SettlementCase


@transaction.atomic
def save_cases(*, agency: Agency, cases: list[dict]) -> dict[str, int]:
    """Create or update an agency's cases from checked rows, matched on the case key within
    the agency (another agency's case with the same key is a different case)."""
    keys = [values["case_key"] for values in cases]
    existing = {
        case.case_key: case
        for case in SettlementCase.objects.filter(agency=agency, case_key__in=keys)
    }
    # Every checked row carries the same fields: those of the case file.
    fields = [name for name in (cases[0] if cases else {}) if name != "case_key"]
    new, changed = [], []
    for values in cases:
        case = existing.get(values["case_key"])
        if case is None:
            new.append(values)
            continue
        if any(getattr(case, name) != values[name] for name in fields):
            before = {case._meta.get_field(name).attname: getattr(case, name) for name in fields}
            for name in fields:
                setattr(case, name, values[name])
            changed.append((case, before))
    # New cases as tuples (goals.bulk), with the lock check and the history bulk_create
    # would have; a row names its agency and municipality as the model's constructor would.
    municipalities = {m.pk: m for m in (values.get("municipality") for values in new) if m}
    create_rows(
        SettlementCase,
        [_row(agency, values) for values in new],
        related=lambda row: (
            {"agency": agency}
            | (
                {"municipality": municipalities[row["municipality_id"]]}
                if row.get("municipality_id") in municipalities
                else {}
            )
        ),
    )
    SettlementCase.objects.bulk_update([case for case, _ in changed], fields, batch_size=1000)
    # Bulk writes send no signals: the history of the changes is recorded here, and the
    # agency's cached statistics are retired.
    record_changes(
        (case, {name: _id(value) for name, value in before.items()}) for case, before in changed
    )
    if new or changed:
        bump_generation(agency_id=agency.pk)
    return {
        "created": len(new),
        "updated": len(changed),
        "unchanged": len(cases) - len(new) - len(changed),
    }


def _row(agency: Agency, values: dict) -> dict:
    """A checked row by attnames (the municipality by its id)."""
    row = {"agency_id": agency.pk, **values}
    if "municipality" in row:
        row["municipality_id"] = _id(row.pop("municipality"))
    return row


def _id(value):
    """A foreign key's stored value is its id."""
    return getattr(value, "pk", value)
