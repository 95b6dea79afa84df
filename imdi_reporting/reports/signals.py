"""Snapshot and freeze the report when a period goes from open to submitted."""

from functools import partial

from django.db import transaction

from goals.choices import PeriodState
from goals.locking import locked_writes_allowed
from goals.models import ReportingPeriod


def remember_state(sender, instance: ReportingPeriod, **kwargs) -> None:
    instance._state_before_save = (
        ReportingPeriod.objects.filter(pk=instance.pk).values_list("state", flat=True).first()
        if instance.pk
        else None
    )


def _submitted_now(instance: ReportingPeriod, created: bool) -> bool:
    before = getattr(instance, "_state_before_save", None)
    return not created and before == PeriodState.OPEN and instance.state != PeriodState.OPEN


def snapshot_on_submit(sender, instance: ReportingPeriod, created: bool, **kwargs) -> None:
    """Store the body of every part of the report as submitted, inside the submission's
    transaction: a submission that is rolled back leaves no snapshot, and one that commits
    has its snapshot, whatever changes afterwards. The fixture loader, which reproduces a
    report submitted earlier, writes the content after the period: its snapshot is taken
    at the first read instead."""
    if not _submitted_now(instance, created) or locked_writes_allowed():
        return
    from imdi_reporting.reports.services import take_snapshots

    take_snapshots(period=instance)


def freeze_on_submit(sender, instance: ReportingPeriod, created: bool, **kwargs) -> None:
    if not _submitted_now(instance, created):
        return
    from imdi_reporting.reports.tasks import enqueue_freeze

    # After the commit: a worker must find the submission, and a rolled-back submission
    # must not be frozen.
    transaction.on_commit(partial(enqueue_freeze, period=instance))
