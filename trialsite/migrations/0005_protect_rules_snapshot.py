"""On PostgreSQL, rule snapshots (screening 0003) refuse UPDATE and DELETE like the decisions
that point at them: a changed snapshot would change what a recorded decision says it used."""

from django.db import migrations

from trialsite.append_only import install_append_only_triggers, remove_append_only_triggers

TABLES = ["screening_rulessnapshot"]


class Migration(migrations.Migration):
    dependencies = [
        ("trialsite", "0004_access_log"),
        ("screening", "0003_rules_snapshot"),
    ]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: install_append_only_triggers(schema_editor, TABLES),
            lambda apps, schema_editor: remove_append_only_triggers(schema_editor, TABLES),
        ),
    ]
