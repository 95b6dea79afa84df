"""Filters for the report templates."""

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from goals.formatting import format_int
from imdi_reporting.reports import selectors

register = template.Library()


@register.filter
def text_blocks(text):
    """Stored prose as paragraphs and bullet lists (see reports.selectors.blocks)."""
    return selectors.blocks(text)


@register.filter
def lines_rest(subpost):
    return selectors.lines_rest(subpost)


# The one rule of the report's figures (stated in its reading guide): a sum, remainder or
# total is printed as computed from its parts; where the source stated another figure, the
# computed one carries this mark and the stated one follows it.
STATED_MARK = "†"


@register.simple_tag
def stated_mark() -> str:
    return STATED_MARK


@register.simple_tag
def figure(computed, stated=None):
    """A computed figure, marked and followed by the stated one where they differ."""
    text = format_int(computed)
    if stated is None or computed is None or Decimal(stated) == Decimal(computed):
        return text
    return format_html(
        '{}<span class="stated-mark" title="{}">{}</span> <span class="stated">({})</span>',
        text,
        _("differs from the figure stated in the source"),
        STATED_MARK,
        _("stated: %(figure)s") % {"figure": format_int(stated)},
    )


@register.simple_tag
def booked(amount, product=None, budget=False):
    """A line's amount as booked (or budget as allocated), marked and followed by persons x
    rate (and the footnotes' adjustments, for a budget) where they differ."""
    text = format_int(amount)
    if amount is None or product is None or Decimal(amount) == Decimal(product):
        return text
    what = (
        _("persons x rate and footnotes: %(figure)s") if budget else _("persons x rate: %(figure)s")
    )
    return format_html(
        '{}<span class="stated-mark" title="{}">{}</span> <span class="stated">({})</span>',
        text,
        _("differs from persons x rate"),
        STATED_MARK,
        what % {"figure": format_int(product)},
    )


@register.filter
def stated(mapping, key):
    """mapping[key] or None: a stated figure by its measure."""
    if not mapping:
        return None
    value = mapping.get(key)
    return getattr(value, "value", value)


@register.filter
def part_heading(part) -> str:
    """A part's heading as the report names it: "1A Prosjekter ..." where the source numbers
    its parts (post 62 del 1A), the name alone where the code is only a key (post 71's
    "landsdekkende")."""
    if any(ch.isdigit() for ch in part.code):
        return f"{part.code} {part.name}"
    return part.name
