"""Freeze the report when a period goes from open to submitted."""

from functools import partial

from django.db import transaction

from goals.choices import PeriodState
from goals.models import ReportingPeriod


def remember_state(sender, instance: ReportingPeriod, **kwargs) -> None:
    instance._state_before_save = (
        ReportingPeriod.objects.filter(pk=instance.pk).values_list("state", flat=True).first()
        if instance.pk
        else None
    )


def freeze_on_submit(sender, instance: ReportingPeriod, created: bool, **kwargs) -> None:
    before = getattr(instance, "_state_before_save", None)
    if created or before != PeriodState.OPEN or instance.state == PeriodState.OPEN:
        return
    from imdi_reporting.reports.tasks import enqueue_freeze

    # After the commit: a worker must find the submission, and a rolled-back submission
    # must not be frozen.
    transaction.on_commit(partial(enqueue_freeze, period=instance))
