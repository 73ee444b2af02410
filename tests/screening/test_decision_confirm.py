"""Record decision never loses what is on the form: it saves the values as Save does, shows the
outcome to be recorded, and records it only when confirmed, for exactly the values shown."""

import pytest
from django.test import Client
from django.urls import reverse

from criteria.services import criteria_set_draft_create, criteria_set_publish
from screening import services
from screening.confirmation import decision_preview
from screening.exceptions import ConfirmationStale
from screening.models import Decision, Screening
from screening.wording import outcome_words
from tests.cases import eligible_values, fill, post_values, record_via_pages

pytestmark = pytest.mark.django_db


def _form_url(candidate):
    return reverse("screening:screening-form", args=[candidate.screening_number, 1])


def _confirm_url(candidate):
    return reverse("screening:decision-record", args=[candidate.screening_number, 1])


def _record(client, candidate, values: dict, **extra):
    """Record decision pressed on a form holding `values` (JSON form): the response, followed."""
    data = post_values(values) | {"record": ""} | extra
    return client.post(_form_url(candidate), data, follow=True)


def test_record_saves_what_is_typed_and_shows_the_outcome_before_recording(nurse_client, candidate):
    # The nurse types the last lab value and presses Record decision without Save.
    shown = _record(nurse_client, candidate, eligible_values())
    assert shown.redirect_chain[-1][0] == _confirm_url(candidate)
    assert candidate.screenings.get().values["inr"] == "1.0"  # saved before anything else
    assert Decision.objects.count() == 0  # nothing recorded yet
    page = shown.content.decode()
    assert 'data-testid="confirm-outcome">Eligible<' in page
    assert "A recorded decision is permanent and cannot be changed." in page
    assert "Saved. Nothing is recorded until you confirm." in page

    confirmed = nurse_client.post(_confirm_url(candidate), shown.context["form"].initial)
    assert confirmed.status_code == 302
    decision = Decision.objects.get()
    assert decision.outcome == "eligible"
    assert decision.values_snapshot["inr"] == "1.0"


def test_ineligible_outcome_names_the_failed_criteria(nurse_client, candidate):
    shown = _record(nurse_client, candidate, eligible_values() | {"neutrophils": "1.2"})
    assert shown.context["preview"].words == "Ineligible (failed: I13)"
    assert "Neutrophils 1.2" in shown.content.decode()  # the failed criterion's reason
    nurse_client.post(_confirm_url(candidate), shown.context["form"].initial)
    assert Decision.objects.get().outcome == "ineligible"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"neutrophils": "lots"}, "neutrophils"),
        ({"ecog_performance_status": "6"}, "ecog_performance_status"),
        ({"screen_failure_reason": "x" * 501}, "screen_failure_reason"),
    ],
)
def test_invalid_form_with_record_saves_and_records_nothing(nurse_client, candidate, change, field):
    before = candidate.screenings.get().values
    data = post_values(eligible_values()) | change | {"record": ""}
    response = nurse_client.post(_form_url(candidate), data)
    assert response.status_code == 200
    form = "decision_form" if field == "screen_failure_reason" else "form"
    assert response.context[form].errors[field]
    assert "Nothing was saved and no decision was recorded" in response.content.decode()
    assert candidate.screenings.get().values == before
    assert Decision.objects.count() == 0


def test_record_keeps_the_change_reason_rule(nurse_client, candidate, episode, nurse):
    fill(episode, nurse)
    response = _record(nurse_client, candidate, eligible_values() | {"inr": "1.7"})
    assert response.status_code == 200
    assert "Say why saved answers change: INR" in str(
        response.context["form"].errors["change_reason"]
    )
    assert Screening.objects.get(pk=episode.pk).values["inr"] == "1.0"
    assert Decision.objects.count() == 0


def test_stale_confirmation_is_refused(nurse_client, candidate, episode, nurse):
    shown = _record(nurse_client, candidate, eligible_values())
    assert shown.context["preview"].evaluation.outcome == "eligible"
    # Meanwhile a colleague saves an INR that makes the patient ineligible.
    fill(episode, nurse, inr="1.7")
    refused = nurse_client.post(_confirm_url(candidate), shown.context["form"].initial, follow=True)
    assert Decision.objects.count() == 0
    page = refused.content.decode()
    assert "Nothing was recorded: the values or the criteria changed" in page
    assert refused.context["preview"].words == "Ineligible (failed: I17)"  # shown afresh

    nurse_client.post(_confirm_url(candidate), refused.context["form"].initial)
    assert Decision.objects.get().values_snapshot["inr"] == "1.7"


