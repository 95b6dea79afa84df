from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from budget.imports import export_budget_table
from budget.models import AccountsEntry, Chapter, Post
from budget.resources import RESOURCES
from budget.selectors import (
    budget_page,
    chapter_detail,
    export_queryset,
    period_controls,
    post_detail,
)
from goals.models import ReportingPeriod
from goals.page_cache import kept_page
from goals.selectors import changes_shown_on, consistency_warnings, get_period, periods_visible_to

VIEW_PERMISSION = "budget.view_chapter"
CONTROLS_PERMISSION = "budget.view_controls"


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _period(request: HttpRequest, slug: str) -> ReportingPeriod:
    period = get_period(slug=slug, user=request.user)
    if period is None:
        raise Http404
    return period


def _context(request: HttpRequest, period: ReportingPeriod, **extra) -> dict:
    return {
        "period": period,
        "periods": list(periods_visible_to(user=request.user).order_by("-end", "kind")),
        "can_view_controls": request.user.has_perm(CONTROLS_PERMISSION),
        **extra,
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The latest period the user may read that has accounts, else the latest period."""
    _require(request, VIEW_PERMISSION)
    periods = periods_visible_to(user=request.user).order_by("-end", "kind")
    with_accounts = periods.filter(
        pk__in=AccountsEntry.objects.values("period_id").distinct()
    ).first()
    period = with_accounts or periods.first()
    if period is None:
        return render(request, "budget/no_period.html")
    return redirect("budget:period", period=period.slug)


@login_required
@kept_page
def period_index(request: HttpRequest, period: str) -> HttpResponse:
    _require(request, VIEW_PERMISSION)
    reporting_period = _period(request, period)
    return render(
        request,
        "budget/index.html",
        _context(
            request,
            reporting_period,
            **budget_page(period=reporting_period, query=request.GET),
            export_tables=[
                ("allocations", _("Allocation entries")),
                ("accounts", _("Accounts")),
                ("lines", _("Sub-post lines")),
            ],
        ),
    )


@login_required
@kept_page
def chapter(request: HttpRequest, period: str, chapter: str) -> HttpResponse:
    _require(request, VIEW_PERMISSION)
    reporting_period = _period(request, period)
    found = get_object_or_404(
        Chapter.objects.select_related("ministry"),
        agency_id=reporting_period.budget_year.agency_id,
        number=chapter,
    )
    return render(
        request,
        "budget/chapter.html",
        _context(
            request,
            reporting_period,
            chapter=found,
            figures=chapter_detail(period=reporting_period, chapter=found),
        ),
    )


@login_required
@kept_page
def post(request: HttpRequest, period: str, chapter: str, post: str) -> HttpResponse:
    _require(request, VIEW_PERMISSION)
    reporting_period = _period(request, period)
    found = get_object_or_404(
        Post.objects.select_related("chapter", "credited_against__chapter"),
        chapter__agency_id=reporting_period.budget_year.agency_id,
        chapter__number=chapter,
        number=post,
    )
    return render(
        request,
        "budget/post.html",
        _context(
            request,
            reporting_period,
            post=found,
            detail=post_detail(period=reporting_period, post=found),
            history=changes_shown_on(anchor=f"budget.post:{found.pk}", period=reporting_period),
        ),
    )


@login_required
def controls(request: HttpRequest, period: str) -> HttpResponse:
    _require(request, CONTROLS_PERMISSION)
    reporting_period = _period(request, period)
    return render(
        request,
        "budget/controls.html",
        _context(
            request,
            reporting_period,
            controls=period_controls(period=reporting_period),
            warnings=consistency_warnings(period=reporting_period),
        ),
    )


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
def export(request: HttpRequest, period: str, table: str, fmt: str) -> HttpResponse:
    """A table of the period (allocations: of its year) in the columns the import reads."""
    _require(request, VIEW_PERMISSION)
    reporting_period = _period(request, period)
    if table not in RESOURCES or fmt not in EXPORT_TYPES:
        raise Http404
    queryset = export_queryset(table=table, period=reporting_period)
    response = HttpResponse(
        export_budget_table(table=table, fmt=fmt, queryset=queryset),
        content_type=EXPORT_TYPES[fmt],
    )
    filename = f"budsjett-{table}-{reporting_period.slug}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
