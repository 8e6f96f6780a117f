from django.db import migrations


def fill(apps, schema_editor):
    """The new ``shift`` column from the old boolean: on meant the next working day, off no move."""
    if getattr(schema_editor.connection, "schema_name", "public") == "public":
        return
    Rule = apps.get_model("appeals", "DeadlineRule")
    Rule.objects.filter(shift_to_working_day=True).update(shift="next")
    Rule.objects.filter(shift_to_working_day=False).update(shift="none")


class Migration(migrations.Migration):
    dependencies = [("appeals", "0004_rule_readings_and_duties")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
