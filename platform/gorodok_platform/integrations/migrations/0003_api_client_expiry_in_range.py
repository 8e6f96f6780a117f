# An expiry later than the year 9999 in UTC (accepted before expiries were bounded, e.g.
# 9999-12-31T23:59:59-14:00) cannot be read back by Python: every list of API clients failed. Such an
# expiry becomes the latest one allowed now. Rows only change where the value is out of range, so the
# migration is a no-op almost everywhere and safe while the previous release still runs.

from django.db import migrations

LATEST_EXPIRY = "2999-12-31 23:59:59+00"


class Migration(migrations.Migration):

    dependencies = [
        ("integrations", "0002_webhook_delivery_event_reference"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"UPDATE integrations_apiclient SET expires_at = '{LATEST_EXPIRY}' "
                f"WHERE expires_at > '{LATEST_EXPIRY}'",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
