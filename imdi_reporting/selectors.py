from goals.models import ReportingPeriod
from goals.selectors import periods_visible_to


def start_page_periods(*, user) -> list[ReportingPeriod]:
    """The periods a user may open, newest first."""
    return list(periods_visible_to(user=user).order_by("-end", "kind"))
