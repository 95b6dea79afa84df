"""The task the worker runs for a large admin import (imdi_reporting.imports.services)."""

from django.db import transaction
from django.tasks import task

from imdi_reporting.imports import services
from imdi_reporting.models import ImportJob


@task
def run_import_job(job_id: int) -> dict:
    return services.run_import(job_id=job_id)


def start_import_job(
    *, kind: str, content: bytes, filename: str, agency_code: str, user
) -> ImportJob:
    """Store the upload and queue its import once the job is committed."""
    job = services.create_import_job(
        kind=kind, content=content, filename=filename, agency_code=agency_code, user=user
    )
    transaction.on_commit(lambda: run_import_job.enqueue(job_id=job.pk))
    return job
