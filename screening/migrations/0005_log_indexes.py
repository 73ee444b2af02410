"""Indexes the screening log pages on (checked with EXPLAIN on PostgreSQL, 100,000 decisions).

- (screening, sequence DESC): an episode's current decision is its newest; finding it, or
  proving a decision has no newer one, is one index probe instead of a sort.
- (recorded_at DESC, sequence DESC): the log sorted by screened date walks this index and
  stops after the page (screening.log_pages.LogPages), instead of sorting every episode.

Plain SQL, the same on SQLite and PostgreSQL, and no model state: the indexes serve queries,
not fields.
"""

from django.db import migrations

INDEXES = {
    "screening_decision_current_idx": "screening_decision (screening_id, sequence DESC)",
    "screening_decision_log_time_idx": "screening_decision (recorded_at DESC, sequence DESC)",
}


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0004_history_reason_text"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {target}",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, target in INDEXES.items()
    ]
