from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.choices import PeriodKind, PeriodState, UnitKind
from goals.models import (
    Agency,
    BudgetYear,
    Ministry,
    OrganisationalUnit,
    ReportingPeriod,
    UserProfile,
)


class PeriodLockedError(ValidationError):
    """Raised by every write path when the period is submitted or locked."""

    def __init__(self, period: ReportingPeriod):
        self.period = period
        super().__init__(period_locked_message(period=period), code="period_locked")


def period_locked_message(*, period: ReportingPeriod) -> str:
    who = (
        period.submitted_by.get_full_name() or period.submitted_by.get_username()
        if (period.submitted_by)
        else _("unknown")
    )
    when = (
        timezone.localtime(period.submitted_at).strftime("%d.%m.%Y %H:%M")
        if (period.submitted_at)
        else _("unknown time")
    )
    return _(
        "The period %(period)s is locked since %(when)s by %(who)s; it accepts no changes."
    ) % {
        "period": period.slug,
        "when": when,
        "who": who,
    }


def ensure_period_is_open(*, period: ReportingPeriod) -> None:
    if period.is_locked:
        raise PeriodLockedError(period)


@dataclass(frozen=True)
class FixtureError(Exception):
    """A fixture file that does not match what the loader expects."""

    path: str
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.where}: {self.reason}"


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _require(item: dict, key: str, *, path: Path, where: str) -> Any:
    if key not in item or item[key] in (None, ""):
        raise FixtureError(str(path), where, f"'{key}' is required")
    return item[key]


def _as_date(value: Any, *, path: Path, where: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise FixtureError(str(path), where, f"'{value}' is not a date (YYYY-MM-DD)") from exc


@transaction.atomic
def load_organisation(*, path: Path) -> dict[str, int]:
    """Create or update ministries, agencies, units, budget years and periods from YAML.

    Periods name their submitter by username, so a file with submitted periods is
    loaded after the users exist.

    Rows are matched on their natural keys, so loading the same file twice changes nothing.
    """
    data = read_yaml(path) or {}
    counts = {"ministries": 0, "agencies": 0, "units": 0, "years": 0, "periods": 0}
    for i, item in enumerate(data.get("ministries", []), start=1):
        where = f"ministries[{i}]"
        Ministry.objects.update_or_create(
            code=_require(item, "code", path=path, where=where),
            defaults={"name": _require(item, "name", path=path, where=where)},
        )
        counts["ministries"] += 1
    for i, item in enumerate(data.get("agencies", []), start=1):
        where = f"agencies[{i}]"
        ministry_code = _require(item, "ministry", path=path, where=where)
        ministry = Ministry.objects.filter(code=ministry_code).first()
        if ministry is None:
            raise FixtureError(str(path), where, f"unknown ministry '{ministry_code}'")
        agency, _created = Agency.objects.update_or_create(
            code=_require(item, "code", path=path, where=where),
            defaults={
                "name": _require(item, "name", path=path, where=where),
                "ministry": ministry,
                "address": item.get("address", ""),
                "website": item.get("website", ""),
                "email": item.get("email", ""),
            },
        )
        counts["agencies"] += 1
        for j, unit in enumerate(item.get("units", []), start=1):
            unit_where = f"{where}.units[{j}]"
            kind = _require(unit, "kind", path=path, where=unit_where)
            if kind not in UnitKind.values:
                raise FixtureError(str(path), unit_where, f"kind must be one of {UnitKind.values}")
            OrganisationalUnit.objects.update_or_create(
                agency=agency,
                code=_require(unit, "code", path=path, where=unit_where),
                defaults={
                    "name": _require(unit, "name", path=path, where=unit_where),
                    "kind": kind,
                },
            )
            counts["units"] += 1
        for j, year_item in enumerate(item.get("years", []), start=1):
            year_where = f"{where}.years[{j}]"
            BudgetYear.objects.update_or_create(
                agency=agency,
                year=_require(year_item, "year", path=path, where=year_where),
                defaults={
                    "allocation_letter_date": _as_date(
                        _require(year_item, "allocation_letter_date", path=path, where=year_where),
                        path=path,
                        where=year_where,
                    ),
                    "allocation_letter_reference": year_item.get("allocation_letter_reference", ""),
                    "vision": year_item.get("vision", ""),
                },
            )
            counts["years"] += 1
    for i, item in enumerate(data.get("periods", []), start=1):
        where = f"periods[{i}]"
        agency_code = _require(item, "agency", path=path, where=where)
        year = _require(item, "year", path=path, where=where)
        budget_year = BudgetYear.objects.filter(agency__code=agency_code, year=year).first()
        if budget_year is None:
            raise FixtureError(str(path), where, f"unknown budget year {agency_code} {year}")
        _load_period(budget_year, item, path=path, where=where)
        counts["periods"] += 1
    return counts


def _load_period(budget_year: BudgetYear, item: dict, *, path: Path, where: str) -> None:
    kind = _require(item, "kind", path=path, where=where)
    if kind not in PeriodKind.values:
        raise FixtureError(str(path), where, f"kind must be one of {PeriodKind.values}")
    state = item.get("state", PeriodState.OPEN)
    if state not in PeriodState.values:
        raise FixtureError(str(path), where, f"state must be one of {PeriodState.values}")
    submitted_by = None
    if item.get("submitted_by"):
        submitted_by = get_user_model().objects.filter(username=item["submitted_by"]).first()
    submitted_at = item.get("submitted_at")
    if isinstance(submitted_at, str):
        submitted_at = datetime.fromisoformat(submitted_at)
    defaults = {
        "start": _as_date(_require(item, "start", path=path, where=where), path=path, where=where),
        "end": _as_date(_require(item, "end", path=path, where=where), path=path, where=where),
        "deadline": _as_date(
            _require(item, "deadline", path=path, where=where), path=path, where=where
        ),
        "state": state,
        "submitted_at": submitted_at,
    }
    if submitted_by is not None:
        defaults["submitted_by"] = submitted_by
    ReportingPeriod.objects.update_or_create(budget_year=budget_year, kind=kind, defaults=defaults)


@transaction.atomic
def set_user_profile(
    *,
    user,
    ministry: Ministry | None = None,
    agency: Agency | None = None,
    unit: OrganisationalUnit | None = None,
) -> UserProfile:
    if unit is not None and agency is not None and unit.agency_id != agency.pk:
        raise ValidationError(
            {
                "unit": _("The unit %(unit)s does not belong to %(agency)s.")
                % {"unit": unit, "agency": agency}
            }
        )
    profile, _created = UserProfile.objects.update_or_create(
        user=user, defaults={"ministry": ministry, "agency": agency, "unit": unit}
    )
    return profile
