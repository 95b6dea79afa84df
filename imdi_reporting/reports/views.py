"""The report pages and PDFs: /rapporter/<slug>/ (full), skjema/ (form), regnskap/
(accounts), each also as .pdf. A submitted period's page shows the snapshot of its report
taken at submission, and its PDF is the stored copy made from that snapshot; until a worker
has stored it, the download says so and reloads itself."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from goals.choices import PeriodKind
from goals.models import OrganisationalUnit
from goals.selectors import get_period, periods_visible_to
from imdi_reporting.choices import ReportPart
from imdi_reporting.models import FrozenReport
from imdi_reporting.opendata.selectors import is_published
from imdi_reporting.reports.selectors import index_rows, report_context
from imdi_reporting.reports.services import (
    published_package,
    render_report_pdf,
    report_snapshot,
    sha256,
    stored_pdf,
    stored_report,
    stored_report_of,
)
from imdi_reporting.reports.tasks import enqueue_freeze

# Seconds between the reloads of the page shown while a submitted period's PDF is made.
PREPARING_RETRY_AFTER = 5

# The full report is named by what the ministry calls it: a half-year, year or tertial report.
REPORT_NAMES = {
    PeriodKind.HALF_YEAR: "halvårsrapport",
    PeriodKind.YEAR: "årsrapport",
    PeriodKind.FIRST_TERTIAL: "tertialrapport",
    PeriodKind.SECOND_TERTIAL: "tertialrapport",
}
FILE_NAMES = {
    ReportPart.FORM: "rapporteringsskjema",
    ReportPart.ACCOUNTS: "regnskapsrapport",
}


def file_stem(*, period, part: str) -> str:
    if part == ReportPart.FULL:
        return REPORT_NAMES.get(period.kind, "rapport")
    return FILE_NAMES[part]


def content_disposition(name: str) -> str:
    """inline with the name as ASCII for old clients and in UTF-8 (RFC 6266) for the rest."""
    fallback = name.replace("å", "a").replace("æ", "ae").replace("ø", "o")
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def _period_or_404(request, slug: str):
    period = get_period(slug=slug, user=request.user)
    if period is None:
        raise Http404(_("No such period, or not one you may read."))
    return period


def _unit_or_404(request, period) -> OrganisationalUnit | None:
    code = request.GET.get("enhet")
    if not code:
        return None
    unit = OrganisationalUnit.objects.filter(agency=period.budget_year.agency, code=code).first()
    if unit is None:
        raise Http404(_("No such unit."))
    return unit


@login_required
def index(request):
    periods = list(
        periods_visible_to(user=request.user)
        .select_related("budget_year__agency")
        .order_by("-end", "budget_year__agency__code")
    )
    rows = index_rows(periods=periods)
    return render(
        request,
        "imdi_reporting/reports/index.html",
        {"rows": rows, "preparing": any(r.preparing for r in rows)},
    )


def _page(request, slug: str, part: str):
    """A submitted period's report (without a unit's extract) is its snapshot, the body the
    PDF is made from; an open period's, or an extract, is rendered from the data now."""
    period = _period_or_404(request, slug)
    unit = _unit_or_404(request, period) if part != ReportPart.ACCOUNTS else None
    snapshot = report_snapshot(period=period, part=part) if unit is None else None
    if snapshot is not None:
        report = stored_report_of(snapshot)
        body = report.body
    else:
        report, body = report_context(period=period, part=part, unit=unit), None
    versions = FrozenReport.objects.filter(period=period, part=part).only(
        "version", "submitted_at", "sha256", "size", "part", "period_id"
    )
    return render(
        request,
        "imdi_reporting/reports/page.html",
        {"report": report, "body": body, "versions": versions},
    )


def _pdf(request, slug: str, part: str):
    period = _period_or_404(request, slug)
    unit = _unit_or_404(request, period) if part != ReportPart.ACCOUNTS else None
    name = f"{file_stem(period=period, part=part)}-{period.slug}"
    version = request.GET.get("versjon")
    frozen = None
    if version:
        if not version.isdigit():
            raise Http404(_("No such version."))
        frozen = (
            FrozenReport.objects.filter(period=period, part=part, version=version)
            .defer("pdf")
            .first()
        )
        if frozen is None:
            raise Http404(_("No such version."))
    elif unit is None and period.is_locked:
        frozen = stored_report(period=period, part=part, with_pdf=False)
        if frozen is None:
            # Not made yet: the submission's task is still waiting or running, or was lost,
            # or the period was submitted before freezing existed. The immediate task
            # backend has made it when enqueue_freeze returns.
            enqueue_freeze(period=period)
            frozen = stored_report(period=period, part=part, with_pdf=False)
        if frozen is None:
            return _being_prepared(request, period)
    if frozen is not None:
        # The browser's copy is answered before the bytes are read.
        if request.headers.get("If-None-Match") == f'"{frozen.sha256}"':
            return _not_modified(frozen.sha256)
        data, digest = stored_pdf(frozen=frozen), frozen.sha256
        name = f"{name}-v{frozen.version}"
    else:
        data = render_report_pdf(period=period, part=part, unit=unit)
        digest = sha256(data)
        name = f"{name}-{unit.code}" if unit else f"{name}-utkast"
    if request.headers.get("If-None-Match") == f'"{digest}"':
        return _not_modified(digest)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{name}.pdf")
    response["ETag"] = f'"{digest}"'
    response["X-Content-SHA256"] = digest
    return response


def _not_modified(digest: str) -> HttpResponse:
    response = HttpResponse(status=304)
    response["ETag"] = f'"{digest}"'
    return response


def _being_prepared(request, period):
    """202 and a short page that reloads itself, rather than a request that waits seconds
    for the rendering (and holds an app server's worker meanwhile)."""
    response = render(
        request,
        "imdi_reporting/reports/preparing.html",
        {"period": period, "retry_after": PREPARING_RETRY_AFTER},
        status=202,
    )
    response["Retry-After"] = str(PREPARING_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def full(request, slug):
    return _page(request, slug, ReportPart.FULL)


@login_required
def full_pdf(request, slug):
    return _pdf(request, slug, ReportPart.FULL)


@login_required
def form(request, slug):
    return _page(request, slug, ReportPart.FORM)


@login_required
def form_pdf(request, slug):
    return _pdf(request, slug, ReportPart.FORM)


@login_required
def accounts(request, slug):
    return _page(request, slug, ReportPart.ACCOUNTS)


@login_required
def accounts_pdf(request, slug):
    return _pdf(request, slug, ReportPart.ACCOUNTS)


def open_data_response(request, period) -> HttpResponse:
    """The period's open data package as a zip; a period not submitted has none (404)."""
    if not is_published(period=period):
        raise Http404(_("Open data is published for submitted periods only."))
    package = published_package(period=period, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(package.zip_bytes(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{package.name}.zip"'
    return response


@login_required
def open_data(request, slug):
    return open_data_response(request, _period_or_404(request, slug))
