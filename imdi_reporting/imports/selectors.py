"""What the page of a large admin import shows: its state and progress, then its result."""

from django.utils.translation import gettext as _

from goals.formatting import format_int
from imdi_reporting.models import ImportJob


def job_for(*, user, job_id: int) -> ImportJob | None:
    """The job, if the user started it (an administrator sees every job)."""
    jobs = ImportJob.objects.defer("content")
    if not user.is_superuser:
        jobs = jobs.filter(created_by=user)
    return jobs.filter(pk=job_id).first()


def progress_text(*, job: ImportJob) -> str:
    if job.state == ImportJob.State.QUEUED:
        return _("Waiting for the worker.")
    if job.state == ImportJob.State.SAVING:
        return _("Every row is checked; saving.")
    if job.state == ImportJob.State.CHECKING and job.rows_total:
        return _("Checked %(done)s of about %(total)s rows.") % {
            "done": format_int(job.rows_done),
            "total": format_int(job.rows_total),
        }
    if job.state == ImportJob.State.CHECKING:
        return _("Checked %(done)s rows.") % {"done": format_int(job.rows_done)}
    return job.get_state_display()


def job_status(*, job: ImportJob) -> dict:
    return {
        "state": job.state,
        "finished": job.finished,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "text": progress_text(job=job),
    }


def job_page(*, job: ImportJob) -> dict:
    result = job.result or {}
    return {
        "job": job,
        "status": job_status(job=job),
        "problems": result.get("problems", []),
        "more": result.get("more", 0),
        "created": result.get("created", 0),
        "updated": result.get("updated", 0),
        "rows": result.get("rows", 0),
        "title": _("Import of %(file)s") % {"file": job.filename},
    }
