"""Rendering the report as HTML and PDF, and freezing a submitted period: its report body
is stored as a snapshot inside the submission's transaction, and the web page and the
frozen PDF of the submission are both made from that snapshot."""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from goals.choices import PeriodState
from goals.models import OrganisationalUnit, ReportingPeriod
from imdi_reporting.choices import ReportPart
from imdi_reporting.models import FrozenReport, OpenDataSnapshot, ReportSnapshot
from imdi_reporting.opendata.package import OpenDataPackage, build_package, table_files
from imdi_reporting.reports.selectors import report_context

DOCUMENT_TEMPLATE = "imdi_reporting/reports/document.html"
BODY_TEMPLATE = "imdi_reporting/reports/_report.html"
# The report is a Norwegian document whatever language the reader's interface uses.
REPORT_LANGUAGE = "nb"
# Seconds a stored PDF is kept in the cache after its last read from the database.
FROZEN_PDF_TIMEOUT = 3600


@dataclass
class StoredReport:
    """What page.html and document.html need of a report that is shown from its snapshot:
    the period and part, and the title and agency as the snapshot printed them."""

    period: ReportingPeriod
    part: str
    title: str
    agency_name: str
    body: SafeString
    unit: None = None
    is_draft: bool = False


def render_report_html(
    *,
    period: ReportingPeriod,
    part: str = ReportPart.FULL,
    unit: OrganisationalUnit | None = None,
    snapshot: ReportSnapshot | None = None,
) -> str:
    """The report as a complete HTML document (the one the PDF is made from): from live
    data, or, given a snapshot, the stored body in the document's frame."""
    with translation.override(REPORT_LANGUAGE):
        if snapshot is not None:
            report = stored_report_of(snapshot)
            return render_to_string(DOCUMENT_TEMPLATE, {"report": report, "body": report.body})
        report = report_context(period=period, part=part, unit=unit)
        return render_to_string(DOCUMENT_TEMPLATE, {"report": report})


def render_report_pdf(
    *,
    period: ReportingPeriod,
    part: str = ReportPart.FULL,
    unit: OrganisationalUnit | None = None,
    snapshot: ReportSnapshot | None = None,
) -> bytes:
    # WeasyPrint takes most of a second to import; importing it here rather than at module
    # level keeps it out of the URLconf, so app servers and commands start without it
    # until the first PDF is rendered.
    from imdi_reporting.pdf import render_pdf

    html = render_report_html(period=period, part=part, unit=unit, snapshot=snapshot)
    return render_pdf(html=html)


# --- The snapshot of a submission ---------------------------------------------------------


def render_report_body(*, period: ReportingPeriod, part: str) -> tuple[str, str, str]:
    """The report's body (_report.html, the same on the page and in the PDF) in bokmål,
    with the title and agency name its document prints."""
    with translation.override(REPORT_LANGUAGE):
        report = report_context(period=period, part=part)
        body = render_to_string(BODY_TEMPLATE, {"report": report})
        return body, str(report.title), report.agency_name


def stored_report_of(snapshot: ReportSnapshot) -> StoredReport:
    # The body was rendered (and escaped) by our own templates when it was stored.
    return StoredReport(
        period=snapshot.period,
        part=snapshot.part,
        title=snapshot.title,
        agency_name=snapshot.agency_name,
        body=mark_safe(snapshot.html),
    )


def snapshotted_periods(periods: list[ReportingPeriod]) -> set[int]:
    """The ids of the submitted periods whose current submission has a snapshot of every
    part (goals.locking asks, to know whether a year row may still change). One query."""
    current = {p.pk: p.submitted_at for p in periods if p.submitted_at is not None}
    if not current:
        return set()
    parts: dict[int, set[str]] = {}
    rows = ReportSnapshot.objects.filter(period_id__in=current).values_list(
        "period_id", "part", "submitted_at"
    )
    for period_id, part, submitted_at in rows:
        if submitted_at == current[period_id]:
            parts.setdefault(period_id, set()).add(part)
    return {pk for pk, found in parts.items() if found >= set(ReportPart.values)}


def take_snapshots(*, period: ReportingPeriod) -> list[ReportSnapshot]:
    """Store the body of every part of the period's current submission that is not stored
    yet; the stored snapshots of all parts. Run inside the submission's transaction (and on
    the first read of a period submitted before snapshots existed, where two readers at
    once store one copy: the unique constraint refuses the second, which reads the first)."""
    existing = {
        s.part: s
        for s in ReportSnapshot.objects.filter(period=period, submitted_at=period.submitted_at)
    }
    for part in ReportPart.values:
        if part in existing:
            continue
        body, title, agency_name = render_report_body(period=period, part=part)
        try:
            with transaction.atomic():
                existing[part] = ReportSnapshot.objects.create(
                    period=period,
                    part=part,
                    submitted_at=period.submitted_at,
                    title=title,
                    agency_name=agency_name,
                    html=body,
                    sha256=sha256(body.encode("utf-8")),
                )
        except IntegrityError:
            existing[part] = ReportSnapshot.objects.get(
                period=period, part=part, submitted_at=period.submitted_at
            )
    for snapshot in existing.values():
        snapshot.period = period
    published = OpenDataSnapshot.objects.filter(period=period, submitted_at=period.submitted_at)
    if not published.exists():
        _take_open_data(period=period)
    return [existing[part] for part in ReportPart.values]


def _take_open_data(*, period: ReportingPeriod) -> OpenDataSnapshot:
    with translation.override(REPORT_LANGUAGE):
        files = {name: data.decode("utf-8") for name, data in table_files(period=period).items()}
    try:
        with transaction.atomic():
            return OpenDataSnapshot.objects.create(
                period=period, submitted_at=period.submitted_at, files=files
            )
    except IntegrityError:  # another reader stored it a moment ago
        return OpenDataSnapshot.objects.get(period=period, submitted_at=period.submitted_at)


def published_files(*, period: ReportingPeriod) -> dict[str, bytes]:
    """The CSV files of the open data that the period's current submission published,
    stored now if the period was submitted before they were kept."""
    found = OpenDataSnapshot.objects.filter(
        period=period, submitted_at=period.submitted_at
    ).first() or _take_open_data(period=period)
    return {name: text.encode("utf-8") for name, text in found.files.items()}


def report_snapshot(*, period: ReportingPeriod, part: str) -> ReportSnapshot | None:
    """The snapshot of the part of the period's current submission, taken now (with the
    other parts) if the period was submitted before snapshots existed. None for an open
    period."""
    if period.state == PeriodState.OPEN or period.submitted_at is None:
        return None
    found = ReportSnapshot.objects.filter(
        period=period, part=part, submitted_at=period.submitted_at
    ).first()
    if found is None:
        found = next(s for s in take_snapshots(period=period) if s.part == part)
    found.period = period
    return found


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
    """Render the PDF once from the submission's snapshot and store it with its SHA-256 as
    the next version."""
    snapshot = report_snapshot(period=period, part=part)
    data = render_report_pdf(period=period, part=part, snapshot=snapshot)
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


def published_package(*, period: ReportingPeriod, base_url: str) -> OpenDataPackage:
    """The open data package of a submitted period: its tables as submitted, described for
    the site at ``base_url``."""
    return build_package(period=period, base_url=base_url, stored=published_files(period=period))
