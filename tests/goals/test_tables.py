"""Totals and shares of statistical tables are computed, never stored."""

from decimal import Decimal

from goals.models import StatisticalTable
from goals.selectors import table_view


def test_row_totals_and_shares_across_columns(content):
    view = table_view(StatisticalTable.objects.get(code="tab1"))
    first = view.rows[0]
    assert first["total"] == 4664 + 2518
    assert first["cells"][0]["share"] == Decimal(4664) / Decimal(4664 + 2518)
    assert [t["value"] for t in view.totals] == [4664 + 300, 2518 + 100]
    assert view.grand_total == 4664 + 2518 + 300 + 100
    assert view.across


def test_a_single_column_table_shares_the_column_total(content):
    table = StatisticalTable.objects.prefetch_related("rows").get(code="tab1")
    table.columns = ["Antall"]
    for row in table.rows.all():
        row.values = row.values[:1]
    view = table_view(table)
    assert not view.across
    assert [c["share"] for r in view.rows for c in r["cells"]] == [
        Decimal(4664) / Decimal(4964),
        Decimal(300) / Decimal(4964),
    ]
