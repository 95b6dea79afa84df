"""Where a request comes from, and the count of failed API token attempts per address.

The count lives in the cache (Redis when REDIS_URL is set, shared by every app server;
otherwise per process, which raises the effective limit by the number of processes)."""

import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the first address in the header named by CLIENT_IP_HEADER, which only
    the proxy in front of the app servers may set. A malformed header is ignored."""
    header = settings.CLIENT_IP_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        candidate = value.split(",")[0].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR", "")


def is_single_sign_on_callback(request: HttpRequest, credentials: dict | None = None) -> bool:
    """The provider's answer to a single sign-on carries no password to guess (state, nonce
    and PKCE bind it to the browser), so the login lockout neither counts nor refuses it:
    otherwise a few refused colleagues behind one address would lock everyone out."""
    return not (credentials or {}).get("username") and request.path == reverse(
        "oidc_authentication_callback"
    )


def _failure_key(ip: str) -> str:
    return f"api-token-failures:{ip}"


def token_failures_exceeded(*, ip: str) -> bool:
    return cache.get(_failure_key(ip), 0) >= settings.API_TOKEN_FAILURE_LIMIT


def record_token_failure(*, ip: str) -> int:
    """Count one refused token from this address; the window starts at the first one."""
    key = _failure_key(ip)
    cache.add(key, 0, timeout=settings.API_TOKEN_FAILURE_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:
        # The entry expired between add and incr: this failure opens a new window.
        cache.set(key, 1, timeout=settings.API_TOKEN_FAILURE_WINDOW_SECONDS)
        return 1


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """The page django-axes shows instead of the login form once a login is locked: the
    site's layout in the user's language, with how long the lock lasts (429)."""
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)
