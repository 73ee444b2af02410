"""Translations of a protocol's labels and help texts: stored with the rule records, read and
written by the protocol file, edited beside the English, shown in the reader's language."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from criteria.exceptions import CriteriaSetFrozen, ProtocolError
from criteria.models import Criterion, Variable
from criteria.protocol import protocol_from_dict
from criteria.selectors import criteria_set_diff, criteria_set_published
from criteria.services import criteria_set_draft_create, criterion_save, protocol_load
from criteria.translations import (
    choice_label_for,
    help_text_for,
    label_for,
    rules_in_language,
    unit_for,
    with_translation,
)
from tests.criteria.cases import PROTOCOL_FILE, V1_FILE, criterion_edit_url, i13_edit_post

NEUTROPHILS = {
    "label": "Neutrophils",
    "help_text": "Absolute count.",
    "translations": {"da": {"label": "Neutrofile granulocytter"}},
}


def _protocol() -> dict:
    return json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("language", "label", "help_text"),
    [
        ("da", "Neutrofile granulocytter", "Absolute count."),  # no Danish help: English
        ("da-dk", "Neutrofile granulocytter", "Absolute count."),
        ("en", "Neutrophils", "Absolute count."),
        ("en-gb", "Neutrophils", "Absolute count."),
        ("de", "Neutrophils", "Absolute count."),  # no German translation: English
    ],
)
def test_the_label_is_the_languages_translation_else_english(language, label, help_text):
    assert label_for(NEUTROPHILS, language) == label
    assert help_text_for(NEUTROPHILS, language) == help_text


def test_the_active_language_decides_when_none_is_given():
    with translation.override("da"):
        assert label_for(NEUTROPHILS) == "Neutrofile granulocytter"
    with translation.override("en"):
        assert label_for(NEUTROPHILS) == "Neutrophils"


def test_a_choice_reads_as_its_translation_else_as_its_value_in_words():
    her2 = {
        "label": "HER2",
        "translations": {"da": {"label": "HER2", "choices": {"positive": "Positiv"}}},
    }
    assert choice_label_for(her2, "positive", "da") == "Positiv"
    assert choice_label_for(her2, "negative", "da") == "Negative"
    assert choice_label_for(her2, "no_progression", "en") == "No progression"


def test_an_emptied_translation_is_removed():
    texts = {"da": {"label": "Trombocytter"}}
    assert with_translation(texts, "da", label="Blodplader") == {"da": {"label": "Blodplader"}}
    assert with_translation(texts, "da", label="") == {}
    assert texts == {"da": {"label": "Trombocytter"}}  # the caller's dict is left alone


def test_the_shipped_file_translates_every_label_and_help_text_into_danish():
    data = _protocol()
    for variable in data["variables"]:
        danish = variable["translations"]["da"]
        assert danish["label"], variable["key"]
        assert bool(danish.get("help_text")) == bool(variable["help_text"]), variable["key"]
        assert set(danish.get("choices", {})) == set(variable["choices"]), variable["key"]
    for criterion in data["criteria_set"]["criteria"]:
        assert set(criterion["translations"]) == {"da"}
        texts = {"label", "note"} if criterion["note"] else {"label"}
        assert set(criterion["translations"]["da"]) == texts, criterion["code"]


def test_rules_in_danish_decide_alike_but_read_in_danish():
    _, rules = protocol_from_dict(_protocol())
    danish = rules_in_language(rules, "da")
    assert danish.variables["neutrophils"].label == "Neutrofile granulocytter"
    assert danish.variables["platelets"].label == "Trombocytter"
    assert danish.criteria[0].label == "Skriftligt informeret samtykke"
    assert danish.criteria[0].protocol_wording == rules.criteria[0].protocol_wording
    assert [c.expression for c in danish.criteria] == [c.expression for c in rules.criteria]
    assert rules_in_language(rules, "en") is rules


@pytest.mark.parametrize(
    ("translations", "problem"),
    [
        ({"EN": {"label": "x"}}, "a language is a lower-case code"),
        ({"en": {"label": "x"}}, "English is the file's own language"),
        ({"da": {"label": ""}}, "label must be non-empty text"),
        ({"da": {}}, "must give at least one of label"),
        ({"da": {"label": "x", "wording": "y"}}, 'unknown text "wording"'),
        ({"da": {"label": "x", "choices": {"purple": "Lilla"}}}, '"purple" is none of the choices'),
        ({"da": {"label": "x", "choices": {"positive": " "}}}, 'the label of "positive"'),
        ("Danish", "translations must map a language code"),
    ],
)
def test_a_bad_variable_translation_is_refused_and_nothing_written(db, translations, problem):
    data = _protocol()
    her2 = next(v for v in data["variables"] if v["key"] == "her2_status")
    her2["translations"] = translations
    with pytest.raises(ProtocolError) as refused:
        protocol_load(data=data, source="bad.json")
    assert any(
        p.startswith("variable her2_status: ") and problem in p for p in refused.value.problems
    )
    assert not Variable.objects.exists()


def test_a_criterion_translates_its_label_and_note_only(db):
    data = _protocol()
    data["criteria_set"]["criteria"][0]["translations"] = {
        "da": {"label": "Samtykke", "protocol_wording": "Oversat"}
    }
    with pytest.raises(
        ProtocolError, match='criterion I01: translations .da.: unknown text "protocol_wording"'
    ):
        protocol_load(data=data, source="bad.json")


def test_a_file_without_translations_loads_and_reads_in_english(db):
    data = _protocol()
    for item in [*data["variables"], *data["criteria_set"]["criteria"]]:
        del item["translations"]
    protocol_load(data=data, source="untranslated.json")
    out = io.StringIO()
    call_command("export_protocol", "NCT01387295", stdout=out)
    exported = json.loads(out.getvalue())
    assert all(v["translations"] == {} for v in exported["variables"])
    assert Criterion.objects.get(code="I13").label_for("da") == "Neutrophils above 1.5 × 10⁹/L"


def test_a_version_1_file_may_carry_translations(db):
    data = json.loads(V1_FILE.read_text(encoding="utf-8"))
    i13 = next(c for c in data["criteria_set"]["criteria"] if c["code"] == "I13")
    i13["translations"] = {"da": {"label": "Neutrofile granulocytter over 1,5 × 10⁹/L"}}
    result = protocol_load(data=data, source="v1.json")
    assert result.criteria_set.criteria.get(code="I13").label_for("da").startswith("Neutrofile")


def test_loading_the_file_stores_the_translations(protocol):
    trial = protocol.trial
    assert trial.variables.get(key="neutrophils").label_for("da") == "Neutrofile granulocytter"
    i13 = protocol.criteria_set.criteria.get(code="I13")
    assert i13.label_for("da") == "Neutrofile granulocytter over 1,5 × 10⁹/L"
    assert i13.label_for("en") == "Neutrophils above 1.5 × 10⁹/L"


def test_a_changed_translation_in_the_file_is_a_new_version(protocol):
    data = _protocol()
    i14 = next(c for c in data["criteria_set"]["criteria"] if c["code"] == "I14")
    i14["translations"]["da"]["label"] = "Blodplader over 100 × 10⁹/L"
    result = protocol_load(data=data, source="amended.json")
    assert result.created_set and result.criteria_set.version == 2
    assert result.criteria_set.criteria.get(code="I14").label_for("da").startswith("Blodplader")
    old = protocol.criteria_set.criteria.get(code="I14")
    assert old.label_for("da") == "Trombocytter over 100 × 10⁹/L"  # the retired set unchanged


def test_a_removed_variable_translation_is_removed_on_load(protocol):
    data = _protocol()
    platelets = next(v for v in data["variables"] if v["key"] == "platelets")
    del platelets["translations"]
    protocol_load(data=data, source="amended.json")
    variable = protocol.trial.variables.get(key="platelets")
    assert variable.translations == {}
    assert variable.history.first().history_change_reason == "protocol file loaded"


def test_a_draft_keeps_the_translations_and_publishing_freezes_them(protocol, criteria_admin):
    draft = criteria_set_draft_create(trial=protocol.trial, created_by=criteria_admin)
    copied = draft.criteria.get(code="I13")
    assert copied.translations == {
        "da": {
            "label": "Neutrofile granulocytter over 1,5 × 10⁹/L",
            "note": "»109/l« i registreringen betyder 10⁹/L.",
        }
    }
    published = criteria_set_published(protocol.trial).criteria.get(code="I13")
    published.translations = {"da": {"label": "Neutrofiler over 1,5"}}
    with pytest.raises(CriteriaSetFrozen):
        published.save()


def test_the_changes_page_shows_a_translation_change_in_words(
    protocol, criteria_admin, criteria_admin_client
):
    draft = criteria_set_draft_create(trial=protocol.trial, created_by=criteria_admin)
    i14 = draft.criteria.get(code="I14")
    i14.translations = {"da": {"label": "Blodplader over 100 × 10⁹/L"}}
    criterion_save(criterion=i14, changed_by=criteria_admin, reason="Danish wording")
    diff = criteria_set_diff(draft.based_on, draft)
    assert diff == [
        {
            "code": "I14",
            "change": "changed",
            "fields": [
                (
                    "Translations",
                    "Danish label: “Trombocytter over 100 × 10⁹/L”;"
                    " Danish note: “»109/l« i registreringen betyder 10⁹/L.”",
                    "Danish label: “Blodplader over 100 × 10⁹/L”",
                )
            ],
            "rule_changes": [],
            "warnings": [],
        }
    ]
    page = criteria_admin_client.get(reverse("criteria:set-diff", args=["NCT01387295", 2]))
    assert "Danish label: “Blodplader over 100 × 10⁹/L”" in page.content.decode()


# The editor


@pytest.fixture
def draft(protocol, criteria_admin):
    return criteria_set_draft_create(trial=protocol.trial, created_by=criteria_admin)


def test_the_editor_shows_the_danish_label_beside_the_english(criteria_admin_client, draft):
    page = criteria_admin_client.get(criterion_edit_url(draft.version, "I13"))
    form = page.context["form"]
    assert form["label_da"].value() == "Neutrofile granulocytter over 1,5 × 10⁹/L"
    assert "Label in Danish" in page.content.decode()


def test_the_editor_saves_the_danish_label(criteria_admin_client, draft):
    post = i13_edit_post(label_da="Neutrofiler over 1,5 × 10⁹/L")
    response = criteria_admin_client.post(criterion_edit_url(draft.version, "I13"), post)
    assert response.status_code == 302
    i13 = draft.criteria.get(code="I13")
    assert i13.translations == {
        "da": {
            "label": "Neutrofiler over 1,5 × 10⁹/L",
            "note": "»109/l« i registreringen betyder 10⁹/L.",
        }
    }
    assert i13.label == "Neutrophils above 1.5 × 10⁹/L"
    assert i13.history.first().history_change_reason == "Danish label reviewed"


def test_an_emptied_danish_label_falls_back_to_english(criteria_admin_client, draft):
    post = i13_edit_post(label_da="", note_da="")
    response = criteria_admin_client.post(criterion_edit_url(draft.version, "I13"), post)
    assert response.status_code == 302
    i13 = draft.criteria.get(code="I13")
    assert i13.translations == {}
    assert i13.label_for("da") == "Neutrophils above 1.5 × 10⁹/L"


def test_a_danish_label_naming_the_old_threshold_is_refused_next_to_it(
    criteria_admin_client, draft
):
    post = i13_edit_post(
        value="2", label="Neutrophils above 2 × 10⁹/L", protocol_wording="Neutrophils > 2"
    )
    response = criteria_admin_client.post(criterion_edit_url(draft.version, "I13"), post)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["label_da"]
    assert "The Danish label still names “1,5”" in errors["label_da"][0]
    assert draft.criteria.get(code="I13").expression["value"] == "1.5"


AGE = {"label": "Age", "unit": "years", "translations": {"da": {"label": "Alder", "unit": "år"}}}


@pytest.mark.parametrize(
    ("item", "language", "unit"),
    [
        (AGE, "da", "år"),
        (AGE, "en", "years"),
        (AGE, "de", "years"),  # no German translation: the file's own unit
        (NEUTROPHILS | {"unit": "10⁹/L"}, "da", "10⁹/L"),  # a Danish label, no Danish unit
    ],
)
def test_a_unit_reads_as_its_translation_else_as_the_files(item, language, unit):
    assert unit_for(item, language) == unit


def test_the_shipped_files_give_danish_units_and_keep_si_units_as_they_are():
    danish = {"years": "år", "months": "måneder", "× ULN": "× ØNG"}
    for path in sorted(PROTOCOL_FILE.parent.glob("*.json")):
        for variable in json.loads(path.read_text(encoding="utf-8"))["variables"]:
            given = variable["translations"]["da"].get("unit")
            assert given == danish.get(variable["unit"]), (path.name, variable["key"])


def test_rules_in_danish_give_danish_units_and_convert_alike():
    _, rules = protocol_from_dict(_protocol())
    danish = rules_in_language(rules, "da")
    assert danish.variables["age_years"].unit == "år"
    assert danish.variables["expected_survival_months"].unit == "måneder"
    assert danish.variables["bilirubin_x_uln"].unit == "× ØNG"
    assert danish.variables["bilirubin"].unit == "µmol/L"
    assert danish.variables["bilirubin"].alt_units == rules.variables["bilirubin"].alt_units


@pytest.mark.parametrize("key", ["bilirubin", "neutrophils"])
def test_a_unit_chosen_from_a_list_or_matched_to_the_record_is_not_translated(db, key):
    # bilirubin has alternative units (µmol/L, mg/dL); neutrophils codes for the record.
    data = _protocol()
    variable = next(v for v in data["variables"] if v["key"] == key)
    variable["translations"]["da"]["unit"] = "enheder"
    with pytest.raises(ProtocolError) as refused:
        protocol_load(data=data, source="bad.json")
    assert any(
        p.startswith(f"variable {key}: ") and "is not translated; remove its unit" in p
        for p in refused.value.problems
    )
    assert not Variable.objects.exists()


def test_an_empty_danish_unit_is_refused(db):
    data = _protocol()
    age = next(v for v in data["variables"] if v["key"] == "age_years")
    age["translations"]["da"]["unit"] = " "
    with pytest.raises(ProtocolError, match="variable age_years: .*unit must be non-empty text"):
        protocol_load(data=data, source="bad.json")


def test_a_file_without_danish_units_loads_and_reads_the_files_units(db):
    data = _protocol()
    for variable in data["variables"]:
        variable["translations"]["da"].pop("unit", None)
    protocol_load(data=data, source="no-units.json")
    age = Variable.objects.get(key="age_years")
    assert unit_for(age, "da") == "years"


def test_the_unit_is_written_after_the_help_text_whatever_order_the_database_keeps(protocol):
    age = protocol.trial.variables.get(key="age_years")
    # As PostgreSQL's jsonb might hand it back: keys in another order.
    Variable.objects.filter(pk=age.pk).update(
        translations={"da": {"unit": "år", "help_text": "Hjælp", "label": "Alder"}}
    )
    out = io.StringIO()
    call_command("export_protocol", "NCT01387295", stdout=out)
    exported = next(v for v in json.loads(out.getvalue())["variables"] if v["key"] == "age_years")
    assert list(exported["translations"]["da"]) == ["label", "help_text", "unit"]


def test_a_danish_page_reads_danish_units(protocol, nurse_client, settings):
    settings.LANGUAGE_CODE = "da"
    page = nurse_client.get(reverse("criteria:set-detail", args=["NCT01387295", 1]))
    rules = dict(re.findall(r'data-testid="rule-(\w+)">([^<]*)<', page.content.decode()))
    assert rules["I02"] == "Alder ≥ 18 år"
    assert rules["I04"] == "Forventet restlevetid ≥ 3 måneder"
    assert rules["I15"] == "Bilirubin &lt; 2,0 × ØNG"
    assert not [rule for rule in rules.values() if re.search(r"years|months|ULN", rule)]
