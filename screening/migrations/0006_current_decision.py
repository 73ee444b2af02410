"""Each episode points at its current decision, and failed criteria get a table of their own.

- `Screening.current_decision`: the episode's newest decision, so the screening log, its
  counts and the summary join one decision per episode instead of searching each episode's
  decisions. Derived data; filled for existing episodes by 0007 and indexed by 0008 (after
  the fill). No foreign-key constraint in the database: see the model.
- `FailedCriterion`: one row per criterion a decision failed, written with the decision,
  append-only (a PostgreSQL trigger refuses UPDATE and DELETE, like the other audit tables).
  Filled for existing decisions by 0007.
"""

import django.db.models.deletion
from django.db import migrations, models

from trialsite.append_only import install_append_only_triggers, remove_append_only_triggers

TABLES = ["screening_failedcriterion"]


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0005_log_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="screening",
            name="current_decision",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                help_text="The episode's newest decision (derived; kept by the services).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="screening.decision",
            ),
        ),
        migrations.CreateModel(
            name="FailedCriterion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(help_text="Index of the entry in `results`."),
                ),
                ("code", models.CharField(max_length=16)),
                (
                    "decision",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="failures",
                        to="screening.decision",
                    ),
                ),
            ],
            options={
                "ordering": ["decision", "position"],
                "indexes": [
                    models.Index(fields=["code", "decision"], name="failed_criterion_code_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("decision", "position"), name="failed_criterion_unique_position"
                    )
                ],
            },
        ),
        migrations.RunPython(
            lambda apps, schema_editor: install_append_only_triggers(schema_editor, TABLES),
            lambda apps, schema_editor: remove_append_only_triggers(schema_editor, TABLES),
        ),
    ]
