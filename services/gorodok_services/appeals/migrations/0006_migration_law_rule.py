from django.db import migrations

# Frozen copy of gorodok_services.appeals.defaults at the time of this migration.
MIGRATION_LAW_PREFIX = "0001.0001.0004"
MIGRATION_LAW_FORWARD_DAYS = 5
KINDS = ("proposal", "statement", "complaint", "other")
COPIED = ("day_type", "register_days", "unclear_notice_days", "answer_days", "max_extension_days",
          "shift_to_working_day", "shift", "extension_from", "unclear_handling", "clarification_days")


def seed(apps, schema_editor):
    """Every municipality gets the 59-FZ 5-day forwarding rule for migration-law questions, one per
    59-FZ kind, with the other terms of its general rule for that kind. A rule it already has for the
    prefix is left as it is."""
    if getattr(schema_editor.connection, "schema_name", "public") == "public":
        return
    Rule = apps.get_model("appeals", "DeadlineRule")
    for kind in KINDS:
        general = Rule.objects.filter(kind=kind, category_prefix="").first()
        values = {name: getattr(general, name) for name in COPIED} if general else {}
        Rule.objects.get_or_create(kind=kind, category_prefix=MIGRATION_LAW_PREFIX,
                                   defaults={**values, "forward_days": MIGRATION_LAW_FORWARD_DAYS})


class Migration(migrations.Migration):
    dependencies = [("appeals", "0005_fill_shift")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
