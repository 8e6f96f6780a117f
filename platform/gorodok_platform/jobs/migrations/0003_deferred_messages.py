from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("jobs", "0002_failed_jobs")]

    operations = [
        migrations.CreateModel(
            name="DeferredMessage",
            fields=[
                ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="created")),
                ("message_id", models.CharField(max_length=64, unique=True, verbose_name="message id")),
                ("actor_name", models.CharField(max_length=200, verbose_name="job")),
                ("queue_name", models.CharField(max_length=200, verbose_name="queue")),
                ("tenant_schema", models.CharField(blank=True, max_length=63, verbose_name="municipality schema")),
                ("message", models.JSONField(verbose_name="message")),
                ("error", models.CharField(blank=True, max_length=500, verbose_name="error")),
                ("attempts", models.PositiveIntegerField(default=0, verbose_name="attempts")),
            ],
            options={"verbose_name": "deferred job", "verbose_name_plural": "deferred jobs", "ordering": ("id",)},
        ),
        migrations.CreateModel(
            name="SchedulerHeartbeat",
            fields=[
                ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("host", models.CharField(max_length=200, unique=True, verbose_name="process")),
                ("status", models.CharField(max_length=20, verbose_name="status")),
                ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="started")),
                ("last_tick_at", models.DateTimeField(blank=True, null=True, verbose_name="last successful tick")),
                ("last_error_at", models.DateTimeField(blank=True, null=True, verbose_name="last error")),
                ("last_error", models.CharField(blank=True, max_length=500, verbose_name="error")),
                ("consecutive_failures", models.PositiveIntegerField(default=0, verbose_name="failures in a row")),
                ("errors_total", models.PositiveIntegerField(default=0, verbose_name="errors")),
                ("updated_at", models.DateTimeField(auto_now=True, db_index=True, verbose_name="reported")),
            ],
            options={"verbose_name": "scheduler", "verbose_name_plural": "schedulers", "ordering": ("-updated_at",)},
        ),
    ]
