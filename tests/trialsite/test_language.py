"""The interface's language: the site's from TRIALSITE_LANGUAGE, each user's own choice kept
across sessions and devices, and dates and numbers shown as the language writes them while
what is stored and exported stays canonical (ISO dates, decimal point)."""

import csv
import io

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from screening.models import Decision, Signature
from tests.cases import eligible_values, fill, form_url, post_values, record_via_pages
from tests.factories import TEST_PASSWORD
from tests.trialsite.test_settings import _run_python
from trialsite.models import LanguagePreference

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME
SITE_LANGUAGE = (
    "import os; os.environ['DJANGO_SETTINGS_MODULE']='trialsite.settings';"
    "from django.conf import settings; print(settings.LANGUAGE_CODE)"
)


@pytest.mark.parametrize(("value", "language"), [(None, "da"), ("da", "da"), ("en", "en")])
def test_the_site_language_comes_from_the_environment(monkeypatch, value, language):
    monkeypatch.delenv("TRIALSITE_LANGUAGE")  # the suite's own English
    env = {"DJANGO_SECRET_KEY": "x" * 50, "TRIALSITE_LANGUAGE": value}
    result = _run_python(SITE_LANGUAGE, **{k: v for k, v in env.items() if v is not None})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == language


def test_an_unknown_site_language_refuses_to_start():
    result = _run_python(SITE_LANGUAGE, DJANGO_SECRET_KEY="x" * 50, TRIALSITE_LANGUAGE="en-us")
    assert result.returncode != 0
    assert "TRIALSITE_LANGUAGE must be one of da, en, not 'en-us'" in result.stderr


def test_a_danish_site_shows_the_login_page_in_danish_whatever_the_browser_asks(client, settings):
    settings.LANGUAGE_CODE = "da"
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="da">' in html
    assert "Log ind i TrialSite" in html
    assert response["Content-Language"] == "da"


