"""Loaders: read fixture files (YAML) into the models.

They create or update rows by natural key, so loading the same file twice changes nothing.
The app's own writes (status updates, transitions, submit, feedback) live in goals.services.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import count
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from goals.choices import (
    IndicatorDirection,
    LinearBasis,
    PeriodKind,
    PeriodState,
    Status,
    UnitKind,
    WorkflowState,
)
from goals.history import fixture_loader
from goals.locking import allow_locked_period_writes
from goals.models import (
    PARENT_FIELDS,
    Activity,
    Agency,
    BudgetYear,
    CoverLetter,
    CoverLetterSignatory,
    Deliverable,
    Indicator,
    IndicatorValue,
    MainGoal,
    Ministry,
    OrganisationalUnit,
    OtherReportingAnswer,
    OtherReportingTopic,
    PeriodReport,
    PriorityArea,
    PriorityItem,
    ReportingPeriod,
    RequirementNarrative,
    ResultRequirement,
    SpecialReportingAnswer,
    SpecialReportingRequirement,
    StatisticalTable,
    StatisticalTableRow,
    StatusUpdate,
    UserProfile,
    parse_period_slug,
)
from goals.structure import responsible_unit_of


# Not frozen: context managers set __traceback__ on exceptions passing through.
@dataclass(eq=False)
class FixtureError(Exception):
    """A fixture file that does not match what the loader expects."""

    path: str
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.where}: {self.reason}"


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        try:
            # libyaml's parser (PyYAML's wheels carry it): several times faster.
            return yaml.load(handle, Loader=yaml.CSafeLoader)
        except (yaml.YAMLError, ValueError) as exc:
            raise FixtureError(str(path), "file", f"not valid YAML: {exc}") from exc


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


@fixture_loader
@transaction.atomic
@allow_locked_period_writes()
def load_organisation(*, path: Path) -> dict[str, int]:
    """Create or update ministries, agencies, units, budget years and periods from YAML.

    Periods name their submitter by username, so a file with submitted periods is
    loaded after the users exist.

    Rows are matched on their natural keys, so loading the same file twice changes nothing.
    """
    data = read_yaml(path) or {}
    counts = {"ministries": 0, "agencies": 0, "units": 0, "years": 0, "periods": 0}
    for i, item in enumerate(data.get("ministries", []), start=1):
        _load_ministry(item=item, path=path, where=f"ministries[{i}]")
        counts["ministries"] += 1
    for i, item in enumerate(data.get("agencies", []), start=1):
        where = f"agencies[{i}]"
        agency = _load_agency(item=item, path=path, where=where)
        counts["agencies"] += 1
        for j, unit in enumerate(item.get("units", []), start=1):
            _load_unit(agency=agency, item=unit, path=path, where=f"{where}.units[{j}]")
            counts["units"] += 1
        for j, year_item in enumerate(item.get("years", []), start=1):
            _load_year(agency=agency, item=year_item, path=path, where=f"{where}.years[{j}]")
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


def _load_ministry(*, item: dict, path: Path, where: str) -> None:
    Ministry.objects.update_or_create(
        code=_require(item, "code", path=path, where=where),
        defaults={"name": _require(item, "name", path=path, where=where)},
    )


def _load_agency(*, item: dict, path: Path, where: str) -> Agency:
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
            "has_settlement": bool(item.get("has_settlement", False)),
            "linear_basis": _linear_basis(item, path=path, where=where),
        },
    )
    return agency


def _load_unit(*, agency: Agency, item: dict, path: Path, where: str) -> None:
    kind = _require(item, "kind", path=path, where=where)
    if kind not in UnitKind.values:
        raise FixtureError(str(path), where, f"kind must be one of {UnitKind.values}")
    OrganisationalUnit.objects.update_or_create(
        agency=agency,
        code=_require(item, "code", path=path, where=where),
        defaults={"name": _require(item, "name", path=path, where=where), "kind": kind},
    )


def _load_year(*, agency: Agency, item: dict, path: Path, where: str) -> None:
    year = _require(item, "year", path=path, where=where)
    letter_date = _require(item, "allocation_letter_date", path=path, where=where)
    BudgetYear.objects.update_or_create(
        agency=agency,
        year=year,
        defaults={
            "allocation_letter_date": _as_date(letter_date, path=path, where=where),
            "allocation_letter_reference": item.get("allocation_letter_reference", ""),
            "vision": item.get("vision", ""),
        },
    )


def _linear_basis(item: dict, *, path: Path, where: str) -> str:
    basis = item.get("linear_basis", LinearBasis.MONTHS)
    if basis not in LinearBasis.values:
        raise FixtureError(
            str(path), f"{where}.linear_basis", f"must be one of {LinearBasis.values}"
        )
    return basis


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


# --- Goals content: the allocation letter, the period's report and its reporting form ---------


@dataclass
class _Source:
    """Where in a fixture file we are, for errors that name file, row and field."""

    path: Path

    def fail(self, where: str, reason: str) -> FixtureError:
        return FixtureError(str(self.path), where, reason)

    def required(self, item: Any, key: str, where: str) -> Any:
        if not isinstance(item, dict):
            raise self.fail(where, "expected a mapping")
        value = item.get(key)
        if value is None or value == "":
            raise self.fail(f"{where}.{key}", "is required")
        return value

    def text(self, item: dict, key: str, where: str, *, required: bool = False) -> str:
        value = self.required(item, key, where) if required else item.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", "must be text")
        return value

    def date(self, value: Any, where: str, *, required: bool = False) -> date | None:
        if value in (None, ""):
            if required:
                raise self.fail(where, "is required")
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError as exc:
            raise self.fail(where, f"'{value}' is not a date (YYYY-MM-DD)") from exc

    def number(self, value: Any, where: str) -> Decimal | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise self.fail(where, f"'{value}' is not a number")
        try:
            return Decimal(str(value))
        except InvalidOperation as exc:
            raise self.fail(where, f"'{value}' is not a number") from exc

    def choice(self, item: dict, key: str, where: str, choices: list[str]) -> str:
        value = self.required(item, key, where)
        if value not in choices:
            raise self.fail(f"{where}.{key}", f"'{value}' is not one of {choices}")
        return value


def _upsert(model, lookup: dict, values: dict):
    """Create or update by natural key, saving only when something differs, so that
    loading the same file twice changes nothing (not even the timestamps)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
    return obj


