"""Background work for the reports: freezing a submitted period's PDFs.

Rendering the three PDFs of a period takes several seconds, so it is not done in the
request that submits the period. With the database task backend (make serve) the task
waits for `manage.py db_worker` (make worker); with the immediate backend (make run, the
tests) it runs in the process that enqueues it, as soon as the submission is committed.
"""

from django.core.cache import cache
from django.tasks import TaskResultStatus, task

from goals.models import ReportingPeriod
from imdi_reporting.reports import services
from imdi_reporting.reports.queue import queued_key

# How long a queued freeze stops further downloads from queueing another one. A task lost
# with a worker is queued again by the next download after this.
QUEUED_FOR_SECONDS = 300


@task
def freeze_submission(period_id: int) -> list[int]:
    """Store one PDF of each part of the period's current submission; the ids stored.

    Safe to run twice or concurrently: a part already stored is not rendered again, and
    the unique constraint on (period, part, submitted_at) lets only one of two concurrent
    renderings be stored (FrozenReport, services.freeze_report).
    """
    return [frozen.pk for frozen in services.freeze_submission(period_id=period_id) if frozen]


def enqueue_freeze(*, period: ReportingPeriod) -> None:
    """Queue freezing the period's current submission unless that was done a moment ago.

    Only a task left waiting is remembered (in the cache, shared by the app servers when
    REDIS_URL is set): one that already ran, as with the immediate backend, needs no
    memory. A duplicate that slips through costs a rendering, never a second copy.
    """
    key = queued_key(period)
    if cache.get(key):
        return
    result = freeze_submission.enqueue(period_id=period.pk)
    if result.status == TaskResultStatus.READY:
        cache.set(key, True, timeout=QUEUED_FOR_SECONDS)
