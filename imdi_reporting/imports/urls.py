from django.urls import path

from imdi_reporting.imports import views

app_name = "imports"

urlpatterns = [
    path("<int:job_id>/", views.import_job, name="job"),
    path("<int:job_id>/status/", views.import_job_status, name="status"),
]
