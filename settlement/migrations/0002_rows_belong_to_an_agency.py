"""Settlement rows get their agency: nullable first, filled here, required in 0003.

Rows from before the agency column belong to the only agency that can own them: the one
agency with the settlement module, or else the one agency in the database (which then
gets the module, since it has settlement data). With several candidates nothing is
guessed; the migration stops and says what to do.
"""

import django.db.models.deletion
from django.db import migrations, models

MODELS = ("settlementcase", "municipalplaces", "forecast")


def owner_of_existing_rows(apps, schema_editor):
    Agency = apps.get_model("goals", "Agency")
    models_with_rows = [
        apps.get_model("settlement", name)
        for name in MODELS
        if apps.get_model("settlement", name).objects.exists()
    ]
    if not models_with_rows:
        return
    candidates = list(Agency.objects.filter(has_settlement=True)[:2])
    if not candidates:
        candidates = list(Agency.objects.all()[:2])
    if len(candidates) != 1:
        raise RuntimeError(
            "Settlement rows exist but their agency cannot be decided: set has_settlement on "
            "exactly one agency (or delete the settlement rows and load them again with "
            "import_settlement --agency), then migrate again."
        )
    agency = candidates[0]
    if not agency.has_settlement:
        agency.has_settlement = True
        agency.save(update_fields=["has_settlement"])
    for model in models_with_rows:
        model.objects.filter(agency__isnull=True).update(agency=agency)


def _agency_field():
    return models.ForeignKey(
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="goals.agency",
        verbose_name="agency",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0003_agency_modules_and_addresses"),
        ("settlement", "0001_initial"),
    ]

    operations = [
        *[
            migrations.AddField(model_name=name, name="agency", field=_agency_field())
            for name in MODELS
        ],
        migrations.RunPython(owner_of_existing_rows, migrations.RunPython.noop),
    ]
