"""New rows of one model as tuples, at bulk speed: no model instance built per row, no SQL
compiled per row.

``bulk_create`` compiles every value of every row through the field API and builds a full
model instance for each row; at 100 000 rows of an import that is most of its time. Here
the statement is built once per chunk, a column's values are prepared for the database
only where its type needs it (decimals and dates), and the rows go as tuples in column
order: one multi-row INSERT on SQLite; on PostgreSQL a COPY of the rows as CSV, or where a
column's type does not go through CSV as it is, an INSERT from one array a column (UNNEST,
as Django's own bulk_create).

This module writes and checks nothing else: goals.bulk adds the lock and the history, and
goals.history writes its records through it.
"""

import csv
import io
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import chain, islice
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.operations import BaseDatabaseOperations as BaseOps

# Column types whose Python values the drivers take as they are (str, int, bool, None):
# preparing them through the field API would only cost time.
PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallAutoField",
        "SmallIntegerField",
        "TextField",
    }
)


# Column types whose prepared values CSV writes as PostgreSQL reads them back: str() of an
# int, a Decimal, a date or an aware datetime, and 'True'/'False'.
COPY_TYPES = PLAIN_TYPES | {"DateField", "DateTimeField", "DecimalField"}


NEXT_IDS = "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s) ORDER BY 1"


def _preparer(field: models.Field, db) -> Callable[[Any], Any] | None:
    """How a value of ``field`` is handed to the driver, or None where it goes as it is.
    A value the same object as the one before (a timestamp shared by a chunk's rows) is
    prepared once."""
    if field.get_internal_type() in PLAIN_TYPES:
        return None
    if isinstance(field, models.DecimalField):
        # get_db_prep_save's own steps, without the two rounds of to_python it takes; a
        # finite Decimal goes as it is where the backend hands decimals over unchanged.
        adapt, to_python = db.ops.adapt_decimalfield_value, field.to_python
        digits, places = field.max_digits, field.decimal_places
        as_is = type(db.ops).adapt_decimalfield_value is BaseOps.adapt_decimalfield_value

        def prepare(value):
            if as_is and type(value) is Decimal and value.is_finite():
                return value
            return adapt(to_python(value), digits, places)
    else:

        def prepare(value):
            return field.get_db_prep_save(value, db)

    last: list = [None, None]

    def prepared(value):
        if value is None:
            return None
        if value is not last[0]:
            last[:] = value, prepare(value)
        return last[1]

    return prepared


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


class RowInserter:
    """INSERTs new rows of ``model`` given as tuples in the order of ``names`` (attnames),
    in as few statements as the database's limit on parameters allows."""

    def __init__(self, model: type[models.Model], names: Sequence[str]):
        fields = [model._meta.get_field(name) for name in names]
        # The connection itself, not the proxy that looks it up on every use.
        self.db = db = connections[DEFAULT_DB_ALIAS]
        quote = db.ops.quote_name
        self.columns = len(fields)
        # Names of the model's own table and columns, quoted; the values go as parameters.
        into = f"INSERT INTO {quote(model._meta.db_table)} "
        into += f"({', '.join(quote(f.column) for f in fields)}) "
        self.head = into + "VALUES "
        self.returning = f" RETURNING {quote(model._meta.pk.column)}"
        self.prepared = [
            (i, p) for i, f in enumerate(fields) if (p := _preparer(f, db)) is not None
        ]
        self.unnest = self.copy = ""
        if db.vendor == "postgresql":
            # Without a type's length, as Django casts them: varchar[], not varchar(50)[].
            types = [f.db_type(db).split("(")[0] for f in fields]
            arrays = ", ".join(f"(%s)::{db_type}[]" for db_type in types)
            self.unnest = f"{into}SELECT * FROM UNNEST({arrays})"  # noqa: S608
        if self.unnest and _copies(db, fields):
            table, pk = quote(model._meta.db_table), model._meta.pk.column
            columns = ", ".join(quote(f.column) for f in fields)
            self.copy = f"COPY {table} ({{}}{columns}) FROM STDIN WITH (FORMAT csv)"
            self.pk_column = f"{quote(pk)}, "
            # New ids drawn from the table's own sequence, as a plain INSERT would draw them.
            self.sequence = (table, pk)
        limit = db.features.max_query_params or 65535
        self.batch = max(1, min(limit, 65535) // self.columns)

    def _prepare(self, rows: Iterable[Sequence]) -> Iterator[Sequence]:
        if not self.prepared:
            yield from rows
            return
        for row in rows:
            row = list(row)
            for i, prepare in self.prepared:
                row[i] = prepare(row[i])
            yield row

    def insert(self, rows: Iterable[Sequence], *, returning: bool = False) -> list[int]:
        """Insert ``rows``; with ``returning``, their new ids in the order of the rows."""
        ids: list[int] = []
        with self.db.cursor() as cursor:
            for chunk in _chunks(self._prepare(rows), self.batch):
                if self.copy:
                    ids.extend(self._execute_copy(cursor, chunk, returning))
                elif self.unnest:
                    ids.extend(self._execute_unnest(cursor, chunk, returning))
                else:
                    ids.extend(self._execute(cursor, chunk, returning))
        return ids

    def _execute(self, cursor, chunk: list, returning: bool) -> list[int]:
        one = f"({', '.join(['%s'] * self.columns)})"
        sql = self.head + ", ".join([one] * len(chunk))
        cursor.execute(sql + (self.returning if returning else ""), list(chain(*chunk)))
        return [row[0] for row in cursor.fetchall()] if returning else []

    def _execute_unnest(self, cursor, chunk: list, returning: bool) -> list[int]:
        # One array a column, as Django's own bulk insert on PostgreSQL: the server plans
        # one statement of a few parameters instead of parsing thousands of row literals.
        columns = [list(column) for column in zip(*chunk, strict=True)]
        cursor.execute(self.unnest + (self.returning if returning else ""), columns)
        return [row[0] for row in cursor.fetchall()] if returning else []

    def _execute_copy(self, cursor, chunk: list, returning: bool) -> list[int]:
        # COPY skips the statement's parse and the driver's quoting of one array literal a
        # column, which cost more than the rows' insert itself. It cannot return the new
        # ids, so they are drawn first and written with the rows.
        ids: list[int] = []
        if returning:
            cursor.execute(NEXT_IDS, [*self.sequence, len(chunk)])
            ids = [row[0] for row in cursor.fetchall()]
            chunk = [(new_id, *row) for new_id, row in zip(ids, chunk, strict=True)]
        buffer = io.StringIO()
        # Every value but None quoted: an empty string stays one, and None is NULL.
        csv.writer(buffer, quoting=csv.QUOTE_NOTNULL, lineterminator="\n").writerows(chunk)
        buffer.seek(0)
        sql = self.copy.format(self.pk_column if returning else "")
        began = time.monotonic()
        # The driver's own cursor: Django's has no COPY.
        cursor.cursor.copy_expert(sql, buffer)
        if self.db.queries_logged:
            # Listed with the other statements, as Django lists what its cursor runs, so
            # that a test counting a write's statements sees it.
            elapsed = time.monotonic() - began
            self.db.queries_log.append(
                {"sql": f"{sql} -- {len(chunk)} rows", "time": f"{elapsed:.3f}"}
            )
        return ids


def _copies(db, fields: list[models.Field]) -> bool:
    """Whether the rows may go by COPY: psycopg2's copy_expert, and columns whose values
    CSV writes as PostgreSQL reads them."""
    if getattr(db.Database, "__name__", "") != "psycopg2":
        return False
    return all(field.get_internal_type() in COPY_TYPES for field in fields)
