"""The period lock as a model-level guard.

Every model bound to a reporting period refuses to be saved or deleted while the period
is submitted or locked, so that no path (forms, admin, import, API, shell) can change it.
Only the fixture loader, which reproduces the already submitted 2006 report, may write
into a locked period, and only inside `allow_locked_period_writes()`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_locked_writes_allowed: ContextVar[bool] = ContextVar("locked_writes_allowed", default=False)


@contextmanager
def allow_locked_period_writes() -> Iterator[None]:
    """For the fixture loader only: lets it write historic content into locked periods."""
    token = _locked_writes_allowed.set(True)
    try:
        yield
    finally:
        _locked_writes_allowed.reset(token)


def locked_writes_allowed() -> bool:
    return _locked_writes_allowed.get()


def check_period_writable(period) -> None:
    if period.is_locked and not locked_writes_allowed():
        # Imported here because the error lives with the services that raise it.
        from goals.services import PeriodLockedError

        raise PeriodLockedError(period)
