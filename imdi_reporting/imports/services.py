"""Large admin imports: the job is stored, checked by the task worker with its progress
recorded, then saved; the outcome stays on the job for its page.

The check is a dry run outside any transaction, so the progress it records is visible to
the page at once; only when no row has a problem is the file imported for real, in one
transaction.
"""

from collections.abc import Callable

from django.utils import timezone

from budget.imports import import_budget_file
from goals.file_input import FileRefused, is_workbook_name
from goals.services import PeriodLockedError
from imdi_reporting.models import ImportJob
from settlement.loaders import AgencyChoiceError, CaseImportError, import_case_upload

BUDGET_TABLES = ("allocations", "accounts", "lines")
SETTLEMENT_CASES = "settlement:cases"


def estimated_rows(*, content: bytes, filename: str) -> int | None:
    """Data rows of a CSV file by its line breaks; None for a workbook."""
    if is_workbook_name(filename):
        return None
    return max(content.count(b"\n") - 1, 0)


def create_import_job(
    *, kind: str, content: bytes, filename: str, agency_code: str, user
) -> ImportJob:
    return ImportJob.objects.create(
        kind=kind,
        content=content,
        filename=filename[:255],
        agency_code=agency_code,
        rows_total=estimated_rows(content=content, filename=filename),
        created_by=user,
    )


def run_import(*, job_id: int) -> dict:
    """Check the job's file with progress, import it when it is clean, record the result."""
    job = ImportJob.objects.get(pk=job_id)
    if job.finished:
        return job.result
    _set(job, state=ImportJob.State.CHECKING, rows_done=0)

    def progress(rows: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(rows_done=rows)

    result = _run(job, dry_run=True, progress=progress)
    if result["problems"] or result["more"]:
        return _finish(job, ImportJob.State.FAILED, result)
    _set(job, state=ImportJob.State.SAVING)
    result = _run(job, dry_run=False, progress=None)
    failed = result["problems"] or result["more"]
    return _finish(job, ImportJob.State.FAILED if failed else ImportJob.State.DONE, result)


def _set(job: ImportJob, **values) -> None:
    ImportJob.objects.filter(pk=job.pk).update(**values)


def _finish(job: ImportJob, state: str, result: dict) -> dict:
    # The file is not kept once it is read: the result says what came of it.
    done = {"rows_done": result["rows"]} if result["rows"] else {}
    _set(job, state=state, result=result, content=b"", finished_at=timezone.now(), **done)
    return result


def _run(job: ImportJob, *, dry_run: bool, progress: Callable[[int], None] | None) -> dict:
    content = bytes(job.content)
    if job.kind == SETTLEMENT_CASES:
        return _run_cases(job, content, dry_run=dry_run, progress=progress)
    table = job.kind.removeprefix("budget:")
    report = import_budget_file(
        content=content,
        filename=job.filename,
        agency_code=job.agency_code or None,
        table=table if table in BUDGET_TABLES else None,
        dry_run=dry_run,
        progress=progress,
    )
    return {
        "rows": report.rows,
        "created": report.new,
        "updated": report.updated,
        "problems": [str(problem) for problem in report.problems],
        "more": report.more_problems,
    }


def _run_cases(job, content: bytes, *, dry_run: bool, progress) -> dict:
    result = {"rows": 0, "created": 0, "updated": 0, "problems": [], "more": 0}
    try:
        counts = import_case_upload(
            content=content, filename=job.filename, progress=progress, dry_run=dry_run
        )
    except (FileRefused, AgencyChoiceError) as exc:
        result["problems"] = [str(exc)]
    except CaseImportError as exc:
        result["problems"] = [str(problem) for problem in exc.problems]
        result["more"] = exc.more
    except PeriodLockedError as exc:
        # The check does not know the lock; the save refuses a case the submitted report
        # counted. The job fails with the reason instead of stopping without a result.
        result["problems"] = list(exc.messages)
    else:
        result.update(
            rows=sum(counts.values()), created=counts["created"], updated=counts["updated"]
        )
    return result
