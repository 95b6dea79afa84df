
import django.db.models.deletion
from django.db import migrations, models

from settlement.stock_sql import backfill, postgresql_triggers, sqlite_triggers


def install_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(postgresql_triggers()[0])
    else:
        for statement in sqlite_triggers()[0]:
            schema_editor.execute(statement)
    schema_editor.execute(backfill(vendor))


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(postgresql_triggers()[1])
    else:
        for statement in sqlite_triggers()[1]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('goals', '0011_period_lock_statement_inserts'),
        ('settlement', '0005_reception_stock_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='StockChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('span', models.CharField(max_length=5, verbose_name='span')),
                ('day', models.DateField(verbose_name='day')),
                ('stock', models.CharField(max_length=30, verbose_name='stock')),
                ('dimension', models.CharField(blank=True, max_length=20, verbose_name='dimension')),
                ('value', models.CharField(blank=True, max_length=60, verbose_name='value')),
                ('change', models.IntegerField(verbose_name='change')),
                ('agency', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='goals.agency', verbose_name='agency')),
                ('municipality', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='settlement.municipality', verbose_name='municipality')),
            ],
            options={
                'verbose_name': 'stock change (beholdningsendring)',
                'verbose_name_plural': 'stock changes (beholdningsendringer)',
                'constraints': [models.UniqueConstraint(fields=('agency', 'span', 'day', 'stock', 'dimension', 'value'), name='settlement_stockchange_key'), models.CheckConstraint(condition=models.Q(('span__in', ('day', 'month', 'year'))), name='settlement_stockchange_span_valid')],
            },
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
