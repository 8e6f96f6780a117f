from django.db import migrations

REGIONAL = ("regional_admin", "regional_analyst")
MUNICIPAL = ("municipal_admin", "appeals_officer", "asset_manager", "reporter", "viewer")


def seed_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    schema = getattr(schema_editor.connection, "schema_name", "public")
    for name in REGIONAL if schema == "public" else MUNICIPAL:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(seed_roles, migrations.RunPython.noop)]
