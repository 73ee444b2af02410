"""Indexes the screening log, its counts and the summary use now that each episode points at
its current decision (0006); checked with EXPLAIN ANALYZE on PostgreSQL, 100,000 decisions.

- screening (current_decision, candidate): the episode that points at a decision (the log by
  screened date walks the decisions' time index and probes this one), the episodes not
  decided (NULL), and, from the index alone, every decided episode's patient for the
  summary's newest decision per patient.
- decision (outcome, id, sequence): the log's counts per outcome, and the summary's outcomes
  and chain positions, read from the index alone.
- candidate (LENGTH(screening_number), screening_number): the log's order by screening number
  (S0999 before S1000), walked a page at a time, also within one outcome or recorder.
- candidate (UPPER(screening_number)): never scanned by the search (LIKE '%...%'), but
  PostgreSQL keeps statistics on an indexed expression, so it knows a search matches few
  numbers and reads those first instead of walking every decision.
- candidate (referral_date): the log's order by referral date, and the summary's period.

Built after 0007 filled the pointers, so each is built once rather than kept up to date row
by row.
"""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0007_backfill_current_decision"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="screening",
            index=models.Index(
                fields=["current_decision", "candidate"], name="screening_current_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(fields=["outcome", "id", "sequence"], name="decision_outcome_idx"),
        ),
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(
                django.db.models.functions.text.Length("screening_number"),
                models.F("screening_number"),
                name="candidate_number_order_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(
                django.db.models.functions.text.Upper("screening_number"),
                name="candidate_number_search_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(fields=["referral_date"], name="candidate_referral_date_idx"),
        ),
    ]
