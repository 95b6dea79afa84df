"""Writes to the budget tables that more than one path shares (loaders, imports)."""

from decimal import Decimal
from typing import Any

from django.db import transaction

from budget.models import BudgetProfile, Chapter, Post, SubPost, SubPostLine
from goals.history import record_created
from goals.models import Agency, BudgetYear, Ministry, ReportingPeriod


def save_subpost_line(
    *, subpost: SubPost, period: ReportingPeriod, position: int, values: dict[str, Any]
) -> SubPostLine:
    """Upsert a sub-post line by its label within the sub-post and period."""
    line, _created = SubPostLine.objects.update_or_create(
        subpost=subpost,
        period=period,
        label=values["label"],
        defaults={"position": position, **{k: v for k, v in values.items() if k != "label"}},
    )
    return line


def save_chapter(
    *,
    agency: Agency,
    number: str,
    name: str,
    kind: str,
    ministry: Ministry | None = None,
) -> Chapter:
    """Create or update an agency's chapter by its number. The ministry is the agency's;
    another ministry's chapter is one the agency charges under a charge authorisation."""
    chapter = Chapter.objects.filter(agency=agency, number=number).first() or Chapter(
        agency=agency, number=number
    )
    chapter.name, chapter.kind = name, kind
    chapter.ministry = ministry or agency.ministry
    chapter.under_authorisation = chapter.ministry_id != agency.ministry_id
    chapter.full_clean(validate_unique=False, validate_constraints=False)
    chapter.save()
    return chapter


@transaction.atomic
def save_budget_profile(
    *, post: Post, budget_year: BudgetYear, amounts: dict[int, Decimal]
) -> list[BudgetProfile]:
    """Replace a post's periodised budget for a year with the given month -> amount; every
    month is checked (same agency, month 1-12) before anything is written."""
    rows = [
        BudgetProfile(post=post, budget_year=budget_year, month=month, amount=amount)
        for month, amount in sorted(amounts.items())
    ]
    for row in rows:
        row.full_clean(validate_unique=False)
    BudgetProfile.objects.filter(post=post, budget_year=budget_year).delete()
    created = BudgetProfile.objects.bulk_create(rows)
    record_created(created)  # bulk_create sends no signals
    return created
