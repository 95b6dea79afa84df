from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers

from goals.models import parse_period_slug
from goals.selectors import periods_by_slug, user_profile


class LanguageMiddleware:
    """Norwegian bokmål unless the user chose another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language header, which
    would show most civil servants' browsers (set to English) an English service.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response


# The URL keywords under which the goals, budget and report pages take a period's address.
PERIOD_KWARGS = ("slug", "period_slug", "period")


class PeriodAddressMiddleware:
    """Short period addresses ('2006-H1', the links of earlier versions) that several
    agencies readable by the user share are answered with a choice, not a guess.

    A full address ('ABC-2006-H1') and a short one that only one readable agency has
    go to the view unchanged, so old links keep working.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs) -> HttpResponse | None:
        short = next(
            (view_kwargs[k] for k in PERIOD_KWARGS if isinstance(view_kwargs.get(k), str)), None
        )
        parsed = parse_period_slug(short) if short else None
        if parsed is None or parsed.agency is not None:
            return None
        profile = user_profile(user=request.user)
        if profile is not None and profile.agency_id is not None:
            return None  # an agency's own users read one agency only
        candidates = list(periods_by_slug(slug=short, user=request.user))
        if len(candidates) < 2:
            return None
        query = f"?{request.META['QUERY_STRING']}" if request.META.get("QUERY_STRING") else ""
        choices = [
            (period, request.path.replace(f"/{short}", f"/{period.slug}", 1) + query)
            for period in candidates
        ]
        return render(
            request,
            "imdi_reporting/choose_period.html",
            {"short": short, "choices": choices},
            status=300,
        )
