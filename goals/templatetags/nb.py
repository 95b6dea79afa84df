"""Template filters for Norwegian formatting; loaded as builtins in every template."""

from django import template

from goals import formatting

register = template.Library()


@register.filter
def nb_int(value):
    """1234567 -> '1 234 567'."""
    return formatting.format_int(value)


@register.filter
def nb_decimal(value, places=1):
    """8.6 -> '8,6'."""
    return formatting.format_decimal(value, int(places))


@register.filter
def nb_measure(value):
    """A measured value with its own decimals: 440 -> '440', 6.1 -> '6,1'."""
    return formatting.format_measure(value)


@register.filter
def nb_percent(share, places=1):
    """0.485 -> '48,5 %'."""
    return formatting.format_percent(share, int(places))


@register.filter
def nb_date(value):
    """date(2006, 6, 30) -> '30.06.2006'."""
    return formatting.format_date(value)
