"""A page's response kept for the session that asked for it, until any write.

The read pages (overview, requirements, budget, settlement, the API lists) are asked for
again and again by the same people while nothing changes. Each kept response is stored
under a key made of the address, the session, the CSRF cookie, the language, the date, the
user's count of unread notifications and every agency's cache generation
(goals.models.CacheGeneration). Every save and delete replaces a generation
(imdi_reporting.rollup_signals: the row's agency, or every agency for the rows that
belong to none, such as users and their roles), so a write by anyone makes every kept
page unreachable: no page is ever served older than the data.

Only a GET by a logged-in session, answered 200, without messages waiting to be shown
and without setting a cookie, is kept. The per-request CSP nonce in the page is replaced
by the new request's, so the page's scripts run under the new policy.
"""

import hashlib
import re
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.utils.translation import get_language

from goals import selectors
from goals.models import CacheGeneration

# Headers the view sets that belong to the page; the middleware adds the rest (CSP,
# security headers, Vary, Content-Language) to every response, kept or not.
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Allow", "Link", "ETag", "Cache-Control")
NONCE = re.compile(rb'nonce="([^"]+)"')


def page_key(request: HttpRequest) -> str | None:
    """The key the request's response is kept under, or None when it is not to be kept."""
    if not settings.PAGE_CACHE_TIMEOUT or request.method != "GET":
        return None
    if not request.user.is_authenticated:
        return None
    session_key = request.session.session_key
    csrf_secret = request.META.get("CSRF_COOKIE")
    if not session_key or not csrf_secret or len(get_messages(request)):
        return None
    tokens = CacheGeneration.objects.order_by("agency_id").values_list("agency_id", "token")
    # The header's count of unread notifications is the user's own, and is changed by
    # bulk writes (a reminder to many, "mark all read") that retire no generation.
    profile = selectors.user_profile(user=request.user)
    parts = [
        f"unread={getattr(profile, 'unread_notifications', 0)}",
        request.build_absolute_uri(),
        request.META.get("HTTP_ACCEPT", ""),
        session_key,
        csrf_secret,
        get_language() or "",
        selectors.today().isoformat(),
        *(f"{agency}={token}" for agency, token in tokens),
    ]
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _store(key: str, request: HttpRequest, response: HttpResponse) -> None:
    if response.status_code != 200 or response.cookies or response.streaming:
        return
    nonce = get_nonce(request)
    headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
    cache.set(
        key,
        (response.content, headers, str(nonce) if nonce else ""),
        settings.PAGE_CACHE_TIMEOUT,
    )


def _kept(request: HttpRequest, stored: tuple) -> HttpResponse:
    content, headers, old_nonce = stored
    nonce = get_nonce(request)
    if old_nonce and nonce is not None:
        # str() makes the lazy nonce, and so puts it into this response's policy.
        content = NONCE.sub(f'nonce="{nonce!s}"'.encode(), content)
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response


def kept_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's page from the session's kept copy while no data has changed."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = page_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        stored = cache.get(key)
        if stored is not None:
            return _kept(request, stored)
        response = view(request, *args, **kwargs)
        if getattr(response, "is_rendered", True):
            _store(key, request, response)
        else:
            response.add_post_render_callback(lambda rendered: _store(key, request, rendered))
        return response

    return wrapper
