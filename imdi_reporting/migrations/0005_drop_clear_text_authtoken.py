"""Drop rest_framework.authtoken's table, whose keys were stored in clear.

The app is no longer installed (API keys are now imdi_reporting.ApiToken, hashed), so
nothing would ever remove the old keys. They are not carried over: a key cannot be hashed
into a new one without being kept, and users create new keys on the page API-nøkler.
A database that never had the table is left as it is.
"""

from django.db import migrations

OLD_TABLE = "authtoken_token"


def drop_old_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE in connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(OLD_TABLE)}")
    # Its content type and permissions (and their grants) go with it.
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("imdi_reporting", "0004_api_token"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(drop_old_tokens, migrations.RunPython.noop)]
