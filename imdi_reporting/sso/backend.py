"""The authentication backend of the single sign-on.

mozilla-django-oidc exchanges the code (with the PKCE verifier) and checks the ID
token's signature and nonce; this backend adds the checks it leaves out (expiry, issuer,
audience), finds the user by issuer and subject, and gives access only through a role
mapping. A refusal is noted on the request, so that the callback can say why.
"""

import logging

import jwt
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from requests import RequestException

from imdi_reporting.sso import provider
from imdi_reporting.sso.selectors import grant_for
from imdi_reporting.sso.services import provision_user

logger = logging.getLogger(__name__)

REFUSED_UNMAPPED = "unmapped"
REFUSED_INVALID = "invalid"


class SsoBackend(OIDCAuthenticationBackend):
    """OpenID Connect login; does nothing for a username and password."""

    def __init__(self, *args, **kwargs):
        # The endpoints are read when a login needs them (see the properties below), so
        # that a local login neither needs nor waits for the provider.
        self.UserModel = get_user_model()

    @staticmethod
    def get_settings(attr, *args):
        return provider.setting(attr, *args)

    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: self.get_settings("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: self.get_settings("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: self.get_settings("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: self.get_settings("OIDC_RP_CLIENT_ID"))
    OIDC_RP_CLIENT_SECRET = property(lambda self: self.get_settings("OIDC_RP_CLIENT_SECRET"))
    OIDC_RP_SIGN_ALGO = property(lambda self: self.get_settings("OIDC_RP_SIGN_ALGO", "RS256"))
    OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, **kwargs):
        if request is None or not provider.is_configured() or "code" not in request.GET:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, RequestException) as error:
            logger.warning("single sign-on refused: %s", error)
            request.sso_refusal = REFUSED_INVALID
            return None

    def _verify_jws(self, payload, key):
        """Signature, expiry, issuer and audience; mozilla-django-oidc checks only the
        first and lets an expired token raise past its handling."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("The ID token's algorithm is not the expected one.")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=provider.metadata()["issuer"],
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from error

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub", payload["sub"]) != payload["sub"]:
            raise SuspiciousOperation("The userinfo answer is for another subject.")
        # The signed ID token's claims win over the userinfo answer's.
        claims = {**userinfo, **payload}
        grant = grant_for(claims=claims)
        if grant is None:
            self.request.sso_refusal = REFUSED_UNMAPPED
            self.request.session["sso_refused_claims"] = {
                "sub": payload["sub"],
                "name": claims.get("name") or claims.get("email") or "",
            }
            return None
        return provision_user(issuer=provider.metadata()["issuer"], claims=claims, grant=grant)
