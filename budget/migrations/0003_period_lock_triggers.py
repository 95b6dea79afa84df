"""The budget tables of a period under the PostgreSQL trigger function of goals 0004: a row
of a submitted or locked period is refused unless the fixture loader writes it."""

from django.db import migrations

TABLES = (
    "budget_accountsentry",
    "budget_subpostline",
    "budget_footnote",
    "budget_dispositionpart",
    "budget_dispositiontransfer",
    "budget_authorisation",
    "budget_grantstatistic",
    "budget_reportedfigure",
    "budget_commentary",
)
CREATE = "".join(
    f"CREATE TRIGGER {table}_period_lock BEFORE INSERT OR UPDATE OR DELETE ON {table} "
    f"FOR EACH ROW EXECUTE FUNCTION imdi_refuse_locked_period_row('period_id', '');\n"
    for table in TABLES
)
DROP = "".join(f"DROP TRIGGER IF EXISTS {table}_period_lock ON {table};\n" for table in TABLES)


def postgresql_only(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # Without parameters, so that the '%' of plpgsql's format() and RAISE stay.
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0002_chapter_agency"),
        ("goals", "0008_period_lock_triggers"),
    ]

    operations = [migrations.RunPython(postgresql_only(CREATE), postgresql_only(DROP))]
