from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from budget.selectors import budget_overview, execution_chart
from goals.selectors import choose_period, user_profile
from imdi_reporting.forms import OverviewFilterForm
from imdi_reporting.portfolio import may_see_portfolio
from imdi_reporting.portfolio import portfolio as portfolio_rows
from imdi_reporting.roles import Role, roles_of
from imdi_reporting.selectors import budget_execution, overview, start_page_periods


def optional_url(name: str, *args) -> str | None:
    """The URL of a page another app may or may not provide yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def requirement_url(period, requirement, report_url: str | None) -> str | None:
    for name, args in (
        ("goals:requirement-detail", (period.slug, requirement.code)),
        ("goals:requirement", (period.slug, requirement.code)),
        ("goals:requirement-detail", (requirement.pk,)),
    ):
        url = optional_url(name, *args)
        if url:
            return url
    return f"{report_url}#{requirement.code}" if report_url else None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role_labels = dict(Role.choices)
    periods = start_page_periods(user=request.user)
    context = {
        "periods": periods,
        "profile": user_profile(user=request.user),
        "roles": [role_labels[name] for name in roles_of(request.user)],
    }
    if periods:
        wanted = request.GET.get("period", "")
        period = choose_period(periods, wanted) or periods[0]
        data = request.GET.copy()
        data["period"] = period.slug
        summary = overview(period=period)
        form = OverviewFilterForm(
            data, periods=periods, main_goals=summary.main_goals, units=summary.units
        )
        # An unknown choice (an old bookmark, say) is shown as an error and ignored.
        filters = {
            name: form.cleaned_data.get(name, "") if form.is_valid() else ""
            for name in ("main_goal", "unit", "status")
        }
        shown = summary.filtered(**filters)
        report_url = optional_url("reports:full", period.slug)
        for group in shown.groups:
            for row in group.rows:
                row.url = requirement_url(period, row.requirement, report_url)
        context.update(
            period=period,
            form=form,
            overview=summary,
            shown=shown,
            report_url=report_url,
            report_pdf_url=optional_url("reports:full_pdf", period.slug),
        )
        if request.user.has_perm("budget.view_chapter"):
            figures = budget_overview(period=period)
            context.update(
                budget_rows=budget_execution(figures=figures),
                budget_chart=execution_chart(overview=figures),
                budget_url=optional_url("budget:period", period.slug)
                or optional_url("budget:index"),
            )
    return render(request, "imdi_reporting/home.html", context)


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    if not may_see_portfolio(user=request.user):
        raise PermissionDenied
    return render(
        request, "imdi_reporting/portfolio.html", {"rows": portfolio_rows(user=request.user)}
    )
