from django.urls import path, re_path

from imdi_reporting.reports import views

app_name = "reports"

SLUG = r"(?P<slug>(?:[A-Za-z][A-Za-z0-9]*-)?[0-9]{4}(?:-[A-Z0-9]{1,2})?)"

urlpatterns = [
    path("", views.index, name="index"),
    re_path(rf"^{SLUG}/$", views.full, name="full"),
    re_path(rf"^{SLUG}\.pdf$", views.full_pdf, name="full_pdf"),
    re_path(rf"^{SLUG}/skjema/$", views.form, name="form"),
    re_path(rf"^{SLUG}/skjema\.pdf$", views.form_pdf, name="form_pdf"),
    re_path(rf"^{SLUG}/regnskap/$", views.accounts, name="accounts"),
    re_path(rf"^{SLUG}/regnskap\.pdf$", views.accounts_pdf, name="accounts_pdf"),
    re_path(rf"^{SLUG}/apne-data\.zip$", views.open_data, name="open_data"),
]
