"""Filters for the report templates."""

from django import template

from imdi_reporting.reports import selectors

register = template.Library()


@register.filter
def text_blocks(text):
    """Stored prose as paragraphs and bullet lists (see reports.selectors.blocks)."""
    return selectors.blocks(text)


@register.filter
def lines_rest(subpost):
    return selectors.lines_rest(subpost)
