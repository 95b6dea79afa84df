"""SQL of the database triggers that keep the stocks of settlement cases (StockChange).

A stock at a date counts the cases whose interval [enters, leaves) holds the date: a case
in reception from its ready date until it is settled, over the limit from its permit date
plus the limit until it is settled, and so on (``STOCKS``). Each case adds +1 to its
stock on the day it enters and -1 on the day it leaves (never, if it does not leave), so
a stock at a date is the sum of the changes up to that date. The changes are summed per
day, per month and per year (``SPANS``): a stock at a date then reads the years before
the date's year, the months of its year before its month and the days of its month, a
few thousand rows whatever the number of cases.

The triggers run in the writing statement's transaction, for every way of writing the
cases (the ORM, bulk imports, COPY, raw SQL). On PostgreSQL once per statement over all
its rows (transition tables) and TRUNCATE empties the stocks; on SQLite once per row. A
write adds what the new rows count and takes away what the old rows counted."""

from settlement.choices import RECEPTION_CATEGORIES, CaseCategory
from settlement.limits import limit_days

TABLE = "settlement_stockchange"
CASES = "settlement_settlementcase"
# The columns of a case that the stocks read.
COLUMNS = (
    "agency_id",
    "category",
    "nationality",
    "sex",
    "birth_year",
    "family_size",
    "municipality_id",
    "permit_date",
    "ready_date",
    "searched_out_date",
    "arrived_date",
    "settled_date",
)
SPANS = ("day", "month", "year")
NO_ID = "CAST(NULL AS BIGINT)"
KEY = ("agency_id", "span", "day", "stock", "dimension", "value")

# The breakdowns of the settlement page count those waiting in reception per value of a
# column (the age group from the birth year, the county from the municipality).
DIMENSIONS = {
    "category": "category",
    "nationality": "nationality",
    "sex": "sex",
    "birth_year": "CAST(birth_year AS TEXT)",
    "family_size": "CAST(family_size AS TEXT)",
    "municipality": "COALESCE(CAST(municipality_id AS TEXT), '')",
}


class Dialect:
    """What PostgreSQL and SQLite write differently."""

    def __init__(self, vendor: str):
        if vendor not in ("postgresql", "sqlite"):
            raise NotImplementedError(f"no stock triggers for {vendor}")
        self.vendor = vendor

    def plus_days(self, column: str, days: str) -> str:
        if self.vendor == "postgresql":
            return f"({column} + {days})"
        return f"date({column}, '+' || ({days}) || ' days')"

    def greatest(self, first: str, second: str) -> str:
        """The later of two dates, neither of them null."""
        return f"{'GREATEST' if self.vendor == 'postgresql' else 'max'}({first}, {second})"

    def earliest_or_null(self, first: str, second: str) -> str:
        """The earlier of two dates where null is never; null when both are."""
        if self.vendor == "postgresql":
            return f"LEAST({first}, {second})"
        return (
            f"CASE WHEN {first} IS NULL THEN {second} WHEN {second} IS NULL THEN {first} "
            f"ELSE min({first}, {second}) END"
        )

    def bucket(self, day: str, span: str) -> str:
        """The first day of the span (day, month or year) the day lies in."""
        if self.vendor == "postgresql":
            return f"CAST(date_trunc({span}, {day}) AS date)"
        return (
            f"CASE {span} WHEN 'day' THEN {day} WHEN 'month' THEN strftime('%Y-%m-01', {day}) "
            f"ELSE strftime('%Y-01-01', {day}) END"
        )