def test_confirmation_is_refused_when_other_criteria_were_published(
    candidate, episode, nurse, criteria_admin
):
    fill(episode, nurse)
    preview = decision_preview(screening=episode, screen_failure_reason="")
    draft = criteria_set_draft_create(trial=candidate.trial, created_by=criteria_admin)
    criteria_set_publish(criteria_set=draft, published_by=criteria_admin, reason="Amendment")
    with pytest.raises(ConfirmationStale):
        services.decision_record(
            screening=episode, recorded_by=nurse, confirmed_fingerprint=preview.fingerprint
        )
    assert Decision.objects.count() == 0


def test_confirmation_with_another_reason_is_refused(candidate, episode, nurse):
    fill(episode, nurse, informed_consent=None)
    preview = decision_preview(screening=episode, screen_failure_reason="Patient declined")
    with pytest.raises(ConfirmationStale):
        services.decision_record(
            screening=episode,
            recorded_by=nurse,
            screen_failure_reason="Moved abroad",
            confirmed_fingerprint=preview.fingerprint,
        )
    assert Decision.objects.count() == 0


@pytest.mark.parametrize("body", [{}, {"fingerprint": "abc"}, {"screen_failure_reason": "x"}])
def test_a_post_without_a_shown_outcome_records_nothing(nurse_client, candidate, episode, body):
    fill(episode, Screening.objects.get(pk=episode.pk).started_by)
    response = nurse_client.post(_confirm_url(candidate), body, follow=True)
    assert "Nothing was recorded: confirm the outcome shown here." in response.content.decode()
    assert Decision.objects.count() == 0


def test_incomplete_screen_failure_says_so_everywhere(nurse_client, investigator, candidate):
    values = eligible_values()
    del values["informed_consent"]
    shown = _record(nurse_client, candidate, values, screen_failure_reason="Patient declined")
    words = "Screen failure (incomplete: Patient declined)"
    assert shown.context["preview"].words == words
    assert "Informed consent" in shown.context["missing"]

    recorded = nurse_client.post(
        _confirm_url(candidate), shown.context["form"].initial, follow=True
    )
    page = recorded.content.decode()
    assert f"Decision recorded: {words}." in page  # the message
    assert f'data-testid="decision-words">{words}<' in page  # the candidate page
    assert f"decision recorded: {words}" in page  # its history
    assert "Decision recorded: Incomplete" not in page
    investigator_client = Client()
    investigator_client.force_login(investigator)
    trail = investigator_client.get(
        reverse("log:audit-trail", args=[candidate.screening_number])
    ).content.decode()
    assert f"decision recorded — {words}" in trail
    log = investigator_client.get(reverse("log:list")).content.decode()
    assert words in log


def test_the_reason_typed_beside_record_survives_a_save(nurse_client, candidate):
    data = {"sex": "female", "neutrophils": "3", "screen_failure_reason": "Patient declined"}
    response = nurse_client.post(_form_url(candidate), data, follow=True)
    assert response.context["decision_form"].initial["screen_failure_reason"] == (
        "Patient declined"
    )


def test_a_decided_episode_has_no_confirmation_page(nurse_client, candidate, episode, nurse):
    fill(episode, nurse)
    record_via_pages(nurse_client, episode)
    response = nurse_client.get(_confirm_url(candidate), follow=True)
    assert response.redirect_chain[-1][0] == _form_url(candidate)
    assert "already has a recorded decision" in response.content.decode()
    assert Decision.objects.count() == 1


@pytest.mark.parametrize(
    ("outcome", "failed", "reason", "words"),
    [
        ("eligible", [], "", "Eligible"),
        ("ineligible", ["I13", "E03"], "", "Ineligible (failed: I13, E03)"),
        ("ineligible", ["I13"], "Declined", "Ineligible (failed: I13; reason: Declined)"),
        ("incomplete", [], "Declined", "Screen failure (incomplete: Declined)"),
        ("incomplete", [], "", "Incomplete"),
    ],
)
def test_outcome_words(outcome, failed, reason, words):
    assert outcome_words(outcome=outcome, failed_codes=failed, reason=reason) == words
