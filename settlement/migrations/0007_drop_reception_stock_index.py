"""The reception stock is read from StockChange (0006): its index over the cases goes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('settlement', '0006_stock_changes'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='settlementcase',
            name='settlement_case_reception',
        ),
    ]
