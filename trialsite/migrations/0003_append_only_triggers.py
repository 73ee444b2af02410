"""On PostgreSQL, refuse UPDATE and DELETE of audit records below the ORM.

Decisions, signatures, sign-off attempts and every simple_history table are append-only.
On SQLite this migration does nothing; the models' own guard remains. A later migration protects a new audit table with
`install_append_only_triggers(schema_editor, [table])`.
"""

from django.db import migrations

from trialsite.append_only import install_append_only_triggers, remove_append_only_triggers

# Named here, not discovered: a migration must do the same thing whenever it runs.
AUDIT_TABLES = [
    "screening_decision",
    "screening_historicalcandidate",
    "screening_historicalscreening",
    "criteria_historicalvariable",
    "criteria_historicalcriteriaset",
    "criteria_historicalcriterion",
    # Investigator sign-off (screening 0002, which trialsite 0002 depends on).
    "screening_signature",
    "screening_signatureattempt",
]


def install(apps, schema_editor):
    install_append_only_triggers(schema_editor, AUDIT_TABLES)


def remove(apps, schema_editor):
    remove_append_only_triggers(schema_editor, AUDIT_TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("trialsite", "0001_roles"),
        ("trialsite", "0002_investigator_signoff_roles"),
        ("screening", "0001_initial"),
        ("criteria", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, remove)]
