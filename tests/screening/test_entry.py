"""What the screening form stores for typed numbers and dates, and the one date of birth."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from screening import services
from screening.exceptions import BirthDateConflict
from screening.intake.forms import CandidateForm
from screening.models import Candidate, Decision
from tests.cases import REFERRAL, eligible_values, form_url, post_values

pytestmark = pytest.mark.django_db
REGISTERED = {"sex": "female", "date_of_birth": "1965-03-02"}


def _save(client, candidate, **typed):
    data = post_values(eligible_values()) | typed
    return client.post(form_url(candidate), data)


@pytest.mark.parametrize(
    ("key", "typed", "stored"),
    [
        ("inr", "1,4", "1.4"),
        ("inr", "1.4", "1.4"),
        ("inr", "1,0", "1.0"),
        ("neutrophils", "1,2", "1.2"),
        ("platelets", "12,5", "12.5"),
        ("neutrophils", " 3,20 ", "3.20"),
        ("neutrophils", ",5", "0.5"),
        ("ecog_performance_status", "2", 2),
    ],
)
def test_typed_numbers_are_stored_as_meant(nurse_client, candidate, key, typed, stored):
    response = _save(nurse_client, candidate, **{key: typed})
    assert response.status_code == 302
    assert candidate.screenings.get().values[key] == stored


@pytest.mark.parametrize(
    ("key", "typed", "message"),
    [
        ("inr", "1,400", '"1,400" could mean 1.4 or 1400: write 1,4 or 1400'),
        ("inr", "1.400", '"1.400" could mean 1.4 or 1400'),
        ("platelets", "1.234,5", "a thousands separator or space is not allowed"),
        ("platelets", "1 400", "a thousands separator or space is not allowed"),
        ("inr", "1e3", '"1e3" is not a number'),
        ("inr", "abc", '"abc" is not a number'),
        ("inr", "1,4 abc", "is not a number"),
        ("ecog_performance_status", "1,0", "write digits only, like 2"),
    ],
)
def test_numbers_that_read_two_ways_or_not_at_all_are_refused_and_nothing_is_stored(
    nurse_client, candidate, key, typed, message
):
    response = _save(nurse_client, candidate, **{key: typed})
    assert response.status_code == 200
    errors = response.context["form"].errors[key]
    assert any(message in e for e in errors), errors
    assert candidate.screenings.get().values == REGISTERED
    html = response.content.decode()
    assert f'value="{typed.strip()}"' in html or f'value="{typed}"' in html  # as typed


def test_number_inputs_are_text_with_a_decimal_keyboard(nurse_client, candidate):
    html = nurse_client.get(form_url(candidate)).content.decode()
    assert 'type="number"' not in html
    assert 'name="inr" inputmode="decimal" autocomplete="off"' in html
    assert 'name="ecog_performance_status" inputmode="numeric"' in html


def test_a_saved_number_is_shown_back_so_that_it_reads_back_the_same(nurse_client, episode):
    nurse = episode.started_by
    values = eligible_values() | {"bilirubin": "12.250"}  # saved by the service (e.g. earlier)
    services.screening_values_save(screening=episode, values=values, units={}, saved_by=nurse)
    page = nurse_client.get(form_url(episode.candidate)).content.decode()
    assert 'name="bilirubin" value="12.2500"' in page  # 12,250 would read two ways
    # Saved again untouched: no reason asked, the recorded text unaltered.
    data = post_values(values) | {"bilirubin": "12.2500"}
    assert nurse_client.post(form_url(episode.candidate), data).status_code == 302
    episode.refresh_from_db()
    assert episode.values["bilirubin"] == "12.250"


@pytest.mark.parametrize(
    ("key", "typed", "message"),
    [
        ("last_chemotherapy_date", "1899-12-31", "cannot lie before 1900-01-01"),
        ("last_chemotherapy_date", "2026-11-21", "after the screening date (2026-11-20)"),
        ("last_chemotherapy_date", "01-01-1899", "cannot lie before 1900-01-01"),
        ("planned_start_date", "2028-11-21", "A planned date lies from the screening date"),
        ("planned_start_date", "2026-11-19", "A planned date lies from the screening date"),
        ("screening_date", "1899-12-31", "cannot lie before 1900-01-01"),
    ],
)
def test_implausible_dates_are_refused_next_to_the_field(
    nurse_client, candidate, key, typed, message
):
    response = _save(nurse_client, candidate, **{key: typed})
    assert response.status_code == 200
    errors = response.context["form"].errors[key]
    assert any(message in e for e in errors), errors
    assert candidate.screenings.get().values == REGISTERED


@pytest.mark.parametrize(
    ("key", "typed", "stored"),
    [
        ("last_chemotherapy_date", "1900-01-01", "1900-01-01"),
        ("last_chemotherapy_date", "20-11-2026", "2026-11-20"),  # dd-mm-yyyy, the screening day
        ("planned_start_date", "2028-11-20", "2028-11-20"),  # + 2 years
    ],
)
def test_dates_at_the_edge_of_their_range_are_stored(nurse_client, candidate, key, typed, stored):
    assert _save(nurse_client, candidate, **{key: typed}).status_code == 302
    assert candidate.screenings.get().values[key] == stored


def test_the_date_of_birth_is_the_registered_one_whatever_is_posted(nurse_client, candidate):
    html = nurse_client.get(form_url(candidate)).content.decode()
    assert 'name="date_of_birth" value="02-03-1965"' in html
    assert "disabled" in html.split('name="date_of_birth"')[1].split(">")[0]
    response = _save(nurse_client, candidate, date_of_birth="1960-01-01")
    assert response.status_code == 302
    assert candidate.screenings.get().values["date_of_birth"] == "1965-03-02"


def test_the_service_refuses_a_date_of_birth_other_than_the_registered_one(candidate, nurse):
    values = eligible_values() | {"date_of_birth": "1965-03-10"}
    with pytest.raises(BirthDateConflict, match="registered as 1965-03-02, not 1965-03-10"):
        services.screening_values_save(
            screening=candidate.screenings.get(), values=values, units={}, saved_by=nurse
        )
    assert candidate.screenings.get().values == REGISTERED


@pytest.fixture
def year_only(candidate):
    """A referral registered before the date of birth was asked: born 1970, no date."""
    Candidate.objects.filter(pk=candidate.pk).update(date_of_birth=None, year_of_birth=1970)
    episode = candidate.screenings.get()
    episode.values = {"sex": "female"}
    episode.save()
    candidate.refresh_from_db()
    return candidate


def test_a_year_only_referral_refuses_a_date_of_birth_in_another_year(nurse_client, year_only):
    response = _save(nurse_client, year_only, date_of_birth="1965-03-10")
    assert response.status_code == 200
    errors = response.context["form"].errors["date_of_birth"]
    assert "registered as born in 1970" in errors[0]
    assert "Edit details" in errors[0]
    assert year_only.screenings.get().values == {"sex": "female"}
    response = _save(nurse_client, year_only, date_of_birth="1970-06-01")
    assert response.status_code == 302
    assert year_only.screenings.get().values["date_of_birth"] == "1970-06-01"


def test_a_corrected_date_of_birth_reaches_the_open_episode_with_its_reason(
    nurse_client, candidate
):
    _save(nurse_client, candidate)
    data = REFERRAL | {"date_of_birth": "1966-03-02", "reason": "year mistyped at referral"}
    url = reverse("screening:candidate-change", args=[candidate.screening_number])
    assert nurse_client.post(url, data).status_code == 302
    candidate.refresh_from_db()
    assert (candidate.date_of_birth, candidate.year_of_birth) == (dt.date(1966, 3, 2), 1966)
    episode = candidate.screenings.get()
    assert episode.values["date_of_birth"] == "1966-03-02"
    assert episode.history.first().history_change_reason == "year mistyped at referral"


def test_a_decided_episode_keeps_the_date_of_birth_it_was_decided_on(candidate, nurse):
    episode = candidate.screenings.get()
    services.screening_values_save(
        screening=episode, values=eligible_values(), units={}, saved_by=nurse
    )
    services.decision_record(screening=episode, recorded_by=nurse)
    services.candidate_update(
        candidate=candidate,
        changes={"date_of_birth": dt.date(1966, 3, 2)},
        reason="year mistyped",
        changed_by=nurse,
    )
    assert candidate.screenings.get().values["date_of_birth"] == "1965-03-02"
    started = services.screening_start(candidate=candidate, started_by=nurse)
    assert started.values["date_of_birth"] == "1966-03-02"


def test_the_model_keeps_the_year_of_birth_the_year_of_the_date(candidate):
    candidate.year_of_birth = 1966
    with pytest.raises(ValidationError, match="year of birth must be the year"):
        candidate.full_clean()


def test_an_episode_saved_before_with_another_birth_year_cannot_be_decided(year_only, nurse):
    """The issue's case: registered as born 1970, screened (before the date was asked) as
    born 1965-03-10. Recording is refused, nothing is written; a correction with a reason
    lets it through."""
    episode = year_only.screenings.get()
    episode.values = eligible_values() | {"date_of_birth": "1965-03-10"}
    episode.save()
    with pytest.raises(BirthDateConflict, match="registered as born in 1970"):
        services.decision_record(screening=episode, recorded_by=nurse)
    assert not Decision.objects.exists()
    services.candidate_update(
        candidate=year_only,
        changes={"date_of_birth": dt.date(1965, 3, 10)},
        reason="year of birth mistyped at referral",
        changed_by=nurse,
    )
    assert services.decision_record(screening=episode, recorded_by=nurse).outcome == "eligible"


@pytest.mark.parametrize(
    ("born", "referred", "error"),
    [
        ("1899-06-01", "1900-01-01", None),  # the earliest referral date, after the birth
        ("1899-06-01", "1899-12-31", "cannot lie before 1900-01-01"),
        ("0001-01-01", "0001-01-02", "cannot lie before 1900-01-01"),
        ("1965-03-02", "1965-03-02", None),  # referred on the day of birth
        ("1965-03-02", "1965-03-01", "cannot lie before the date of birth"),
    ],
)
def test_an_implausible_referral_date_is_refused_next_to_the_field(
    db, monkeypatch, born, referred, error
):
    # On 2019-06-01 a birth on 1899-06-01 is age 120, still plausible: the referral date decides.
    monkeypatch.setattr("screening.intake.forms.timezone.localdate", lambda: dt.date(2019, 6, 1))
    form = CandidateForm(REFERRAL | {"date_of_birth": born, "referral_date": referred})
    valid = form.is_valid()
    if error is None:
        assert valid, form.errors
    else:
        assert error in " ".join(form.errors.get("referral_date", []))
