"""Pages of the single sign-on: the login page's button, the redirect to the provider,
the callback, the refusal page and logout."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import render
from mozilla_django_oidc import views as oidc_views

from imdi_reporting.sso import provider
from imdi_reporting.sso.backend import REFUSED_UNMAPPED


class LoginView(auth_views.LoginView):
    """The local login form, with "Log in with ..." when single sign-on is configured."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if provider.is_configured():
            context["sso_provider_name"] = settings.OIDC_PROVIDER_NAME
        return context


class AuthenticateView(oidc_views.OIDCAuthenticationRequestView):
    """Sends the browser to the provider with state, nonce and the PKCE challenge."""

    def __init__(self, *args, **kwargs):
        super(oidc_views.OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    get_settings = staticmethod(provider.setting)

    def get(self, request):
        if not provider.is_configured():
            raise Http404
        self.OIDC_OP_AUTH_ENDPOINT = provider.setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class CallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """The provider's answer. An unknown state, a bad token or a user without a role
    mapping ends on a page that says so; nobody is logged in."""

    get_settings = staticmethod(provider.setting)

    def get(self, request):
        if not provider.is_configured():
            raise Http404
        try:
            return super().get(request)
        except SuspiciousOperation:
            # The state is not one this browser's session started: a forged or replayed
            # answer, or a login begun in another browser.
            return self.login_failure()

    def login_failure(self):
        if getattr(self.request, "sso_refusal", None) == REFUSED_UNMAPPED:
            claims = self.request.session.get("sso_refused_claims", {})
            return render(
                self.request,
                "imdi_reporting/sso_unmapped.html",
                {"claims": claims, "admins": settings.ADMINS},
                status=403,
            )
        return render(
            self.request,
            "imdi_reporting/sso_failed.html",
            {"sso_provider_name": settings.OIDC_PROVIDER_NAME},
            status=400,
        )


class LogoutView(oidc_views.OIDCLogoutView):
    """Ends the session; after a single sign-on, also at the provider (end session)."""

    get_settings = staticmethod(provider.setting)
