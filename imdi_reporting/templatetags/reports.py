"""Filters for the report templates."""

from django import template

from imdi_reporting.reports.selectors import blocks

register = template.Library()


@register.filter
def text_blocks(text):
    """Stored prose as paragraphs and bullet lists (see reports.selectors.blocks)."""
    return blocks(text)
