"""Database-level protection of submitted reports on PostgreSQL (goals.locking guards every
path through Django; these triggers also refuse raw SQL and Django's internal updates).

A row of a period table is refused while the period it belongs to, before or after the
write, is not open; a submitted period's own year, kind, dates, deadline and submission
are refused, and so is deleting it. The fixture loader's writes pass while
``imdi.allow_locked_writes`` is on in its transaction (goals.locking.allow_locked_period_writes).
Other databases rely on the guard alone."""

from django.db import migrations

ROW_FUNCTION = """
CREATE OR REPLACE FUNCTION imdi_refuse_locked_period_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[] := ARRAY[]::bigint[];
    parent_id bigint;
    found text;
BEGIN
    IF coalesce(current_setting('imdi.allow_locked_writes', true), '') <> 'on' THEN
        -- TG_ARGV[0]: the row's column that leads to the period; TG_ARGV[1]: the table that
        -- column points to when it is not the period itself (a table row's table).
        FOR parent_id IN
            SELECT (to_jsonb(r) ->> TG_ARGV[0])::bigint
            FROM (SELECT OLD AS r WHERE TG_OP <> 'INSERT'
                  UNION ALL SELECT NEW WHERE TG_OP <> 'DELETE') AS rows(r)
        LOOP
            IF parent_id IS NOT NULL AND TG_ARGV[1] <> '' THEN
                EXECUTE format('SELECT period_id FROM %I WHERE id = $1', TG_ARGV[1])
                    INTO parent_id USING parent_id;
            END IF;
            ids := ids || parent_id;
        END LOOP;
        SELECT state INTO found FROM goals_reportingperiod
            WHERE id = ANY(ids) AND state <> 'open' LIMIT 1 FOR SHARE;
        IF found IS NOT NULL THEN
            RAISE EXCEPTION 'period_locked: a % row of a % reporting period accepts no changes',
                TG_TABLE_NAME, found USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;
"""

PERIOD_FUNCTION = """
CREATE OR REPLACE FUNCTION imdi_refuse_submitted_period_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('imdi.allow_locked_writes', true), '') <> 'on'
       AND OLD.state <> 'open'
       AND (TG_OP = 'DELETE'
            OR NEW.budget_year_id <> OLD.budget_year_id OR NEW.kind <> OLD.kind
            OR NEW.start <> OLD.start OR NEW."end" <> OLD."end"
            OR NEW.deadline <> OLD.deadline
            OR (NEW.state <> 'open' AND (NEW.submitted_at IS DISTINCT FROM OLD.submitted_at
                OR NEW.submitted_by_id IS DISTINCT FROM OLD.submitted_by_id))) THEN
        RAISE EXCEPTION 'period_locked: a % reporting period keeps its dates and submission',
            OLD.state USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;
"""

# table -> (the column that leads to the period, the table it points to if not the period)
GOALS_TABLES = {
    "goals_indicatorvalue": ("period_id", ""),
    "goals_statisticaltable": ("period_id", ""),
    "goals_statisticaltablerow": ("table_id", "goals_statisticaltable"),
    "goals_statusupdate": ("period_id", ""),
    "goals_requirementnarrative": ("period_id", ""),
    "goals_specialreportinganswer": ("period_id", ""),
    "goals_otherreportinganswer": ("period_id", ""),
    "goals_periodreport": ("period_id", ""),
    "goals_coverletter": ("period_id", ""),
    "goals_coverlettersignatory": ("letter_id", "goals_coverletter"),
}


def row_triggers(tables: dict[str, tuple[str, str]]) -> tuple[str, str]:
    create = "".join(
        f"CREATE TRIGGER {table}_period_lock BEFORE INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION imdi_refuse_locked_period_row('{column}', '{parent}');\n"
        for table, (column, parent) in tables.items()
    )
    drop = "".join(f"DROP TRIGGER IF EXISTS {table}_period_lock ON {table};\n" for table in tables)
    return create, drop


def postgresql_only(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # Without parameters, so that the '%' of plpgsql's format() and RAISE stay.
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


CREATE_ROWS, DROP_ROWS = row_triggers(GOALS_TABLES)
CREATE = (
    ROW_FUNCTION
    + PERIOD_FUNCTION
    + CREATE_ROWS
    + "CREATE TRIGGER goals_reportingperiod_lock BEFORE UPDATE OR DELETE ON "
    "goals_reportingperiod FOR EACH ROW EXECUTE FUNCTION imdi_refuse_submitted_period_change();\n"
)
DROP = (
    DROP_ROWS
    + "DROP TRIGGER IF EXISTS goals_reportingperiod_lock ON goals_reportingperiod;\n"
    + "DROP FUNCTION IF EXISTS imdi_refuse_submitted_period_change();\n"
)


class Migration(migrations.Migration):
    dependencies = [("goals", "0007_cache_generation")]

    operations = [migrations.RunPython(postgresql_only(CREATE), postgresql_only(DROP))]
