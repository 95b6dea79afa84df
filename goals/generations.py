"""The cache generations (CacheGeneration): every write retires the cached roll-ups of its
agency by giving the agency a new token. A loader that saves hundreds of rows one by one
retires them once, at its end, rather than once per row."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from goals.models import CacheGeneration

# Agency ids (None: every agency) whose generation is due at the end of a batch; None
# outside one.
_pending: ContextVar[set[int | None] | None] = ContextVar("pending_generations", default=None)


def retire(*, agency_id: int | None) -> None:
    """A new token for the agency (for every agency when None), now or at the end of the
    batch being written."""
    pending = _pending.get()
    if pending is not None:
        pending.add(agency_id)
        return
    rows = CacheGeneration.objects.all()
    if agency_id is not None:
        rows = rows.filter(agency_id=agency_id)
    rows.update(token=uuid.uuid4().hex)


@contextmanager
def retired_once() -> Iterator[None]:
    """Within the block, the writes only note whose roll-ups they retire; each agency gets
    its new token once, when the block ends, failed or not. Used inside the writer's
    transaction, so no reader sees the new rows with the old token."""
    if _pending.get() is not None:
        yield
        return
    pending: set[int | None] = set()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
        if None in pending:
            retire(agency_id=None)
        else:
            for agency_id in sorted(pending):
                retire(agency_id=agency_id)
