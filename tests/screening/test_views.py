"""The nurse's pages: registering, the screening form's validation, recording, permissions."""

from decimal import Decimal

import pytest
from django.urls import reverse

from screening.models import Candidate, Decision
from tests.cases import eligible_values, fill, post_values, record_via_pages

pytestmark = pytest.mark.django_db


def _form_url(candidate, episode=1):
    return reverse("screening:screening-form", args=[candidate.screening_number, episode])


def test_nurse_registers_a_referral(nurse_client, trial):
    response = nurse_client.post(
        reverse("screening:candidate-register"),
        {
            "initials": "jd",
            "date_of_birth": "1960-04-30",
            "sex": "female",
            "referring_unit": "Herlev",
            "referral_date": "2026-11-01",
        },
    )
    candidate = Candidate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _form_url(candidate)
    assert candidate.initials == "JD"
    assert candidate.date_of_birth.isoformat() == "1960-04-30"
    assert candidate.year_of_birth == 1960


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("initials", "J1", "Give 1 to 4 letters."),
        ("date_of_birth", "1800-01-01", "an age of 0 to 120 is possible"),
        ("date_of_birth", "2999-01-01", "cannot lie after today"),
        ("date_of_birth", "", "This field is required."),
        ("date_of_birth", "1965", "Write the date as dd-mm-yyyy, like 10-03-1970."),
        ("referral_date", "2999-01-01", "cannot be in the future"),
        ("referral_date", "not-a-date", "Write the date as dd-mm-yyyy, like 10-03-1970."),
    ],
)
def test_bad_referral_input_is_refused_next_to_the_field(
    nurse_client, trial, field, value, message
):
    data = {
        "initials": "JD",
        "date_of_birth": "1960-04-30",
        "sex": "female",
        "referring_unit": "Herlev",
        "referral_date": "2026-11-01",
        field: value,
    }
    response = nurse_client.post(reverse("screening:candidate-register"), data)
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert Candidate.objects.count() == 0


def test_valid_save_stores_canonical_values_and_typed_units(nurse_client, candidate):
    data = post_values(eligible_values())
    data.update({"bilirubin": "1.0", "bilirubin__unit": "mg/dL"})
    response = nurse_client.post(_form_url(candidate), data)
    assert response.status_code == 302
    episode = candidate.screenings.get()
    assert Decimal(episode.values["bilirubin"]) == Decimal("17.1")  # 1.0 mg/dL × 17.1
    assert episode.entered_units["bilirubin"] == "mg/dL"
    assert episode.values["last_ami_date"] == "never"
    assert episode.values["ecog_performance_status"] == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("neutrophils", "lots", '"lots" is not a number'),
        ("neutrophils", "NaN", '"NaN" is not a number'),
        ("neutrophils", "500", "plausible range"),
        ("platelets", "-1", "plausible range"),
        ("ecog_performance_status", "6", "plausible range"),
        ("ecog_performance_status", "1.5", "write digits only"),
        ("bilirubin__unit", "mmol/L", "Select a valid choice."),
        ("her2_status", "maybe", "Select a valid choice."),
        ("last_chemotherapy_date", "31-02-2026", "Write the date as dd-mm-yyyy, like 10-03-1970."),
        ("last_chemotherapy_date", "03/04/2026", "Write the date as dd-mm-yyyy"),  # never US order
        ("last_chemotherapy_date", "2999-01-01", "cannot be in the future"),
    ],
)
def test_bad_screening_input_is_refused_next_to_the_field_and_saves_nothing(
    nurse_client, candidate, field, value, message
):
    data = post_values(eligible_values())
    data[field] = value
    response = nurse_client.post(_form_url(candidate), data)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert candidate.screenings.get().values == {"sex": "female", "date_of_birth": "1965-03-02"}


def test_partial_save_shows_the_standing_panel(nurse_client, candidate):
    response = nurse_client.post(
        _form_url(candidate), {"sex": "female", "neutrophils": "1.2"}, follow=True
    )
    content = response.content.decode()
    assert 'id="standing"' in content
    assert 'data-code="I13" data-status="not_met"' in content
    assert response.context["standing"].outcome == "ineligible"


def test_nurse_records_the_decision_in_the_browser_flow(nurse_client, candidate):
    nurse_client.post(_form_url(candidate), post_values(eligible_values()))
    response = record_via_pages(nurse_client, candidate.screenings.get())
    assert response.redirect_chain[-1][0] == reverse(
        "screening:candidate-detail", args=[candidate.screening_number]
    )
    assert Decision.objects.get().outcome == "eligible"
    page = response.content.decode()
    assert "Decision recorded: Eligible." in page
    assert 'data-testid="decision"' in page


def test_incomplete_decision_without_reason_is_refused_next_to_the_reason(nurse_client, candidate):
    data = {"sex": "female", "neutrophils": "3", "record": ""}
    response = nurse_client.post(_form_url(candidate), data, follow=True)
    assert response.redirect_chain[-1][0] == _form_url(candidate) + "#record"
    errors = response.context["decision_form"].errors["screen_failure_reason"]
    assert "only as a screen failure, with a reason" in errors[0]
    assert "Nothing was recorded." in response.content.decode()
    assert candidate.screenings.get().values["neutrophils"] == "3"  # saved, not lost
    assert Decision.objects.count() == 0


def test_hidden_question_posted_anyway_does_not_apply(nurse_client, candidate):
    """A male patient's posted pregnancy answer leaves E14 not applicable."""
    values = eligible_values() | {"sex": "male", "pregnant_or_lactating": True}
    data = post_values(values) | {"change_reason": "sex entered wrongly at referral"}
    nurse_client.post(_form_url(candidate), data)
    response = nurse_client.get(_form_url(candidate))
    assert 'data-code="E14" data-status="not_applicable"' in response.content.decode()


