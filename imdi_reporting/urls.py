from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from imdi_reporting import views
from imdi_reporting.sso import views as sso_views

urlpatterns = [
    path("", views.home, name="home"),
    path("portefolje/", views.portfolio, name="portfolio"),
    path("sok/", views.search_page, name="search"),
    path("logg-inn/", sso_views.LoginView.as_view(), name="login"),
    path("logg-ut/", sso_views.LogoutView.as_view(), name="logout"),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("tilgjengelighet/", views.accessibility, name="accessibility"),
    path(
        "konto/passord/",
        auth_views.PasswordChangeView.as_view(
            template_name="imdi_reporting/password_change.html",
            success_url=reverse_lazy("password-change-done"),
        ),
        name="password-change",
    ),
    path(
        "konto/passord/endret/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="imdi_reporting/password_change_done.html"
        ),
        name="password-change-done",
    ),
    path("konto/api-nokler/", views.api_tokens, name="api-tokens"),
    path("konto/varsler/", views.notifications, name="notifications"),
    path(
        "konto/api-nokler/<int:token_id>/tilbakekall/",
        views.revoke_api_token_view,
        name="api-token-revoke",
    ),
    # Before Django's i18n URLs so that the switch also remembers the choice per user.
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("resultatkrav/", include("goals.urls")),
    path("budsjett/", include("budget.urls")),
    path("bosetting/", include("settlement.urls")),
    path("api/", include("imdi_reporting.api.urls")),
    path("rapporter/", include("imdi_reporting.reports.urls")),
    path("importer/", include("imdi_reporting.imports.urls")),
    path("admin/", admin.site.urls),
]

# The site's own error pages; under /api/ they answer JSON (imdi_reporting/errors.py).
handler400 = "imdi_reporting.errors.bad_request"
handler403 = "imdi_reporting.errors.permission_denied"
handler404 = "imdi_reporting.errors.page_not_found"
handler500 = "imdi_reporting.errors.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
