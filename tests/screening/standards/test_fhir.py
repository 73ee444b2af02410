"""The FHIR R4 Bundle for both trials, parsed back by the model library (fhir.resources,
R4 4.0.1)."""

import json

import pytest
from fhir.resources import __fhir_version__ as model_fhir_version
from fhir.resources.bundle import Bundle
from pydantic import ValidationError

from screening.review.standards import fhir
from screening.review.standards.scope import scope_get

pytestmark = [pytest.mark.django_db]

R4_SUBJECT_STATUSES = {
    "candidate",
    "eligible",
    "follow-up",
    "ineligible",
    "not-registered",
    "off-study",
    "on-study",
    "on-study-intervention",
    "on-study-observation",
    "pending-on-study",
    "potential-candidate",
    "screening",
    "withdrawn",
}


def exported(registry: str) -> tuple[str, Bundle]:
    text = fhir.research_bundle(scope_get(registry_id=registry, version=None)).json(indent=2)
    return text, Bundle.parse_raw(text)


def resources(bundle: Bundle, kind: str) -> list:
    return [e.resource for e in bundle.entry if e.resource.resource_type == kind]


def test_the_model_library_is_r4():
    assert model_fhir_version == "4.0.1"


def test_study_and_its_eligibility_group_for_nct01387295(trial):
    _, bundle = exported("NCT01387295")
    assert bundle.type == "collection"
    (study,) = resources(bundle, "ResearchStudy")
    (group,) = resources(bundle, "Group")
    assert [(i.system, i.value) for i in study.identifier] == [
        ("https://clinicaltrials.gov", "NCT01387295"),
        ("urn:trialsite:sponsor-protocol-id", "MA 0918"),
    ]
    group_entry = next(e for e in bundle.entry if e.resource is group)
    assert study.enrollment[0].reference == group_entry.fullUrl
    assert len(group.characteristic) == 37
    i13, e07 = group.characteristic[12], group.characteristic[24]
    assert (i13.code.coding[0].code, i13.exclude) == ("I13", False)
    assert i13.code.text == "Neutrophile granulocytes > 1.5 x 109/l"
    assert i13.extension[0].url == "http://hl7.org/fhir/StructureDefinition/cqf-expression"
    assert i13.extension[0].valueExpression.language == "text/fhirpath"
    assert i13.extension[0].valueExpression.expression == "%neutrophils > 1.5"
    assert (e07.code.coding[0].code, e07.exclude) == ("E07", True)
    assert sum(c.exclude for c in group.characteristic) == 19


def test_subjects_carry_the_status_the_screening_has_reached(first_cohort):
    text, bundle = exported("NCT01387295")
    subjects = {s.identifier[0].value: s for s in resources(bundle, "ResearchSubject")}
    statuses = {number: subjects[number].status for number in first_cohort.values()}
    a, b, c, d, e = (first_cohort[n] for n in "ABCDE")
    # D was closed incomplete with a reason: a screen failure, "ineligible" in R4's words.
    assert statuses == {
        a: "eligible",
        b: "ineligible",
        c: "ineligible",
        d: "ineligible",
        e: "candidate",
    }
    assert set(statuses.values()) <= R4_SUBJECT_STATUSES
    assert subjects[a].extension[0].url == fhir.DECIDED_AT_EXTENSION
    assert subjects[a].extension[0].valueDateTime.isoformat() == "2026-11-10T12:00:00+00:00"
    assert subjects[e].extension is None  # not decided
    assert subjects[a].individual.identifier.value == a
    assert subjects[a].individual.reference is None  # a logical reference: no Patient sent
    assert (
        '"initials"' not in text and "AB" not in json.loads(text)["entry"][2]["resource"].values()
    )


def test_the_second_trial_has_every_status(second_cohort):
    _, bundle = exported("NCT09990001")
    statuses = {s.identifier[0].value: s.status for s in resources(bundle, "ResearchSubject")}
    assert statuses == {
        second_cohort["P"]: "eligible",
        second_cohort["Q"]: "ineligible",
        second_cohort["R"]: "screening",
        second_cohort["S"]: "candidate",
    }
    (group,) = resources(bundle, "Group")
    assert [c.exclude for c in group.characteristic] == [False, False, False, True, True]
    renal = group.characteristic[1].extension[0].valueExpression.expression
    assert renal == "(%creatinine_x_uln_entered <= 1 or %crcl > 50)"


def test_the_same_things_get_the_same_ids_in_every_export(first_cohort):
    first = [e.fullUrl for e in exported("NCT01387295")[1].entry]
    again = [e.fullUrl for e in exported("NCT01387295")[1].entry]
    assert first == again and len(set(first)) == len(first)


def test_a_re_screened_patient_is_shown_by_the_newest_episode(trial, nurse):
    from screening import services
    from tests.screening.log_data import screen_patient

    decision = screen_patient(trial, nurse, fails=("I13",))
    candidate = decision.screening.candidate
    services.screening_start(candidate=candidate, started_by=nurse)
    _, bundle = exported("NCT01387295")
    (subject,) = resources(bundle, "ResearchSubject")
    assert subject.status == "candidate"  # episode 2 started, nothing saved in it yet


def test_the_model_library_refuses_what_r4_does_not_allow():
    with pytest.raises(ValidationError, match="individual"):
        Bundle.parse_obj(
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [
                    {
                        "resource": {
                            "resourceType": "ResearchSubject",
                            "status": "eligible",
                            "study": {"reference": "urn:uuid:x"},
                        }
                    }
                ],
            }
        )
