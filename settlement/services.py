"""Writes of the settlement app. Reading files and checking their rows is the loaders'
work (settlement/loaders.py); what reaches here is valid, and is saved in one go."""

from django.db import transaction

from goals.models import Agency
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
            new.append(SettlementCase(agency=agency, **values))
            continue
        if any(getattr(case, name) != values[name] for name in fields):
            for name in fields:
                setattr(case, name, values[name])
            changed.append(case)
    SettlementCase.objects.bulk_create(new, batch_size=1000)
    SettlementCase.objects.bulk_update(changed, fields, batch_size=1000)
    return {
        "created": len(new),
        "updated": len(changed),
        "unchanged": len(cases) - len(new) - len(changed),
    }
