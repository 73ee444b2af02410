"""The prefill pages end to end against the demo FHIR server: the identifier is used for the
look-up and found nowhere afterwards; nothing is saved before approval."""

import io
import logging

import pytest
from django.core.management import call_command
from django.urls import reverse

from screening import services
from screening.models import Decision, Screening
from tests.fhir_server import KAREN_CPR, TWINS_CPR
from trialsite.models import CandidateAccess

pytestmark = pytest.mark.django_db
KAREN_WRITTEN = ("0203651234", "020365-1234")


def _urls(episode):
    args = [episode.candidate.screening_number, episode.episode]
    return (
        reverse("screening:prefill", args=args),
        reverse("screening:prefill-approve", args=args),
        reverse("screening:screening-form", args=args),
    )


def _token(page: str) -> str:
    start = page.index('name="proposals" value="') + len('name="proposals" value="')
    return page[start : page.index('"', start)]


def test_no_button_and_no_page_while_no_hospital_record_is_configured(
    settings, nurse_client, open_episode
):
    settings.FHIR_BASE_URL = ""
    lookup, _, form = _urls(open_episode)
    assert 'data-testid="prefill"' not in nurse_client.get(form).content.decode()
    assert nurse_client.get(lookup).status_code == 404
    assert nurse_client.post(lookup, {"identifier": KAREN_CPR}).status_code == 404


def test_button_shown_when_configured(hospital_record, nurse_client, open_episode):
    _, _, form = _urls(open_episode)
    assert 'data-testid="prefill"' in nurse_client.get(form).content.decode()


def test_investigator_may_not_look_up(hospital_record, investigator_client, open_episode):
    lookup, _, _ = _urls(open_episode)
    response = investigator_client.post(lookup, {"identifier": KAREN_CPR})
    assert response.status_code == 403
    assert not CandidateAccess.objects.filter(path__contains="look-up").exists()


@pytest.mark.parametrize(
    "typed", ["12345", "02036512345", "3202651234", "abcdefghij", "0213651234"]
)
def test_an_identifier_in_the_wrong_format_is_refused_and_not_shown_back(
    hospital_record, nurse_client, open_episode, typed
):
    lookup, _, _ = _urls(open_episode)
    page = nurse_client.post(lookup, {"identifier": typed}).content.decode()
    assert "Enter a CPR number: 10 digits" in page
    assert typed not in page
    assert not CandidateAccess.objects.filter(path__contains="look-up").exists()


def test_look_up_shows_proposals_and_saves_nothing(hospital_record, nurse_client, open_episode):
    lookup, _, _ = _urls(open_episode)
    before = Screening.objects.get(pk=open_episode.pk)
    page = nurse_client.post(lookup, {"identifier": "020365-1234"}).content.decode()
    assert 'data-key="neutrophils" data-usable="yes"' in page
    assert "Observation/karen-neut" in page
    assert "recorded as 0.6 mg/dL" in page
    after = Screening.objects.get(pk=open_episode.pk)
    assert (after.values, after.value_sources) == (before.values, before.value_sources)
    assert after.history.count() == before.history.count()
    assert CandidateAccess.objects.filter(path__contains="look-up").count() == 1


def test_look_up_is_post_only(hospital_record, nurse_client, open_episode):
    lookup, _, _ = _urls(open_episode)
    page = nurse_client.get(lookup, {"identifier": KAREN_CPR}).content.decode()
    assert "Proposed values" not in page  # a GET shows the empty form, never looks up


def test_two_patients_one_identifier_is_a_clear_message(
    hospital_record, nurse_client, open_episode
):
    lookup, _, _ = _urls(open_episode)
    page = nurse_client.post(lookup, {"identifier": TWINS_CPR}).content.decode()
    assert "Several patients in the hospital record have this identifier" in page
    assert TWINS_CPR not in page


def test_approve_ticked_values_stores_them_with_their_sources(
    hospital_record, nurse_client, open_episode
):
    lookup, approve, _ = _urls(open_episode)
    token = _token(nurse_client.post(lookup, {"identifier": KAREN_CPR}).content.decode())
    nurse_client.post(approve, {"proposals": token, "approve": ["neutrophils", "bilirubin"]})
    episode = Screening.objects.get(pk=open_episode.pk)
    assert (episode.values["neutrophils"], episode.values["bilirubin"]) == ("3.2", "10.26")
    assert "platelets" not in episode.values
    source = episode.value_sources["bilirubin"]
    assert source["source"] == "fhir"
    assert source["resource"] == "Observation/karen-bili"
    assert source["system"] == hospital_record.rstrip("/")
    assert source["recorded"] == "0.6 mg/dL"
    assert source["effective"] == "2026-11-18T08:10:00+01:00"
    assert source["approved_by"] == "nurse"
    assert episode.history.first().history_change_reason.startswith("values approved")


def test_a_tampered_proposal_is_refused(hospital_record, nurse_client, open_episode):
    lookup, approve, _ = _urls(open_episode)
    token = _token(nurse_client.post(lookup, {"identifier": KAREN_CPR}).content.decode())
    response = nurse_client.post(approve, {"proposals": token[:-3] + "abc", "approve_all": "1"})
    assert response.status_code == 302
    assert "neutrophils" not in Screening.objects.get(pk=open_episode.pk).values


def test_a_different_saved_value_is_replaced_only_with_a_reason(
    hospital_record, nurse_client, open_episode, nurse
):
    services.screening_values_save(
        screening=open_episode,
        values={**open_episode.values, "neutrophils": "2.0"},
        units={},
        saved_by=nurse,
    )
    lookup, approve, _ = _urls(open_episode)
    token = _token(nurse_client.post(lookup, {"identifier": KAREN_CPR}).content.decode())
    page = nurse_client.post(approve, {"proposals": token, "approve_all": "1"}).content.decode()
    assert "Say why saved answers change: Neutrophils." in page
    assert Screening.objects.get(pk=open_episode.pk).values["neutrophils"] == "2.0"
    nurse_client.post(
        approve, {"proposals": token, "approve_all": "1", "change_reason": "lab repeated"}
    )
    episode = Screening.objects.get(pk=open_episode.pk)
    assert episode.values["neutrophils"] == "3.2"
    assert episode.history.first().history_change_reason == "lab repeated"


def test_the_identifier_is_nowhere_after_look_up_approval_and_decision(
    hospital_record, nurse_client, open_episode, nurse, caplog
):
    caplog.set_level(logging.DEBUG)
    lookup, approve, form = _urls(open_episode)
    pages = [nurse_client.post(lookup, {"identifier": "020365-1234"})]
    pages.append(nurse_client.post(approve, {"proposals": _token(pages[0].content.decode()),
                                             "approve_all": "1"}))  # fmt: skip
    pages.append(nurse_client.get(form))
    services.decision_record(
        screening=open_episode, recorded_by=nurse, screen_failure_reason="test"
    )
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    # The requests did reach the server with it: the log is no empty proof.
    assert any("/Patient" in record.getMessage() for record in caplog.records)
    for written in KAREN_WRITTEN:
        assert written not in dump.getvalue()
        assert written not in caplog.text
        assert all(written not in page.content.decode() for page in pages)
        assert all(written not in page.get("Location", "") for page in pages)
    assert Decision.objects.get().sources_snapshot["neutrophils"]["resource"] == (
        "Observation/karen-neut"
    )
