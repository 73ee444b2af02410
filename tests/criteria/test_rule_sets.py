"""A criteria set as the evaluator's rules (criteria_set_rules): what the rows say now, equal to
the file it was loaded from, and an edit seen by the next read, whichever process made it."""

import json

from criteria.models import Variable
from criteria.protocol import protocol_from_dict
from criteria.selectors import criteria_set_rules
from criteria.services import criteria_set_draft_create, criterion_save
from tests.cases import PROTOCOL_FILE
from tests.criteria.cases import lvef_amended
from tests.criteria.second_trial import SECOND_TRIAL_FILE


def test_a_loaded_set_reads_back_as_the_rules_of_its_file(protocol, second_real_trial):
    for path, criteria_set in (
        (PROTOCOL_FILE, protocol.criteria_set),
        (SECOND_TRIAL_FILE, second_real_trial.criteria_sets.get()),
    ):
        _, from_file = protocol_from_dict(json.loads(path.read_text(encoding="utf-8")))
        assert criteria_set_rules(criteria_set) == from_file


def test_a_criterion_edited_in_a_draft_is_read_at_once(trial, criteria_admin):
    draft = criteria_set_draft_create(trial=trial, created_by=criteria_admin)
    before = criteria_set_rules(draft)
    i18 = draft.criteria.get(code="I18")
    for name, value in lvef_amended(i18.as_rule_dict(), "55").items():
        setattr(i18, name, value)
    criterion_save(criterion=i18, changed_by=criteria_admin, reason="Amendment 3: LVEF 55 %")

    after = criteria_set_rules(draft)

    threshold = {c.code: c for c in after.criteria}["I18"].expression.value
    assert str(threshold) == "55"
    assert {c.code: c for c in before.criteria}["I18"] != {c.code: c for c in after.criteria}["I18"]


def test_a_variable_changed_by_another_process_is_read_at_once(protocol):
    criteria_set_rules(protocol.criteria_set)
    # A queryset update, as a write from another worker would look to this one: no signal.
    Variable.objects.filter(trial=protocol.trial, key="age_years").update(unit="år")

    assert criteria_set_rules(protocol.criteria_set).variables["age_years"].unit == "år"
