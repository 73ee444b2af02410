"""Rule snapshots become content-addressed rows shared by decisions (one 32 kB copy per
distinct rule set instead of one per decision). No release carried decisions before this
change, so there is nothing to convert; the migration refuses rather than guess if there is."""

import django.db.models.deletion
from django.db import migrations, models


def refuse_if_decisions_exist(apps, schema_editor):
    if apps.get_model("screening", "Decision").objects.exists():
        raise RuntimeError(
            "screening 0003 restructures decision rule snapshots and this database already "
            "holds decisions from a pre-release build; start from an empty database."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0002_signatures"),
    ]

    operations = [
        migrations.RunPython(refuse_if_decisions_exist, migrations.RunPython.noop),
        migrations.CreateModel(
            name="RulesSnapshot",
            fields=[
                ("sha256", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("rules", models.JSONField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"abstract": False},
        ),
        migrations.RemoveField(model_name="decision", name="rules_snapshot"),
        migrations.AddField(
            model_name="decision",
            name="rules_snapshot",
            field=models.ForeignKey(
                db_column="rules_sha256",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="screening.rulessnapshot",
            ),
            preserve_default=False,
        ),
    ]
