"""The screening form's sections and checklists, worked out from the criteria; labels, never
variable keys, wherever a nurse reads about a variable."""

import pytest
from django.urls import reverse

from criteria.selectors import criteria_set_published, criteria_set_rules
from screening import services
from screening.intake.checklists import NONE, YES, checklist_of
from screening.intake.forms import SECTION_TITLES, ScreeningForm
from screening.intake.sections import form_sections
from tests.cases import eligible_values, fill, form_url, post_values

# Conditions to rule out (and questions that only decide whether others apply): "No",
# "Never" or "None" fails no criterion. Confirmations: "Yes" fails none, "No" fails one.
NONE_OF_THESE = {
    "prior_oxaliplatin", "last_chemotherapy_date", "last_investigational_treatment_date",
    "in_other_trial", "fluoropyrimidine_serious_reaction", "hypersensitivity_to_study_drugs",
    "capecitabine_history", "other_malignancy", "cns_metastases", "cns_suspicion",
    "severe_cardiac_disease", "last_ami_date", "other_severe_condition",
    "condition_preventing_oral_therapy", "uncontrolled_infection", "pregnant_or_lactating",
    "childbearing_potential", "dyspnoea_from_malignancy_or_oxygen_need", "extrahepatic_disease",
}  # fmt: skip
YES_TO_ALL = {
    "informed_consent", "adenocarcinoma_confirmed",
    "liver_metastases_unsuitable_for_local_treatment", "measurable_liver_disease",
    "pet_ct_done", "prior_taxane", "nonhormonal_contraception", "able_to_understand_and_comply",
}  # fmt: skip


@pytest.fixture
def rule_set(trial):
    return criteria_set_rules(criteria_set_published(trial))


def test_checklists_follow_the_criteria(rule_set):
    kinds = {key: checklist_of(rule_set, spec) for key, spec in rule_set.variables.items()}
    assert {key for key, kind in kinds.items() if kind == NONE} == NONE_OF_THESE
    assert {key for key, kind in kinds.items() if kind == YES} == YES_TO_ALL


def _sections(rule_set, candidate, values=None, missing=None):
    form = ScreeningForm(rule_set=rule_set, candidate=candidate, initial_values=values or {})
    return {s.key: s for s in form_sections(form, SECTION_TITLES, missing)}


def _blocks(section) -> list[tuple[str, list[str], list[str]]]:
    """(kind, every question, the checklist's members) per block."""
    return [
        (
            block.kind,
            [q.spec.key for q in block.questions],
            [q.spec.key for q in block.questions if q.checklist],
        )
        for block in section.blocks
    ]


def test_history_blocks_keep_each_dependent_question_after_its_own(rule_set, candidate):
    history = _blocks(_sections(rule_set, candidate)["history"])
    assert [kind for kind, _, _ in history] == ["", NONE]
    plain, (_, boxed, members) = history[0][1], history[1]
    assert plain == ["peripheral_neuropathy_grade", "able_to_understand_and_comply"]
    # Shown only after an answer in the box: in the box, but never answered by its button.
    assert boxed.index("cns_imaging_date") == boxed.index("cns_suspicion") + 1
    assert boxed.index("nonhormonal_contraception") == boxed.index("childbearing_potential") + 1
    assert "cns_imaging_date" not in members and "nonhormonal_contraception" not in members


def test_a_checklist_of_one_question_is_not_a_checklist(rule_set, candidate):
    referral = _blocks(_sections(rule_set, candidate)["referral"])
    assert referral == [("", [k for _, keys, _ in referral for k in keys], [])]
    disease = _blocks(_sections(rule_set, candidate)["disease"])
    assert disease[0][0] == YES and len(disease[0][2]) == 4


def test_section_state_from_the_missing_answers(rule_set, candidate):
    sections = _sections(rule_set, candidate, missing=("neutrophils", "inr"))
    assert sections["labs"].state == "missing" and len(sections["labs"].missing) == 2
    assert sections["history"].state == "complete"


def test_section_state_says_has_errors(nurse_client, episode):
    data = post_values(eligible_values()) | {"neutrophils": "1,400"}
    response = nurse_client.post(form_url(episode.candidate), data)
    sections = {s.key: s.state for s in response.context["sections"]}
    assert sections["labs"] == "errors"
    (problem,) = response.context["error_summary"]
    assert problem[0] == "id_neutrophils" and problem[1].startswith("Neutrophils")


def test_unanswered_form_starts_with_today_and_the_registered_sex(rule_set, candidate):
    form = ScreeningForm(rule_set=rule_set, candidate=candidate, initial_values={})
    assert form["sex"].value() == candidate.sex
    assert form["screening_date"].value() is not None
    saved = ScreeningForm(rule_set=rule_set, candidate=candidate, initial_values={"sex": "male"})
    assert saved["sex"].value() == "male"  # a saved answer is never replaced


def test_labels_not_keys_on_the_form_and_the_candidate_page(nurse_client, episode, nurse):
    fill(episode, nurse, neutrophils=None)
    form_page = nurse_client.get(form_url(episode.candidate)).content.decode()
    assert "<strong>Age</strong>" in form_page and "age_years" not in form_page
    services.decision_record(
        screening=episode, recorded_by=nurse, screen_failure_reason="patient declined"
    )
    number = episode.candidate.screening_number
    page = nurse_client.get(reverse("screening:candidate-detail", args=[number]))
    text = page.content.decode()
    assert "Missing at decision: Neutrophils" in text
    assert "bilirubin_x_uln" not in text and "age_years" not in text
