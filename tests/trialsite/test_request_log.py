"""Request lines on stdout: one JSON object per request, with who, what, status and time;
never a password, an entered value or a query string."""

import io
import json
import logging

import pytest
from django.urls import reverse

from tests.cases import eligible_values, form_url, post_values
from tests.factories import TEST_PASSWORD
from trialsite.request_log import JsonLineFormatter

pytestmark = pytest.mark.django_db

# Values no page, path or default would contain, so finding one in the log means a leak.
NEUTROPHILS = "3.1415"
QUERY = "ZQ-4471"


# Every logger the settings give a handler: whatever they emit is what stdout would carry.
LOGGERS = ["", "trialsite", "screening", "criteria", "django", "django.server", "axes"]


@pytest.fixture
def log_output():
    """What the configured loggers emit during the test, formatted as in production."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    for name in LOGGERS:
        logging.getLogger(name).addHandler(handler)
    yield stream
    for name in LOGGERS:
        logging.getLogger(name).removeHandler(handler)


def _request_lines(stream) -> list[dict]:
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line]
    return [line for line in lines if line["logger"] == "trialsite.request_log"]


def test_a_request_is_one_line_with_user_method_path_status_duration(client, nurse, log_output):
    client.force_login(nurse)
    client.get(reverse("screening:candidate-list") + f"?q={QUERY}")
    [line] = _request_lines(log_output)
    assert line["user_id"] == nurse.pk
    assert (line["method"], line["path"], line["status"]) == ("GET", "/candidates/", 200)
    assert line["level"] == "INFO"
    assert line["duration_ms"] >= 0
    assert line["time"].endswith("+00:00")  # UTC
    assert QUERY not in json.dumps(line)


def test_anonymous_request_has_no_user(client, log_output):
    client.get(reverse("home"))
    [line] = _request_lines(log_output)
    assert (line["user_id"], line["status"]) == (None, 302)


def test_login_and_screening_posts_log_no_password_or_value(client, nurse, candidate, log_output):
    login = client.post(reverse("login"), {"username": "nurse", "password": TEST_PASSWORD})
    assert login.status_code == 302
    client.post(reverse("login"), {"username": "nurse", "password": "Wrong-" + TEST_PASSWORD})
    values = eligible_values() | {"neutrophils": NEUTROPHILS}
    saved = client.post(form_url(candidate), post_values(values))
    assert saved.status_code == 302
    out = log_output.getvalue()
    lines = _request_lines(log_output)
    assert [(line["method"], line["status"]) for line in lines] == [
        ("POST", 302),
        ("POST", 200),
        ("POST", 302),
    ]
    assert TEST_PASSWORD not in out
    assert "3.1415" not in out and "3,1415" not in out


def test_a_multi_line_message_stays_one_line():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "first\nsecond", None, None)
    formatted = JsonLineFormatter().format(record)
    assert "\n" not in formatted
    assert json.loads(formatted)["message"] == "first\nsecond"
