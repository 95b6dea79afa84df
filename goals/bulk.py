"""New rows of one model written at bulk speed (goals.inserts), for the imports.

It is a write path beside the ORM's, so ``create_rows`` keeps what the ORM path keeps:
the lock is asked for every row first (``goals.locking.check_rows``, as bulk_create
asks it) and each new row gets its history record (``goals.history.record_created``).
Like bulk_create it sends no signals: the callers retire the cached roll-ups.
"""

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from django.db import models
from django.db.models.base import ModelState

from goals.history import record_created
from goals.inserts import RowInserter
from goals.locking import check_rows


def unsaved(
    model: type[models.Model], values: dict[str, Any], related: dict[str, models.Model]
) -> models.Model:
    """A model instance of ``values`` (every concrete field's attname) without the cost of
    ``Model.__init__``: for the lock's checks and the history of a row written by
    RowInserter. ``related`` are the objects its foreign keys name, so that str() and the
    history's anchors read them without a query."""
    obj = model.__new__(model)
    obj.__dict__.update(values)
    obj._state = ModelState()
    if related:
        obj._state.fields_cache = dict(related)
    return obj


def field_defaults(model: type[models.Model], given: set[str]) -> dict[str, Any]:
    """The default of every concrete field but the primary key, by attname: what the
    model's constructor fills in where a row gives no value. Read once for many rows, so a
    field that some row may leave out (not in ``given``, the attnames every row gives)
    must not have a default computed per row (a callable)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    computed = [
        f.name for f in fields if f.attname not in given and f.has_default() and callable(f.default)
    ]
    if computed:
        raise ValueError(f"{model.__name__}: give {', '.join(computed)} (computed defaults)")
    return {f.attname: f.get_default() for f in fields if f.attname not in given}


def create_rows(
    model: type[models.Model],
    rows: list[dict[str, Any]],
    *,
    related: Callable[[dict[str, Any]], dict[str, models.Model]],
) -> list[models.Model]:
    """Insert new rows of ``model`` (dicts of attnames) as bulk_create would: the model's
    defaults filled in where a row gives no value, the lock asked for every row first,
    one history record a row. ``related(row)`` gives the objects the row's foreign keys
    name, as the model's constructor would hold them: str() and the history name the row
    by them. Returns the rows as unsaved-style instances with their new ids. Runs in the
    caller's transaction."""
    if not rows:
        return []
    # A row of a spreadsheet may stop short of the last columns: every row is filled up.
    given = set(rows[0]).intersection(*rows)
    defaults = field_defaults(model, given)
    names = [*given, *defaults]
    pk = model._meta.pk.attname
    objs = [unsaved(model, {pk: None, **defaults, **row}, related(row)) for row in rows]
    check_rows(model, objs)
    columns = itemgetter(*names)
    ids = RowInserter(model, names).insert((columns(obj.__dict__) for obj in objs), returning=True)
    for obj, new_id in zip(objs, ids, strict=True):
        obj.__dict__[pk] = new_id
    record_created(objs)
    return objs
