"""Drafts carry an UTKAST watermark on every page; submitted periods do not."""

import io

import pikepdf

from goals.models import ReportingPeriod
from imdi_reporting.reports.services import render_report_pdf
from tests.imdi_reporting.reports.conftest import reading_text


def test_a_draft_has_the_watermark_on_every_page(organisation):
    period = ReportingPeriod.objects.select_related("budget_year__agency").get(kind="Y")
    pdf = render_report_pdf(period=period, part="full")
    pages = len(pikepdf.open(io.BytesIO(pdf)).pages)
    assert pages > 1
    assert reading_text(pdf).count("UTKAST") == pages


def test_a_submitted_period_has_none(organisation):
    period = ReportingPeriod.objects.select_related("budget_year__agency").get(kind="H1")
    assert "UTKAST" not in reading_text(render_report_pdf(period=period, part="form"))
