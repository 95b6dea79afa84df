"""The waiting limits of the settlement reports, shared by the statistics (selectors) and
the database triggers that keep the stocks (stock_sql)."""

from decimal import Decimal

from settlement.choices import CaseCategory

DAYS_PER_MONTH = Decimal("30.4375")
LIMIT_MONTHS = {"default": 6, CaseCategory.UNACCOMPANIED_MINOR: 3}


def limit_days(category: str | None = None) -> int:
    """The smallest whole number of days that is more than the limit in months."""
    months = LIMIT_MONTHS.get(category, LIMIT_MONTHS["default"])
    return int(months * DAYS_PER_MONTH) + 1
