"""Every save and delete of the goals, budget and settlement rows retires the cached
roll-ups of the row's agency (goals.services.bump_generation): the admin, imports and
services that write row by row invalidate the cache without knowing of it.

A write of a row that belongs to no agency (a user, a role, a stored report, an API key)
retires every agency's: pages kept for a session (goals.page_cache) show such rows too.
Only the rows a request writes as a matter of course are left out: sessions, login
attempts, the admin's log, task results and an import's progress."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_delete

from goals.models import Agency, CacheGeneration
from goals.services import bump_generation, start_generation
from goals.tenancy import scope_of

APPS = ("goals", "budget", "settlement")
# Rows written by reading (sessions, the login throttle's log) or by the task worker's
# bookkeeping; no page shows them.
UNSHOWN = {"migrations", "sessions", "axes", "admin", "contenttypes", "django_tasks_db"}
UNSHOWN_MODELS = {"imdi_reporting.importjob"}
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


def shown(sender, update_fields) -> bool:
    """Whether a page may show what a write of sender changes."""
    if sender._meta.app_label in UNSHOWN or sender._meta.label_lower in UNSHOWN_MODELS:
        return False
    # Each login stamps the user's last_login; no page shows it.
    return not (sender._meta.label_lower == "auth.user" and update_fields == {"last_login"})


def retire_rollups(sender, instance, **kwargs) -> None:
    if sender is CacheGeneration or not shown(sender, kwargs.get("update_fields")):
        return
    if sender._meta.app_label not in APPS:
        bump_generation(agency_id=None)
        return
    if sender is Agency:
        # A deleted agency's generation goes with it (cascade).
        if kwargs.get("created"):
            start_generation(agency=instance)
        if kwargs["signal"] is post_delete:
            return
    # A row whose agency cannot be found retires every agency's roll-ups.
    bump_generation(agency_id=agency_of(instance))


def retire_on_relations(sender, instance, action: str, **kwargs) -> None:
    """A many-to-many change (a user's roles, a role's permissions) retires every
    agency's roll-ups: who may see and do what is part of every page."""
    if action in ("post_add", "post_remove", "post_clear"):
        bump_generation(agency_id=None)
