"""The site's URLs plus views that fail on purpose, for the error page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import connection
from django.urls import path
from django.utils.translation import gettext as _

from imdi_reporting import urls as site


def refuse_with_reason(request):
    raise PermissionDenied(_("Only an approver may submit the period."))


def refuse(request):
    raise PermissionDenied


def malformed(request):
    raise SuspiciousOperation("a malformed request")


def query_the_database(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500

urlpatterns = [
    path("feil/403-grunn/", refuse_with_reason),
    path("feil/403/", refuse),
    path("feil/400/", malformed),
    path("feil/500/", query_the_database),
    path("api/feil/500/", query_the_database),
    *site.urlpatterns,
]
