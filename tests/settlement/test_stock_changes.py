"""The stocks at a date (in reception, over the limit, OFF not arrived, waiting per
breakdown value) read from StockChange, which the database keeps from the cases: they are
what the cases say at every date, after every way of writing the cases."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Avg, Count, F, Q

from goals.locking import allow_locked_period_writes
from goals.models import Agency
from settlement import selectors
from settlement.choices import RECEPTION_CATEGORIES, CaseCategory
from settlement.limits import limit_days
from settlement.models import Municipality, SettlementCase, StockChange
from settlement.services import save_cases

# Month and year ends and starts, the day before and after, and days inside months.
DATES = [
    date(2004, 12, 31),
    date(2005, 1, 1),
    date(2005, 2, 28),
    date(2005, 3, 1),
    date(2005, 7, 19),
    date(2005, 12, 31),
    date(2006, 1, 1),
    date(2006, 1, 2),
    date(2006, 3, 31),
    date(2006, 4, 1),
    date(2006, 6, 30),
    date(2006, 7, 1),
    date(2006, 8, 15),
    date(2006, 12, 31),
    date(2007, 1, 1),
]
LATER = [date(2006, 7, 1), date(2006, 8, 15), date(2006, 9, 30), date(2007, 1, 1)]


@pytest.fixture
def imdi_cases(settlement_2006) -> Agency:
    return Agency.objects.get(code="IMDi")


def _on_or_before(day: date | None, at: date) -> bool:
    return day is not None and day <= at


def expected_stocks(*, agency: Agency, at: date) -> dict:
    """The stocks at the date counted case by case in Python, from the definitions in
    settlement.selectors: what stocks_at must give."""
    counts = dict.fromkeys(("ready", "searched", "total", "not_searched", "off_not_arrived"), 0) | {
        "off_not_arrived_searched": 0
    }
    waiting: dict[str, dict] = {}
    counties = dict(Municipality.objects.values_list("pk", "county__name"))
    for case in SettlementCase.objects.filter(agency=agency):
        searched = _on_or_before(case.searched_out_date, at)
        off = case.category == CaseCategory.TRANSFER_REFUGEE
        if off and case.permit_date <= at and not _on_or_before(case.arrived_date, at):
            counts["off_not_arrived"] += 1
            counts["off_not_arrived_searched"] += searched
        in_reception = (
            case.category in RECEPTION_CATEGORIES
            and _on_or_before(case.ready_date, at)
            and not _on_or_before(case.settled_date, at)
        )
        if not in_reception:
            continue
        counts["ready"] += 1
        counts["searched"] += searched
        if case.permit_date <= at - timedelta(days=limit_days(case.category)):
            counts["total"] += 1
            counts["not_searched"] += not searched
        values = {
            "category": case.category,
            "nationality": case.nationality,
            "sex": case.sex,
            "birth_year": str(case.birth_year),
            "family_size": str(case.family_size),
            "municipality": counties.get(case.municipality_id),
        }
        for dimension, value in values.items():
            groups = waiting.setdefault(dimension, {})
            groups[value] = groups.get(value, 0) + 1
    return counts | {"waiting": waiting}


def assert_stocks_as_the_cases_say(agency: Agency, dates: list[date]) -> None:
    found = selectors.stocks_at(agencies=[agency], dates=dates, breakdowns=True)
    for at in dates:
        stocks = found[at][agency.pk]
        expected = expected_stocks(agency=agency, at=at)
        assert {key: value for key, value in stocks.items() if key != "waiting"} == {
            key: value for key, value in expected.items() if key != "waiting"
        }, at
        assert {
            dimension: dict(groups) for dimension, groups in stocks["waiting"].items()
        } == expected["waiting"], at


def reference_breakdown(*, agency: Agency, by: str, start: date, end: date) -> list[dict]:
    """The breakdown as one query over the cases counts it (the way it was counted before
    the stocks were kept): the rows, and their order, that breakdown must give."""
    cases = SettlementCase.objects.filter(agency=agency)
    if by == "age_group":
        group, age = selectors._age_group(end.year)
        cases = cases.annotate(age=age, group=group)
    elif by == "family_composition":
        cases = cases.annotate(group=selectors._family_composition())
    elif by == "county":
        cases = cases.annotate(group=F("municipality__county__name"))
    else:
        cases = cases.annotate(group=F(by))
    settled = Q(settled_date__gte=start, settled_date__lte=end)
    in_reception = Q(category__in=RECEPTION_CATEGORIES, ready_date__lte=end) & ~Q(
        settled_date__lte=end, settled_date__isnull=False
    )
    rows = (
        cases.filter(settled | in_reception)
        .values("group")
        .annotate(
            settled=Count("agency", filter=settled),
            wait=Avg(selectors._wait("permit_date"), filter=settled),
            waiting=Count("agency", filter=in_reception),
        )
        .order_by("-settled", "group")
    )
    return [
        {
            "group": row["group"],
            "settled": row["settled"],
            "mean_wait_months": selectors.to_months(row["wait"]),
            "waiting": row["waiting"],
        }
        for row in rows
    ]


def test_it_counts_the_stocks_of_the_2006_cases_as_the_cases_say(imdi_cases):
    assert_stocks_as_the_cases_say(imdi_cases, DATES)


def test_it_gives_the_half_year_report_its_stocks(imdi_cases):
    cut = date(2006, 6, 30)
    stocks = selectors.stocks_at(agencies=[imdi_cases], dates=[cut])[cut][imdi_cases.pk]
    assert {key: value for key, value in stocks.items() if key != "waiting"} == {
        "ready": 1190,
        "searched": 707,
        "total": 496,
        "not_searched": 95,
        "off_not_arrived": 291,
        "off_not_arrived_searched": 176,
    }


@pytest.mark.parametrize("by", selectors.BREAKDOWNS)
@pytest.mark.parametrize("end", [date(2005, 12, 31), date(2006, 3, 17), date(2006, 6, 30)])
def test_it_breaks_down_as_a_count_over_the_cases(imdi_cases, by, end):
    start = date(end.year, 1, 1)
    assert selectors.breakdown(
        agency=imdi_cases, by=by, start=start, end=end
    ) == reference_breakdown(agency=imdi_cases, by=by, start=start, end=end)


def test_it_counts_each_stock_from_the_day_a_case_enters_to_the_day_before_it_leaves(
    imdi_cases,
):
    em = CaseCategory.UNACCOMPANIED_MINOR
    permit = date(2007, 3, 1)
    common = {
        "agency": imdi_cases,
        "nationality": "Grensetest",
        "sex": "F",
        "birth_year": 1990,
        "permit_date": permit,
    }
    with allow_locked_period_writes():
        SettlementCase.objects.filter(agency=imdi_cases).delete()
    cases = [
        # Settled the day it was ready: never in reception.
        {"case_key": "SAME", "category": "reception", "ready_date": permit},
        {"case_key": "EM", "category": em, "ready_date": permit, "searched_out_date": permit},
        {"case_key": "LONG", "category": "reception", "ready_date": date(2007, 3, 5)},
        {"case_key": "OFF", "category": "transfer_refugee", "searched_out_date": permit},
    ]
    for values in cases:
        SettlementCase.objects.create(**common, **values)
    SettlementCase.objects.filter(case_key="SAME").update(
        settled_date=permit, municipality=Municipality.objects.first()
    )
    SettlementCase.objects.filter(case_key="OFF").update(arrived_date=date(2007, 3, 10))
    em_over, over = permit + timedelta(days=92), permit + timedelta(days=183)
    edges = [permit - timedelta(days=1), permit, date(2007, 3, 4), date(2007, 3, 5)]
    edges += [date(2007, 3, 9), date(2007, 3, 10), em_over - timedelta(days=1), em_over]
    edges += [over - timedelta(days=1), over, date(2008, 1, 1)]
    assert_stocks_as_the_cases_say(imdi_cases, edges)
    found = selectors.stocks_at(agencies=[imdi_cases], dates=[em_over, over])
    assert found[em_over][imdi_cases.pk]["total"] == 1
    assert found[over][imdi_cases.pk]["total"] == 2


def a_new_case(number: int, **values) -> dict:
    """A case of the open autumn of 2006, waiting in reception."""
    return {
        "case_key": f"NEW-{number}",
        "category": "reception",
        "nationality": "Eritrea",
        "sex": "M",
        "birth_year": 1980 + number,
        "family_group_key": "",
        "family_size": 1 + number % 7,
        "permit_date": date(2006, 7, 3),
        "ready_date": date(2006, 7, 10),
        "searched_out_date": None,
        "arrived_date": None,
        "settled_date": None,
        "municipality": None,
        "special_legal_ground": "",
    } | values


def test_it_keeps_the_stocks_through_the_model_and_the_queryset(imdi_cases):
    oslo = Municipality.objects.order_by("code").first()
    case = SettlementCase.objects.create(agency=imdi_cases, **a_new_case(1))
    assert_stocks_as_the_cases_say(imdi_cases, LATER)
    case.searched_out_date, case.municipality = date(2006, 8, 1), oslo
    case.save()
    case.settled_date = date(2006, 9, 1)
    case.save(update_fields=["settled_date"])
    assert_stocks_as_the_cases_say(imdi_cases, LATER)
    new = SettlementCase.objects.bulk_create(
        SettlementCase(agency=imdi_cases, **a_new_case(number)) for number in range(2, 12)
    )
    assert_stocks_as_the_cases_say(imdi_cases, LATER)
    for extra in new[:5]:
        extra.nationality, extra.category = "Somalia", "unaccompanied_minor"
    SettlementCase.objects.bulk_update(new[:5], ["nationality", "category"])
    SettlementCase.objects.filter(case_key__in=["NEW-6", "NEW-7"]).update(
        settled_date=date(2006, 8, 20), municipality=oslo
    )
    assert_stocks_as_the_cases_say(imdi_cases, LATER)
    new[-1].delete()
    SettlementCase.objects.filter(case_key__in=["NEW-2", "NEW-6"]).delete()
    assert_stocks_as_the_cases_say(imdi_cases, LATER)


def test_it_keeps_the_stocks_through_the_service(imdi_cases):
    save_cases(agency=imdi_cases, cases=[a_new_case(n) for n in range(1, 4)])
    assert_stocks_as_the_cases_say(imdi_cases, LATER)
    oslo = Municipality.objects.order_by("code").first()
    settled = a_new_case(2, settled_date=date(2006, 8, 15), municipality=oslo)
    save_cases(agency=imdi_cases, cases=[a_new_case(1, nationality="Irak"), settled])
    assert_stocks_as_the_cases_say(imdi_cases, LATER)


def test_it_keeps_the_stocks_through_raw_sql(imdi_cases):
    """Writes beside the ORM (a repair in the database shell) move the stocks too."""
    table = SettlementCase._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET settled_date = NULL, municipality_id = NULL "  # noqa: S608
            "WHERE settled_date > %s",
            [date(2006, 5, 31)],
        )
        cursor.execute(
            f"UPDATE {table} SET ready_date = %s "  # noqa: S608
            "WHERE category = %s AND settled_date IS NULL AND id %% 5 = %s",
            [date(2006, 7, 1), "family_reunification", 0],
        )
        cursor.execute(f"DELETE FROM {table} WHERE id %% 7 = %s", [0])  # noqa: S608
    assert_stocks_as_the_cases_say(imdi_cases, DATES)


def test_it_counts_agencies_apart(imdi_cases):
    other = Agency.objects.create(
        code="UDI", name="Utlendingsdirektoratet", ministry=imdi_cases.ministry, has_settlement=True
    )
    SettlementCase.objects.create(agency=other, **a_new_case(1))
    at = date(2006, 8, 1)
    found = selectors.stocks_at(agencies=[imdi_cases, other], dates=[at])[at]
    assert found[other.pk]["ready"] == 1
    assert found[imdi_cases.pk]["ready"] == expected_stocks(agency=imdi_cases, at=at)["ready"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_it_empties_the_stocks_when_the_cases_are_truncated(imdi_cases):
    with connection.cursor() as cursor:
        # The test's own inserts leave deferred key checks, which TRUNCATE will not wait for.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {SettlementCase._meta.db_table}")
    assert not StockChange.objects.exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL empties by TRUNCATE")
def test_cases_deleted_after_the_stocks_are_emptied_add_none(imdi_cases):
    # SQLite empties a database (a test's flush) with one DELETE a table, in any order.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM settlement_stockchange")
        cursor.execute("DELETE FROM settlement_settlementcase")
    assert not StockChange.objects.exists()


def waiting_by_nationality(client) -> dict:
    page = client.get("/bosetting/?start=2006-07-01&end=2006-12-31").context
    [nationality] = [table for table in page["breakdowns"] if table["key"] == "nationality"]
    return {row["group"]: row["waiting"] for row in nationality["rows"]}


def test_it_shows_a_case_saved_by_the_service_in_the_stocks_at_the_next_read(
    client_for, imdi_cases
):
    reader = client_for("direktor")
    before = waiting_by_nationality(reader)
    assert waiting_by_nationality(reader) == before  # from the cache
    save_cases(agency=imdi_cases, cases=[a_new_case(1, nationality="Nytt land")])
    assert waiting_by_nationality(reader) == before | {"Nytt land": 1}
    case = SettlementCase.objects.get(case_key="NEW-1")
    case.settled_date, case.municipality = date(2006, 8, 1), Municipality.objects.first()
    case.save()
    # Settled in the period: a row of the breakdown, with no one waiting.
    assert waiting_by_nationality(reader) == before | {"Nytt land": 0}
