"""Login protection, sessions, CSRF, transport security and the candidate access log."""

import datetime as dt
import uuid

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from screening.services import decision_record
from tests.cases import assert_append_only, eligible_values, fill
from tests.factories import TEST_PASSWORD, UserFactory
from trialsite.models import CandidateAccess

pytestmark = [pytest.mark.django_db]


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _fail_logins(client, username, times, ip="10.0.0.1"):
    for _ in range(times):
        response = _login(client, username, "wrong password", ip)
        assert response.status_code == 200  # the login form again, not yet locked


# ---- lock-out after repeated failed logins (django-axes) --------------------------------


def test_lockout_after_the_failure_limit_even_with_the_right_password(client, nurse):
    assert settings.AXES_FAILURE_LIMIT == 5
    _fail_logins(client, "nurse", 4)
    response = _login(client, "nurse", "wrong password")
    assert response.status_code == 429
    response = _login(client, "nurse", TEST_PASSWORD)
    page = response.content.decode()
    assert response.status_code == 429
    assert "Log-in locked for 30 minutes" in page
    assert "call IT support" in page
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_user_name_and_address(client, nurse, investigator):
    _fail_logins(client, "nurse", 4)
    assert _login(client, "nurse", "wrong password").status_code == 429
    # Another user on the same computer, and the same user elsewhere, can still log in.
    assert _login(client, "investigator", TEST_PASSWORD).status_code == 302
    assert _login(Client(), "nurse", TEST_PASSWORD, ip="10.0.0.2").status_code == 302


def test_a_successful_login_resets_the_count(client, nurse):
    _fail_logins(client, "nurse", 4)
    assert _login(client, "nurse", TEST_PASSWORD).status_code == 302
    client.logout()
    _fail_logins(client, "nurse", 4)  # would be locked at 5 without the reset


def test_the_lock_ends_after_the_cool_off_time(client, nurse):
    _fail_logins(client, "nurse", 5 - 1)
    assert _login(client, "nurse", "wrong password").status_code == 429
    earlier = timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=earlier)  # as if the time had passed
    assert _login(client, "nurse", TEST_PASSWORD).status_code == 302


def test_a_hostile_user_name_is_counted_and_escaped(client):
    name = "<script>alert(1)</script>"
    _fail_logins(client, name, settings.AXES_FAILURE_LIMIT - 1)
    response = _login(client, name, "wrong password")
    assert response.status_code == 429
    assert name not in response.content.decode()
    assert AccessAttempt.objects.get().username == name


@pytest.mark.parametrize("name", ["x" * 10_000, ""])
def test_an_impossible_user_name_is_refused_by_the_form_without_error(client, nurse, name):
    response = _login(client, name, TEST_PASSWORD)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("method", "url_name", "data"),
    [
        ("post", "login", {"username": "nurse\x00", "password": TEST_PASSWORD}),
        ("get", "screening:candidate-list", {"q": "S0001\x00"}),
        ("get", "screening:candidate-list", {"q\x00": "x"}),
    ],
)
def test_nul_characters_are_a_bad_request_not_a_server_error(nurse_client, method, url_name, data):
    """PostgreSQL cannot take NUL in a text; without the middleware the search is a 500."""
    response = getattr(nurse_client, method)(reverse(url_name), data)
    assert response.status_code == 400


# ---- sessions end after inactivity ------------------------------------------------------


