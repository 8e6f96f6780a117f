from django.db import migrations, models


class Migration(migrations.Migration):
    """Municipalities by name. The table holds a row per municipality of the region (a few hundred at
    most), so building the index holds its lock for milliseconds."""

    dependencies = [
        ("gorodok_tenants", "0005_monthly_figures"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="municipality",
            index=models.Index(fields=["name"], name="municipality_by_name"),
        ),
    ]
