from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="FailedJob",
            fields=[
                ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("failed_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="failed")),
                ("actor_name", models.CharField(max_length=200, verbose_name="job")),
                ("queue_name", models.CharField(max_length=200, verbose_name="queue")),
                ("tenant_schema", models.CharField(blank=True, db_index=True, max_length=63,
                                                   verbose_name="municipality schema")),
                ("message_id", models.CharField(max_length=64, unique=True, verbose_name="message id")),
                ("args", models.JSONField(default=list, verbose_name="arguments")),
                ("retries", models.PositiveIntegerField(default=0, verbose_name="retries")),
                ("error", models.TextField(verbose_name="error")),
                ("resolved_at", models.DateTimeField(blank=True, null=True, verbose_name="resolved")),
            ],
            options={"verbose_name": "failed job", "verbose_name_plural": "failed jobs", "ordering": ("-failed_at",)},
        ),
    ]
