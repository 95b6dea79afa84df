"""Which agencies' content a caller reads."""

from django.db.models import Q, QuerySet

from goals.selectors import user_profile


def agency_scope(user, prefix: str) -> Q | None:
    """Which agencies' content the user reads: their own agency, or their ministry's
    agencies. None means nothing."""
    if user.is_superuser:
        return Q()
    profile = user_profile(user=user)
    if profile is None:
        return None
    if profile.agency_id is not None:
        return Q(**{f"{prefix}agency_id": profile.agency_id})
    return Q(**{f"{prefix}agency__ministry_id": profile.ministry_id})


def scoped(queryset: QuerySet, user, prefix: str) -> QuerySet:
    scope = agency_scope(user, prefix)
    return queryset.none() if scope is None else queryset.filter(scope)
