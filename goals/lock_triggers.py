"""SQL of the PostgreSQL lock triggers that the migrations of goals and budget install
(goals 0011, budget 0004): an INSERT into a period's table is checked once per
statement over all its new rows, UPDATE and DELETE once per row (goals 0008's function).
Kept outside the migrations so that both apps' migrations use the same SQL."""

INSERT_FUNCTION = """
CREATE OR REPLACE FUNCTION imdi_refuse_locked_period_inserts() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    found text;
    periods text;
BEGIN
    IF coalesce(current_setting('imdi.allow_locked_writes', true), '') <> 'on' THEN
        -- TG_ARGV as for imdi_refuse_locked_period_row: the column that leads to the
        -- period, and the table it points to when that is not the period itself.
        IF TG_ARGV[1] = '' THEN
            periods := format('SELECT %I FROM new_rows', TG_ARGV[0]);
        ELSE
            periods := format(
                'SELECT period_id FROM %I WHERE id IN (SELECT %I FROM new_rows)',
                TG_ARGV[1], TG_ARGV[0]);
        END IF;
        EXECUTE 'SELECT state FROM goals_reportingperiod WHERE id IN (' || periods
            || ') AND state <> ''open'' LIMIT 1 FOR SHARE' INTO found;
        IF found IS NOT NULL THEN
            RAISE EXCEPTION 'period_locked: a % row of a % reporting period accepts no changes',
                TG_TABLE_NAME, found USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;
"""


def statement_triggers(tables: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """SQL that gives each table a row trigger for UPDATE and DELETE and a statement
    trigger for INSERT, and SQL that puts back the row trigger of all three."""
    create, drop = "", ""
    for table, (column, parent) in tables.items():
        arguments = f"'{column}', '{parent}'"
        create += (
            f"DROP TRIGGER IF EXISTS {table}_period_lock ON {table};\n"
            f"CREATE TRIGGER {table}_period_lock BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION imdi_refuse_locked_period_row({arguments});\n"
            f"CREATE TRIGGER {table}_period_lock_insert AFTER INSERT ON {table} "
            "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
            f"EXECUTE FUNCTION imdi_refuse_locked_period_inserts({arguments});\n"
        )
        drop += (
            f"DROP TRIGGER IF EXISTS {table}_period_lock_insert ON {table};\n"
            f"DROP TRIGGER IF EXISTS {table}_period_lock ON {table};\n"
            f"CREATE TRIGGER {table}_period_lock BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION imdi_refuse_locked_period_row({arguments});\n"
        )
    return create, drop


def postgresql_only(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # Without parameters, so that the '%' of plpgsql's format() and RAISE stay.
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run
