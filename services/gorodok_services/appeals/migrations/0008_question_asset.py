# A question may name the register object it concerns. The column is nullable without a default (instant,
# and the previous release keeps inserting questions without it); the index covers only linked questions.
# The indexes are built in the migration's transaction (the linter warns): a municipality's appeals are a
# few thousand rows, and the upgrader migrates each municipality behind its "upgrading" answer.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0007_appeal_received_from'),
        ('assets', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='question',
            name='asset',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='appeal_questions', to='assets.asset', verbose_name='register object'),
        ),
        migrations.AddIndex(
            model_name='appeal',
            index=models.Index(fields=['received_at', 'id'], name='appeal_received'),
        ),
        migrations.AddIndex(
            model_name='question',
            index=models.Index(condition=models.Q(('asset__isnull', False)), fields=['asset', 'classifier_code'], include=('appeal',), name='question_asset_code'),
        ),
    ]
