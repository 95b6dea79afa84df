from datetime import date
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_http_methods, require_POST

from goals.page_cache import kept_page
from goals.selectors import choose_period, notifications_of, search, user_profile, work_list
from goals.services import mark_notifications_read, set_email_notifications, set_user_language
from imdi_reporting.forms import (
    AccessibilityFeedbackForm,
    ApiTokenForm,
    EmailNotificationsForm,
)
from imdi_reporting.language import SESSION_LANGUAGE_KEY
from imdi_reporting.models import ApiToken
from imdi_reporting.portfolio import may_see_portfolio
from imdi_reporting.portfolio import portfolio as portfolio_rows
from imdi_reporting.roles import Role, roles_of
from imdi_reporting.selectors import (
    api_tokens_of,
    budget_section,
    cached_overview_page,
    feedback_limit_reached,
    start_page_periods,
)
from imdi_reporting.services import (
    count_feedback,
    create_api_token,
    revoke_api_token,
    submit_accessibility_feedback,
)


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
@kept_page
def home(request: HttpRequest) -> HttpResponse:
    role_labels = dict(Role.choices)
    periods = start_page_periods(user=request.user)
    context = {
        "periods": periods,
        "profile": user_profile(user=request.user),
        "roles": [role_labels[name] for name in roles_of(request.user)],
        "work": work_list(user=request.user, periods=periods),
    }
    if periods:
        wanted = request.GET.get("period", "")
        period = choose_period(periods, wanted) or periods[0]
        data = request.GET.copy()
        data["period"] = period.slug
        report_url = optional_url("reports:full", period.slug)
        page = cached_overview_page(
            period=period,
            user=request.user,
            data=data,
            periods=periods,
            url_of=lambda requirement: requirement_url(period, requirement, report_url),
        )
        context.update(
            period=period,
            form=page.form,
            overview=page.overview,
            shown=page.shown,
            pager=page.pager,
            report_url=report_url,
            report_pdf_url=optional_url("reports:full_pdf", period.slug),
        )
        if request.user.has_perm("budget.view_chapter"):
            budget = budget_section(period=period)
            context.update(
                budget=budget,
                budget_rows=budget.rows,
                budget_chart=budget.chart,
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


def _api_tokens_page(request: HttpRequest, *, form: ApiTokenForm, new_key: str = "", status=200):
    context = {
        "form": form,
        "tokens": api_tokens_of(user=request.user),
        "new_key": new_key,
        "now": timezone.now(),
        "token_days": settings.API_TOKEN_DAYS,
    }
    response = render(request, "imdi_reporting/api_tokens.html", context, status=status)
    # The page that shows a new key must not be kept by the browser or a proxy.
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """API-nøkler: the user's own keys; a POST creates one and shows its key this once."""
    if request.method == "GET":
        return _api_tokens_page(request, form=ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _api_tokens_page(request, form=form, status=400)
    _token, key = create_api_token(user=request.user, name=form.cleaned_data["name"])
    return _api_tokens_page(request, form=ApiTokenForm(), new_key=key)


@login_required
@require_POST
def revoke_api_token_view(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = revoke_api_token(user=request.user, token_id=token_id)
    except ApiToken.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, _("The key “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api-tokens")


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """Varsler: what happened that concerns the user; mark read, and e-mail on or off."""
    if request.method == "POST":
        if request.POST.get("action") == "read":
            mark_notifications_read(user=request.user)
            messages.success(request, _("All notifications are marked as read."))
        else:
            form = EmailNotificationsForm(request.POST)
            form.is_valid()
            enabled = form.cleaned_data.get("email", False)
            set_email_notifications(user=request.user, enabled=enabled)
            messages.success(
                request,
                _("You get notifications by e-mail.")
                if enabled
                else _("You get notifications in the app only."),
            )
        return redirect("notifications")
    profile = user_profile(user=request.user)
    email = profile.email_notifications if profile else False
    context = {
        "notifications": notifications_of(user=request.user),
        "form": EmailNotificationsForm(initial={"email": email}),
        "has_address": bool(request.user.email),
    }
    return render(request, "imdi_reporting/notifications.html", context)


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    """Søk: requirements, form rows, status texts and feedback of the periods the user reads."""
    query = " ".join(request.GET.get("q", "").split())[:200]
    hits = search(user=request.user, query=query) if len(query) >= 2 else []
    return render(request, "imdi_reporting/search.html", {"query": query, "hits": hits})


# When the accessibility statement was last reviewed against the service; change it with
# the statement's text.
STATEMENT_DATE = date(2026, 12, 2)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch (the cookie), and for a logged-in user their profile and
    session too, so that the choice follows them to the next device they log in on."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        set_user_language(user=request.user, language=language)
        request.session[SESSION_LANGUAGE_KEY] = language
    return response


def client_address(request: HttpRequest) -> str:
    """The visitor's address for the feedback limit: the address the proxy appended last to
    X-Forwarded-For (the app is reachable only through the proxy), else the peer's."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    return forwarded.rsplit(",", 1)[-1].strip() or request.META.get("REMOTE_ADDR", "")


def referring_page(request: HttpRequest) -> str:
    """The page of this site the visitor came from, to fill in the form's page address."""
    referer = urlsplit(request.headers.get("Referer", ""))
    if referer.netloc != request.get_host() or referer.path == reverse("accessibility"):
        return ""
    return referer.path + (f"?{referer.query}" if referer.query else "")


def accessibility(request: HttpRequest) -> HttpResponse:
    """Tilgjengelighetserklæring: public, with a form for reporting a barrier."""
    form = AccessibilityFeedbackForm(initial={"url": referring_page(request)})
    limited = False
    if request.method == "POST":
        form = AccessibilityFeedbackForm(request.POST)
        client = client_address(request)
        limited = feedback_limit_reached(client=client)
        if not limited and form.is_valid():
            submit_accessibility_feedback(**form.cleaned_data, user=request.user)
            count_feedback(client=client)
            messages.success(
                request, _("Thank you. Your report has been sent to the administrators.")
            )
            return redirect(f"{reverse('accessibility')}#main")
    context = {"form": form, "limited": limited, "statement_date": STATEMENT_DATE}
    return render(
        request, "imdi_reporting/accessibility.html", context, status=429 if limited else 200
    )
