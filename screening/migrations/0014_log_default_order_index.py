"""The screening log's default order as one index of the episodes: newest current decision
first (its time, then chain position: the episode's copies of them, 0010), episodes not
decided last, by id.

The log pages with Django's Paginator (django-tables2): a page number is an OFFSET. The page's
keys are read first (screening.review.log_query.KeysFirst), so with this index page 1,000 of
100,000 episodes is one index-only scan, and only its 50 rows are joined. 0010's index runs
the other way, and no scan of it gives newest first with the undecided last (DESC NULLS
LAST). SQLite sorts NULL below every value, so there a descending index puts them last, and
it has no NULLS LAST in an index.
"""

from django.db import migrations

NAME = "screening_screened_desc_idx"
COLUMNS = {
    "postgresql": "current_recorded_at DESC NULLS LAST, current_sequence DESC NULLS LAST, id",
    "sqlite": "current_recorded_at DESC, current_sequence DESC, id",
}


def create(apps, schema_editor):
    columns = COLUMNS.get(schema_editor.connection.vendor)
    if columns:
        schema_editor.execute(f"CREATE INDEX {NAME} ON screening_screening ({columns})")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0013_value_sources"),
    ]

    operations = [migrations.RunPython(create, drop)]
