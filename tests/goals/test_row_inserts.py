"""goals.inserts: new rows written as tuples read back as the ORM would have written them,
on SQLite (multi-row INSERT) and on PostgreSQL (COPY)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.bulk import create_rows
from goals.history import RECORD_COLUMNS
from goals.inserts import RowInserter
from goals.models import ChangeRecord, Indicator, IndicatorValue

TEXTS = [
    "",
    "plain",
    'with "quotes", commas; and semicolons',
    "tab\there, newline\nthere, return\r, backslash \\N and \\",
    "æøå ÆØÅ «bosetting» € \u2013",
    "\\N",
    "NULL",
]
WHEN = datetime(2006, 6, 30, 23, 59, 58, 123456, tzinfo=UTC)


def record_rows(content_type: int) -> list[tuple]:
    # In RECORD_COLUMNS' order: the texts go as old and new, None where a column may be.
    return [
        (
            content_type,
            7 + i,
            text,
            None,
            None,
            "",
            "created",
            "import",
            text,
            "f",
            text,
            text,
            None,
            WHEN,
        )
        for i, text in enumerate(TEXTS)
    ]


@pytest.mark.django_db
def test_it_writes_every_text_and_null_as_given():
    content_type = ContentType.objects.get_for_model(ChangeRecord).pk
    RowInserter(ChangeRecord, RECORD_COLUMNS).insert(record_rows(content_type))
    stored = list(
        ChangeRecord.objects.order_by("object_id").values_list(
            "old", "new", "source", "object_repr", "requirement_id", "changed_by_id", "changed_at"
        )
    )
    assert stored == [(text, text, text, text, None, None, WHEN) for text in TEXTS]


@pytest.mark.django_db
def test_it_gives_the_new_ids_in_the_order_of_the_rows():
    content_type = ContentType.objects.get_for_model(ChangeRecord).pk
    ids = RowInserter(ChangeRecord, RECORD_COLUMNS).insert(
        record_rows(content_type), returning=True
    )
    assert len(ids) == len(TEXTS) == len(set(ids))
    stored = dict(ChangeRecord.objects.values_list("pk", "old"))
    assert [stored[pk] for pk in ids] == TEXTS


@pytest.mark.django_db
def test_rows_inserted_later_by_the_orm_get_ids_after_them():
    content_type = ContentType.objects.get_for_model(ChangeRecord).pk
    ids = RowInserter(ChangeRecord, RECORD_COLUMNS).insert(
        record_rows(content_type), returning=True
    )
    later = ChangeRecord.objects.create(content_type_id=content_type, object_id=1, field="f")
    assert later.pk > max(ids)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
@pytest.mark.django_db
def test_it_copies_the_rows_on_postgresql_and_draws_their_ids_in_one_query():
    content_type = ContentType.objects.get_for_model(ChangeRecord).pk
    with CaptureQueriesContext(connection) as queries:
        RowInserter(ChangeRecord, RECORD_COLUMNS).insert(
            record_rows(content_type) * 100, returning=True
        )
    # 1. the new ids from the table's sequence
    # 2. the rows, by COPY
    sqls = [q["sql"] for q in queries.captured_queries]
    assert len(sqls) == 2
    assert sqls[0].startswith("SELECT nextval(pg_get_serial_sequence(")
    assert sqls[1].startswith('COPY "goals_changerecord" ("id", "content_type_id"')
    assert sqls[1].endswith(f"-- {100 * len(TEXTS)} rows")
    assert ChangeRecord.objects.count() == 100 * len(TEXTS)


@pytest.mark.django_db
def test_it_writes_decimals_and_dates_through_create_rows(content, year_period):
    indicator = Indicator.objects.get(code="tolkeregister")
    row = {
        "indicator_id": indicator.pk,
        "period_id": year_period.pk,
        "value": Decimal("1234567890123.45"),
        "measured_on": date(2006, 12, 31),
        "updated_at": WHEN,
    }
    (created,) = create_rows(
        IndicatorValue, [row], related=lambda row: {"indicator": indicator, "period": year_period}
    )
    stored = IndicatorValue.objects.get(pk=created.pk)
    assert (stored.value, stored.measured_on, stored.version, stored.updated_by_id) == (
        Decimal("1234567890123.45"),
        date(2006, 12, 31),
        1,
        None,
    )
    assert stored.updated_at == WHEN
    assert ChangeRecord.objects.filter(object_id=created.pk, action="created").count() == 1
