# Register imports as jobs (a new table), the end of an encumbrance (nullable, or with a database
# default) and the import that wrote a history entry (nullable, no index): all instant, and the previous
# release keeps working while both run.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0002_lifecycle'),
    ]

    operations = [
        migrations.CreateModel(
            name='AssetImport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(upload_to='assets/imports/%Y/%m/', verbose_name='file')),
                ('file_name', models.CharField(max_length=255, verbose_name='file name')),
                ('mapping', models.JSONField(blank=True, default=dict, verbose_name='column mapping')),
                ('status', models.CharField(choices=[('queued', 'queued'), ('running', 'running'), ('done', 'done'), ('failed', 'failed')], default='queued', max_length=16, verbose_name='status')),
                ('checked', models.BooleanField(default=False, verbose_name='every row checked')),
                ('rows_total', models.PositiveIntegerField(default=0, verbose_name='rows in the file')),
                ('rows_checked', models.PositiveIntegerField(default=0, verbose_name='rows checked')),
                ('rows_done', models.PositiveIntegerField(default=0, verbose_name='rows written')),
                ('created_count', models.PositiveIntegerField(default=0, verbose_name='created')),
                ('updated_count', models.PositiveIntegerField(default=0, verbose_name='updated')),
                ('rejected_count', models.PositiveIntegerField(default=0, verbose_name='rejected')),
                ('error', models.TextField(blank=True, verbose_name='error')),
                ('report', models.JSONField(blank=True, default=list, verbose_name='rejected rows')),
                ('actor_email', models.CharField(blank=True, max_length=254, verbose_name='started by')),
                ('source', models.CharField(blank=True, max_length=16, verbose_name='source')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='queued at')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
            ],
            options={
                'verbose_name': 'register import',
                'verbose_name_plural': 'register imports',
                'ordering': ('-created_at', '-pk'),
            },
        ),
        migrations.AddField(
            model_name='encumbrance',
            name='end_basis',
            field=models.CharField(blank=True, db_default='', default='', max_length=300, verbose_name='basis of ending'),
        ),
        migrations.AddField(
            model_name='encumbrance',
            name='ended_on',
            field=models.DateField(blank=True, null=True, verbose_name='ended on'),
        ),
        migrations.AddField(
            model_name='assetchange',
            name='import_run',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='changes', to='assets.assetimport'),
        ),
    ]
