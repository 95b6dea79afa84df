"""The identity provider's endpoints, from its discovery document.

The document is fetched when first needed, not at start-up, so that the site (and its
local logins) runs while the provider is unreachable; it is cached for an hour.
"""

from urllib.parse import urlencode

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.shortcuts import resolve_url

DISCOVERY_CACHE_SECONDS = 3600
# mozilla-django-oidc's setting name -> the discovery document's key.
ENDPOINT_SETTINGS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def is_configured() -> bool:
    return bool(settings.OIDC_DISCOVERY_URL and settings.OIDC_RP_CLIENT_ID)


def metadata() -> dict:
    """The provider's discovery document (issuer, endpoints)."""
    if not is_configured():
        raise ImproperlyConfigured("Single sign-on needs OIDC_DISCOVERY_URL and OIDC_RP_CLIENT_ID.")
    key = f"oidc-discovery:{settings.OIDC_DISCOVERY_URL}"
    document = cache.get(key)
    if document is None:
        response = requests.get(settings.OIDC_DISCOVERY_URL, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
        required = ("issuer", *ENDPOINT_SETTINGS.values())
        missing = [name for name in required if not document.get(name)]
        if missing:
            raise ImproperlyConfigured(
                f"The discovery document {settings.OIDC_DISCOVERY_URL} lacks {', '.join(missing)}."
            )
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def setting(name: str, *default):
    """A mozilla-django-oidc setting; the endpoints come from discovery unless set."""
    if name in ENDPOINT_SETTINGS and not getattr(settings, name, None):
        return metadata()[ENDPOINT_SETTINGS[name]]
    if default:
        return getattr(settings, name, default[0])
    return getattr(settings, name)


def logout_url(request: HttpRequest) -> str:
    """Where logging out leads: the provider's end-session endpoint when the user signed in
    there and the provider has one (RP-initiated logout), else the login page."""
    after = resolve_url(settings.LOGOUT_REDIRECT_URL)
    id_token = request.session.get("oidc_id_token")
    if not id_token or not is_configured():
        return after
    try:
        end_session = metadata().get("end_session_endpoint")
    except (requests.RequestException, ImproperlyConfigured):
        # The local session ends even when the provider cannot be reached.
        return after
    if not end_session:
        return after
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(after),
        }
    )
    return f"{end_session}?{query}"
