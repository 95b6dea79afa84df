"""The site's error pages (400, 403, 404, 500 and a refused form) in its layout and language.

Under /api/ the same errors are JSON like the rest of the API, so that a client reading
JSON never gets an HTML page.
"""

import logging
import re
import sys

from django import db
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from imdi_reporting.middleware import REQUEST_ID
from imdi_reporting.roles import Role, roles_of

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"

# Django's own messages (get_object_or_404, the generic views) name a model class in
# English: they are for developers, not for the reader of the page.
DJANGO_INTERNAL_MESSAGE = re.compile(r"^No .+ (matches the given query|found matching the query)")

# The last resort when even the 500 template cannot be rendered: no template, no database.
BARE_SERVER_ERROR = (
    '<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>Feil</title></head>'
    "<body><h1>Noe gikk galt</h1><p>Prøv igjen om litt.</p></body></html>"
)


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def user_message(exception: BaseException | None) -> str:
    """The exception's message when it was written for the user, else ''.

    The views raise PermissionDenied and Http404 with a translated sentence when they know
    why ("Only an approver may submit the period."); a bare exception, the URL resolver's
    dictionary of tried patterns and Django's English model messages are not shown.
    """
    args = getattr(exception, "args", ())
    message = args[0] if args else None
    if isinstance(message, Promise):
        message = str(message)
    if not isinstance(message, str) or DJANGO_INTERNAL_MESSAGE.match(message):
        return ""
    return message.strip()


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    message = user_message(exception)
    if is_api(request):
        detail = message or _("You do not have permission to perform this action.")
        return JsonResponse({"detail": detail}, status=403)
    labels = dict(Role.choices)
    # A refusal by a middleware before AuthenticationMiddleware leaves no user.
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    context = {
        "message": message,
        "roles": [labels[name] for name in roles_of(user)] if signed_in else [],
    }
    return render(request, "403.html", context, status=403)


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    message = user_message(exception)
    if is_api(request):
        return JsonResponse({"detail": message or _("Not found.")}, status=404)
    return render(request, "404.html", {"message": message}, status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused because its security token was missing or stale (CSRF_FAILURE_VIEW).

    Usually a page left open past a log-out or log-in in another tab; the reason stays in
    the log, the page says what to do.
    """
    logger.warning("Form refused (CSRF): %s", reason)
    if is_api(request):
        return JsonResponse({"detail": _("CSRF verification failed.")}, status=403)
    return render(
        request, "403_csrf.html", {"no_cookie": reason == REASON_NO_CSRF_COOKIE}, status=403
    )


def request_id(request: HttpRequest) -> str:
    given = getattr(request, "request_id", "") or request.headers.get("X-Request-ID", "")
    return given if REQUEST_ID.fullmatch(given) else ""


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, rendered without the request's context processors.

    They read the session, the user and the organisation from the database, which may be
    the very thing that failed; the page needs only the language and the request id.
    """
    reference = request_id(request)
    if is_api(request):
        if isinstance(sys.exception(), db.OperationalError | db.InterfaceError):
            # The database is down or unreachable: the client may try again later.
            body = {"detail": _("The service is unavailable."), "request_id": reference or None}
            return JsonResponse(body, status=503, headers={"Retry-After": "30"})
        body = {"detail": _("Server error."), "request_id": reference or None}
        return JsonResponse(body, status=500)
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            content = loader.get_template("500.html").render({"request_id": reference})
    except Exception:
        # Whatever broke the request may break the template too (a missing static
        # manifest, say); the reader still gets a page.
        logger.exception("The 500 page could not be rendered")
        content = BARE_SERVER_ERROR
    return HttpResponse(content, status=500)
