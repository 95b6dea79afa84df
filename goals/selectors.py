from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from goals.choices import PeriodKind, PeriodState
from goals.models import ReportingPeriod, UserProfile


def parse_period_slug(slug: str) -> tuple[int, str] | None:
    """'2006-H1' -> (2006, 'H1'); '2006' -> (2006, 'Y'); anything else -> None."""
    year_part, _, kind = slug.partition("-")
    if not year_part.isdigit() or len(year_part) != 4:
        return None
    kind = kind or PeriodKind.YEAR
    if kind not in PeriodKind.values or (kind == PeriodKind.YEAR and "-" in slug):
        return None
    return int(year_part), kind


def user_profile(*, user: AbstractBaseUser | AnonymousUser) -> UserProfile | None:
    """The user's profile with its ministry, agency and unit, fetched once per request."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_profile_cache"):
        user._profile_cache = (
            UserProfile.objects.select_related("ministry", "agency", "unit")
            .filter(user=user)
            .first()
        )
    return user._profile_cache


def periods_visible_to(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[ReportingPeriod]:
    """Periods the user may read: ministry readers see submitted periods only."""
    periods = ReportingPeriod.objects.select_related("budget_year__agency", "submitted_by")
    if not user.is_authenticated:
        return periods.none()
    if not user.has_perm("goals.view_draft_period"):
        periods = periods.exclude(state=PeriodState.OPEN)
    profile = user_profile(user=user)
    if user.is_superuser or profile is None:
        return periods if user.is_superuser else periods.none()
    if profile.agency_id is not None:
        return periods.filter(budget_year__agency_id=profile.agency_id)
    return periods.filter(budget_year__agency__ministry_id=profile.ministry_id)


def get_period(
    *, slug: str, user: AbstractBaseUser | AnonymousUser, agency_code: str | None = None
) -> ReportingPeriod | None:
    """The period with this slug that the user may read, or None."""
    parsed = parse_period_slug(slug)
    if parsed is None:
        return None
    year, kind = parsed
    periods = periods_visible_to(user=user).filter(budget_year__year=year, kind=kind)
    if agency_code:
        periods = periods.filter(budget_year__agency__code=agency_code)
    return periods.order_by("budget_year__agency__code").first()