def _quoted(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


def stocks(dialect: Dialect) -> dict[str, tuple[str, str, str]]:
    """Per stock: which cases it counts, the date a case enters it and the date it leaves
    (null: not yet), as in the definitions of settlement.selectors."""
    reception = f"category IN ({_quoted(RECEPTION_CATEGORIES)}) AND ready_date IS NOT NULL"
    em = CaseCategory.UNACCOMPANIED_MINOR
    limit = f"CASE WHEN category = '{em}' THEN {limit_days(em)} ELSE {limit_days()} END"
    over = dialect.greatest("ready_date", dialect.plus_days("permit_date", limit))
    off = f"category = '{CaseCategory.TRANSFER_REFUGEE}'"
    return {
        "ready": (reception, "ready_date", "settled_date"),
        "searched": (
            f"{reception} AND searched_out_date IS NOT NULL",
            dialect.greatest("ready_date", "searched_out_date"),
            "settled_date",
        ),
        "over": (reception, over, "settled_date"),
        "over_not_searched": (
            reception,
            over,
            dialect.earliest_or_null("settled_date", "searched_out_date"),
        ),
        "off_not_arrived": (off, "permit_date", "arrived_date"),
        "off_not_arrived_searched": (
            f"{off} AND searched_out_date IS NOT NULL",
            dialect.greatest("permit_date", "searched_out_date"),
            "arrived_date",
        ),
    }


def changes(source: str, dialect: Dialect) -> str:
    """A SELECT of the changes (agency_id, stock, dimension, value, municipality_id, day,
    change) that the rows of ``source`` make, each row counted ``sign`` times. The
    stock of those ready in reception is kept per breakdown value (its total is the sum
    over the categories); the other stocks as totals."""
    parts = []
    for stock, (counted, enters, leaves) in stocks(dialect).items():
        dimensions = DIMENSIONS if stock == "ready" else {"": "''"}
        for dimension, value in dimensions.items():
            # A typed null: PostgreSQL settles a UNION's column types pair by pair.
            municipality = "municipality_id" if dimension == "municipality" else NO_ID
            columns = (
                f"agency_id AS agency_id, '{stock}' AS stock, '{dimension}' AS dimension, "
                f"{value} AS value, {municipality} AS municipality_id"
            )
            # An interval that ends where it begins (settled the day it became ready) holds
            # no date: it changes nothing.
            parts.append(
                f"SELECT {columns}, {enters} AS day, sign AS change "  # noqa: S608 (no input)
                f"FROM {source} WHERE {counted} "
                f"AND ({leaves} IS NULL OR {enters} < {leaves})"
            )
            parts.append(
                f"SELECT {columns}, {leaves} AS day, -sign AS change "  # noqa: S608 (no input)
                f"FROM {source} WHERE {counted} "
                f"AND {leaves} IS NOT NULL AND {enters} < {leaves}"
            )
    return "\nUNION ALL\n".join(parts)


def upsert(source: str, dialect: Dialect) -> str:
    """One statement that adds the changes of the rows of ``source`` to the stocks, summed
    per day, month and year. In key order, so that two writers lock the rows they share
    in the same order."""
    spans = " UNION ALL ".join(f"SELECT '{span}' AS span" for span in SPANS)
    key = ", ".join(KEY)
    return (
        f"INSERT INTO {TABLE} ({key}, municipality_id, change)\n"
        f"SELECT c.agency_id, s.span, {dialect.bucket('c.day', 's.span')}, c.stock, "
        "c.dimension, c.value, MAX(c.municipality_id), SUM(c.change)\n"
        "FROM (\n"
        f"{changes(source, dialect)}\n"
        ") AS c\n"
        f"CROSS JOIN ({spans}) AS s\n"
        # WHERE true: SQLite reads ON CONFLICT after a FROM without WHERE as a join's.
        "WHERE true\n"
        "GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(c.change) <> 0 ORDER BY 1, 2, 3, 4, 5, 6\n"
        f"ON CONFLICT ({key}) DO UPDATE SET change = {TABLE}.change + excluded.change"
    )


def _rows(prefix: str, sign: int, table: str = "") -> str:
    """The cases of a trigger as a source: a transition table's rows (PostgreSQL) or the
    row's OLD or NEW values (SQLite)."""
    if table:
        return f"SELECT {', '.join(COLUMNS)}, {sign} AS sign FROM {table}"  # noqa: S608
    values = ", ".join(f"{prefix}.{column} AS {column}" for column in COLUMNS)
    return f"SELECT {values}, {sign} AS sign"


def postgresql_triggers() -> tuple[str, str]:
    """SQL that installs the PostgreSQL functions and triggers, and SQL that drops them."""
    dialect = Dialect("postgresql")
    sources = {
        "insert": _rows("", 1, "new_rows"),
        "delete": _rows("", -1, "old_rows"),
        "update": f"{_rows('', -1, 'old_rows')} UNION ALL {_rows('', 1, 'new_rows')}",
    }
    referencing = {
        "insert": "NEW TABLE AS new_rows",
        "delete": "OLD TABLE AS old_rows",
        "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    }
    create, drop = "", ""
    for event, source in sources.items():
        name = f"settlement_stock_on_{event}"
        create += (
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{upsert(f'({source}) AS cases', dialect)};\nRETURN NULL;\nEND $$;\n"
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON {CASES} "
            f"REFERENCING {referencing[event]} FOR EACH STATEMENT EXECUTE FUNCTION {name}();\n"
        )
        drop += f"DROP TRIGGER IF EXISTS {name} ON {CASES};\nDROP FUNCTION IF EXISTS {name}();\n"
    create += (
        "CREATE OR REPLACE FUNCTION settlement_stock_on_truncate() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$\nBEGIN\nDELETE FROM {TABLE};\nRETURN NULL;\nEND $$;\n"
        f"CREATE TRIGGER settlement_stock_on_truncate AFTER TRUNCATE ON {CASES} "
        "FOR EACH STATEMENT EXECUTE FUNCTION settlement_stock_on_truncate();\n"
    )
    drop += (
        f"DROP TRIGGER IF EXISTS settlement_stock_on_truncate ON {CASES};\n"
        "DROP FUNCTION IF EXISTS settlement_stock_on_truncate();\n"
    )
    return create, drop


def sqlite_triggers() -> tuple[list[str], list[str]]:
    """Statements that install the SQLite triggers (one per row), and statements that
    drop them."""
    dialect = Dialect("sqlite")
    sources = {
        "insert": _rows("NEW", 1),
        "delete": _rows("OLD", -1),
        "update": f"{_rows('OLD', -1)} UNION ALL {_rows('NEW', 1)}",
    }
    # A deleted case changes nothing when its agency has no stock changes: every key of
    # the agency sums to zero only when each of its cases enters and leaves every stock on
    # the same day. Tested so because SQLite empties tables with one DELETE each, in any
    # order: a case deleted after the changes (and its agency) are gone must not add
    # changes that name the gone agency.
    guard = f" WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE agency_id = OLD.agency_id)"  # noqa: S608
    when = {"delete": guard}
    create, drop = [], []
    for event, source in sources.items():
        name = f"settlement_stock_on_{event}"
        create.append(
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON {CASES} FOR EACH ROW"
            f"{when.get(event, '')} BEGIN\n{upsert(f'({source}) AS cases', dialect)};\nEND"
        )
        drop.append(f"DROP TRIGGER IF EXISTS {name}")
    return create, drop


def backfill(vendor: str) -> str:
    """The statement that counts the cases already stored (after the table is created)."""
    return upsert(
        f"(SELECT {', '.join(COLUMNS)}, 1 AS sign FROM {CASES}) AS cases",  # noqa: S608
        Dialect(vendor),
    )