ANSWER_MODELS = (
    StatusUpdate,
    IndicatorValue,
    RequirementNarrative,
    SpecialReportingAnswer,
    OtherReportingAnswer,
)


def _stamp_answers(*, source: _Source, data: dict, period: ReportingPeriod, since) -> None:
    """The answers a file loaded carry the report's own date (the file's ``saved_at``, else
    the period's submission), not the time of loading; and, where the file's row has no
    author, the editor of the unit that answers for it, when the unit has exactly one."""
    stamp = data.get("saved_at") or period.submitted_at
    if isinstance(stamp, str):
        try:
            stamp = datetime.fromisoformat(stamp)
        except ValueError:
            raise source.fail("file.saved_at", "must be a date and time") from None
    if stamp is not None:
        for model in ANSWER_MODELS:
            model.objects.filter(period=period, updated_at__gte=since).update(updated_at=stamp)
    editors = _unit_editors(agency_id=period.budget_year.agency_id)
    for update in StatusUpdate.objects.filter(period=period, updated_by=None).select_related(
        *ACTIVITY_UNIT_PATHS
    ):
        unit = responsible_unit_of(parent=update.activity.parent)
        if unit is not None and unit.pk in editors:
            StatusUpdate.objects.filter(pk=update.pk).update(updated_by=editors[unit.pk])
    for narrative in RequirementNarrative.objects.filter(period=period, updated_by=None):
        editor = editors.get(narrative.requirement.responsible_unit_id)
        if editor is not None:
            RequirementNarrative.objects.filter(pk=narrative.pk).update(updated_by=editor)


ACTIVITY_UNIT_PATHS = (
    "activity__requirement",
    "activity__special__requirement",
    "activity__priority_item__area",
    "activity__other_topic",
)


