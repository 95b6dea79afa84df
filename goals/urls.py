from django.urls import path

from goals import views

app_name = "goals"

urlpatterns = [
    path("", views.requirement_list, name="requirement-list"),
    path("mine/", views.my_requirements, name="my-requirements"),
    path("<str:period_slug>/godkjenning/", views.approval, name="approval"),
    path("<str:period_slug>/send-inn/", views.submit_check, name="submit-check"),
    path(
        "<str:period_slug>/aktivitet/<int:position>/",
        views.edit_status_update,
        name="edit-status-update",
    ),
    path(
        "<str:period_slug>/aktivitet/<int:position>/klar/",
        views.mark_update_ready,
        name="mark-ready",
    ),
    path("<str:period_slug>/<str:code>/", views.requirement_detail, name="requirement-detail"),
    path(
        "<str:period_slug>/<str:code>/rapportering/",
        views.edit_narrative,
        name="edit-narrative",
    ),
    path(
        "<str:period_slug>/<str:code>/tilbakemelding/",
        views.post_feedback,
        name="feedback",
    ),
    path(
        "<str:period_slug>/<str:code>/leveranse/",
        views.deliverable_met,
        name="deliverable-met",
    ),
    path("nytt-ar/", views.new_year, name="new-year"),
]
