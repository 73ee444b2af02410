"""A variable's derivation becomes an object naming its kind and inputs (trialsite-protocol/2),
and a variable may declare its display places.

Live rows: a version 1 name becomes the object it stands for (the same fixed keys; a measured
clearance only where the trial has that variable), "" becomes null, and each changed variable
gets a history row saying why. History rows keep what they said: a name stays that name (as
a JSON string), "" becomes null (both mean "not derived"). The table of names is written out
here, not imported: a migration must not change when the app's code does.
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


def _as_object(name, keys):
    data = dict(V1_DERIVATIONS[name])
    if data.get("measured") not in keys:
        data.pop("measured", None)
    return data


def forward(apps, schema_editor):
    Variable = apps.get_model("criteria", "Variable")
    Historical = apps.get_model("criteria", "HistoricalVariable")
    for row in Historical.objects.all():
        row.derivation = row.derivation_name or None
        row.save(update_fields=["derivation"])
    names = [f.attname for f in Variable._meta.concrete_fields]
    for row in Variable.objects.all():
        if not row.derivation_name:
            continue
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
    Variable = apps.get_model("criteria", "Variable")
    Historical = apps.get_model("criteria", "HistoricalVariable")
    Historical.objects.filter(history_change_reason=REASON).delete()
    for row in Historical.objects.all():
        row.derivation_name = row.derivation if isinstance(row.derivation, str) else ""
        row.save(update_fields=["derivation_name"])
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
        migrations.RenameField("historicalvariable", "derivation", "derivation_name"),
        migrations.AddField(
            model_name="variable",
            name="derivation",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historicalvariable",
            name="derivation",
            field=models.JSONField(blank=True, null=True),
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
        migrations.RemoveField("historicalvariable", "derivation_name"),
    ]
