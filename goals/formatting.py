"""Norwegian number and date formatting, the one place the UI, PDF and exports use.

1234567 -> "1 234 567"; Decimal("0.485") as a share -> "48,5 %"; 2006-06-30 -> "30.06.2006".
The group separator is a plain space so that figures stay searchable in PDFs; templates
keep them on one line with CSS. A negative number has a real minus sign (U+2212), as
Norwegian typesetting wants, and the space before % does not break, so "(42 %)" never
wraps before its sign. Machine-readable exports do not use these functions.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

MINUS = "\u2212"
PERCENT = "\u00a0%"


def _to_decimal(value: Decimal | int | float | str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        # Floats only reach here from computed ratios; never from money.
        return Decimal(repr(value))
    return Decimal(value)


def _group(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return " ".join(groups)


def format_decimal(value: Decimal | int | float | str | None, places: int = 0) -> str:
    """Group thousands with spaces and use a decimal comma, rounding half up."""
    if value is None or value == "":
        return ""
    number = _to_decimal(value)
    quantum = Decimal(1).scaleb(-places)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = MINUS if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    text = _group(whole)
    if places:
        text = f"{text},{fraction}"
    return sign + text


def format_measure(value: Decimal | int | float | str | None) -> str:
    """A measured quantity with the decimals it has, none for a count: 440 -> "440",
    Decimal("6.10") -> "6,1"."""
    if value is None or value == "":
        return ""
    number = _to_decimal(value).normalize()
    return format_decimal(number, max(0, -number.as_tuple().exponent))


def format_int(value: Decimal | int | float | str | None) -> str:
    return format_decimal(value, 0)


def format_percent(share: Decimal | int | float | str | None, places: int = 1) -> str:
    """A share (0.485) as a Norwegian percentage ("48,5 %")."""
    if share is None or share == "":
        return ""
    return format_decimal(_to_decimal(share) * 100, places) + PERCENT


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d.%m.%Y %H:%M")
    return value.strftime("%d.%m.%Y")
