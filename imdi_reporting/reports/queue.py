"""Which submissions have a freeze waiting for the worker, as enqueue_freeze remembers it
in the cache (shared by the app servers when REDIS_URL is set)."""

from django.core.cache import cache

from goals.models import ReportingPeriod


def queued_key(period: ReportingPeriod) -> str:
    return f"imdi:freeze-queued:{period.pk}:{period.submitted_at.isoformat()}"


def queued_freezes(*, periods: list[ReportingPeriod]) -> set[int]:
    """The ids of the periods whose current submission has a freeze waiting for the
    worker. One cache read."""
    keys = {queued_key(p): p.pk for p in periods if p.submitted_at}
    return {keys[key] for key, queued in cache.get_many(list(keys)).items() if queued}
