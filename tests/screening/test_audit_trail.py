"""A candidate's audit trail: registration, every change old → new, decisions and signatures,
in one time-ordered list, readable by investigators."""

import pytest
from django.urls import reverse
from django.utils import translation

from screening import services
from screening.exceptions import WrongPassword
from screening.signoff import signature_sign
from tests.cases import fill
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def story(candidate, episode, nurse, investigator):
    """Registered, corrected, filled, a value changed, decided, a wrong password, signed."""
    services.candidate_update(
        candidate=candidate,
        changes={"referring_unit": "Herlev, Breast Surgery"},
        reason="referral letter corrected",
        changed_by=nurse,
    )
    fill(episode, nurse)
    fill(episode, nurse, neutrophils="1.2")
    decision = services.decision_record(screening=episode, recorded_by=nurse)
    with pytest.raises(WrongPassword):
        signature_sign(decision=decision, signer=investigator, password="wrong")
    signature_sign(decision=decision, signer=investigator, password=TEST_PASSWORD)
    return candidate


def _trail(client, candidate):
    response = client.get(reverse("log:audit-trail", args=[candidate.screening_number]))
    assert response.status_code == 200
    return response


def test_everything_in_time_order(investigator_client, story):
    entries = _trail(investigator_client, story).context["entries"]
    kinds = [e.kind for e in entries]
    assert kinds == [
        "registered",
        "episode",
        "details",
        "values",
        "values",
        "decision",
        "values",  # the episode locked by the decision
        "refused",
        "signature",
    ]
    assert [e.when for e in entries] == sorted(e.when for e in entries)


def test_each_change_says_old_new_who_and_why(investigator_client, story, nurse):
    entries = _trail(investigator_client, story).context["entries"]
    registered, _, details, first_fill, change = entries[:5]
    assert registered.title == f"Referral registered as {story.screening_number}"
    assert "referred by Herlev, Oncology on 2026-11-18" in registered.detail
    assert details.changes == (
        ("referring hospital / department", "Herlev, Oncology", "Herlev, Breast Surgery"),
    )
    assert details.reason == "referral letter corrected"
    assert nurse.username in details.who
    assert ("Neutrophils (10⁹/L)", "—", "3.2") in first_fill.changes
    assert ("Informed consent given", "—", "yes") in first_fill.changes or any(
        new == "yes" for _, _, new in first_fill.changes
    )
    assert change.changes == (("Neutrophils (10⁹/L)", "3.2", "1.2"),)


def test_decisions_and_signatures_are_in_the_trail(investigator_client, story, investigator):
    response = _trail(investigator_client, story)
    entries = {e.kind: e for e in response.context["entries"]}
    assert "Ineligible" in entries["decision"].title
    assert "failed I13" in entries["decision"].detail
    assert investigator.get_full_name() in entries["signature"].who
    assert "failed screening for NCT01387295" in entries["signature"].detail
    assert not entries["signature"].superseded
    assert investigator.username in entries["refused"].who
    row = response.context["episodes"][0]
    assert row.signoff_state == "signed"


def test_the_page_shows_it_all(investigator_client, story):
    content = _trail(investigator_client, story).content.decode()
    assert content.count('data-testid="trail-entry"') == 9
    assert "3.2</span> → <strong>1.2</strong>" in content
    assert "Sign-off refused: wrong password" in content


def test_query_count_does_not_grow_with_the_trail(
    investigator_client, story, nurse, django_assert_max_num_queries
):
    # 20 reads plus the access-log row (savepoint and insert) every candidate page writes.
    with django_assert_max_num_queries(23) as short:
        _trail(investigator_client, story)
    episode = services.screening_start(candidate=story, started_by=nurse)
    for neutrophils in ("2.0", "2.5", "3.0"):
        fill(episode, nurse, neutrophils=neutrophils)
    services.decision_record(screening=episode, recorded_by=nurse)
    with django_assert_max_num_queries(23) as longer:
        response = _trail(investigator_client, story)
    assert len(response.context["entries"]) > 9 + 4
    assert len(short) == len(longer)


def test_nurse_cannot_read_the_audit_trail(nurse_client, candidate):
    url = reverse("log:audit-trail", args=[candidate.screening_number])
    assert nurse_client.get(url).status_code == 403


def test_unknown_candidate_is_404(investigator_client, db):
    assert investigator_client.get(reverse("log:audit-trail", args=["NOPE"])).status_code == 404


def test_answers_read_as_the_readers_language_writes_them(investigator_client, story, settings):
    # Stored as JSON (ISO dates, decimal points, choice values); read in the reader's language.
    investigator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    with translation.override("da"):
        entries = _trail(investigator_client, story).context["entries"]
    first_fill, change = entries[3:5]
    assert ("Neutrofile granulocytter (10⁹/L)", "—", "3,2") in first_fill.changes
    assert ("Screeningsdato", "—", "20-11-2026") in first_fill.changes
    assert ("Ekstrahepatisk sygdom", "—", "Begrænset") in first_fill.changes
    assert ("Seneste akutte myokardieinfarkt", "—", "Aldrig") in first_fill.changes
    assert change.changes == (("Neutrofile granulocytter (10⁹/L)", "3,2", "1,2"),)
