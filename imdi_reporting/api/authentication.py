"""`Authorization: Token <key>` against the hashed ApiToken rows, with a limit on failures.

The header is the one rest_framework.authtoken used, so existing clients keep working with
a new key. An address that sent too many refused keys gets 429 until its window ends,
whatever it sends, so that keys cannot be guessed at speed."""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from imdi_reporting.security import client_ip, record_token_failure, token_failures_exceeded
from imdi_reporting.services import ApiTokenRefused, authenticate_api_token

KEYWORD = b"token"


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None  # another scheme, or none: the session may still authenticate
        ip = client_ip(request._request)
        if token_failures_exceeded(ip=ip):
            raise exceptions.Throttled(detail=_("Too many invalid tokens from this address."))
        if len(parts) != 2:
            record_token_failure(ip=ip)
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = parts[1].decode()
            token = authenticate_api_token(key=key)
        except (UnicodeError, ApiTokenRefused) as exc:
            record_token_failure(ip=ip)
            reason = str(exc) if isinstance(exc, ApiTokenRefused) else _("Invalid token.")
            raise exceptions.AuthenticationFailed(reason) from exc
        return token.user, token

    def authenticate_header(self, request) -> str:
        # With this, an anonymous call gets 401 (not 403) and says which scheme to use.
        return "Token"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The scheme in the OpenAPI schema, as drf-spectacular describes DRF's own tokens."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Token",  # noqa: S106  (the scheme name, not a secret)
        )