def test_session_ends_after_the_idle_time_but_activity_keeps_it(nurse_client, monkeypatch):
    idle = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert idle == dt.timedelta(minutes=30)
    start = timezone.now()
    home = reverse("home")

    def at(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return nurse_client.get(home)

    assert at(start).status_code == 200
    # Each request moves the end of the session on (at most once a minute).
    assert at(start + idle - dt.timedelta(minutes=1)).status_code == 200
    assert at(start + 2 * idle - dt.timedelta(minutes=2)).status_code == 200
    response = at(start + 3 * idle)  # more than 30 idle minutes since the last request
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _session_writes(client, queries) -> int:
    return sum("django_session" in q["sql"] and "UPDATE" in q["sql"] for q in queries)


def test_session_end_moves_on_at_most_once_a_minute(nurse_client, monkeypatch):
    """Saving the session on every page would cost a write per request; the idle end moves
    on when a minute has passed since it last moved, so it ends at most a minute early."""
    idle = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    start = timezone.now()
    home = reverse("home")

    def at(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        with CaptureQueriesContext(connection) as queries:
            response = nurse_client.get(home)
        return response, _session_writes(nurse_client, queries)

    assert at(start)[1] == 0  # logging in has just saved it
    assert at(start + dt.timedelta(seconds=59))[1] == 0  # under a minute: end not moved
    assert at(start + dt.timedelta(seconds=60))[1] == 1  # a minute: moved
    last_move = start + dt.timedelta(seconds=60)
    assert at(last_move + dt.timedelta(seconds=30))[1] == 0
    # The end is the last move + idle: up to a minute early after the last request, never late.
    assert at(last_move + idle - dt.timedelta(seconds=1))[0].status_code == 200  # moves again
    again = last_move + idle - dt.timedelta(seconds=1)
    assert at(again + dt.timedelta(seconds=30))[1] == 0
    response, _ = at(again + idle + dt.timedelta(seconds=1))
    assert response.status_code == 302


def test_anonymous_requests_write_no_session(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("login")).status_code == 200
    assert _session_writes(client, queries) == 0
    assert "sessionid" not in client.cookies


# ---- passwords ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password", ["short1!", "password123", "1234567890123", "nurse-nurse-nurse"]
)
def test_weak_passwords_are_refused(password):
    user = UserFactory.build(username="nurse-nurse-nurse")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_strong_password_is_accepted():
    validate_password("plum-harbour-violin-42", UserFactory.build(username="nina"))


# ---- CSRF on every form -------------------------------------------------------------------


def _sample_kwargs(pattern, number: str) -> dict:
    samples = {"int": 1, "uuid": uuid.uuid4(), "string": number, "slug": "x", "path": "x"}
    converters = getattr(pattern.pattern, "converters", {})
    return {
        name: samples[type(conv).__name__.replace("Converter", "").lower()]
        for name, conv in converters.items()
    }


def _all_urls(number: str) -> list[str]:
    """Every URL of the application (the Django admin only by its log-in page)."""
    urls = [reverse("admin:login")]

    def walk(patterns, namespace, prefix_kwargs):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                ns = ":".join(filter(None, [namespace, entry.namespace]))
                walk(entry.url_patterns, ns, {**prefix_kwargs, **_sample_kwargs(entry, number)})
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                kwargs = {**prefix_kwargs, **_sample_kwargs(entry, number)}
                urls.append(reverse(name, kwargs=kwargs))

    walk(get_resolver().url_patterns, "", {})
    return urls


def test_every_url_refuses_a_post_without_csrf_token(candidate_number, nurse):
    client = Client(enforce_csrf_checks=True)
    client.force_login(nurse)
    urls = _all_urls(candidate_number)
    assert reverse("screening:decision-record", args=[candidate_number, 1]) in urls
    assert reverse("login") in urls
    accepted = {url: client.post(url, {}).status_code for url in urls}
    assert {url: code for url, code in accepted.items() if code != 403} == {}


def test_login_without_csrf_token_is_refused(nurse):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "nurse", "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


# ---- secure cookies and HSTS when DEBUG is off (as the tests run) -------------------------


def test_cookies_are_secure_and_https_is_enforced_by_hsts(client, nurse):
    assert settings.DEBUG is False
    client.get(reverse("login"), secure=True)
    response = client.post(
        reverse("login"), {"username": "nurse", "password": TEST_PASSWORD}, secure=True
    )
    assert response.status_code == 302
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["secure"] and session_cookie["httponly"]
    assert client.cookies[settings.CSRF_COOKIE_NAME]["secure"]
    hsts = response["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


# ---- who viewed which candidate ------------------------------------------------------------


@pytest.fixture
def candidate_number(candidate):
    return candidate.screening_number


@pytest.mark.parametrize(
    ("url_name", "viewer"),
    [
        ("screening:candidate-detail", "investigator"),
        ("screening:screening-form", "investigator"),
        ("screening:candidate-change", "nurse"),
        ("log:audit-trail", "investigator"),
    ],
)
def test_viewing_a_candidate_is_logged(request, client, candidate_number, url_name, viewer):
    user = request.getfixturevalue(viewer)
    client.force_login(user)
    args = [candidate_number, 1] if url_name == "screening:screening-form" else [candidate_number]
    url = reverse(url_name, args=args) + "?tab=values"
    before = timezone.now()
    assert client.get(url).status_code == 200
    entry = CandidateAccess.objects.get()
    assert (entry.user, entry.screening_number, entry.path) == (user, candidate_number, url)
    assert before <= entry.viewed_at <= timezone.now()
    assert entry.viewed_at.utcoffset() == dt.timedelta(0)  # stored and read back in UTC


def test_the_signoff_page_is_logged_as_viewing_its_candidate(
    investigator_client, investigator, nurse, episode
):
    fill(episode, nurse, **eligible_values())
    decision = decision_record(screening=episode, recorded_by=nurse)
    url = reverse("log:signoff", args=[decision.public_id])
    assert investigator_client.get(url).status_code == 200
    entry = CandidateAccess.objects.get()
    assert (entry.user, entry.screening_number, entry.path) == (
        investigator,
        episode.candidate.screening_number,
        url,
    )


def test_each_view_is_a_new_entry(investigator_client, candidate_number):
    url = reverse("screening:candidate-detail", args=[candidate_number])
    investigator_client.get(url)
    investigator_client.get(url)
    assert CandidateAccess.objects.count() == 2


def test_refused_and_missing_pages_leave_no_entry(investigator_client, candidate_number):
    assert (
        investigator_client.get(
            reverse("screening:candidate-change", args=[candidate_number])
        ).status_code
        == 403
    )
    assert (
        investigator_client.get(
            reverse("screening:candidate-detail", args=["NCT01387295-S9999"])
        ).status_code
        == 404
    )
    assert not CandidateAccess.objects.exists()


def test_the_access_log_is_append_only(investigator_client, candidate_number):
    investigator_client.get(reverse("screening:candidate-detail", args=[candidate_number]))
    assert_append_only(CandidateAccess.objects.get(), screening_number="someone-else")
    assert CandidateAccess.objects.get().screening_number == candidate_number


def test_the_access_log_is_readable_in_the_admin_but_not_editable(
    client, investigator_client, candidate_number
):
    investigator_client.get(reverse("screening:candidate-detail", args=[candidate_number]))
    entry = CandidateAccess.objects.get()
    client.force_login(get_user_model().objects.create_superuser("it-admin", password="x" * 12))
    listing = client.get(reverse("admin:trialsite_candidateaccess_changelist"))
    assert listing.status_code == 200
    assert candidate_number in listing.content.decode()
    change_url = reverse("admin:trialsite_candidateaccess_change", args=[entry.pk])
    assert client.get(change_url).status_code == 200  # shown, read-only
    assert client.post(change_url, {"screening_number": "x"}).status_code == 403
    assert client.get(reverse("admin:trialsite_candidateaccess_add")).status_code == 403
    delete_url = reverse("admin:trialsite_candidateaccess_delete", args=[entry.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert CandidateAccess.objects.get().screening_number == candidate_number


@pytest.mark.django_db
def test_health_answers_plain_http_when_everything_else_redirects(settings):
    """A load balancer checks /health/ over HTTP and does not follow a redirect to HTTPS."""
    from django.test import Client

    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/health/").status_code == 200
    assert client.get("/login/").status_code == 301
