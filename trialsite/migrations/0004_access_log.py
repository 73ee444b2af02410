"""The access log: who viewed which candidate; append-only, on PostgreSQL by trigger."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from trialsite.append_only import install_append_only_triggers, remove_append_only_triggers

TABLES = ["trialsite_candidateaccess"]


class Migration(migrations.Migration):

    dependencies = [
        ('trialsite', '0003_append_only_triggers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CandidateAccess',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('screening_number', models.CharField(db_index=True, max_length=48)),
                ('path', models.CharField(max_length=500)),
                ('viewed_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'candidate access',
                'verbose_name_plural': 'candidate access log',
                'ordering': ['-viewed_at', '-id'],
            },
        ),
        migrations.RunPython(
            lambda apps, schema_editor: install_append_only_triggers(schema_editor, TABLES),
            lambda apps, schema_editor: remove_append_only_triggers(schema_editor, TABLES),
        ),
    ]
