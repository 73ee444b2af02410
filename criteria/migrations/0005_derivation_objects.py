"""A variable's derivation becomes an object naming its kind and inputs (trialsite-protocol/2),
and a variable may declare its display places.

Live rows: a version 1 name becomes the object it stands for (the same fixed keys; a measured
clearance only where the trial has that variable), "" becomes null, and each changed variable
gets a new history row saying why. History rows are audit records, append-only (on
PostgreSQL a trigger refuses UPDATE): their column changes type in place, each value kept as
it was ("age_years" stays the JSON string "age_years", "" the JSON string ""), and no row is
updated. The table of names is written out here, not imported: a migration must not change
when the app's code does.
"""

from django.db import migrations, models
from django.utils import timezone

V1_DERIVATIONS = {
    "age_years": {"kind": "age_years", "birth_date": "date_of_birth", "on": "screening_date"},
    "creatinine_clearance": {
        "kind": "creatinine_clearance",
        "measured": "creatinine_clearance_measured",
        "age": "age_years",
        "sex": "sex",
        "female": "female",
        "weight": "weight_kg",
        "creatinine": "serum_creatinine",
    },
    "bilirubin_x_uln": {"kind": "times_uln", "value": "bilirubin", "uln": "bilirubin_uln"},
}
REASON = "derivation written as an object (format trialsite-protocol/2)"
HISTORY = "criteria_historicalvariable"


def _as_object(name, keys):
    data = dict(V1_DERIVATIONS[name])
    if data.get("measured") not in keys:
        data.pop("measured", None)
    return data


def _history_field(json: bool):
    field = models.JSONField(null=True, blank=True) if json else models.CharField(
        max_length=64, blank=True
    )
    field.set_attributes_from_name("derivation")
    return field


def history_column_to_json(apps, schema_editor):
    """The history's derivation column as JSON, values unchanged, no row updated."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'ALTER TABLE "{HISTORY}" ALTER COLUMN "derivation" DROP NOT NULL, '
            'ALTER COLUMN "derivation" TYPE jsonb USING to_jsonb("derivation")'
        )
        return
    # SQLite has no triggers; its table is remade, so the text becomes JSON text first.
    schema_editor.execute(
        'UPDATE "criteria_historicalvariable" SET "derivation" = json_quote("derivation")'
    )
    model = apps.get_model("criteria", "HistoricalVariable")
    schema_editor.alter_field(model, _history_field(json=False), _history_field(json=True))


def history_column_to_text(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'ALTER TABLE "{HISTORY}" ALTER COLUMN "derivation" TYPE varchar(64) '
            """USING COALESCE("derivation" #>> '{}', ''), """
            'ALTER COLUMN "derivation" SET NOT NULL'
        )
        return
    model = apps.get_model("criteria", "HistoricalVariable")
    schema_editor.execute(
        'UPDATE "criteria_historicalvariable" '
        """SET "derivation" = COALESCE(json_extract("derivation", '$'), '')"""
    )
    schema_editor.alter_field(model, _history_field(json=True), _history_field(json=False))


def forward(apps, schema_editor):
    Variable = apps.get_model("criteria", "Variable")
    Historical = apps.get_model("criteria", "HistoricalVariable")
    kept = {f.attname for f in Historical._meta.concrete_fields}
    names = [f.attname for f in Variable._meta.concrete_fields if f.attname in kept]
    for row in Variable.objects.exclude(derivation_name=""):
        keys = set(Variable.objects.filter(trial_id=row.trial_id).values_list("key", flat=True))
        row.derivation = _as_object(row.derivation_name, keys)
        row.save(update_fields=["derivation"])
        Historical.objects.create(
            **{name: getattr(row, name) for name in names},
            history_date=timezone.now(),
            history_type="~",
            history_change_reason=REASON,
        )


def backward(apps, schema_editor):
    """Back to names, where a version 1 name says the same (else refused). The history rows
    this migration added are deleted, which PostgreSQL refuses once it protects them."""
    Variable = apps.get_model("criteria", "Variable")
    apps.get_model("criteria", "HistoricalVariable").objects.filter(
        history_change_reason=REASON
    ).delete()
    for row in Variable.objects.exclude(derivation=None):
        keys = set(Variable.objects.filter(trial_id=row.trial_id).values_list("key", flat=True))
        names = [n for n in V1_DERIVATIONS if _as_object(n, keys) == row.derivation]
        if not names:
            raise RuntimeError(f"{row.key}: derivation {row.derivation} has no version 1 name")
        row.derivation_name = names[0]
        row.save(update_fields=["derivation_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("criteria", "0004_variable_record_codes"),
    ]

    operations = [
        migrations.RenameField("variable", "derivation", "derivation_name"),
        migrations.AddField(
            model_name="variable",
            name="derivation",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="historicalvariable",
                    name="derivation",
                    field=models.JSONField(blank=True, null=True),
                ),
            ],
            database_operations=[
                migrations.RunPython(history_column_to_json, history_column_to_text),
            ],
        ),
        migrations.AddField(
            model_name="variable",
            name="display_places",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historicalvariable",
            name="display_places",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveField("variable", "derivation_name"),
    ]
