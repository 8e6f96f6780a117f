# A delivery names its event by id and schema instead of a foreign key: a regional client's
# subscription (public schema) receives events written in the municipalities' schemas.

import uuid

from django.db import migrations, models


def copy_event_reference(apps, schema_editor):
    WebhookDelivery = apps.get_model("integrations", "WebhookDelivery")
    schema = getattr(schema_editor.connection, "schema_name", "")
    for delivery in WebhookDelivery.objects.select_related("event").iterator():
        delivery.event_uuid = delivery.event.event_id
        delivery.event_type = delivery.event.event_type
        delivery.event_schema = schema
        delivery.delivery_id = uuid.uuid4()
        delivery.save(update_fields=["event_uuid", "event_type", "event_schema", "delivery_id"])


class Migration(migrations.Migration):

    dependencies = [
        ("integrations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookdelivery",
            name="event_uuid",
            field=models.UUIDField(null=True, verbose_name="event id"),
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="event_type",
            field=models.CharField(blank=True, max_length=64, verbose_name="event"),
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="event_schema",
            field=models.CharField(blank=True, max_length=63, verbose_name="schema of the event"),
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="delivery_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(copy_event_reference, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="webhookdelivery",
            name="event",
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="event_uuid",
            field=models.UUIDField(verbose_name="event id"),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="delivery_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, db_index=True),
        ),
        migrations.AddIndex(
            model_name="webhookdelivery",
            index=models.Index(fields=["subscription", "event_uuid"], name="webhook_delivery_sub_event"),
        ),
    ]
