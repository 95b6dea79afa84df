"""Figures that may be suppressed: ':' stays ':', anything else is formatted the Norwegian way."""

from django import template

from goals import formatting
from settlement.selectors import SUPPRESSED

register = template.Library()


@register.filter
def count_or_suppressed(value):
    if value == SUPPRESSED:
        return SUPPRESSED
    return formatting.format_int(value)


@register.filter
def months_or_suppressed(value):
    if value == SUPPRESSED:
        return SUPPRESSED
    return formatting.format_decimal(value, 1)