def test_the_login_page_switches_language_for_this_browser_only(client):
    assert "Log in to TrialSite" in client.get(reverse("login")).content.decode()
    response = client.post(reverse("set-language"), {"language": "da", "next": "/login/"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.cookies[COOKIE].value == "da"
    assert "Log ind i TrialSite" in client.get(reverse("login")).content.decode()
    assert not LanguagePreference.objects.exists()


def test_a_users_choice_follows_them_to_another_session_and_device(nurse_client, nurse):
    nurse_client.post(reverse("set-language"), {"language": "da", "next": "/"})
    assert LanguagePreference.objects.get(user=nurse).language == "da"
    assert "Log ud" in nurse_client.get(reverse("home")).content.decode()
    other_device = Client()  # no cookie: the stored choice comes with the log-in
    other_device.force_login(nurse)
    response = other_device.get(reverse("home"))
    assert "Log ud" in response.content.decode()
    assert response.cookies[COOKIE].value == "da"  # kept for the log-in page after logging out
    other_device.post(reverse("logout"))
    assert "Log ind i TrialSite" in other_device.get(reverse("login")).content.decode()


def test_the_users_choice_wins_over_the_cookie_another_user_left(client, nurse, investigator):
    client.post(reverse("set-language"), {"language": "en", "next": "/"})
    LanguagePreference.objects.create(user=nurse, language="da")
    client.force_login(nurse)
    assert "Log ud" in client.get(reverse("home")).content.decode()
    client.post(reverse("logout"))
    client.force_login(investigator)  # no choice stored: this browser's cookie (now Danish)
    assert "Log ud" in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("language", ["fr", "", "da-DK"])
def test_an_unknown_language_changes_nothing(nurse_client, nurse, language):
    nurse_client.post(reverse("set-language"), {"language": language, "next": "/"})
    assert not LanguagePreference.objects.filter(user=nurse).exists()
    assert "Log out" in nurse_client.get(reverse("home")).content.decode()


def test_the_switch_never_redirects_to_another_site(client):
    response = client.post(
        reverse("set-language"), {"language": "da", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and not response["Location"].startswith("http")


@pytest.fixture
def danish(settings):
    settings.LANGUAGE_CODE = "da"


def test_danish_pages_show_danish_dates_and_numbers(danish, nurse_client, candidate, nurse):
    fill(candidate.screenings.get(), nurse, inr="1.4")
    form = nurse_client.get(form_url(candidate)).content.decode()
    assert 'name="inr" value="1,4"' in form
    assert 'name="date_of_birth" value="02-03-1965"' in form
    detail = nurse_client.get(
        reverse("screening:candidate-detail", args=[candidate.screening_number])
    )
    assert "18-11-2026" in detail.content.decode()  # the referral date
    assert "2026-11-18" not in detail.content.decode()


def test_english_pages_show_iso_dates_and_decimal_points(nurse_client, candidate, nurse):
    fill(candidate.screenings.get(), nurse, inr="1.4")
    assert 'name="inr" value="1.4"' in nurse_client.get(form_url(candidate)).content.decode()
    detail = nurse_client.get(
        reverse("screening:candidate-detail", args=[candidate.screening_number])
    )
    assert "2026-11-18" in detail.content.decode()


@pytest.mark.parametrize("typed_date", ["01-12-2026", "2026-12-01"])
def test_a_danish_nurse_types_a_decimal_comma_and_a_danish_date(
    danish, nurse_client, candidate, typed_date
):
    data = post_values(eligible_values()) | {"inr": "1,4", "planned_start_date": typed_date}
    assert nurse_client.post(form_url(candidate), data).status_code == 302
    values = candidate.screenings.get().values
    assert values["inr"] == "1.4" and values["planned_start_date"] == "2026-12-01"


def _investigator_client(investigator) -> Client:
    """A second browser: the suite's client fixtures share one Client."""
    client = Client()
    client.force_login(investigator)
    return client


def test_a_danish_export_keeps_iso_dates_and_decimal_points(
    danish, nurse_client, investigator, candidate, nurse
):
    screening = fill(candidate.screenings.get(), nurse, inr="1.4")
    record_via_pages(nurse_client, screening)
    response = _investigator_client(investigator).get(reverse("log:export-csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    text = "\n".join(",".join(row) for row in rows)
    assert "2026-11-18" in text  # the referral date
    assert "18-11-2026" not in text


@pytest.mark.parametrize(
    ("key", "typed", "message"),
    [
        ("inr", "1,400", '"1,400" kan betyde 1,4 eller 1400: skriv 1,4 eller 1400'),
        ("weight_kg", "abc", '"abc" er ikke et tal'),
        ("planned_start_date", "12/01/2026", "Skriv datoen som dd-mm-åååå, fx 10-03-1970."),
    ],
)
def test_a_danish_nurse_is_told_in_danish_what_to_type(
    danish, nurse_client, candidate, key, typed, message
):
    before = candidate.screenings.get().values
    response = nurse_client.post(form_url(candidate), post_values(eligible_values()) | {key: typed})
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[key])
    assert candidate.screenings.get().values == before


def test_a_danish_investigator_signs_the_statement_shown_in_danish(
    danish, nurse_client, candidate, nurse, investigator
):
    investigator_client = _investigator_client(investigator)
    record_via_pages(nurse_client, fill(candidate.screenings.get(), nurse))
    decision = Decision.objects.get()
    url = reverse("log:signoff", args=[decision.public_id])
    statement = "Jeg bekræfter, at denne patient opfylder alle egnethedskriterier for NCT01387295"
    assert statement in investigator_client.get(url).content.decode()
    investigator_client.post(url, {"confirm": "on", "password": TEST_PASSWORD})
    assert Signature.objects.get().meaning.startswith(statement)  # word for word as shown


def test_a_danish_nurse_reads_reasons_in_danish_and_the_decision_keeps_them_in_english(
    danish, nurse_client, candidate, nurse
):
    screening = fill(candidate.screenings.get(), nurse, neutrophils="1.2")
    confirm = nurse_client.get(
        reverse("screening:decision-record", args=[candidate.screening_number, 1])
    )
    assert "— kræver &gt; 1,5" in confirm.content.decode()
    record_via_pages(nurse_client, screening)
    reasons = [result["reason"] for result in Decision.objects.get().results]
    assert any(reason.endswith("— needs > 1.5") for reason in reasons), reasons
