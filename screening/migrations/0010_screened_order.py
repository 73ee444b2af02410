"""Each episode keeps its current decision's time and chain position beside the pointer to it
(0006), and one index of episodes holds the log's order by screened date.

A page of that order reached by number (typed into the address) skipped its rows with
OFFSET across the join: page 500 of 100,000 walked 25,000 decisions on their time index and
probed the episode pointing at each, 38 ms in EXPLAIN ANALYZE. On the episodes' own index
the same rows are one index-only scan.

The copies are derived data, as the pointer is: written only where a decision is appended,
not in the history, checked by verify_audit. Filled here in SQL from the pointed decisions,
the same on PostgreSQL and SQLite; INCLUDE (id) is PostgreSQL's, SQLite's index entries
carry the row id already.
"""

from django.db import migrations, models

COPY_CURRENT = """
UPDATE screening_screening SET
    current_recorded_at = (SELECT d.recorded_at FROM screening_decision d
                           WHERE d.id = screening_screening.current_decision_id),
    current_sequence = (SELECT d.sequence FROM screening_decision d
                        WHERE d.id = screening_screening.current_decision_id)
WHERE current_decision_id IS NOT NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0009_covering_log_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="screening",
            name="current_recorded_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="screening",
            name="current_sequence",
            field=models.PositiveBigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL(COPY_CURRENT, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="screening",
            index=models.Index(
                fields=["current_recorded_at", "current_sequence"],
                include=("id",),
                name="screening_screened_idx",
            ),
        ),
    ]
