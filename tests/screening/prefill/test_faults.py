"""Faults the demo server cannot produce, from small HTTP handlers on real sockets: each is one
clear message on the page, nothing saved, no identifier in the page or the logs."""

import html
import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from screening.models import Screening
from screening.prefill import client
from tests.fhir_server import KAREN_CPR

pytestmark = pytest.mark.django_db

PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1965-03-02"}


def _answer(status: int, body: object):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def local_server(settings):
    """Start a handler on a free port; FHIR_BASE_URL points at it."""
    servers = []

    def start(handler) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        settings.FHIR_BASE_URL = f"http://127.0.0.1:{server.server_port}/fhir"
        return settings.FHIR_BASE_URL

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _look_up(nurse_client, episode, caplog) -> str:
    caplog.set_level(logging.DEBUG)
    url = reverse("screening:prefill", args=[episode.candidate.screening_number, 1])
    page = nurse_client.post(url, {"identifier": KAREN_CPR}).content.decode()
    assert KAREN_CPR not in page and KAREN_CPR not in caplog.text
    assert "Proposed values" not in page
    assert Screening.objects.get(pk=episode.pk).values == episode.values
    return html.unescape(page)


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (401, {"resourceType": "OperationOutcome"}, client.REFUSED.format(status=401)),
        (403, {"resourceType": "OperationOutcome"}, client.REFUSED.format(status=403)),
        (500, b"<html>oops " + KAREN_CPR.encode() + b"</html>", client.FAILED),
        (200, b"not json", client.UNREADABLE),
        (200, {"resourceType": "Bundle", "entry": "x"}, client.UNREADABLE),
        (
            200,
            {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": {}}]},
            client.UNREADABLE,
        ),  # fmt: skip
        (200, {"resourceType": "OperationOutcome"}, client.UNREADABLE),
    ],
)
def test_server_faults_are_one_clear_message(
    local_server, nurse_client, open_episode, caplog, status, body, message
):
    local_server(_answer(status, body))
    assert message in _look_up(nurse_client, open_episode, caplog)


def test_a_bundle_of_the_wrong_resources_is_unreadable(
    local_server, nurse_client, open_episode, caplog
):
    observation = {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}
    bundle = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": observation}]}
    local_server(_answer(200, bundle))
    assert client.UNREADABLE in _look_up(nurse_client, open_episode, caplog)


def test_server_down(settings, nurse_client, open_episode, caplog):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.FHIR_BASE_URL = f"http://127.0.0.1:{port}/fhir"
    assert client.UNREACHABLE in _look_up(nurse_client, open_episode, caplog)


def test_a_server_that_never_answers_times_out(settings, nurse_client, open_episode, caplog):
    # Accepts connections (the kernel's backlog) but never reads or answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings.FHIR_BASE_URL = f"http://127.0.0.1:{silent.getsockname()[1]}/fhir"
        settings.FHIR_TIMEOUT_SECONDS = 0.5
        page = _look_up(nurse_client, open_episode, caplog)
    assert client.TIMED_OUT.format(seconds="0.5") in page


def test_the_token_is_sent_and_a_wrong_one_refused(
    settings, fhir_server_with_token, nurse_client, open_episode, caplog
):
    settings.FHIR_BASE_URL = fhir_server_with_token
    settings.FHIR_ACCESS_TOKEN = "wrong"
    assert client.REFUSED.format(status=401) in _look_up(nurse_client, open_episode, caplog)
    settings.FHIR_ACCESS_TOKEN = "s3cret"
    url = reverse("screening:prefill", args=[open_episode.candidate.screening_number, 1])
    page = nurse_client.post(url, {"identifier": KAREN_CPR}).content.decode()
    assert "Observation/karen-neut" in page
