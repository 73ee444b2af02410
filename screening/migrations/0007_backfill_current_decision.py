"""Fill 0006's derived data for the decisions recorded before it: each episode's current
decision (its newest, by chain sequence) and each decision's failed criteria (an inclusion not
met, or an exclusion that applies; `position` is the entry's index in `results`).

In SQL, so 100,000 decisions take seconds, not the minutes of reading every decision's JSON
into Python. Reversing leaves the data alone: 0006's reversal drops it.
"""

from django.db import migrations

POINT_EPISODES = """
UPDATE screening_screening SET current_decision_id = (
    SELECT d.id FROM screening_decision d WHERE d.screening_id = screening_screening.id
    ORDER BY d.sequence DESC LIMIT 1
)
WHERE EXISTS (SELECT 1 FROM screening_decision d WHERE d.screening_id = screening_screening.id)
"""

FAILED = {
    "postgresql": """
INSERT INTO screening_failedcriterion (decision_id, position, code)
SELECT d.id, r.n - 1, r.item->>'code'
FROM screening_decision d
CROSS JOIN LATERAL jsonb_array_elements(d.results) WITH ORDINALITY AS r(item, n)
WHERE (r.item->>'kind' = 'inclusion' AND r.item->>'status' = 'not_met')
   OR (r.item->>'kind' = 'exclusion' AND r.item->>'status' = 'met')
ORDER BY d.id, r.n
""",
    "sqlite": """
INSERT INTO screening_failedcriterion (decision_id, position, code)
SELECT d.id, CAST(r.key AS INTEGER), json_extract(r.value, '$.code')
FROM screening_decision d, json_each(d.results) AS r
WHERE (json_extract(r.value, '$.kind') = 'inclusion'
       AND json_extract(r.value, '$.status') = 'not_met')
   OR (json_extract(r.value, '$.kind') = 'exclusion'
       AND json_extract(r.value, '$.status') = 'met')
ORDER BY d.id, r.key
""",
}


def backfill(apps, schema_editor):
    schema_editor.execute(POINT_EPISODES)
    vendor = schema_editor.connection.vendor
    if vendor in FAILED:
        schema_editor.execute(FAILED[vendor])
        return
    # Any other database: the same rule in Python.
    Decision = apps.get_model("screening", "Decision")
    FailedCriterion = apps.get_model("screening", "FailedCriterion")
    for decision in Decision.objects.only("pk", "results").iterator(chunk_size=500):
        FailedCriterion.objects.bulk_create(
            FailedCriterion(decision_id=decision.pk, position=i, code=r["code"])
            for i, r in enumerate(decision.results)
            if r["status"] == ("not_met" if r["kind"] == "inclusion" else "met")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0006_current_decision"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