def _unit_editors(*, agency_id: int) -> dict[int, Any]:
    """Unit -> its editor, for the units of the agency that have exactly one user."""
    users: dict[int, list] = {}
    for profile in UserProfile.objects.filter(
        agency_id=agency_id, unit__isnull=False
    ).select_related("user"):
        users.setdefault(profile.unit_id, []).append(profile.user)
    return {unit: found[0] for unit, found in users.items() if len(found) == 1}


def _budget_year(source: _Source, data: dict) -> BudgetYear:
    agency_code = source.required(data, "agency", "file")
    year = source.required(data, "year", "file")
    budget_year = BudgetYear.objects.filter(agency__code=agency_code, year=year).first()
    if budget_year is None:
        raise source.fail("file.year", f"unknown budget year {agency_code} {year}")
    return budget_year


def _period(source: _Source, agency: Agency | str, slug: Any, where: str) -> ReportingPeriod:
    parsed = parse_period_slug(str(slug))
    code = agency.code if isinstance(agency, Agency) else agency
    period = None
    if parsed is not None and parsed.agency in (None, code):
        period = (
            ReportingPeriod.objects.select_related("budget_year__agency", "submitted_by")
            .filter(budget_year__agency__code=code, budget_year__year=parsed.year, kind=parsed.kind)
            .first()
        )
    if period is None:
        raise source.fail(where, f"unknown period '{slug}' of {code}")
    return period


def _units(agency: Agency) -> dict[str, OrganisationalUnit]:
    return {unit.code: unit for unit in agency.units.all()}


def _unit(source: _Source, units: dict, code: Any, where: str, *, agency: Agency):
    if code in (None, "", agency.code):
        return None
    if code not in units:
        raise source.fail(where, f"unknown unit '{code}'")
    return units[code]


@fixture_loader
@transaction.atomic
@allow_locked_period_writes()
def load_letter(*, path: Path) -> dict[str, int]:
    """Load an allocation letter (priority area, main goals, requirements, deliverables,
    special reporting, other reporting) for one budget year from YAML."""
    source = _Source(path)
    data = read_yaml(path) or {}
    budget_year = _budget_year(source, data)
    units = _units(budget_year.agency)
    counts = {"requirements": 0, "deliverables": 0, "special_reporting": 0, "other_reporting": 0}
    area_data = data.get("priority_area")
    if area_data:
        _load_priority_area(source=source, item=area_data, budget_year=budget_year, units=units)
    # Special reporting is numbered through the whole letter, under goals and requirements.
    special_positions = count(1)
    for g, goal_data in enumerate(data.get("main_goals") or [], start=1):
        _load_main_goal(
            source=source,
            item=goal_data,
            where=f"main_goals[{g}]",
            position=g,
            budget_year=budget_year,
            units=units,
            special_positions=special_positions,
            counts=counts,
        )
    for t, topic in enumerate(data.get("other_reporting") or [], start=1):
        _load_other_topic(
            source=source,
            item=topic,
            where=f"other_reporting[{t}]",
            position=t,
            budget_year=budget_year,
            units=units,
        )
        counts["other_reporting"] += 1
    _set_settlement_requirement(source, budget_year, data.get("settlement_requirement"))
    return counts


def _load_priority_area(
    *, source: _Source, item: dict, budget_year: BudgetYear, units: dict[str, OrganisationalUnit]
) -> None:
    where = "priority_area"
    area = _upsert(
        PriorityArea,
        {"budget_year": budget_year, "position": 1},
        {
            "title": source.text(item, "title", where, required=True),
            "responsible_unit": _unit(
                source,
                units,
                item.get("responsible"),
                f"{where}.responsible",
                agency=budget_year.agency,
            ),
        },
    )
    letters = []
    for i, priority in enumerate(item.get("items") or [], start=1):
        item_where = f"{where}.items[{i}]"
        letter = str(source.required(priority, "letter", item_where))
        letters.append(letter)
        _upsert(
            PriorityItem,
            {"area": area, "letter": letter},
            {"text": source.text(priority, "text", item_where, required=True)},
        )
    area.items.exclude(letter__in=letters).delete()


