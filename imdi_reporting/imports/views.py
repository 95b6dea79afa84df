"""The page that follows a large admin import, and the status it polls."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, JsonResponse
from django.shortcuts import render

from imdi_reporting.imports.selectors import job_for, job_page, job_status


@staff_member_required
def import_job(request, job_id: int):
    job = job_for(user=request.user, job_id=job_id)
    if job is None:
        raise Http404
    return render(request, "imdi_reporting/import_job.html", job_page(job=job))


@staff_member_required
def import_job_status(request, job_id: int):
    job = job_for(user=request.user, job_id=job_id)
    if job is None:
        raise Http404
    return JsonResponse(job_status(job=job), headers={"Cache-Control": "no-store"})
