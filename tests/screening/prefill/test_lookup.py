"""Look-ups against the real demo FHIR server (HTTP, no mocks): what is proposed, from where."""

import pytest

from criteria.selectors import criteria_set_published, criteria_set_rules
from screening.exceptions import PrefillFailed
from screening.prefill.client import Server
from screening.prefill.lookup import SEVERAL, record_lookup
from tests.fhir_server import FAULTY_CPR, KAREN_CPR, TWINS_CPR
from trialsite.models import CandidateAccess

pytestmark = pytest.mark.django_db


def _lookup(episode, nurse, identifier):
    rule_set = criteria_set_rules(criteria_set_published(episode.candidate.trial))
    return record_lookup(
        screening=episode,
        rule_set=rule_set,
        identifier=identifier,
        user=nurse,
        path="/test (look-up)",
        server=Server.configured(),
    )


def test_karen_gets_every_coded_value_converted_with_its_source(
    hospital_record, open_episode, nurse
):
    lookup = _lookup(open_episode, nurse, KAREN_CPR)
    found = {p.key: p for p in lookup.proposals}
    assert {k: p.value for k, p in found.items() if p.usable} == {
        "date_of_birth": "1965-03-02",
        "sex": "female",
        "neutrophils": "3.2",  # NPU, newest inside the window (1.2 of October is outside)
        "platelets": "250",
        "bilirubin": "10.26",  # 0.6 mg/dL x 17.1
        "serum_creatinine": "80",  # no NPU result: found by LOINC
        "inr": "1",  # JSON 1.0 and 1 are one number
        "weight_kg": "70",
        "lvef_percent": "55",
    }
    assert found["neutrophils"].resource == "Observation/karen-neut"
    assert found["neutrophils"].code == "urn:oid:1.2.208.176.2.1|NPU02902"
    assert found["serum_creatinine"].code == "http://loinc.org|14682-9"
    assert found["bilirubin"].recorded == "0.6 mg/dL"
    assert "Klinisk Biokemisk" in found["platelets"].performer
    assert lookup.server_url == hospital_record.rstrip("/")


def test_results_outside_the_window_unit_and_value_problems_are_shown_not_used(
    hospital_record, open_episode, nurse
):
    found = {p.key: p for p in _lookup(open_episode, nurse, FAULTY_CPR).proposals}
    assert found["neutrophils"].problem == "the result has no numeric value"
    assert found["platelets"].problem == 'unit "/nL" cannot be converted to 10⁹/L'
    assert found["platelets"].recorded == "250 /nL"
    assert found["bilirubin"].problem == "no result from 06-11-2026 to 20-11-2026 in the record"
    assert not any(found[k].usable for k in ("neutrophils", "platelets", "bilirubin"))


def test_two_patients_with_one_identifier_fetch_nothing(hospital_record, open_episode, nurse):
    with pytest.raises(PrefillFailed) as refused:
        _lookup(open_episode, nurse, TWINS_CPR)
    assert str(refused.value) == SEVERAL


def test_an_unknown_identifier_fetches_nothing(hospital_record, open_episode, nurse):
    with pytest.raises(PrefillFailed, match="No patient in the hospital record"):
        _lookup(open_episode, nurse, "3112999999")


def test_the_access_log_records_each_look_up_before_it_is_made(
    hospital_record, open_episode, nurse
):
    with pytest.raises(PrefillFailed):
        _lookup(open_episode, nurse, "3112999999")
    access = CandidateAccess.objects.get()
    assert (access.user, access.screening_number) == (nurse, "NCT01387295-S0001")
    assert access.path == "/test (look-up)"
