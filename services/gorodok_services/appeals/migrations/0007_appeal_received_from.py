# Who sent an appeal through the API. Nullable, with no default to backfill: adding it is instant and
# the previous release (which does not know the column) keeps inserting rows while both run.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("appeals", "0006_migration_law_rule"),
    ]

    operations = [
        migrations.AddField(
            model_name="appeal",
            name="received_from",
            field=models.CharField(blank=True, editable=False, max_length=200, null=True),
        ),
    ]
