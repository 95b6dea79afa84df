from django.db import models
from django.utils.translation import gettext_lazy as _


class ChapterKind(models.TextChoices):
    EXPENSE = "expense", _("Expense")
    INCOME = "income", _("Income")


class AllocationKind(models.TextChoices):
    """How an amount came to be part of a post's appropriation (sum bevilgning)."""

    ALLOCATION_LETTER = "allocation_letter", _("Allocation letter")
    CARRIED_OVER = "carried_over", _("Carried over from last year")
    RNB = "rnb", _("Revised national budget (RNB)")
    REALLOCATION = "reallocation", _("Reallocation")
    SUPPLEMENTARY_LETTER = "supplementary_letter", _("Supplementary allocation letter")


class AccountsCategory(models.TextChoices):
    """The accounts lines the report uses for a post."""

    SALARY = "salary", _("Salaries and employer's contribution")
    REFUNDS = "refunds", _("Refunds")
    PURCHASES = "purchases", _("Purchases of goods and services")
    PAYMENTS = "payments", _("Payments")
    INCOME = "income", _("Income")


class LineKind(models.TextChoices):
    """How a sub-post line's amount relates to its persons and rate."""

    NORMAL = "normal", _("Persons x rate")
    TERM_PAYMENT = "term_payment", _("Term payment")
    ADJUSTMENT = "adjustment", _("Adjustment")
    OTHER_YEAR = "other_year", _("Other years")


class TransferKind(models.TextChoices):
    BETWEEN_PARTS = "between_parts", _("Transfer between parts")
    RNB = "rnb", _("Revised national budget (RNB)")
    CARRIED_OVER = "carried_over", _("Carried over from last year")


class Measure(models.TextChoices):
    """Figures the report states as a total or a remainder; each is also computed."""

    SUM_APPROPRIATION = "sum_appropriation", _("Sum appropriation")
    REFUNDS = "refunds", _("Accounts, refunds")
    SALARY_TOTAL = "salary_total", _("Accounts, salaries in total")
    ACCOUNTS_TOTAL = "accounts_total", _("Sum accounts")
    REMAINING = "remaining", _("Remaining budget")
    SUBPOST_PERSONS = "subpost_persons", _("Sub-post sum, persons")
    SUBPOST_AMOUNT = "subpost_amount", _("Sub-post sum, amount")
    SUBPOST_BUDGET = "subpost_budget", _("Sub-post sum, budget")
    SUBPOST_REST = "subpost_rest", _("Sub-post sum, rest")
    LINES_AMOUNT = "lines_amount", _("Attachment total, amount")
    LINES_BUDGET = "lines_budget", _("Attachment total, budget")
    LINES_REST = "lines_rest", _("Attachment total, rest")
    PARTS_BUDGET = "parts_budget", _("Parts in total, budget")
    PARTS_DISPOSED = "parts_disposed", _("Parts in total, disposed")
    PARTS_UNDISPOSED = "parts_undisposed", _("Parts in total, undisposed")
    PARTS_BOOKED = "parts_booked", _("Parts in total, booked")


SUBPOST_MEASURES = (
    Measure.SUBPOST_PERSONS,
    Measure.SUBPOST_AMOUNT,
    Measure.SUBPOST_BUDGET,
    Measure.SUBPOST_REST,
)


class StatisticTable(models.TextChoices):
    """The tables of attachment 2 (integration grant statistics)."""

    YEAR1_CURRENT = "year1_current", _("Year 1 grant, this year")
    YEAR1_PREVIOUS = "year1_previous", _("Year 1 grant, last year")
    YEARS2TO5_CURRENT = "years2to5_current", _("Years 2-5 grant, this year")
    YEARS2TO5_PREVIOUS = "years2to5_previous", _("Years 2-5 grant, last year")
    ELDERLY = "elderly", _("Elderly grant")
    DISABILITY = "disability", _("Disability grant")


class StatisticRole(models.TextChoices):
    """What a count is: a count, the base others are taken from, or a stated sum or remainder."""

    COUNT = "count", _("Count")
    BASE = "base", _("Base")
    TOTAL = "total", _("Stated sum")
    REMAINDER = "remainder", _("Stated remainder")


class LinearBasis(models.TextChoices):
    """What expected spend at a period's end is measured by: the agency's convention
    (goals.choices.LinearBasis, same values), or the post's periodised budget."""

    MONTHS = "months", _("Whole months elapsed")
    DAYS = "days", _("Days elapsed")
    PROFILE = "profile", _("Periodised budget")


class FootnoteScope(models.TextChoices):
    LINES = "lines", _("Payments (attachment 1)")
    STATISTICS = "statistics", _("Statistics (attachment 2)")