def _load_main_goal(
    *,
    source: _Source,
    item: dict,
    where: str,
    position: int,
    budget_year: BudgetYear,
    units: dict[str, OrganisationalUnit],
    special_positions: Iterator[int],
    counts: dict[str, int],
) -> None:
    goal = _upsert(
        MainGoal,
        {"budget_year": budget_year, "code": source.required(item, "code", where)},
        {"title": source.text(item, "title", where, required=True), "position": position},
    )
    for r, req_data in enumerate(item.get("requirements") or [], start=1):
        _load_requirement(
            source=source,
            item=req_data,
            where=f"{where}.requirements[{r}]",
            position=r,
            goal=goal,
            budget_year=budget_year,
            units=units,
            special_positions=special_positions,
            counts=counts,
        )
    for s, special in enumerate(item.get("special_reporting") or [], start=1):
        _load_special(
            source,
            special,
            f"{where}.special_reporting[{s}]",
            budget_year=budget_year,
            units=units,
            parent={"requirement": None, "main_goal": goal},
            position=next(special_positions),
        )
        counts["special_reporting"] += 1


def _load_requirement(
    *,
    source: _Source,
    item: dict,
    where: str,
    position: int,
    goal: MainGoal,
    budget_year: BudgetYear,
    units: dict[str, OrganisationalUnit],
    special_positions: Iterator[int],
    counts: dict[str, int],
) -> None:
    code = source.required(item, "code", where)
    clash = ResultRequirement.objects.filter(main_goal__budget_year=budget_year, code=code).exclude(
        main_goal=goal
    )
    if clash.exists():
        raise source.fail(f"{where}.code", f"'{code}' is already under another goal")
    requirement = _upsert(
        ResultRequirement,
        {"main_goal": goal, "code": code},
        {
            "text": source.text(item, "text", where, required=True),
            "responsible_unit": _unit(
                source,
                units,
                source.required(item, "responsible_unit", where),
                f"{where}.responsible_unit",
                agency=budget_year.agency,
            )
            or _missing_unit(source, f"{where}.responsible_unit"),
            "position": position,
        },
    )
    counts["requirements"] += 1
    counts["deliverables"] += _load_deliverables(
        source=source, items=item.get("deliverables") or [], where=where, requirement=requirement
    )
    for s, special in enumerate(item.get("special_reporting") or [], start=1):
        _load_special(
            source,
            special,
            f"{where}.special_reporting[{s}]",
            budget_year=budget_year,
            units=units,
            parent={"requirement": requirement, "main_goal": None},
            position=next(special_positions),
        )
        counts["special_reporting"] += 1


def _load_deliverables(
    *, source: _Source, items: list, where: str, requirement: ResultRequirement
) -> int:
    kept = []
    for d, deliverable in enumerate(items, start=1):
        d_where = f"{where}.deliverables[{d}]"
        obj = _upsert(
            Deliverable,
            {
                "requirement": requirement,
                "due": source.date(deliverable.get("due"), f"{d_where}.due", required=True),
                "title": source.text(deliverable, "title", d_where, required=True),
            },
            # Only a file that says when it was met sets the date; a unit's own
            # record is not undone by loading the letter again.
            {"met_on": source.date(deliverable["met_on"], f"{d_where}.met_on")}
            if deliverable.get("met_on")
            else {},
        )
        kept.append(obj.pk)
    requirement.deliverables.exclude(pk__in=kept).delete()
    return len(kept)


def _load_other_topic(
    *,
    source: _Source,
    item: dict,
    where: str,
    position: int,
    budget_year: BudgetYear,
    units: dict[str, OrganisationalUnit],
) -> None:
    _upsert(
        OtherReportingTopic,
        {"budget_year": budget_year, "code": source.required(item, "code", where)},
        {
            "title": source.text(item, "title", where, required=True),
            "text": source.text(item, "text", where),
            "responsible_unit": _unit(
                source,
                units,
                item.get("responsible_unit"),
                f"{where}.responsible_unit",
                agency=budget_year.agency,
            ),
            "position": position,
        },
    )


