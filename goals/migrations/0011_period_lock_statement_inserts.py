"""The lock triggers of goals 0008 check an INSERT once per statement, not once per row.

A row trigger reads each new row as JSON and asks for its period on its own: an import of
100 000 rows asked 100 000 times. An INSERT is now checked after the statement, over all
its new rows at once (a transition table); UPDATE and DELETE keep the row trigger, which
also sees a row's period before the change. Same refusal, same message, same error code;
the fixture loader's ``imdi.allow_locked_writes`` still lets its writes pass."""

from django.db import migrations

from goals.lock_triggers import INSERT_FUNCTION, postgresql_only, statement_triggers

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
CREATE, DROP = statement_triggers(GOALS_TABLES)


class Migration(migrations.Migration):
    dependencies = [("goals", "0010_history_paths_and_transition_events")]

    operations = [
        migrations.RunPython(postgresql_only(INSERT_FUNCTION + CREATE), postgresql_only(DROP))
    ]
