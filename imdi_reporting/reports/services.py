"""Rendering the report as HTML and PDF, and freezing the PDF of a submitted period."""

import hashlib

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from goals.choices import PeriodState
from goals.models import OrganisationalUnit, ReportingPeriod
from imdi_reporting.choices import ReportPart
from imdi_reporting.models import FrozenReport
from imdi_reporting.reports.selectors import report_context

DOCUMENT_TEMPLATE = "imdi_reporting/reports/document.html"
# The report is a Norwegian document whatever language the reader's interface uses.
REPORT_LANGUAGE = "nb"
# Seconds a stored PDF is kept in the cache after its last read from the database.
FROZEN_PDF_TIMEOUT = 3600


def render_report_html(
    *,
    period: ReportingPeriod,
    part: str = ReportPart.FULL,
    unit: OrganisationalUnit | None = None,
    for_print: bool = True,
) -> str:
    """The report as a complete HTML document (the one the PDF is made from)."""
    with translation.override(REPORT_LANGUAGE):
        report = report_context(period=period, part=part, unit=unit)
        return render_to_string(DOCUMENT_TEMPLATE, {"report": report, "for_print": for_print})


def render_report_pdf(
    *, period: ReportingPeriod, part: str = ReportPart.FULL, unit: OrganisationalUnit | None = None
) -> bytes:
    # WeasyPrint takes most of a second to import; importing it here rather than at module
    # level keeps it out of the URLconf, so app servers and commands start without it
    # until the first PDF is rendered.
    from imdi_reporting.pdf import render_pdf

    return render_pdf(html=render_report_html(period=period, part=part, unit=unit))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_report(
    *, period: ReportingPeriod, part: str, with_pdf: bool = True
) -> FrozenReport | None:
    """The stored PDF of the period's current submission if it has been made. None for an
    open period. Without with_pdf the bytes are left in the database (stored_pdf reads
    them), so that a download the browser already has costs no read of them."""
    if period.state == PeriodState.OPEN or period.submitted_at is None:
        return None
    found = FrozenReport.objects.filter(period=period, part=part, submitted_at=period.submitted_at)
    return (found if with_pdf else found.defer("pdf")).first()


def stored_pdf(*, frozen: FrozenReport) -> bytes:
    """The bytes of a stored PDF, from the cache after the first read: a stored copy never
    changes (a resubmission is a new row), so the key of its id and SHA-256 is never stale."""
    key = f"frozen-pdf:{frozen.pk}:{frozen.sha256}"
    data = cache.get(key)
    if data is None:
        data = bytes(FrozenReport.objects.values_list("pdf", flat=True).get(pk=frozen.pk))
        cache.set(key, data, FROZEN_PDF_TIMEOUT)
    return data


def frozen_report(*, period: ReportingPeriod, part: str, user=None) -> FrozenReport | None:
    """The stored PDF of the period's current submission, made now if it does not exist yet
    (periods submitted before freezing existed). None for an open period."""
    if period.state == PeriodState.OPEN or period.submitted_at is None:
        return None
    existing = stored_report(period=period, part=part)
    if existing is not None:
        return existing
    return freeze_report(period=period, part=part, user=user)


def freeze_report(*, period: ReportingPeriod, part: str, user=None) -> FrozenReport:
    """Render the PDF once and store it with its SHA-256 as the next version."""
    data = render_report_pdf(period=period, part=part)
    try:
        with transaction.atomic():
            latest = (
                FrozenReport.objects.select_for_update()
                .filter(period=period, part=part)
                .order_by("-version")
                .first()
            )
            return FrozenReport.objects.create(
                period=period,
                part=part,
                version=(latest.version + 1) if latest else 1,
                submitted_at=period.submitted_at,
                sha256=sha256(data),
                pdf=data,
                size=len(data),
                created_by=user,
            )
    except IntegrityError:
        # Two first downloads at once: the other one stored it; serve that copy.
        return FrozenReport.objects.get(period=period, part=part, submitted_at=period.submitted_at)


def freeze_submission(*, period_id: int) -> list[FrozenReport]:
    """Freeze every part of the period's current submission (after it is committed)."""
    period = ReportingPeriod.objects.select_related("budget_year__agency", "submitted_by").get(
        pk=period_id
    )
    return [
        frozen_report(period=period, part=part, user=period.submitted_by)
        for part in ReportPart.values
    ]
