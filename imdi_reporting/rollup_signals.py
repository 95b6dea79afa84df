"""Every save and delete of the goals, budget and settlement rows retires the cached
roll-ups of the row's agency (goals.services.bump_generation): the admin, imports and
services that write row by row invalidate the cache without knowing of it."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_delete

from goals.models import Agency, CacheGeneration
from goals.services import bump_generation, start_generation
from goals.tenancy import scope_of

APPS = ("goals", "budget", "settlement")
# Ways from a row to its agency id without the tenancy's map: the budget rows hang under a
# chapter, a post, a sub-post or a period.
AGENCY_PATHS = (
    ("agency_id",),
    ("chapter", "agency_id"),
    ("post", "chapter", "agency_id"),
    ("subpost", "post", "chapter", "agency_id"),
    ("budget_year", "agency_id"),
    ("period", "budget_year", "agency_id"),
)


def agency_of(instance) -> int | None:
    """The agency a row belongs to, or None when no way leads there (its parent is gone)."""
    if instance._meta.label_lower == "goals.agency":
        return instance.pk
    try:
        for path in AGENCY_PATHS:
            target = instance
            for name in path:
                target = getattr(target, name, None)
                if target is None:
                    break
            if target is not None:
                return target
        scope = scope_of(instance)
    except ObjectDoesNotExist:
        return None
    return scope.agency_id if scope else None


def retire_rollups(sender, instance, **kwargs) -> None:
    if sender._meta.app_label not in APPS or sender is CacheGeneration:
        return
    if sender is Agency:
        # A deleted agency's generation goes with it (cascade).
        if kwargs.get("created"):
            start_generation(agency=instance)
        if kwargs["signal"] is post_delete:
            return
    # A row whose agency cannot be found retires every agency's roll-ups.
    bump_generation(agency_id=agency_of(instance))