@pytest.mark.parametrize(
    ("client_fixture", "expected"),
    [("investigator_client", 403), ("criteria_admin_client", 403), ("client", 302)],
)
def test_only_nurses_register_and_screen(request, candidate, client_fixture, expected):
    client = request.getfixturevalue(client_fixture)
    number = candidate.screening_number
    assert client.get(reverse("screening:candidate-register")).status_code == expected
    assert client.post(_form_url(candidate), {"neutrophils": "3"}).status_code == expected
    record = reverse("screening:decision-record", args=[number, 1])
    assert client.get(record).status_code == expected
    assert client.post(record).status_code == expected
    with_record = {"neutrophils": "3", "record": ""}
    assert client.post(_form_url(candidate), with_record).status_code == expected
    assert candidate.screenings.get().values == {"sex": "female", "date_of_birth": "1965-03-02"}
    assert Decision.objects.count() == 0


def test_investigator_reads_candidates_and_episodes(investigator_client, candidate):
    number = candidate.screening_number
    assert investigator_client.get(reverse("screening:candidate-list")).status_code == 200
    detail = investigator_client.get(reverse("screening:candidate-detail", args=[number]))
    assert detail.status_code == 200
    assert investigator_client.get(_form_url(candidate)).status_code == 200


def test_unknown_screening_number_is_404(nurse_client, trial):
    response = nurse_client.get(reverse("screening:candidate-detail", args=["NCT01387295-S9999"]))
    assert response.status_code == 404


def test_candidate_change_keeps_history_with_reason(nurse_client, candidate):
    response = nurse_client.post(
        reverse("screening:candidate-change", args=[candidate.screening_number]),
        {
            "initials": "AC",
            "date_of_birth": "1965-03-02",
            "sex": "female",
            "referring_unit": "Herlev, Oncology",
            "referral_date": "2026-11-18",
            "reason": "typo in initials",
        },
    )
    assert response.status_code == 302
    latest = candidate.history.first()
    assert latest.history_change_reason == "typo in initials"
    assert latest.initials == "AC"
    page = nurse_client.get(
        reverse("screening:candidate-detail", args=[candidate.screening_number])
    )
    content = page.content.decode()
    history = content[content.index('data-testid="candidate-history"') :]
    assert "typo in initials" in history
    assert 'initials: <span class="text-body-secondary">AB</span> → <strong>AC</strong>' in history


def test_correcting_a_saved_answer_needs_a_reason_kept_in_history(nurse_client, candidate):
    nurse_client.post(_form_url(candidate), {"sex": "female", "neutrophils": "1.2"})
    refused = nurse_client.post(_form_url(candidate), {"sex": "female", "neutrophils": "2.1"})
    assert refused.status_code == 200
    assert "Say why saved answers change: Neutrophils" in str(
        refused.context["form"].errors["change_reason"]
    )
    assert candidate.screenings.get().values["neutrophils"] == "1.2"

    nurse_client.post(
        _form_url(candidate),
        {"sex": "female", "neutrophils": "2.1", "change_reason": "lab result transcribed wrongly"},
    )
    episode = candidate.screenings.get()
    assert episode.values["neutrophils"] == "2.1"
    latest = episode.history.first()
    assert latest.history_change_reason == "lab result transcribed wrongly"
    assert latest.history_user.username == "nurse"
    page = nurse_client.get(
        reverse("screening:candidate-detail", args=[candidate.screening_number])
    ).content.decode()
    history = page[page.index('data-testid="candidate-history"') :]
    # By its label and unit, in the reader's number format; never a key or a stored dict.
    assert (
        'Neutrophils (10⁹/L): <span class="text-body-secondary">1.2</span> → <strong>2.1</strong>'
        in history
    )
    assert "lab result transcribed wrongly" in history
    assert "neutrophils:" not in history and "{&#x27;source" not in history


def test_first_entries_need_no_reason(nurse_client, candidate):
    nurse_client.post(_form_url(candidate), {"sex": "female", "neutrophils": "1.2"})
    response = nurse_client.post(
        _form_url(candidate), {"sex": "female", "neutrophils": "1.2", "platelets": "150"}
    )
    assert response.status_code == 302
    assert candidate.screenings.get().values["platelets"] == "150"


# A page once the session is warm: session, user, permissions (2), candidate, episode, the
# published set with its variables and criteria (once: the form and the standing panel share
# them), the decisions, the access-log entry (savepoint, user check, insert, release), the
# user's groups (2); a decided episode adds whether it was decided under the published set.
@pytest.mark.parametrize(("decided", "queries"), [(False, 16), (True, 17)])
def test_the_screening_page_reads_the_criteria_once(
    settings,
    nurse_client,
    candidate,
    episode,
    nurse,
    decided,
    queries,
    django_assert_max_num_queries,
):
    settings.SESSION_SAVE_EVERY_REQUEST = False  # the session's own save is not the page's work
    fill(episode, nurse)
    if decided:
        record_via_pages(nurse_client, episode)
    nurse_client.get(_form_url(candidate))  # the session refreshed, any message shown
    with django_assert_max_num_queries(queries) as captured:
        response = nurse_client.get(_form_url(candidate))
    assert response.context["standing"].outcome == "eligible"
    assert len(response.context["decisions"]) == int(decided)
    sets = [q for q in captured.captured_queries if q["sql"].startswith('SELECT "criteria_')]
    assert len(sets) == 3, "the published set, its variables or criteria read more than once"
