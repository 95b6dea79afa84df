import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from django import db
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext as _

from goals.choices import ChangePath
from goals.history import change_context
from goals.models import parse_period_slug
from goals.selectors import readable_periods, user_profile
from imdi_reporting.language import SESSION_LANGUAGE_KEY

logger = logging.getLogger(__name__)
request_log = logging.getLogger("imdi_reporting.requests")

HEALTH_CHECK_PATH = "/healthz"
# What a proxy's request id looks like (nginx's $request_id, a UUID); anything else is
# replaced, so that a client cannot write arbitrary text into the log.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class LanguageMiddleware:
    """Norwegian bokmål unless the user chose another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language header, which
    would show most civil servants' browsers (set to English) an English service. A
    logged-in user's own choice (kept in the session from their profile at login) comes
    before the browser's cookie, which may be left by someone else on a shared machine.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        chosen = (session.get(SESSION_LANGUAGE_KEY) if session is not None else None) or (
            request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        )
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response


class HealthCheckMiddleware:
    """Answers /healthz: 200 {"status": "ok"} when the database answers SELECT 1, else 503.

    It sits first in MIDDLEWARE so that the check runs before anything a load balancer's
    probe would trip over: the HTTPS redirect (probes speak plain HTTP to the app server),
    the ALLOWED_HOSTS check (probes address the server by its IP), sessions and login.
    Nothing here reads request.get_host(), so Django never validates the host.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != HEALTH_CHECK_PATH:
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except db.Error as error:
            # The reason goes to the log only: the endpoint is public.
            logger.warning("Health check failed: the database did not answer (%s)", error)
            response = JsonResponse({"status": "error", "database": "unavailable"}, status=503)
        else:
            response = JsonResponse({"status": "ok"})
        response["Cache-Control"] = "no-store"
        return response


class RequestLogMiddleware:
    """One JSON line per request on the logger imdi_reporting.requests: time, method, path,
    status, duration in milliseconds, user id and request id.

    The request id is the proxy's X-Request-ID when it sends a plausible one (so the
    proxy's and the app's logs can be joined), otherwise a new one; either way it is
    returned in the response's X-Request-ID header. Gunicorn's access log is off; this
    line replaces it and adds the user.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        request.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        response = self.get_response(request)
        response.headers.setdefault("X-Request-ID", request.request_id)
        if request_log.isEnabledFor(logging.INFO):
            line = {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": _user_id(request),
                "request_id": request.request_id,
            }
            request_log.info(json.dumps(line, ensure_ascii=False))
        return response


def _user_id(request: HttpRequest) -> int | None:
    """The authenticated user's id, without loading the user only for the log: a page that
    never looked at request.user leaves AuthenticationMiddleware's lazy object unevaluated,
    and evaluating it here would cost a session and a user query. API token users are set
    by REST framework on the request, so they are seen."""
    user = getattr(request, "user", None)
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return user.pk if user.is_authenticated else None


class ChangeContextMiddleware:
    """Every change a request makes is recorded (goals.history) with the request's user and
    its path: the admin, an import in the admin, the API, or a page. The user is read only
    when a change is recorded, so that an API key's user (set by REST framework during
    the view) is the one named."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with change_context(
            path=change_path(request.path_info), source=request.path, request=request
        ):
            return self.get_response(request)


def change_path(path: str) -> str:
    if path.startswith("/admin/"):
        # django-import-export's import and process_import, and the letter import.
        return ChangePath.IMPORT if "import" in path.rsplit("/", 2)[-2] else ChangePath.ADMIN
    if path.startswith("/api/"):
        return ChangePath.API
    return ChangePath.PAGE


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
        candidates = readable_periods(slug=short, user=request.user)
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


class UploadSizeMiddleware:
    """Refuse a request body larger than MAX_UPLOAD_SIZE with 413 before anything reads
    it. Django's own limits bound what it holds in memory (DATA_UPLOAD_MAX_MEMORY_SIZE,
    FILE_UPLOAD_MAX_MEMORY_SIZE); this bounds what an upload may write to disk."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_UPLOAD_SIZE:
            limit = settings.MAX_UPLOAD_SIZE // (1024 * 1024)
            message = _("The upload is larger than %(limit)s MB.") % {"limit": limit}
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return render(request, "400.html", status=413)
        return self.get_response(request)