def _set_settlement_requirement(source: _Source, budget_year: BudgetYear, code: Any) -> None:
    requirement = None
    if code:
        requirement = ResultRequirement.objects.filter(
            main_goal__budget_year=budget_year, code=str(code)
        ).first()
        if requirement is None:
            raise source.fail("settlement_requirement", f"no result requirement '{code}' this year")
    if budget_year.settlement_requirement_id != (requirement.pk if requirement else None):
        budget_year.settlement_requirement = requirement
        budget_year.save(update_fields=["settlement_requirement"])


def _missing_unit(source: _Source, where: str):
    raise source.fail(where, "must name a unit of the agency")


def _load_special(
    source: _Source, item: dict, where: str, *, budget_year, units, parent, position
) -> SpecialReportingRequirement:
    return _upsert(
        SpecialReportingRequirement,
        {"budget_year": budget_year, "code": source.required(item, "code", where)},
        {
            "text": source.text(item, "text", where, required=True),
            "responsible_unit": _unit(
                source,
                units,
                item.get("responsible_unit"),
                f"{where}.responsible_unit",
                agency=budget_year.agency,
            ),
            "position": position,
            **parent,
        },
    )


class _Parents:
    """Resolves the fixture notation requirement:R1-1 / priority:a / special:X / other:Y."""

    def __init__(self, budget_year: BudgetYear):
        self.maps = {
            "requirement": (
                "requirement",
                {
                    r.code: r
                    for r in ResultRequirement.objects.filter(main_goal__budget_year=budget_year)
                },
            ),
            "priority": (
                "priority_item",
                {p.letter: p for p in PriorityItem.objects.filter(area__budget_year=budget_year)},
            ),
            "special": (
                "special",
                {s.code: s for s in budget_year.special_reporting.all()},
            ),
            "other": ("other_topic", {o.code: o for o in budget_year.other_reporting.all()}),
        }

    def resolve(self, source: _Source, value: Any, where: str) -> dict:
        kind, _sep, code = str(value or "").partition(":")
        if kind not in self.maps:
            raise source.fail(
                where, f"'{value}' must be priority:, requirement:, special: or other:<code>"
            )
        field, objects = self.maps[kind]
        if code not in objects:
            raise source.fail(where, f"unknown {kind} '{code}'")
        parent = dict.fromkeys(PARENT_FIELDS)
        parent[field] = objects[code]
        return parent


@fixture_loader
@transaction.atomic
def load_report(*, path: Path) -> dict[str, int]:
    """Load a period's report texts: front page, reading guide, cover letter, the
    narratives of part II, answers to special and other reporting, part IV."""
    source = _Source(path)
    data = read_yaml(path) or {}
    agency_code = source.required(data, "agency", "file")
    period = _period(source, agency_code, source.required(data, "period", "file"), "file.period")
    started = timezone.now()
    with allow_locked_period_writes():
        _load_period_report(source=source, data=data, period=period)
        letter_data = data.get("cover_letter")
        if letter_data:
            _load_cover_letter(source=source, item=letter_data, period=period)
        counts = {
            "narratives": _load_requirement_narratives(
                source=source, items=data.get("requirement_narratives") or {}, period=period
            ),
            "special_answers": _load_special_answers(
                source=source, items=data.get("special_reporting_answers") or {}, period=period
            ),
            "other_answers": _load_other_answers(
                source=source, items=data.get("other_reporting_answers") or {}, period=period
            ),
        }
        _stamp_answers(source=source, data=data, period=period, since=started)
    return counts


def _load_period_report(*, source: _Source, data: dict, period: ReportingPeriod) -> None:
    front = data.get("front_page") or {}
    signature = data.get("reading_guide_signature") or {}
    _upsert(
        PeriodReport,
        {"period": period},
        {
            "front_page_title": source.text(front, "title", "front_page"),
            "front_page_heading": source.text(front, "heading", "front_page"),
            "front_page_introduction": source.text(front, "introduction", "front_page"),
            "reading_guide": source.text(data, "reading_guide", "file"),
            "reading_guide_place_date": source.text(data, "reading_guide_place_date", "file"),
            "reading_guide_signatory_name": source.text(
                signature, "name", "reading_guide_signature"
            ),
            "reading_guide_signatory_title": source.text(
                signature, "title", "reading_guide_signature"
            ),
            "priority_area_narrative": source.text(data, "priority_area_narrative", "file"),
            "resource_priorities": source.text(data, "resource_priorities", "file"),
        },
    )


