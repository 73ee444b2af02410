"""Data migrations of the criteria app, run on rows written by the schema before them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("criteria", "0004_variable_record_codes")
AFTER = ("criteria", "0005_derivation_objects")


def _migrate(target: tuple[str, str]):
    """Migrate the criteria app to `target`; the app registry of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return MigrationExecutor(connection).loader.project_state([target]).apps


@pytest.fixture
def at_0004(transactional_db):
    apps = _migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_derivation_names_become_objects_and_history_keeps_what_it_said(at_0004):
    trial = at_0004.get_model("criteria", "Trial").objects.create(registry_id="NCT0", title="T")
    variables = at_0004.get_model("criteria", "Variable").objects
    history = at_0004.get_model("criteria", "HistoricalVariable").objects
    rows = {
        "age_years": "age_years",
        "bilirubin_x_uln": "bilirubin_x_uln",
        "creatinine_clearance": "creatinine_clearance",  # no measured clearance in this trial
        "weight_kg": "",
    }
    for key, name in rows.items():
        variables.create(trial=trial, key=key, label=key, section="s", data_type="number",
                         derivation=name)  # fmt: skip
    for pk, (key, name) in enumerate([("age_years", "age_years"), ("weight_kg", "")], 1):
        history.create(id=pk, trial_id=trial.pk, key=key, label=key, section="s",
                       data_type="number", derivation=name, history_type="+",
                       history_date="2026-01-01T00:00:00Z")  # fmt: skip

    apps = _migrate(AFTER)

    stored = dict(apps.get_model("criteria", "Variable").objects.values_list("key", "derivation"))
    assert stored == {
        "age_years": {"kind": "age_years", "birth_date": "date_of_birth", "on": "screening_date"},
        "bilirubin_x_uln": {"kind": "times_uln", "value": "bilirubin", "uln": "bilirubin_uln"},
        "creatinine_clearance": {
            "kind": "creatinine_clearance", "age": "age_years", "sex": "sex", "female": "female",
            "weight": "weight_kg", "creatinine": "serum_creatinine",
        },
        "weight_kg": None,
    }  # fmt: skip
    rows = apps.get_model("criteria", "HistoricalVariable").objects.order_by("history_id")
    # The history says what it said (no row is updated: on PostgreSQL a trigger refuses it).
    assert [r.derivation for r in rows[:2]] == ["age_years", ""]
    added = {r.key: r.derivation for r in rows[2:]}
    assert added == {k: v for k, v in stored.items() if v is not None}
    assert {r.history_change_reason for r in rows[2:]} == {
        "derivation written as an object (format trialsite-protocol/2)"
    }
