"""The budget tables' INSERTs checked once per statement (goals 0011), not once per row:
an import's 100 000 sub-post lines no longer ask for their period 100 000 times."""

from django.db import migrations

from goals.lock_triggers import postgresql_only, statement_triggers

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
CREATE, DROP = statement_triggers(dict.fromkeys(TABLES, ("period_id", "")))


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0003_period_lock_triggers"),
        ("goals", "0011_period_lock_statement_inserts"),
    ]

    operations = [migrations.RunPython(postgresql_only(CREATE), postgresql_only(DROP))]