def _load_cover_letter(*, source: _Source, item: dict, period: ReportingPeriod) -> None:
    where = "cover_letter"
    attachments = item.get("attachments") or []
    if not isinstance(attachments, list) or not all(isinstance(a, str) for a in attachments):
        raise source.fail(f"{where}.attachments", "must be a list of texts")
    letter = _upsert(
        CoverLetter,
        {"period": period},
        {
            "their_reference": str(item.get("their_reference") or ""),
            "our_reference": str(item.get("our_reference") or ""),
            "date": source.date(item.get("date"), f"{where}.date", required=True),
            "title": source.text(item, "title", where, required=True),
            "body": source.text(item, "body", where, required=True),
            "closing": source.text(item, "closing", where),
            "attachments": attachments,
            "case_officers": source.text(item, "case_officers", where),
        },
    )
    signatories = item.get("signatories") or []
    for i, person in enumerate(signatories, start=1):
        s_where = f"{where}.signatories[{i}]"
        _upsert(
            CoverLetterSignatory,
            {"letter": letter, "position": i},
            {
                "name": source.text(person, "name", s_where, required=True),
                "title": source.text(person, "title", s_where),
            },
        )
    for stale in letter.signatories.filter(position__gt=len(signatories)):
        stale.delete()


def _load_requirement_narratives(*, source: _Source, items: dict, period: ReportingPeriod) -> int:
    """Part II: what each result requirement came to in the period."""
    requirements = {
        r.code: r
        for r in ResultRequirement.objects.filter(main_goal__budget_year=period.budget_year)
    }
    for code, item in items.items():
        where = f"requirement_narratives.{code}"
        if code not in requirements:
            raise source.fail(where, f"unknown requirement '{code}'")
        item = item or {}
        _upsert(
            RequirementNarrative,
            {"requirement": requirements[code], "period": period},
            {
                "status": source.text(item, "status", where),
                "measures_done": source.text(item, "measures_done", where),
                "next_priorities": source.text(item, "next_priorities", where),
            },
        )
    return len(items)


def _load_special_answers(*, source: _Source, items: dict, period: ReportingPeriod) -> int:
    specials = {s.code: s for s in period.budget_year.special_reporting.all()}
    for code, text in items.items():
        where = f"special_reporting_answers.{code}"
        if code not in specials:
            raise source.fail(where, f"unknown special reporting '{code}'")
        if not isinstance(text, str):
            raise source.fail(where, "must be text")
        _upsert(
            SpecialReportingAnswer, {"special": specials[code], "period": period}, {"text": text}
        )
    return len(items)


def _load_other_answers(*, source: _Source, items: dict, period: ReportingPeriod) -> int:
    topics = {t.code: t for t in period.budget_year.other_reporting.all()}
    for code, text in items.items():
        where = f"other_reporting_answers.{code}"
        if code not in topics:
            raise source.fail(where, f"unknown other reporting topic '{code}'")
        if not isinstance(text, str):
            raise source.fail(where, "must be text")
        _upsert(OtherReportingAnswer, {"topic": topics[code], "period": period}, {"text": text})
    return len(items)


