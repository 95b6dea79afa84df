"""A new year from last year: year N+1 of an agency copied from year N.

Called as ``goals.services.create_next_year``, like every other write. The reads (what
year N holds, and the preview of it) are ``goals.selectors.next_year_source`` and
``new_year_preview``.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from goals.choices import PeriodState
from goals.history import record_created
from goals.models import PARENT_FIELDS, BudgetYear, ReportingPeriod
from goals.selectors import (
    NextYearSource,
    carried_target_date,
    next_year_source,
    one_year_later,
)

_PARENT_IDS = tuple(f"{name}_id" for name in PARENT_FIELDS)


def _copy_all(originals: list, changes: Callable[[Any], dict]) -> dict[int, Any]:
    """Insert a copy of each original (one query) with ``changes(original)`` applied to
    its fields; returns old pk -> copy, the copies carrying their new pks."""
    if not originals:
        return {}
    model = type(originals[0])
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    copies = []
    for original in originals:
        values = {name: getattr(original, name) for name in fields}
        values.update(changes(original))
        copies.append(model(**values))
    model.objects.bulk_create(copies)
    record_created(copies)  # bulk_create sends no signals
    return {original.pk: copy for original, copy in zip(originals, copies, strict=True)}


def _new_ids(mapping: dict[int, Any], old_id: int | None) -> int | None:
    return None if old_id is None else mapping[old_id].pk


def _carry_letter(source: NextYearSource, year: BudgetYear) -> dict[str, dict]:
    """Main goals, requirements (same ANSV), priority area and items, special and other
    reporting; deliverables stay behind, being dated in the old year."""
    of_year = {"budget_year_id": year.pk}
    goals = _copy_all(source.main_goals, lambda o: of_year)
    requirements = _copy_all(
        source.requirements, lambda o: {"main_goal_id": goals[o.main_goal_id].pk}
    )
    areas = _copy_all(source.priority_areas, lambda o: of_year)
    items = _copy_all(source.priority_items, lambda o: {"area_id": areas[o.area_id].pk})
    specials = _copy_all(
        source.specials,
        lambda o: {
            **of_year,
            "requirement_id": _new_ids(requirements, o.requirement_id),
            "main_goal_id": _new_ids(goals, o.main_goal_id),
        },
    )
    topics = _copy_all(source.other_topics, lambda o: of_year)
    return {
        "requirement_id": requirements,
        "priority_item_id": items,
        "special_id": specials,
        "other_topic_id": topics,
    }


def _carry_form(source: NextYearSource, year: BudgetYear, parents: dict[str, dict]) -> None:
    """The form rows at their positions and the indicators, under the new parents; a
    target is carried as the new year's proposal and its date, if in the old year, moves."""

    def reparent(original) -> dict:
        ids = {name: _new_ids(parents[name], getattr(original, name)) for name in _PARENT_IDS}
        return {"budget_year_id": year.pk, **ids}

    activities = _copy_all(source.activities, reparent)
    _copy_all(
        source.indicators,
        lambda o: {
            **reparent(o),
            "activity_id": _new_ids(activities, o.activity_id),
            "target_date": carried_target_date(o.target_date, year=source.budget_year.year),
        },
    )


def _carry_periods(source: NextYearSource, year: BudgetYear) -> None:
    """The same kinds of period, a year later and open."""
    periods = ReportingPeriod.objects.bulk_create(
        ReportingPeriod(
            budget_year=year,
            kind=p.kind,
            start=one_year_later(p.start),
            end=one_year_later(p.end),
            deadline=one_year_later(p.deadline),
            state=PeriodState.OPEN,
        )
        for p in source.periods
    )
    record_created(periods)


def _year_exists_error(budget_year: BudgetYear) -> ValidationError:
    return ValidationError(
        _("%(agency)s %(year)s already exists; nothing was created.")
        % {"agency": budget_year.agency.code, "year": budget_year.year + 1}
    )


@transaction.atomic
def create_next_year(*, budget_year: BudgetYear, allocation_letter_date: date) -> BudgetYear:
    """Year N+1 of the agency from year N: the letter, the form and the periods.

    Year N is only read. The number of queries does not depend on the size of the
    year: one read and one insert per kind. An existing N+1 is refused as a whole,
    never merged into.
    """
    source = next_year_source(budget_year=budget_year)
    if source.next_exists:
        raise _year_exists_error(budget_year)
    try:
        # A savepoint, so that a year created meanwhile is refused like one seen above.
        with transaction.atomic():
            year = BudgetYear.objects.create(
                agency_id=budget_year.agency_id,
                year=source.year,
                allocation_letter_date=allocation_letter_date,
                allocation_letter_reference=budget_year.allocation_letter_reference,
                vision=budget_year.vision,
            )
    except IntegrityError as error:
        # Only a year created meanwhile is "already exists"; any other violation is a bug.
        if BudgetYear.objects.filter(agency_id=budget_year.agency_id, year=source.year).exists():
            raise _year_exists_error(budget_year) from error
        raise
    parents = _carry_letter(source, year)
    _carry_form(source, year, parents)
    _carry_periods(source, year)
    settlement = parents["requirement_id"].get(budget_year.settlement_requirement_id)
    if settlement is not None:
        year.settlement_requirement = settlement
        year.save(update_fields=["settlement_requirement"])
    return year
