"""The log's two key indexes carry the ids they lead to, so a page counted by number reads
indexes only (checked with EXPLAIN ANALYZE on PostgreSQL, 100,000 decisions).

A page with no "Next"/"Previous" key (a page number typed into the address) skips rows with
OFFSET: page 500 walks 25,000 decisions on the time index and probes the episode pointing at
each. Without the ids in the indexes each of those rows was also read from the table: 47 ms;
with them, 25 ms, and the decisions' index alone instead of 6,700 table pages.

- decision (recorded_at DESC, sequence DESC) INCLUDE (id), replacing 0005's index;
- screening (current_decision, candidate) INCLUDE (id), replacing 0008's.

INCLUDE is PostgreSQL's. On SQLite every index entry already carries the row's id (its
rowid), so there the indexes are rebuilt as they were.
"""

from django.db import migrations, models

TIME_INDEX = "screening_decision_log_time_idx"
TIME_COLUMNS = "screening_decision (recorded_at DESC, sequence DESC)"


def _time_index(include: str):
    def build(apps, schema_editor):
        covering = include if schema_editor.connection.vendor == "postgresql" else ""
        schema_editor.execute(f"DROP INDEX IF EXISTS {TIME_INDEX}")
        schema_editor.execute(f"CREATE INDEX {TIME_INDEX} ON {TIME_COLUMNS}{covering}")

    return build


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0008_log_join_indexes"),
    ]

    operations = [
        migrations.RunPython(_time_index(" INCLUDE (id)"), _time_index("")),
        migrations.RemoveIndex(model_name="screening", name="screening_current_idx"),
        migrations.AddIndex(
            model_name="screening",
            index=models.Index(
                fields=["current_decision", "candidate"],
                include=["id"],
                name="screening_current_idx",
            ),
        ),
    ]