@fixture_loader
@transaction.atomic
def load_form(*, path: Path) -> dict[str, int]:
    """Load the reporting form (part V) of a period: its rows become the budget year's
    activities and the period's status updates; then indicators with values, and tables."""
    source = _Source(path)
    data = read_yaml(path) or {}
    agency_code = source.required(data, "agency", "file")
    period = _period(source, agency_code, source.required(data, "period", "file"), "file.period")
    parents = _Parents(period.budget_year)
    counts = {"rows": 0, "indicators": 0, "values": 0, "tables": 0}
    started = timezone.now()
    with allow_locked_period_writes():
        activities = _load_form_rows(
            source=source, rows=data.get("form_rows") or [], period=period, parents=parents
        )
        counts["rows"] = len(activities)
        _load_indicators(
            source=source,
            items=data.get("indicators") or [],
            agency_code=agency_code,
            period=period,
            parents=parents,
            activities=activities,
            counts=counts,
        )
        for i, item in enumerate(data.get("tables") or [], start=1):
            _load_table(
                source=source,
                item=item,
                where=f"tables[{i}]",
                position=i,
                period=period,
                parents=parents,
            )
            counts["tables"] += 1
        _stamp_answers(source=source, data=data, period=period, since=started)
    return counts


def _load_form_rows(
    *, source: _Source, rows: list, period: ReportingPeriod, parents: _Parents
) -> list[Activity]:
    """Each row is an activity of the budget year, by position, and its status update for
    the period; the year's activities past the last row go."""
    budget_year = period.budget_year
    # A loaded submitted report counts as approved; an open period's rows start as drafts.
    state = WorkflowState.APPROVED if period.is_locked else WorkflowState.DRAFT
    activities = []
    for i, row in enumerate(rows, start=1):
        where = f"form_rows[{i}]"
        parent = parents.resolve(
            source, row.get("parent") if isinstance(row, dict) else None, f"{where}.parent"
        )
        activity = _upsert(
            Activity,
            {"budget_year": budget_year, "position": i},
            {
                **parent,
                "activity": source.text(row, "activity", where),
                "indicator_text": source.text(row, "indicator", where),
            },
        )
        activities.append(activity)
        lookup = {"activity": activity, "period": period}
        values = {
            "status": source.choice(row, "status", where, Status.values),
            "attainment": source.text(row, "attainment", where),
            "measures_planned": source.text(row, "measures", where),
        }
        if not StatusUpdate.objects.filter(**lookup).exists():
            values["state"] = state
        _upsert(StatusUpdate, lookup, values)
    Activity.objects.filter(budget_year=budget_year, position__gt=len(rows)).delete()
    return activities


def _load_indicators(
    *,
    source: _Source,
    items: list,
    agency_code: str,
    period: ReportingPeriod,
    parents: _Parents,
    activities: list[Activity],
    counts: dict[str, int],
) -> None:
    for i, item in enumerate(items, start=1):
        where = f"indicators[{i}]"
        indicator = _load_indicator(
            source=source,
            item=item,
            where=where,
            position=i,
            budget_year=period.budget_year,
            parents=parents,
            activities=activities,
        )
        counts["indicators"] += 1
        counts["values"] += _load_indicator_values(
            source=source,
            items=item.get("values") or [],
            where=where,
            indicator=indicator,
            agency_code=agency_code,
        )


def _load_indicator(
    *,
    source: _Source,
    item: dict,
    where: str,
    position: int,
    budget_year: BudgetYear,
    parents: _Parents,
    activities: list[Activity],
) -> Indicator:
    parent = parents.resolve(source, source.required(item, "parent", where), f"{where}.parent")
    activity = _indicator_activity(
        source=source,
        item=item,
        where=where,
        parent=parent,
        budget_year=budget_year,
        activities=activities,
    )
    baseline = item.get("baseline")
    return _upsert(
        Indicator,
        {"budget_year": budget_year, "code": source.required(item, "code", where)},
        {
            **parent,
            "activity": activity,
            "name": source.text(item, "name", where, required=True),
            "unit": source.text(item, "unit", where),
            "target": source.number(item.get("target"), f"{where}.target"),
            "target_date": source.date(item.get("target_date"), f"{where}.target_date"),
            "direction": source.choice(item, "direction", where, IndicatorDirection.values),
            "baseline": None
            if isinstance(baseline, str)
            else source.number(baseline, f"{where}.baseline"),
            "baseline_text": baseline if isinstance(baseline, str) else "",
            "note": source.text(item, "note", where),
            "position": position,
        },
    )


def _indicator_activity(
    *,
    source: _Source,
    item: dict,
    where: str,
    parent: dict,
    budget_year: BudgetYear,
    activities: list[Activity],
) -> Activity | None:
    """The form row an indicator names by its activity text, under the same parent."""
    text = item.get("activity")
    if not text:
        return None
    # The rows of this file are at hand; only a row that an earlier file loaded costs a query.
    for activity in activities:
        if activity.activity == text and all(getattr(activity, k) == v for k, v in parent.items()):
            return activity
    activity = Activity.objects.filter(budget_year=budget_year, activity=text, **parent).first()
    if activity is None:
        raise source.fail(f"{where}.activity", "no form row with this activity text")
    return activity


def _load_indicator_values(
    *, source: _Source, items: list, where: str, indicator: Indicator, agency_code: str
) -> int:
    for j, value in enumerate(items, start=1):
        v_where = f"{where}.values[{j}]"
        value_period = _period(
            source, agency_code, source.required(value, "period", v_where), f"{v_where}.period"
        )
        number = source.number(source.required(value, "value", v_where), f"{v_where}.value")
        _upsert(
            IndicatorValue,
            {"indicator": indicator, "period": value_period},
            {
                "value": number,
                "measured_on": source.date(value.get("measured_on"), f"{v_where}.measured_on"),
            },
        )
    return len(items)


def _load_table(
    *,
    source: _Source,
    item: dict,
    where: str,
    position: int,
    period: ReportingPeriod,
    parents: _Parents,
) -> None:
    parent = parents.resolve(source, source.required(item, "parent", where), f"{where}.parent")
    columns = source.required(item, "columns", where)
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise source.fail(f"{where}.columns", "must be a list of texts")
    table = _upsert(
        StatisticalTable,
        {"period": period, "code": source.required(item, "code", where)},
        {
            **parent,
            "budget_year": period.budget_year,
            "title": source.text(item, "title", where, required=True),
            "columns": columns,
            "rows_summable": item.get("rows_summable") is True,
            "position": position,
        },
    )
    rows = item.get("rows") or []
    for j, row in enumerate(rows, start=1):
        r_where = f"{where}.rows[{j}]"
        cells = source.required(row, "values", r_where)
        if (
            not isinstance(cells, list)
            or len(cells) != len(columns)
            or not all(isinstance(c, int) and not isinstance(c, bool) for c in cells)
        ):
            raise source.fail(
                f"{r_where}.values", f"must be {len(columns)} whole numbers, one a column"
            )
        _upsert(
            StatisticalTableRow,
            {"table": table, "position": j},
            {"label": source.text(row, "label", r_where, required=True), "values": cells},
        )
    for stale in table.rows.filter(position__gt=len(rows)):
        stale.delete()


@fixture_loader
def load_goals_demo(*, directory: Path) -> dict[str, dict[str, int]]:
    """The demo step: the 2006 letter, then the 2006-H1 report and form, each where present.

    Activities belong to the budget year, so the open annual period 2006 reports on the
    same form rows as 2006-H1 without copying: its editors start from empty answers."""
    done = {}
    for name, loader, filename in (
        ("letter", load_letter, "letter_2006.yaml"),
        ("report", load_report, "report_2006-H1.yaml"),
        ("form", load_form, "form_2006-H1.yaml"),
    ):
        path = directory / filename
        if path.exists():
            done[name] = loader(path=path)
    return done


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line texts as block scalars, like the hand-written fixtures."""


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=100)


def export_goals_fixtures(*, period: ReportingPeriod, directory: Path) -> list[Path]:
    """Write the letter of the period's year, and the period's report and form, as YAML."""
    from goals.selectors import export_form, export_letter, export_report

    directory.mkdir(parents=True, exist_ok=True)
    year = period.budget_year
    files = {
        directory / f"letter_{year.year}.yaml": export_letter(budget_year=year),
        directory / f"report_{period.short_slug}.yaml": export_report(period=period),
        directory / f"form_{period.short_slug}.yaml": export_form(period=period),
    }
    for path, data in files.items():
        path.write_text(dump_yaml(data), encoding="utf-8")
    return list(files)
